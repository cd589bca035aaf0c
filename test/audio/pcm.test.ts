import { describe, expect, it } from 'vitest';
import { AudioInputError, UsageError } from '../../src/core/errors.js';
import { RawPcmDecoder, type RawEncoding, type RawPcmSpec } from '../../src/audio/pcm.js';
import { openAudioStream } from '../../src/audio/stream.js';
import { InterleavedFrameDecoder } from '../../src/audio/samples.js';
import { concat, encodeSamples, expectedMono, maxAbsDiff, noise, randomChunks } from '../fixtures/audio/helpers.js';

function decodeAll(spec: RawPcmSpec, parts: Uint8Array[], source?: string) {
  const dec = new RawPcmDecoder(spec, source ? { source } : {});
  const out: Float32Array[] = [];
  for (const p of parts) out.push(...dec.pushSync(p));
  out.push(...dec.endSync());
  return { dec, samples: concat(out) };
}

const ENC: Record<RawEncoding, 'u8' | 's16' | 's32' | 'f32'> = { u8: 'u8', s16le: 's16', s32le: 's32', f32le: 'f32' };

describe('raw PCM', () => {
  it('a sample split across chunks (odd byte counts) is carried to the next chunk', () => {
    const dec = new RawPcmDecoder({ encoding: 's16le', rate: 16000 });
    expect(dec.pushSync(new Uint8Array([0x00]))).toEqual([]);
    expect(dec.retainedBytes).toBe(1);
    expect(Array.from(concat(dec.pushSync(new Uint8Array([0x40, 0x00]))))).toEqual([0.5]);
    expect(Array.from(concat(dec.pushSync(new Uint8Array([0xc0]))))).toEqual([-0.5]);
    expect(dec.retainedBytes).toBe(0);
    expect(dec.endSync()).toEqual([]);
    expect(dec.samplesDecoded).toBe(2);
  });

  for (const encoding of ['s16le', 's32le', 'f32le', 'u8'] as const) {
    for (const channels of [1, 2, 6]) {
      it(`${encoding}, ${channels} ch: random chunk sizes decode to the values written`, () => {
        const x = noise(999 * channels, channels + encoding.length);
        const bytes = encodeSamples(ENC[encoding], x);
        const want = expectedMono(ENC[encoding], channels, x);
        const whole = decodeAll({ encoding, rate: 8000, channels }, [bytes]);
        expect(whole.dec.sampleRate).toBe(8000);
        expect(whole.dec.channels).toBe(channels);
        expect(whole.samples.length).toBe(999);
        expect(maxAbsDiff(whole.samples, want)).toBeLessThan(1e-7);
        const parts = randomChunks(bytes, 17, 7);
        expect(decodeAll({ encoding, rate: 8000, channels }, parts).samples).toEqual(whole.samples);
      });
    }
  }

  it('a stray byte at the very end is dropped with a warning', () => {
    const { dec, samples } = decodeAll({ encoding: 's16le', rate: 16000 }, [new Uint8Array([0, 0x40, 0, 0x20, 7])]);
    expect(Array.from(samples)).toEqual([0.5, 0.25]);
    expect(dec.warnings).toHaveLength(1);
    expect(dec.warnings[0]).toMatch(/raw input ends with 1 stray byte\(s\), not a whole 2-byte frame of raw s16le, 1 ch, 16000 Hz/);
  });

  it('empty input and less than one frame are AudioInputErrors', () => {
    expect(() => decodeAll({ encoding: 's16le', rate: 16000 }, [], 'stdin')).toThrow(new AudioInputError('stdin', 'input is empty (0 bytes)'));
    expect(() => decodeAll({ encoding: 'f32le', rate: 16000, channels: 2 }, [new Uint8Array(5)])).toThrow(
      /contains no audio samples: 5 byte\(s\) is less than one 8-byte frame of raw f32le, 2 ch, 16000 Hz/,
    );
  });

  it('NaN / Infinity in f32le input is an error naming the sample index', () => {
    const x = Array.from(noise(100, 2));
    x[41] = NaN;
    const bytes = encodeSamples('f32', x);
    expect(() => decodeAll({ encoding: 'f32le', rate: 16000 }, randomChunks(bytes, 5, 13), 'stdin')).toThrow(/^stdin: sample 41, at 0\.0026 s is NaN/);
    x[41] = 0;
    x[99] = -Infinity;
    expect(() => decodeAll({ encoding: 'f32le', rate: 16000, channels: 2 }, [encodeSamples('f32', x)])).toThrow(/sample 49 \(channel 1 of 2\).* is -Infinity/);
  });

  it('bad layouts are UsageErrors naming the field', () => {
    expect(() => new RawPcmDecoder({ encoding: 's24le' as RawEncoding, rate: 16000 })).toThrow(UsageError);
    expect(() => new RawPcmDecoder({ encoding: 's24le' as RawEncoding, rate: 16000 })).toThrow(/raw encoding must be one of s16le, s32le, f32le, u8, got "s24le"/);
    expect(() => new RawPcmDecoder({ encoding: 's16le', rate: 0 })).toThrow(/raw sample rate must be a positive integer/);
    expect(() => new RawPcmDecoder({ encoding: 's16le', rate: 16000.5 })).toThrow(UsageError);
    expect(() => new RawPcmDecoder({ encoding: 's16le', rate: 16000, channels: 0 })).toThrow(/raw channel count must be an integer from 1 to 256, got 0/);
  });

  it('openAudioStream with raw: rate known at once, odd-sized chunks from a stream', async () => {
    async function* bytes() {
      const all = encodeSamples('s16', noise(1601, 3));
      for (const p of randomChunks(all, 9, 333)) yield p;
    }
    const audio = await openAudioStream(bytes(), { source: 'stdin', raw: { encoding: 's16le', rate: 16000 } });
    expect(audio.sampleRate).toBe(16000);
    expect(audio.format).toBe('raw s16le, 1 ch, 16000 Hz');
    let n = 0;
    for await (const c of audio.chunks()) n += c.length;
    expect(n).toBe(1601);
  });
});

describe('16-bit frames: the typed-array fast path equals the DataView path', () => {
  for (const channels of [1, 2, 3]) {
    it(`${channels} channel(s): the same samples whether the bytes start at an even or an odd offset`, () => {
      const interleaved = Array.from(noise(3000 * channels, 7 + channels), (v) => v * 0.9);
      const bytes = encodeSamples('s16', interleaved);
      const odd = new Uint8Array(bytes.length + 1);
      odd.set(bytes, 1); // an odd byte offset cannot be read as an Int16Array
      const even = new InterleavedFrameDecoder('s16', channels, 16000, 'even').decode(bytes, 0, bytes.length)!;
      const shifted = new InterleavedFrameDecoder('s16', channels, 16000, 'odd').decode(odd, 1, odd.length)!;
      expect(even.length).toBe(3000);
      expect(maxAbsDiff(even, shifted)).toBe(0);
      expect(maxAbsDiff(even, expectedMono('s16', channels, interleaved))).toBeLessThan(1e-7);
    });
  }
});
