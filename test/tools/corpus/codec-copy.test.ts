import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { wavBytes } from '../../../tools/corpus/augment.js';
import { codecCopy, ffmpegArgs } from '../../../tools/corpus/codec-copy.js';
import { readAudioFile } from '../../../src/node/audio-file.js';
import { tools } from '../../helpers/requirements.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-codec-copy-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** 1.5 s of a 440 Hz tone plus a 6.5 kHz tone, 16 kHz. */
function tones(): Float32Array {
  const x = new Float32Array(24000);
  for (let i = 0; i < x.length; i++) x[i] = 0.3 * Math.sin((2 * Math.PI * 440 * i) / 16000) + 0.2 * Math.sin((2 * Math.PI * 6500 * i) / 16000);
  return x;
}

/** Power of `x` at frequency `hz` (a single DFT bin over the middle second). */
function powerAt(x: Float32Array, rate: number, hz: number): number {
  let re = 0;
  let im = 0;
  const start = Math.floor(rate * 0.25);
  for (let i = start; i < start + rate; i++) {
    re += x[i]! * Math.cos((2 * Math.PI * hz * i) / rate);
    im -= x[i]! * Math.sin((2 * Math.PI * hz * i) / rate);
  }
  return (re * re + im * im) / rate;
}

describe('codec-copy: an evaluation set as low-bitrate files', () => {
  it('asks ffmpeg for the codec and rate, bit-exact, one thread', () => {
    const a = ffmpegArgs('in.wav', 'out.mp3', 'mp3', 24);
    expect(a.join(' ')).toContain('-c:a libmp3lame -b:a 24k -bitexact -f mp3 out.mp3');
    expect(a.join(' ')).toContain('-threads 1');
  });

  const ffmpeg = tools(['ffmpeg']);
  it.skipIf(ffmpeg.skip)('writes a 24 kbps MP3 that earshot reads back band-limited, repeatably and resumably', async () => {
    ffmpeg.assertPresent();
    writeFileSync(path.join(tmp, 'a.wav'), wavBytes(tones()));
    const manifest = path.join(tmp, 'test.jsonl');
    writeFileSync(manifest, `${JSON.stringify({ id: 'a', audio: 'a.wav', text: 'tones' })}\n`);
    const out = await codecCopy(manifest, path.join(tmp, 'out'), 'mp3', 24);
    expect(path.basename(out)).toBe('test_mp3_24k.jsonl');
    const entry = JSON.parse(readFileSync(out, 'utf8')) as { audio: string; text: string; codec: unknown };
    expect(entry).toMatchObject({ audio: 'test_mp3_24k/a.mp3', text: 'tones', codec: { name: 'mp3', kbps: 24 } });
    const mp3 = path.join(tmp, 'out', entry.audio);
    const bytes = readFileSync(mp3);
    // 24 kbit/s for 1.5 s: about 4.5 kB (plus frame padding), far below the 48 kB WAV.
    expect(bytes.length).toBeGreaterThan(3000);
    expect(bytes.length).toBeLessThan(8000);
    const { samples, sampleRate } = await readAudioFile(mp3, 16000);
    expect(Math.abs(samples.length / sampleRate - 1.5)).toBeLessThan(0.1);
    // The 440 Hz tone survives; LAME low-passes a 24 kbps stream well below 6.5 kHz.
    expect(powerAt(samples, sampleRate, 440)).toBeGreaterThan(0.3 * powerAt(tones(), 16000, 440));
    expect(powerAt(samples, sampleRate, 6500)).toBeLessThan(0.01 * powerAt(tones(), 16000, 6500));
    // Same input, same bytes; a second run keeps the finished file.
    rmSync(mp3);
    await codecCopy(manifest, path.join(tmp, 'out'), 'mp3', 24);
    expect(readFileSync(mp3).equals(bytes)).toBe(true);
  });

  it('refuses narrow-band (via_rate) copies, naming the line', async () => {
    const manifest = path.join(tmp, 'via.jsonl');
    writeFileSync(manifest, `${JSON.stringify({ id: 'a', audio: 'a.wav', text: 'x', via_rate: 8000 })}\n`);
    await expect(codecCopy(manifest, path.join(tmp, 'via'), 'mp3', 24)).rejects.toThrow(/via\.jsonl:1: an entry with via_rate cannot be encoded/);
  });
});
