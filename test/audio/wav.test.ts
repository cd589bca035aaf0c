import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AudioInputError, UsageError } from '../../src/core/errors.js';
import type { SampleEncoding } from '../../src/audio/samples.js';
import { openAudioStream } from '../../src/audio/stream.js';
import { WavDecoder } from '../../src/audio/wav.js';
import {
  FIXTURES,
  chunk,
  concat,
  dominantFrequency,
  encodeSamples,
  expectedMono,
  fmtChunk,
  makeWav,
  maxAbsDiff,
  noise,
  randomChunks,
  riff,
  rms,
} from '../fixtures/audio/helpers.js';

function decodeAll(bytes: Uint8Array | Uint8Array[], opts: ConstructorParameters<typeof WavDecoder>[0] = {}) {
  const dec = new WavDecoder(opts);
  const out: Float32Array[] = [];
  for (const b of Array.isArray(bytes) ? bytes : [bytes]) out.push(...dec.pushSync(b));
  out.push(...dec.endSync());
  return { dec, samples: concat(out) };
}

function catchError(f: () => unknown): Error {
  try {
    f();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error');
}

/** Signal with both full-scale extremes and random values in between. */
function signal(frames: number, channels: number, seed: number): Float64Array {
  const x = noise(frames * channels, seed);
  x[0] = -1;
  if (x.length > 1) x[1] = 0.9999999;
  return x;
}

describe('WAV sample formats decode to the values written', () => {
  const encodings: SampleEncoding[] = ['u8', 's16', 's24', 's32', 'f32', 'f64'];
  for (const enc of encodings) {
    for (const extensible of [false, true]) {
      it(`${enc}${extensible ? ' (WAVE_FORMAT_EXTENSIBLE)' : ''}, mono 16 kHz`, () => {
        const x = signal(1000, 1, 7);
        const { dec, samples } = decodeAll(makeWav({ enc, channels: 1, rate: 16000, interleaved: x, extensible }));
        expect(dec.sampleRate).toBe(16000);
        expect(dec.channels).toBe(1);
        expect(dec.wavFormat?.extensible).toBe(extensible);
        expect(samples.length).toBe(1000);
        expect(maxAbsDiff(samples, expectedMono(enc, 1, x))).toBeLessThan(1e-7);
      });
    }
  }

  it('describes the format', () => {
    const { dec } = decodeAll(makeWav({ enc: 's24', channels: 2, rate: 44100, interleaved: signal(10, 2, 1), extensible: true }));
    expect(dec.format).toBe('WAV PCM 24-bit (extensible), 2 ch, 44100 Hz');
  });

  it('full-scale integer codes map to exactly -1 and (2^(n-1)-1)/2^(n-1)', () => {
    const { samples } = decodeAll(makeWav({ enc: 's16', channels: 1, rate: 8000, interleaved: [-1, 32767 / 32768, 0] }));
    expect(Array.from(samples)).toEqual([-1, 32767 / 32768, 0]);
    const u8 = decodeAll(makeWav({ enc: 'u8', channels: 1, rate: 8000, interleaved: [-1, 0, 127 / 128] })).samples;
    expect(Array.from(u8)).toEqual([-1, 0, 127 / 128]);
  });

  for (const [channels, rate] of [
    [2, 8000],
    [2, 48000],
    [6, 8000],
    [6, 48000],
  ] as const) {
    it(`${channels} channels at ${rate} Hz are averaged to mono (s16 and f32)`, () => {
      for (const enc of ['s16', 'f32'] as const) {
        const x = signal(500, channels, channels * 100 + rate);
        const { dec, samples } = decodeAll(makeWav({ enc, channels, rate, interleaved: x, extensible: channels > 2 }));
        expect(dec.sampleRate).toBe(rate);
        expect(dec.channels).toBe(channels);
        expect(samples.length).toBe(500);
        expect(maxAbsDiff(samples, expectedMono(enc, channels, x))).toBeLessThan(1e-7);
      }
    });
  }

  it('stereo with opposite channels mixes to silence', () => {
    const x = [0.5, -0.5, -0.25, 0.25];
    expect(Array.from(decodeAll(makeWav({ enc: 's16', channels: 2, rate: 16000, interleaved: x })).samples)).toEqual([0, 0]);
  });

  it('G.711 A-law and µ-law (8 kHz telephony) expand per ITU-T G.711', () => {
    const alaw = decodeAll(makeWav({ enc: 'alaw', channels: 1, rate: 8000, interleaved: [0xd5, 0x55, 0xaa, 0x2a] }));
    expect(Array.from(alaw.samples, (v) => v * 32768)).toEqual([8, -8, 32256, -32256]);
    expect(alaw.dec.format).toBe('WAV A-law, 1 ch, 8000 Hz');
    const mulaw = decodeAll(makeWav({ enc: 'mulaw', channels: 1, rate: 8000, interleaved: [0xff, 0x7f, 0x80, 0x00] }));
    expect(Array.from(mulaw.samples, (v) => v * 32768)).toEqual([0, 0, 32124, -32124]);
  });

  it('reads the 6-channel 24-bit WAVE_FORMAT_EXTENSIBLE file sox writes', () => {
    const { dec, samples } = decodeAll(new Uint8Array(readFileSync(new URL('tone1k_8k_6ch_s24.wav', FIXTURES))));
    expect(dec.format).toBe('WAV PCM 24-bit (extensible), 6 ch, 8000 Hz');
    expect(samples.length).toBe(400);
    expect(dominantFrequency(samples, 8000)).toBe(1000);
    expect(rms(samples)).toBeCloseTo(0.5 / Math.SQRT2, 2);
  });
});

describe('WAV chunk layout', () => {
  it('skips LIST/fact/unknown chunks before and after the audio, honouring odd-size padding', () => {
    const x = signal(7, 1, 3); // 7 u8 samples: odd data size, so a pad byte follows
    const bytes = riff([
      chunk('LIST', new Uint8Array(13).fill(0x41)),
      fmtChunk({ enc: 'u8', channels: 1, rate: 8000 }),
      chunk('fact', new Uint8Array([7, 0, 0, 0])),
      chunk('junk', new Uint8Array(3)),
      chunk('data', encodeSamples('u8', x)),
      chunk('LIST', new Uint8Array(5).fill(0x42)),
      chunk('id3 ', new Uint8Array(10)),
    ]);
    const { dec, samples } = decodeAll(bytes);
    expect(maxAbsDiff(samples, expectedMono('u8', 1, x))).toBe(0);
    expect(samples.length).toBe(7);
    expect(dec.warnings).toEqual([]);
  });

  it('an odd-sized data chunk whose pad byte is missing at the end of the file is complete, without warning', () => {
    const bytes = makeWav({ enc: 'u8', channels: 1, rate: 8000, interleaved: [0.5, -0.5, 0] });
    expect(bytes.length).toBe(48); // 44 + 3 + pad
    const { dec, samples } = decodeAll(bytes.subarray(0, 47));
    expect(Array.from(samples)).toEqual([0.5, -0.5, 0]);
    expect(dec.warnings).toEqual([]);
  });

  it('a truncated trailing metadata chunk only warns: the audio is complete', () => {
    const bytes = makeWav({ enc: 's16', channels: 1, rate: 8000, interleaved: [0.5], after: [chunk('LIST', new Uint8Array(40))] });
    const { dec, samples } = decodeAll(bytes.subarray(0, bytes.length - 10));
    expect(Array.from(samples)).toEqual([0.5]);
    expect(dec.warnings).toEqual(['trailing "LIST" chunk after the audio is truncated; ignored']);
  });

  it('parsing in random chunk sizes (down to 1 byte) equals parsing in one piece', () => {
    const cases = [
      makeWav({ enc: 's24', channels: 2, rate: 44100, interleaved: signal(3000, 2, 5), before: [chunk('LIST', new Uint8Array(33))] }),
      makeWav({ enc: 'f64', channels: 6, rate: 48000, interleaved: signal(700, 6, 6), extensible: true, after: [chunk('LIST', new Uint8Array(9))] }),
      makeWav({ enc: 'u8', channels: 1, rate: 8000, interleaved: signal(1001, 1, 8) }),
    ];
    for (const [i, bytes] of cases.entries()) {
      const whole = decodeAll(bytes).samples;
      for (const seed of [1, 2, 3]) {
        const parts = randomChunks(bytes, seed * 10 + i, seed === 1 ? 3 : 4099);
        const { samples, dec } = decodeAll(parts);
        expect(samples).toEqual(whole);
        expect(dec.retainedBytes).toBeLessThanOrEqual(48);
      }
    }
  });

  it('one-sample audio is valid and yields exactly that sample', () => {
    const { samples } = decodeAll(makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: [0.25] }));
    expect(Array.from(samples)).toEqual([0.25]);
  });

  it('reads a WAV written to a pipe (data size placeholder 0x7ffff000) to the end, without complaint', () => {
    const bytes = new Uint8Array(readFileSync(new URL('tone1k_8k_streamed.wav', FIXTURES)));
    expect(new DataView(bytes.buffer, bytes.byteOffset).getUint32(40, true)).toBe(0x7ffff000);
    for (const totalBytes of [undefined, bytes.length]) {
      const { dec, samples } = decodeAll(randomChunks(bytes, 4, 500), totalBytes ? { totalBytes } : {});
      expect(samples.length).toBe(800);
      expect(dec.warnings).toEqual([]);
      expect(dominantFrequency(samples, 8000)).toBe(1000);
    }
  });

  it('reads a data size of 0xFFFFFFFF (ffmpeg to a pipe) to the end of the input', () => {
    const x = signal(101, 2, 9);
    const bytes = riff([fmtChunk({ enc: 's16', channels: 2, rate: 16000 }), chunk('data', encodeSamples('s16', x), 0xffffffff)]);
    const { samples } = decodeAll(bytes, { totalBytes: bytes.length });
    expect(maxAbsDiff(samples, expectedMono('s16', 2, x))).toBe(0);
  });

  it('ignores a stray partial frame at the end of a streamed data chunk, with a warning', () => {
    const x = signal(10, 2, 9);
    const bytes = riff([fmtChunk({ enc: 's16', channels: 2, rate: 16000 }), chunk('data', encodeSamples('s16', x), 0xffffffff)]);
    const cut = bytes.subarray(0, bytes.length - 1);
    const { dec, samples } = decodeAll(cut);
    expect(samples.length).toBe(9);
    expect(dec.warnings.join()).toMatch(/3 stray byte\(s\) of a 4-byte frame ignored/);
  });

  it('a second push after end() is a UsageError', () => {
    const dec = new WavDecoder();
    dec.pushSync(makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: [0.1] }));
    dec.endSync();
    expect(() => dec.pushSync(new Uint8Array(1))).toThrow(UsageError);
  });
});

describe('WAV errors name the problem', () => {
  const good = makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: signal(16000, 1, 2) });

  it('empty input', () => {
    const e = catchError(() => decodeAll(new Uint8Array(0), { source: 'a.wav' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe('a.wav: input is empty (0 bytes)');
  });

  it('wrong magic shows the first bytes', () => {
    const e = catchError(() => decodeAll(new TextEncoder().encode('hello world, this is text'), { source: 'a.wav' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^a\.wav: not a WAV file: starts with 68 65 6c 6c 6f .*\("hello world,"\)/);
    expect(catchError(() => decodeAll(new TextEncoder().encode('ID3'))).message).toMatch(/not a WAV file: starts with 49 44 33/);
  });

  it('a RIFF file that is not WAVE, and big-endian RIFX', () => {
    expect(catchError(() => decodeAll(riff([], 'RIFF', 'AVI '))).message).toMatch(/not a WAV file: a RIFF file of type "AVI "/);
    expect(catchError(() => decodeAll(riff([], 'RIFX'))).message).toMatch(/big-endian WAV \(RIFX\) is not supported/);
  });

  it('missing fmt chunk', () => {
    const e = catchError(() => decodeAll(riff([chunk('data', new Uint8Array(4))])));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/missing fmt chunk: the data chunk at byte 12 comes before any fmt chunk/);
    expect(catchError(() => decodeAll(riff([chunk('LIST', new Uint8Array(4))]))).message).toMatch(/missing fmt chunk/);
  });

  it('unsupported format tags are named', () => {
    const adpcm = riff([fmtChunk({ enc: 's16', channels: 1, rate: 8000, tag: 0x11, bits: 4 }), chunk('data', new Uint8Array(8))]);
    expect(catchError(() => decodeAll(adpcm)).message).toMatch(/unsupported WAV encoding: format tag 0x0011 \(IMA ADPCM\); earshot reads PCM/);
    const mp3 = riff([fmtChunk({ enc: 's16', channels: 1, rate: 8000, tag: 0x55 }), chunk('data', new Uint8Array(8))]);
    expect(catchError(() => decodeAll(mp3)).message).toMatch(/format tag 0x0055 \(MPEG Layer 3 \(MP3\)\)/);
    const oddGuid = riff([fmtChunk({ enc: 's16', channels: 1, rate: 8000, extensible: true, guidTail: new Array(14).fill(7) }), chunk('data', new Uint8Array(8))]);
    expect(catchError(() => decodeAll(oddGuid)).message).toMatch(/WAVE_FORMAT_EXTENSIBLE sub-format GUID 0100/);
    const float24 = riff([fmtChunk({ enc: 's24', channels: 1, rate: 8000, tag: 3 }), chunk('data', new Uint8Array(6))]);
    expect(catchError(() => decodeAll(float24)).message).toMatch(/IEEE float \(32 or 64 expected\) with 24 bits per sample/);
  });

  it('corrupt fmt chunks', () => {
    const noCh = riff([fmtChunk({ enc: 's16', channels: 0, rate: 8000, blockAlign: 0 }), chunk('data', new Uint8Array(2))]);
    expect(catchError(() => decodeAll(noCh)).message).toMatch(/declares 0 channels/);
    const align = riff([fmtChunk({ enc: 's16', channels: 2, rate: 8000, blockAlign: 2 }), chunk('data', new Uint8Array(4))]);
    expect(catchError(() => decodeAll(align)).message).toMatch(/block align is 2 bytes but 2 channel\(s\) × 2 byte\(s\) = 4/);
    const short = riff([chunk('fmt ', new Uint8Array(12)), chunk('data', new Uint8Array(4))]);
    expect(catchError(() => decodeAll(short)).message).toMatch(/the fmt chunk is 12 bytes, it needs at least 16/);
  });

  it('truncated header', () => {
    for (const n of [3, 11, 20, 40]) {
      const e = catchError(() => decodeAll(good.subarray(0, n), { source: 't.wav' }));
      expect(e).toBeInstanceOf(AudioInputError);
      expect(e.message).toMatch(new RegExp(`^t\\.wav: truncated WAV header: input ends after ${n} bytes`));
    }
  });

  it('truncated data: an error with both sizes, raised at end() after the present samples were delivered', () => {
    const cut = good.subarray(0, 44 + 1200);
    const dec = new WavDecoder({ source: 'talk.wav' });
    const got = concat(dec.pushSync(cut));
    expect(got.length).toBe(600);
    const e = catchError(() => dec.endSync());
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^talk\.wav: truncated WAV: data chunk declares 32000 bytes \(1\.00 s of audio\) but the file holds only 1200 \(0\.04 s\)/);
  });

  it('truncated data with the file size known fails at the header, before any decoding', () => {
    const cut = good.subarray(0, 44 + 1200);
    const dec = new WavDecoder({ source: 'talk.wav', totalBytes: cut.length });
    const e = catchError(() => dec.pushSync(cut.subarray(0, 100)));
    expect(e.message).toMatch(/truncated WAV: data chunk declares 32000 bytes .* holds only 1200/);
  });

  it('allowTruncated delivers what is there with a warning', () => {
    const cut = good.subarray(0, 44 + 1201);
    const warned: string[] = [];
    const { dec, samples } = decodeAll(cut, { allowTruncated: true, onWarning: (m) => warned.push(m) });
    expect(samples.length).toBe(600);
    expect(warned.length).toBe(2);
    expect(warned[0]).toMatch(/truncated WAV: data chunk declares 32000 bytes .* holds only 1201/);
    expect(warned[1]).toMatch(/1 stray byte/);
    expect(dec.warnings).toEqual(warned);
  });

  it('zero-length audio', () => {
    const empty = riff([fmtChunk({ enc: 's16', channels: 1, rate: 16000 }), chunk('data', new Uint8Array(0))]);
    const e = catchError(() => decodeAll(empty, { source: 'z.wav' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe('z.wav: contains no audio samples: the WAV data chunk is empty');
    const noData = riff([fmtChunk({ enc: 's16', channels: 1, rate: 16000 })]);
    expect(catchError(() => decodeAll(noData)).message).toMatch(/contains no audio samples: the WAV has a fmt chunk but no data chunk/);
    const partial = riff([fmtChunk({ enc: 's16', channels: 2, rate: 16000 }), chunk('data', new Uint8Array(3))]);
    expect(catchError(() => decodeAll(partial)).message).toMatch(/contains no audio samples.*declares 3 bytes, less than one 4-byte frame/);
  });

  it('NaN and ±Infinity in float WAVs are errors naming the sample index', () => {
    const x = Array.from(signal(10, 1, 4));
    x[3] = NaN;
    const e = catchError(() => decodeAll(makeWav({ enc: 'f32', channels: 1, rate: 16000, interleaved: x }), { source: 'nan.wav' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^nan\.wav: sample 3, at 0\.0002 s is NaN/);

    const st = Array.from(signal(8, 2, 4));
    st[2 * 5 + 1] = Infinity; // frame 5, right channel
    expect(catchError(() => decodeAll(makeWav({ enc: 'f32', channels: 2, rate: 8000, interleaved: st }))).message).toMatch(
      /sample 5 \(channel 1 of 2\), at 0\.0006 s is \+Infinity/,
    );
    const d = Array.from(signal(3000, 1, 4));
    d[2999] = -Infinity;
    // found even when the bad sample arrives in a later push
    const parts = randomChunks(makeWav({ enc: 'f64', channels: 1, rate: 48000, interleaved: d }), 3, 300);
    expect(catchError(() => decodeAll(parts)).message).toMatch(/sample 2999, at 0\.0625 s is -Infinity/);
  });
});

describe('WAV streaming memory', () => {
  /** 10 minutes of 48 kHz stereo 16-bit WAV generated on the fly in 64 KiB pieces (~110 MiB in all). */
  async function* tenMinuteWav(): AsyncGenerator<Uint8Array> {
    const rate = 48000;
    const frames = rate * 600;
    const header = riff([fmtChunk({ enc: 's16', channels: 2, rate }), chunk('data', new Uint8Array(0), frames * 4)]);
    yield header;
    const piece = new Uint8Array(65536 + 2); // deliberately not a multiple of the 4-byte frame
    const dv = new DataView(piece.buffer);
    for (let i = 0; i < piece.length / 2; i++) dv.setInt16(i * 2, (i % 200) * 100 - 10000, true);
    let left = frames * 4;
    while (left > 0) {
      const n = Math.min(left, piece.length);
      yield piece.slice(0, n);
      left -= n;
    }
  }

  it('the parser retains a bounded number of bytes however long the stream is', async () => {
    const dec = new WavDecoder();
    let maxRetained = 0;
    let maxChunk = 0;
    let total = 0;
    for await (const bytes of tenMinuteWav()) {
      for (const c of dec.pushSync(bytes)) {
        total += c.length;
        maxChunk = Math.max(maxChunk, c.length);
      }
      maxRetained = Math.max(maxRetained, dec.retainedBytes);
    }
    dec.endSync();
    expect(total).toBe(48000 * 600);
    expect(maxRetained).toBeLessThanOrEqual(8 + 3);
    expect(maxChunk).toBeLessThanOrEqual(65538 / 4 + 1);
  });

  it('openAudioStream decodes it chunk by chunk with the rate known up front', async () => {
    const audio = await openAudioStream(tenMinuteWav(), { source: 'generated' });
    expect(audio.sampleRate).toBe(48000);
    expect(audio.format).toBe('WAV PCM 16-bit, 2 ch, 48000 Hz');
    let total = 0;
    let chunks = 0;
    for await (const c of audio.chunks()) {
      total += c.length;
      chunks++;
    }
    expect(total).toBe(48000 * 600);
    expect(chunks).toBeGreaterThan(1000);
  });
});
