/**
 * The first sound of a recording is kept when speech starts at its very first sample (issue 23, defect 2).
 *
 * The shipped model emits a word's first letters one to four output frames (30-120 ms) before the sound
 * itself (its training audio always gave it silence to emit them in); a file that starts with speech has
 * no such frames, so "the weather" came out as "e weather" and "she opened" as "he opened". The
 * recognizer now runs the model over a short lead of digital silence before the first sample and maps
 * every time back onto the input. These tests synthesize sentences with espeak-ng, cut the synthesizer's
 * leading silence to 0 ms and transcribe them with the shipped model, greedy, on every path.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { tools } from '../helpers/requirements.js';
import { earshot } from '../helpers/cli.js';
import { wavBytes } from '../helpers/e2e.js';
import { loadRecognizer, transcribeFile, type Recognizer, type RecognitionResult } from '../../src/node/index.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { DEFAULT_LEADING_SILENCE_SECONDS, QUIET_START_SECONDS } from '../../src/node/index.js';
import { Rng } from '../../src/core/rng.js';
import { trimToOnset } from '../../tools/corpus/augment.js';

const espeak = tools(['espeak-ng']);
const RATE = 16000;
/** Output frame of the shipped model, seconds. */
const FRAME = 0.03;

/** Sentences whose first word starts with a consonant; each lost its first letter(s) before the fix. */
const SENTENCES = [
  'the weather is nice today',
  'she opened the door',
  'put the cups on the shelf',
  'tomorrow morning we leave',
  'could you close the window',
  'bring me some water',
];

let dir: string;
let rec: Recognizer;
/** Each sentence at 16 kHz, starting at the first sample louder than -50 dB re its peak. */
const trimmed = new Map<string, Float32Array>();

function withLead(x: Float32Array, seconds: number): Float32Array {
  const y = new Float32Array(Math.round(seconds * RATE) + x.length + Math.round(0.3 * RATE));
  y.set(x, Math.round(seconds * RATE));
  return y;
}

/** Every reported time of a result (words, tokens, segments and their words) lies within [0, duration]. */
function expectTimesWithin(r: RecognitionResult): void {
  const d = r.durationSec;
  const spans = [...r.words, ...r.tokens, ...(r.segments ?? []), ...(r.segments ?? []).flatMap((s) => [...s.words, ...s.tokens])];
  expect(spans.length).toBeGreaterThan(0);
  for (const s of spans) {
    expect(s.start, JSON.stringify(s)).toBeGreaterThanOrEqual(0);
    expect(s.end, JSON.stringify(s)).toBeLessThanOrEqual(d);
    expect(s.start, JSON.stringify(s)).toBeLessThanOrEqual(s.end);
  }
}

beforeAll(async () => {
  if (espeak.skip) return;
  espeak.assertPresent();
  dir = mkdtempSync(path.join(tmpdir(), 'earshot-first-sound-'));
  rec = await loadRecognizer({ threads: 1 });
  for (const [i, s] of SENTENCES.entries()) {
    const wav = path.join(dir, `s${i}.wav`);
    execFileSync('espeak-ng', ['-v', 'en-us', '-w', wav, s]);
    const x = trimToOnset((await readAudioFile(wav, RATE)).samples);
    trimmed.set(s, x);
    writeFileSync(path.join(dir, `t${i}.wav`), wavBytes([x], RATE));
  }
});

describe.skipIf(espeak.skip)('speech from the first sample (espeak-ng, shipped model, greedy)', () => {
  it('the trimmed audio really starts with speech: its first 20 ms are within 30 dB of the peak level', () => {
    for (const x of trimmed.values()) {
      let peak = 0;
      for (const v of x) peak = Math.max(peak, Math.abs(v));
      let first = 0;
      for (let i = 0; i < 0.02 * RATE; i++) first = Math.max(first, Math.abs(x[i]!));
      expect(20 * Math.log10(first / peak)).toBeGreaterThan(-30);
    }
  });

  it('transcribe keeps the first letter of the first word', async () => {
    for (const s of SENTENCES) {
      const r = await rec.transcribe(trimmed.get(s)!, RATE);
      expect(r.text[0], `"${s}" -> "${r.text}"`).toBe(s[0]);
      expectTimesWithin(r);
    }
  });

  it('transcribeFile, a stream fed in small chunks and an endpointed stream keep it too, with times within the input', async () => {
    const rng = new Rng(23);
    for (const [i, s] of SENTENCES.entries()) {
      const file = await transcribeFile(rec, path.join(dir, `t${i}.wav`), { endpoint: true });
      expect(file.text[0], `file "${s}" -> "${file.text}"`).toBe(s[0]);
      expect(file.segments![0]!.start).toBe(0);
      expectTimesWithin(file);
      const x = (await readAudioFile(path.join(dir, `t${i}.wav`))).samples; // the file's 16-bit samples
      const stream = rec.createStream({ endpoint: true });
      for (let o = 0; o < x.length; ) {
        const n = rng.int(1, 1500);
        await stream.acceptWaveform(x.subarray(o, o + n), RATE);
        o += n;
      }
      const live = await stream.inputFinished();
      expect(live.text).toBe(file.text);
      expect(live.words.map((w) => [w.word, w.start, w.end])).toEqual(file.words.map((w) => [w.word, w.start, w.end]));
      expect(live.segments!.map((g) => [g.start, g.end])).toEqual(file.segments!.map((g) => [g.start, g.end]));
      expectTimesWithin(live);
    }
  });

  it('the CLI subtitles start at 0 and keep the first letter', () => {
    const r = earshot(['transcribe', '-f', 'srt', path.join(dir, 't1.wav')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^00:00:00,000 --> /);
    expect(lines[2]).toMatch(/^she /);
  });
});

describe.skipIf(espeak.skip)('times of audio that already had leading silence are unchanged', () => {
  it('the lead is a whole number of output frames, within what training saw (0.1-0.4 s)', () => {
    expect(DEFAULT_LEADING_SILENCE_SECONDS).toBeGreaterThanOrEqual(0.1);
    expect(DEFAULT_LEADING_SILENCE_SECONDS).toBeLessThanOrEqual(0.4);
    const frames = DEFAULT_LEADING_SILENCE_SECONDS / FRAME;
    expect(Math.abs(frames - Math.round(frames))).toBeLessThan(1e-9);
  });

  it('words, tokens and segments agree within one output frame with the recognizer run without the lead, and are the same once the input starts with 0.1 s of quiet (no lead then)', async () => {
    const plain = await loadRecognizer({ threads: 1, leadingSilence: 0 });
    for (const lead of [0.05, 0.5, 2.6]) {
      const x = withLead(trimmed.get('put the cups on the shelf')!, lead);
      for (const endpoint of [false, true]) {
        const a = await rec.transcribe(x, RATE, { endpoint });
        const b = await plain.transcribe(x, RATE, { endpoint });
        expect(a.text).toBe('put the cups on the shelf');
        expect(a.text).toBe(b.text);
        expect(a.words[0]!.start).toBeGreaterThan(lead - 0.15 > 0 ? lead - 0.15 : -1);
        const close = (p: { start: number; end: number }[], q: { start: number; end: number }[]): void => {
          expect(p.length).toBe(q.length);
          p.forEach((w, i) => {
            expect(Math.abs(w.start - q[i]!.start)).toBeLessThanOrEqual(FRAME + 1e-9);
            expect(Math.abs(w.end - q[i]!.end)).toBeLessThanOrEqual(FRAME + 1e-9);
          });
        };
        close(a.words, b.words);
        close(a.tokens, b.tokens);
        close(a.segments ?? [], b.segments ?? []);
        expectTimesWithin(a);
        if (lead >= QUIET_START_SECONDS) {
          expect(a.words).toEqual(b.words);
          expect(a.tokens).toEqual(b.tokens);
        }
      }
    }
  });

  it('leadingSilence must be a number of seconds in [0, 1]', async () => {
    for (const bad of [-0.1, 1.5, NaN, '0.2']) {
      await expect(loadRecognizer({ leadingSilence: bad as number })).rejects.toThrow(/leadingSilence must be a number of seconds in \[0, 1\], got/);
    }
  });
});
