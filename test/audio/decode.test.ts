import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AudioInputError } from '../../src/core/errors.js';
import { createAudioDecoder, detectAudioFormat } from '../../src/audio/decode.js';
import type { DecoderOptions } from '../../src/audio/types.js';
import { FIXTURES, concat, dominantFrequency, makeWav, maxAbsDiff, noise, randomChunks, rms, toneMagnitude, rejection } from '../fixtures/audio/helpers.js';

const fixture = (name: string) => new Uint8Array(readFileSync(new URL(name, FIXTURES)));
const ascii = (s: string) => Uint8Array.from(s, (c) => c.charCodeAt(0));

async function decodeAll(parts: Uint8Array[], opts: DecoderOptions = {}) {
  const dec = createAudioDecoder(opts);
  const out: Float32Array[] = [];
  for (const p of parts) out.push(...(await dec.push(p)));
  out.push(...(await dec.end()));
  return { dec, samples: concat(out) };
}

/** Offset of the last Ogg page. */
function lastOggPage(b: Uint8Array): number {
  let at = 0;
  let last = 0;
  while (at < b.length) {
    last = at;
    const n = b[at + 26]!;
    let body = 0;
    for (let i = 0; i < n; i++) body += b[at + 27 + i]!;
    at += 27 + n + body;
  }
  return last;
}

/** Recompute an Ogg page's CRC-32 (polynomial 0x04c11db7, unreflected, over the page with the CRC field zeroed). */
function setOggCrc(b: Uint8Array, at: number): void {
  const n = b[at + 26]!;
  let len = 27 + n;
  for (let i = 0; i < n; i++) len += b[at + 27 + i]!;
  b.fill(0, at + 22, at + 26);
  let crc = 0;
  for (let i = 0; i < len; i++) {
    crc ^= b[at + i]! << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  new DataView(b.buffer, b.byteOffset).setUint32(at + 22, crc >>> 0, true);
}

describe('format detection by magic bytes', () => {
  it('recognises each supported container', () => {
    expect(detectAudioFormat(fixture('tone1k_8k_streamed.wav'))).toEqual({ kind: 'wav' });
    expect(detectAudioFormat(fixture('tone1k_16k_mono.flac'))).toEqual({ kind: 'flac', sampleRate: 16000, channels: 1, totalSamples: 8000 });
    expect(detectAudioFormat(fixture('tone1k_44k1_stereo.ogg'))).toEqual({ kind: 'ogg-vorbis', sampleRate: 44100, channels: 2 });
    expect(detectAudioFormat(fixture('tone1k_16k_mono.opus'))).toEqual({ kind: 'ogg-opus', channels: 1, preSkip: 312 });
    expect(detectAudioFormat(fixture('tone1k_22k05_mono.mp3'))).toEqual({ kind: 'mp3' });
    expect(detectAudioFormat(ascii('ID3\u0004\u0000'))).toEqual({ kind: 'mp3' });
    expect(detectAudioFormat(new Uint8Array([0xff, 0xfb, 0x90, 0x64]))).toEqual({ kind: 'mp3' });
  });

  it('asks for more bytes until it can tell Vorbis from Opus', () => {
    const ogg = fixture('tone1k_16k_mono.opus');
    expect(detectAudioFormat(ogg.subarray(0, 4))).toBeUndefined();
    expect(detectAudioFormat(ogg.subarray(0, 30))).toBeUndefined();
    expect(detectAudioFormat(ogg.subarray(0, 60))?.kind).toBe('ogg-opus');
  });

  it('unknown formats: an AudioInputError naming the first bytes, a guess, and the supported formats', () => {
    const aiff = new Uint8Array([...ascii('FORM'), 0, 0, 0x10, 0, ...ascii('AIFFCOMM')]);
    const e = (() => {
      try {
        detectAudioFormat(aiff, { source: 'song.aiff', final: true });
      } catch (err) {
        return err as Error;
      }
      throw new Error('no error');
    })();
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^song\.aiff: unrecognised audio format: the input starts with 46 4f 52 4d 00 00 10 00 41 49 46 46 … \("FORM\.\.\.\.AIFF"\), which looks like AIFF\./);
    expect(e.message).toMatch(/earshot reads WAV \(.*\), FLAC, Ogg Vorbis, Ogg Opus and MP3, or headerless PCM with the raw option/);
    expect(() => detectAudioFormat(new Uint8Array([0, 0, 0, 0x20, ...ascii('ftypM4A ')]))).toThrow(/looks like MP4\/M4A/);
    expect(() => detectAudioFormat(new Uint8Array([0xff, 0xf1, 0x50, 0x80]))).toThrow(/looks like AAC in ADTS frames/);
    expect(() => detectAudioFormat(ascii('<!DOCTYPE html><html>'))).toThrow(/looks like text, not audio/);
    const speex = new Uint8Array(64);
    speex.set(ascii('OggS'));
    speex[26] = 1;
    speex[27] = 80;
    speex.set(ascii('Speex   '), 28);
    expect(() => detectAudioFormat(speex)).toThrow(/unsupported Ogg stream: it carries Speex/);
  });
});

describe('compressed fixtures (1 kHz sine at half scale, 0.5 s)', () => {
  const cases = [
    { file: 'tone1k_16k_mono.flac', rate: 16000, samples: 8000, format: 'FLAC, 1 ch, 16000 Hz', lossless: true },
    { file: 'tone1k_44k1_stereo.ogg', rate: 44100, samples: 22050, format: 'Ogg Vorbis, 2 ch, 44100 Hz', lossless: false },
    { file: 'tone1k_16k_mono.opus', rate: 48000, samples: 24000, format: 'Ogg Opus, 1 ch, 48000 Hz', lossless: false },
    { file: 'tone1k_22k05_mono.mp3', rate: 22050, samples: 11025, format: 'MP3, 1 ch, 22050 Hz', lossless: false },
  ];
  for (const c of cases) {
    it(`${c.file}: exact duration, 1 kHz dominant, amplitude kept; chunked decoding equals whole`, async () => {
      const bytes = fixture(c.file);
      const whole = await decodeAll([bytes], { source: c.file });
      expect(whole.dec.sampleRate).toBe(c.rate);
      expect(whole.dec.format).toBe(c.format);
      expect(whole.samples.length).toBe(c.samples);
      expect(whole.dec.samplesDecoded).toBe(c.samples);
      expect(whole.dec.warnings).toEqual([]);
      expect(dominantFrequency(whole.samples, c.rate)).toBe(1000);
      const mid = [Math.floor(c.samples * 0.2), Math.floor(c.samples * 0.8)] as const;
      expect(rms(whole.samples, ...mid)).toBeGreaterThan(0.5 / Math.SQRT2 - (c.lossless ? 0.001 : 0.04));
      expect(rms(whole.samples, ...mid)).toBeLessThan(0.5 / Math.SQRT2 + (c.lossless ? 0.001 : 0.04));
      // everything but the tone is well below it
      expect(toneMagnitude(whole.samples, c.rate, 3000, mid[0], 2048)).toBeLessThan(0.01);

      const chunked = await decodeAll(randomChunks(bytes, 3, 700), { source: c.file });
      expect(chunked.samples.length).toBe(c.samples);
      expect(maxAbsDiff(chunked.samples, whole.samples)).toBeLessThan(1e-6);
    });
  }

  it('FLAC is lossless: every sample is an exact 16-bit code', async () => {
    const { samples } = await decodeAll([fixture('tone1k_16k_mono.flac')]);
    expect(samples.every((v) => Number.isInteger(v * 32768))).toBe(true);
  });

  it('a truncated FLAC (STREAMINFO knows the length) is an error, or a warning with allowTruncated', async () => {
    const bytes = fixture('tone1k_16k_mono.flac');
    const cut = bytes.subarray(0, Math.floor(bytes.length * 0.6));
    const e = await rejection(decodeAll([cut], { source: 'cut.flac' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^cut\.flac: truncated FLAC: STREAMINFO declares 8000 samples \(0\.50 s\) but only \d+ \(0\.\d\d s\) could be decoded/);
    const { dec, samples } = await decodeAll([cut], { allowTruncated: true });
    expect(samples.length).toBeGreaterThan(2000);
    expect(samples.length).toBeLessThan(8000);
    expect(dec.warnings.join()).toMatch(/truncated FLAC/);
  });

  it('an Ogg stream whose last page lacks the end-of-stream flag decodes (cut to its granule), with a warning', async () => {
    const bytes = fixture('tone1k_44k1_stereo.ogg').slice();
    const last = lastOggPage(bytes);
    bytes[last + 5]! &= ~0x04;
    setOggCrc(bytes, last);
    const { dec, samples } = await decodeAll([bytes]);
    expect(samples.length).toBe(22050);
    expect(dec.warnings).toEqual(['Ogg Vorbis stream ends without an end-of-stream page; the recording may have been stopped abruptly']);
  });

  it('an Ogg stream cut inside a page is truncated: an error, or a warning with allowTruncated', async () => {
    const bytes = fixture('tone1k_44k1_stereo.ogg');
    const cut = bytes.subarray(0, bytes.length - 300);
    const e = await rejection(decodeAll([cut], { source: 'cut.ogg' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^cut\.ogg: truncated Ogg Vorbis: the stream ends inside an Ogg page, after \d+ samples \(0\.\d\d s\)/);
    const { dec, samples } = await decodeAll([cut], { allowTruncated: true });
    expect(samples.length).toBeGreaterThan(10000);
    expect(samples.length).toBeLessThan(22050);
    expect(dec.warnings.join()).toMatch(/truncated Ogg Vorbis/);
  });

  it('a compressed stream from which nothing decodes: "contains no audio samples"', async () => {
    const garbage = new Uint8Array(4000);
    garbage.set(fixture('tone1k_16k_mono.flac').subarray(0, 42));
    garbage.set(noise(3958, 5).map((v) => (v + 1) * 127), 42);
    const e = await rejection(decodeAll([garbage], { source: 'bad.flac' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/^bad\.flac: (contains no audio samples: no FLAC audio could be decoded|truncated FLAC)/);
  });
});

describe('createAudioDecoder on bad input', () => {
  it('empty input', async () => {
    const e = await rejection(decodeAll([], { source: 'x' }));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe('x: input is empty (0 bytes)');
  });

  it('unknown format, whether it arrives in one piece or byte by byte', async () => {
    const text = ascii('just some text that is not audio at all');
    for (const parts of [[text], randomChunks(text, 1, 2)]) {
      const e = await rejection(decodeAll(parts, { source: 'notes.txt' }));
      expect(e).toBeInstanceOf(AudioInputError);
      expect(e.message).toMatch(/^notes\.txt: unrecognised audio format: the input starts with 6a 75 73 74/);
    }
  });

  it('a few bytes of a WAV header give the WAV parser\'s truncated-header error', async () => {
    const e = await rejection(decodeAll([ascii('RI')]));
    expect(e.message).toMatch(/truncated WAV header: input ends after 2 bytes/);
  });

  it('WAV goes through the same interface', async () => {
    const wav = makeWav({ enc: 's16', channels: 2, rate: 8000, interleaved: [0.5, 0.5, -0.5, -0.5, 0.25, 0.75] });
    const { dec, samples } = await decodeAll(randomChunks(wav, 2, 5));
    expect(dec.format).toBe('WAV PCM 16-bit, 2 ch, 8000 Hz');
    expect(Array.from(samples)).toEqual([0.5, -0.5, 0.5]);
  });
});
