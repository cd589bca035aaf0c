/**
 * WAV -> features -> ONNX (real onnxruntime-node) -> decoder -> text, with a model the test builds by hand
 * and converts with `earshot convert`, so the expected transcript is known.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { convertToneModel, E2E_TEXT, e2eSignal, wavBytes, tone } from '../helpers/e2e.js';
import { earshot, ROOT } from '../helpers/cli.js';
import { loadRecognizer, transcribeFile } from '../../src/node/index.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { Rng } from '../../src/core/rng.js';

let dir: string;
let model: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'earshot-e2e-'));
  const { model: m, run: r } = convertToneModel(dir);
  model = m;
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/max abs error/);
  writeFileSync(path.join(dir, 'mono16k.wav'), wavBytes([e2eSignal(16000)], 16000));
  const s44 = e2eSignal(44100);
  writeFileSync(path.join(dir, 'stereo44k.wav'), wavBytes([s44, s44], 44100));
});

describe('end to end through the CLI', () => {
  it('transcribes a 16 kHz mono WAV to the known text', () => {
    const r = earshot(['transcribe', '-m', model, path.join(dir, 'mono16k.wav')]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(E2E_TEXT + '\n');
  });

  it('gives word times that match where the tones are', () => {
    const r = earshot(['transcribe', '-m', model, '-f', 'json', path.join(dir, 'mono16k.wav')]);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.words.map((w: { word: string }) => w.word)).toEqual(['aa', 'b']);
    // "aa": 500 Hz from 0.2 s to 1.0 s; "b": 1500 Hz from 1.6 s to 2.0 s. Frames are 25 ms long, 10 ms apart.
    expect(j.words[0].start).toBeGreaterThan(0.15);
    expect(j.words[0].start).toBeLessThan(0.22);
    expect(j.words[0].end).toBeGreaterThan(0.95);
    expect(j.words[0].end).toBeLessThan(1.05);
    expect(j.words[1].start).toBeGreaterThan(1.55);
    expect(j.words[1].start).toBeLessThan(1.62);
    expect(j.words[1].end).toBeGreaterThan(1.95);
    expect(j.words[1].end).toBeLessThan(2.05);
    for (const w of j.words) expect(w.confidence).toBeGreaterThan(0.5);
    expect(j.durationSec).toBeCloseTo(2.3, 2);
  });

  it('resamples and mixes down: a 44.1 kHz stereo WAV gives the same text', () => {
    const r = earshot(['transcribe', '-m', model, path.join(dir, 'stereo44k.wav')]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(E2E_TEXT + '\n');
  });

  it('reads raw PCM from stdin', () => {
    const s = e2eSignal(8000);
    const pcm = new Int16Array(s.map((x) => Math.round(x * 32767)));
    const r = earshot(['transcribe', '-m', model, '--raw', 's16le', '--rate', '8000', '-'], { input: new Uint8Array(pcm.buffer) });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(E2E_TEXT + '\n');
  });

  it('stream prints partial results before the final one', () => {
    const r = earshot(['stream', '-m', model, '--json', path.join(dir, 'mono16k.wav')]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ type: 'final', text: E2E_TEXT });
    expect(lines.filter((l) => l.type === 'partial').length).toBeGreaterThan(0);
  });

  it('writes subtitle files to --output-dir and refuses to overwrite without --force', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'earshot-out-'));
    const args = ['transcribe', '-m', model, '-f', 'srt', '-o', out, path.join(dir, 'mono16k.wav'), path.join(dir, 'stereo44k.wav')];
    expect(earshot(args).code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(['mono16k.srt', 'stereo44k.srt']);
    const again = earshot(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/mono16k\.srt exists; pass --force/);
    expect(earshot([...args, '--force']).code).toBe(0);
    expect(readdirSync(out).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('inspect of a missing file names the inspect argument, not --model (issue 23)', () => {
    const r = earshot(['inspect', path.join(dir, 'nosuch.onnx')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('nosuch.onnx: no such model file (check the model path given to `earshot inspect`)');
    expect(r.stderr).not.toContain('--model');
    const q = earshot(['quantize', path.join(dir, 'nosuch.onnx'), path.join(dir, 'q.onnx'), '--weight-type', 'int8']);
    expect(q.stderr).toContain('(check the input model path given to `earshot quantize`)');
    expect(earshot(['transcribe', '-m', path.join(dir, 'nosuch.onnx'), 'x.wav']).stderr).toContain('(check the path given to --model)');
  });

  it('inspect prints the metadata', () => {
    const r = earshot(['inspect', '--json', model]);
    expect(r.code).toBe(0);
    const j = JSON.stringify(JSON.parse(r.stdout));
    expect(j).toContain('"activation":"lrelu"');
    expect(j).toContain('sha256:');
  });
});

describe('end to end through the library', () => {
  it('streaming in random chunks at 44.1 kHz gives the same result as offline transcription', async () => {
    const rec = await loadRecognizer({ model, threads: 1 });
    const samples = e2eSignal(44100);
    const offline = await rec.transcribe(samples, 44100);
    expect(offline.text).toBe(E2E_TEXT);
    expect(offline.provider).toBe('cpu');
    const rng = new Rng(3);
    const s = rec.createStream();
    const partials: string[] = [];
    const t0 = performance.now();
    for (let i = 0; i < samples.length; ) {
      const n = rng.int(0, 2999);
      partials.push((await s.acceptWaveform(samples.subarray(i, i + n), 44100)).text);
      i += n;
    }
    const final = await s.inputFinished();
    const wallSec = (performance.now() - t0) / 1000;
    expect(final.text).toBe(offline.text);
    expect(final.words).toEqual(offline.words);
    expect(partials.some((p) => p.length > 0 && p.length < E2E_TEXT.length)).toBe(true);
    // 44.1 kHz input is resampled, featurized, run and decoded: every stage took time, and the stages are disjoint
    // parts of the stream's work, so together they took at most the wall time around it.
    const stages = ['resample', 'features', 'acoustic', 'decoder'] as const;
    for (const k of stages) expect(final.timings[k], k).toBeGreaterThan(0);
    expect(stages.reduce((sum, k) => sum + final.timings[k], 0)).toBeLessThanOrEqual(wallSec);
  });

  it('the acoustic-model batch size changes speed, not results: the shipped TDNN on the sample, 1 to 4096 frames a call', async () => {
    const rec = await loadRecognizer({ threads: 1 });
    const sample = path.join(ROOT, 'models', 'sample.wav');
    const { samples, sampleRate } = await readAudioFile(sample);
    const whole = await rec.transcribe(samples, sampleRate);
    expect(whole.text).toBe('put the cups on the shelf');
    const file = await transcribeFile(rec, sample);
    for (const batchFrames of [1, 7, 64, 4096]) {
      const s = rec.createStream({ batchFrames });
      await s.acceptWaveform(samples, sampleRate);
      const r = await s.inputFinished();
      expect(r.text).toBe(whole.text);
      expect(r.tokens.map((t) => [t.id, t.start, t.end])).toEqual(whole.tokens.map((t) => [t.id, t.start, t.end]));
      r.tokens.forEach((t, i) => expect(t.confidence).toBeCloseTo(whole.tokens[i]!.confidence, 5));
    }
    expect(file.text).toBe(whole.text);
    expect(file.words.map((w) => [w.word, w.start, w.end])).toEqual(whole.words.map((w) => [w.word, w.start, w.end]));
  });

  it('chunks given without awaiting the previous one decode as when awaited: a batch in the model is never overwritten', async () => {
    const rec = await loadRecognizer({ threads: 1 });
    const { samples, sampleRate } = await readAudioFile(path.join(ROOT, 'models', 'sample.wav'));
    const chunks = Array.from({ length: Math.ceil(samples.length / 1600) }, (_, i) => samples.subarray(i * 1600, (i + 1) * 1600));
    const awaited = rec.createStream({ batchFrames: 7 });
    for (const c of chunks) await awaited.acceptWaveform(c, sampleRate);
    const a = await awaited.inputFinished();
    const eager = rec.createStream({ batchFrames: 7 });
    await Promise.all(chunks.map((c) => eager.acceptWaveform(c, sampleRate)));
    const b = await eager.inputFinished();
    expect(b.text).toBe(a.text);
    expect(b.tokens.map((t) => [t.id, t.start, t.end, t.confidence])).toEqual(a.tokens.map((t) => [t.id, t.start, t.end, t.confidence]));
  });

  it('audio after inputFinished is a usage error that names the method the caller used', async () => {
    const rec = await loadRecognizer({ model, threads: 1 });
    for (const method of ['acceptWaveform', 'appendWaveform'] as const) {
      const s = rec.createStream();
      await s[method](e2eSignal(16000), 16000);
      await s.inputFinished();
      await expect(s[method](new Float32Array(160), 16000)).rejects.toThrow(new RegExp(`^${method} called after inputFinished: create a new stream`));
    }
  });

  it('a batch size that is not a positive integer is a usage error', async () => {
    const rec = await loadRecognizer({ model });
    for (const bad of [0, -1, 2.5, NaN, '64']) {
      expect(() => rec.createStream({ batchFrames: bad as number })).toThrow(/batchFrames must be a positive integer, got/);
      await expect(rec.transcribe(new Float32Array(160), 16000, { batchFrames: bad as number })).rejects.toThrow(/batchFrames must be a positive integer/);
    }
    await expect(loadRecognizer({ model, batchFrames: 0 })).rejects.toThrow(/batchFrames must be a positive integer, got 0/);
  });

  it('handles 1-sample audio and silence without inventing words', async () => {
    const rec = await loadRecognizer({ model });
    expect((await rec.transcribe(new Float32Array(1), 16000)).text).toBe('');
    expect((await rec.transcribe(new Float32Array(16000), 16000)).text).toBe('');
    expect((await rec.transcribe(tone(1500, 0.5, 48000), 48000)).text).toBe('b');
  });

  it('rejects NaN samples and a wrong sample type with typed errors', async () => {
    const rec = await loadRecognizer({ model });
    const bad = new Float32Array(100);
    bad[42] = NaN;
    await expect(rec.transcribe(bad, 16000)).rejects.toThrow(/sample 42 .*NaN/);
    await expect(rec.transcribe([0, 1] as unknown as Float32Array, 16000)).rejects.toThrow(/Float32Array/);
    await expect(rec.transcribe(new Float32Array(10), 0)).rejects.toThrow(/sampleRate/);
  });
});

describe('bad input through the CLI', () => {
  it('a missing audio file is an input error (exit 2) naming the file', () => {
    const r = earshot(['transcribe', '-m', model, path.join(dir, 'nope.wav')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('nope.wav');
  });

  it('an empty file, a truncated WAV, wrong magic and zero-length audio are input errors', () => {
    const good = wavBytes([e2eSignal(16000)], 16000);
    const cases: [string, Uint8Array, RegExp][] = [
      ['empty.wav', new Uint8Array(0), /empty/],
      ['trunc.wav', good.subarray(0, 2000), /truncated/],
      ['magic.wav', new TextEncoder().encode('hello, this is not audio at all, just text'.repeat(4)), /not|unsupported|unknown|format/i],
      ['zero.wav', wavBytes([new Float32Array(0)], 16000), /no audio samples/],
    ];
    for (const [name, bytes, msg] of cases) {
      const f = path.join(dir, name);
      writeFileSync(f, bytes);
      const r = earshot(['transcribe', '-m', model, f]);
      expect(r.code, name).toBe(2);
      expect(r.stderr, name).toContain(name);
      expect(r.stderr, name).toMatch(msg);
    }
  });

  it('one bad file does not stop the batch: the good one is transcribed, the failure reported at the end', () => {
    const r = earshot(['transcribe', '-m', model, path.join(dir, 'missing.wav'), path.join(dir, 'mono16k.wav')]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain(`mono16k.wav\t${E2E_TEXT}`);
    expect(r.stderr).toMatch(/1 of 2 files failed/);
  });

  it('a non-ONNX model is a model error (exit 3)', () => {
    const r = earshot(['transcribe', '-m', path.join(dir, 'mono16k.wav'), path.join(dir, 'mono16k.wav')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not an ONNX model/);
  });

  it('bad options are usage errors (exit 1)', () => {
    expect(earshot(['transcribe', '-m', model, '-f', 'xml', path.join(dir, 'mono16k.wav')]).code).toBe(1);
    expect(earshot(['transcribe', '-m', model, '--threads', '0', path.join(dir, 'mono16k.wav')]).code).toBe(1);
    expect(earshot(['transcribe', '-m', model, '--ep', 'tpu', path.join(dir, 'mono16k.wav')]).stderr).toMatch(/unknown execution provider "tpu"/);
    expect(earshot(['transcribe']).code).toBe(1);
    expect(earshot(['frobnicate']).code).toBe(1);
  });

  it('an unavailable execution provider is reported with the reason, and fallback works', () => {
    const only = earshot(['transcribe', '-m', model, '--ep', 'cuda', path.join(dir, 'mono16k.wav')]);
    expect(only.code).toBe(3);
    expect(only.stderr).toMatch(/tried cuda/);
    const fallback = earshot(['transcribe', '-m', model, '--ep', 'cuda,cpu', path.join(dir, 'mono16k.wav')]);
    expect(fallback.code).toBe(0);
    expect(fallback.stdout).toBe(E2E_TEXT + '\n');
    expect(fallback.stderr).toMatch(/cuda unavailable/);
  });

  it('convert refuses to overwrite without --force and leaves no partial file', () => {
    const r = earshot(['convert', '-w', path.join(dir, 'w.safetensors'), '-a', path.join(dir, 'arch.json'), '-o', model]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--force/);
    expect(existsSync(model)).toBe(true);
  });
});
