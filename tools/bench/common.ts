/**
 * What the end-to-end benchmarks share: the default audio (60 s of espeak-ng speech at 22.05 kHz, so the
 * resampler is exercised as it is for real recordings), loading the model to measure, and reading the
 * audio into the 30 s chunks the CLI's streaming reader yields.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openAudio } from '../../src/node/audio-file.js';
import type { Recognizer, RecognitionResult } from '../../src/recognizer.js';
import { readModelFile } from '../../src/node/model-file.js';
import { modelsDir, DEFAULT_MODEL_FILE } from '../../src/node/default-model.js';
import { buildTinyModel } from '../../src/model/build/tiny.js';
import { defaultFeatureConfig } from '../../src/features/config.js';
import { Rng } from '../../src/core/rng.js';

/** A 22.05 kHz speech file made with espeak-ng, or a synthetic signal of `seconds` if espeak-ng is absent. */
export function makeBenchAudio(seconds: number): { file: string; what: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-bench-'));
  const file = path.join(dir, 'bench.wav');
  const text = Array.from({ length: 40 }, (_, i) => `This is sentence number ${i + 1} of the earshot benchmark, spoken at an ordinary pace.`).join(' ');
  try {
    execFileSync('espeak-ng', ['-v', 'en-us', '-s', '150', '-w', file, text], { stdio: 'ignore' });
    return { file, what: 'espeak-ng speech, 22.05 kHz mono' };
  } catch {
    const rate = 22050;
    const n = rate * seconds;
    const pcm = new Int16Array(n);
    const rng = new Rng(1);
    for (let i = 0; i < n; i++) {
      const env = 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / (rate * 0.25));
      pcm[i] = Math.round(8000 * env * (Math.sin((2 * Math.PI * (200 + (i % rate) / 40) * i) / rate) + (rng.next() - 0.5)));
    }
    const hdr = Buffer.alloc(44);
    hdr.write('RIFF', 0); hdr.writeUInt32LE(36 + n * 2, 4); hdr.write('WAVEfmt ', 8); hdr.writeUInt32LE(16, 16);
    hdr.writeUInt16LE(1, 20); hdr.writeUInt16LE(1, 22); hdr.writeUInt32LE(rate, 24); hdr.writeUInt32LE(rate * 2, 28);
    hdr.writeUInt16LE(2, 32); hdr.writeUInt16LE(16, 34); hdr.write('data', 36); hdr.writeUInt32LE(n * 2, 40);
    writeFileSync(file, Buffer.concat([hdr, Buffer.from(pcm.buffer)]));
    return { file, what: 'synthetic signal (espeak-ng not found), 22.05 kHz mono' };
  }
}

/** The model file given, else the shipped default, else a random 4x1024 leaky-ReLU MLP (the reference architecture). */
export async function loadBenchModel(file: string | undefined): Promise<{ bytes: Uint8Array; what: string }> {
  if (file) return { bytes: await readModelFile(file), what: file };
  const shipped = path.join(modelsDir(), DEFAULT_MODEL_FILE);
  if (existsSync(shipped)) return { bytes: await readModelFile(shipped), what: `${shipped} (shipped default)` };
  const featureConfig = { ...defaultFeatureConfig(), contextLeft: 10, contextRight: 10, subsampling: 3 };
  return { bytes: await buildTinyModel({ featureConfig, hidden: [1024, 1024, 1024, 1024] }), what: 'random 4x1024 lrelu MLP, +-10 context, subsampling 3' };
}

/** Read the file into 30 s chunks (what the CLI's streaming reader yields), timing only the decoding. */
export async function decodeBenchAudio(file: string): Promise<{ chunks: Float32Array[]; rate: number; sec: number; decode: number }> {
  const t0 = performance.now();
  const a = await openAudio(file);
  const chunks: Float32Array[] = [];
  let n = 0;
  for await (const c of a.chunks()) {
    chunks.push(c);
    n += c.length;
  }
  return { chunks, rate: a.sampleRate, sec: n / a.sampleRate, decode: (performance.now() - t0) / 1000 };
}

/** The first `sec` seconds of the chunks. */
export function trimChunks(chunks: Float32Array[], rate: number, sec: number): Float32Array[] {
  const want = Math.round(rate * sec);
  const out: Float32Array[] = [];
  let n = 0;
  for (const c of chunks) {
    if (n >= want) break;
    const take = c.subarray(0, Math.min(c.length, want - n));
    out.push(take);
    n += take.length;
  }
  return out;
}

/** A comma-separated list of positive integers from option `--name`; throws naming the option otherwise. */
export function positiveInts(name: string, value: string): number[] {
  const xs = value.split(',').map(Number);
  if (xs.some((x) => !Number.isInteger(x) || x < 1)) throw new Error(`--${name}: expected comma-separated positive integers, got "${value}"`);
  return xs;
}

/**
 * One utterance stream over the chunks (in `batchFrames`-frame acoustic-model calls; default the
 * recognizer's streaming batch): the result and the wall seconds it took. With `partials` (the default) a
 * partial result is built after each chunk, as a live caller reads them; without, the chunks are only
 * appended, as `earshot transcribe` feeds a file (transcribeFile without onPartial).
 */
export async function streamOnce(rec: Recognizer, chunks: Float32Array[], rate: number, batchFrames?: number, partials = true): Promise<{ result: RecognitionResult; seconds: number }> {
  const t0 = performance.now();
  const s = rec.createStream(batchFrames !== undefined ? { batchFrames } : {});
  for (const c of chunks) {
    if (partials) await s.acceptWaveform(c, rate);
    else await s.appendWaveform(c, rate);
  }
  const result = await s.inputFinished();
  return { result, seconds: (performance.now() - t0) / 1000 };
}
