/**
 * End-to-end real-time factor on a 60 s file, per stage (decode, resample, features, acoustic model,
 * decoder), at 1 and 2 threads, in one run. RTF = processing seconds / audio seconds (lower is faster).
 *
 *   node dist/tools/bench/rtf.js [--model file.onnx] [--audio file] [--seconds 60] [--repeat 3]
 *
 * Without --model it uses the shipped default model when present, else a random 4x1024 leaky-ReLU MLP
 * over +-10 spliced frames with subsampling 3 (the reference architecture, 4 M parameters).
 * Without --audio it makes a 60 s 22.05 kHz speech file with espeak-ng (falling back to a synthetic
 * signal if espeak-ng is absent), so the resampler is exercised as it is for real recordings.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Recognizer } from '../../src/recognizer.js';
import type { OrtModule } from '../../src/model/runtime.js';
import { openAudio } from '../../src/node/audio-file.js';
import { readModelFile } from '../../src/node/model-file.js';
import { modelsDir, DEFAULT_MODEL_FILE } from '../../src/node/default-model.js';
import { buildTinyModel } from '../../src/model/tiny.js';
import { defaultFeatureConfig } from '../../src/features/config.js';

const { values } = parseArgs({
  options: { model: { type: 'string' }, audio: { type: 'string' }, seconds: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' } },
});
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);

function makeAudio(): { file: string; what: string } {
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
    let seed = 1;
    for (let i = 0; i < n; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const env = 0.5 + 0.5 * Math.sin((2 * Math.PI * i) / (rate * 0.25));
      pcm[i] = Math.round(8000 * env * (Math.sin((2 * Math.PI * (200 + (i % rate) / 40) * i) / rate) + (seed / 2 ** 32 - 0.5)));
    }
    const hdr = Buffer.alloc(44);
    hdr.write('RIFF', 0); hdr.writeUInt32LE(36 + n * 2, 4); hdr.write('WAVEfmt ', 8); hdr.writeUInt32LE(16, 16);
    hdr.writeUInt16LE(1, 20); hdr.writeUInt16LE(1, 22); hdr.writeUInt32LE(rate, 24); hdr.writeUInt32LE(rate * 2, 28);
    hdr.writeUInt16LE(2, 32); hdr.writeUInt16LE(16, 34); hdr.write('data', 36); hdr.writeUInt32LE(n * 2, 40);
    writeFileSync(file, Buffer.concat([hdr, Buffer.from(pcm.buffer)]));
    return { file, what: 'synthetic signal (espeak-ng not found), 22.05 kHz mono' };
  }
}

async function loadModel(): Promise<{ bytes: Uint8Array; what: string }> {
  if (values.model) return { bytes: await readModelFile(values.model), what: values.model };
  const shipped = path.join(modelsDir(), DEFAULT_MODEL_FILE);
  if (existsSync(shipped)) return { bytes: await readModelFile(shipped), what: `${shipped} (shipped default)` };
  const featureConfig = { ...defaultFeatureConfig(), contextLeft: 10, contextRight: 10, subsampling: 3 };
  return { bytes: await buildTinyModel({ featureConfig, hidden: [1024, 1024, 1024, 1024] }), what: 'random 4x1024 lrelu MLP, +-10 context, subsampling 3' };
}

/** Read the file into 30 s chunks (what the CLI's streaming reader yields), timing only the decoding. */
async function decodeAll(file: string): Promise<{ chunks: Float32Array[]; rate: number; sec: number; decode: number }> {
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

function trim(chunks: Float32Array[], rate: number, sec: number): Float32Array[] {
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

const audio = values.audio ? { file: values.audio, what: values.audio } : makeAudio();
const model = await loadModel();
console.log(`audio: ${audio.what}`);
console.log(`model: ${model.what}`);
let decoded = await decodeAll(audio.file);
const chunks = trim(decoded.chunks, decoded.rate, seconds);
const audioSec = chunks.reduce((s, c) => s + c.length, 0) / decoded.rate;
console.log(`audio length used: ${audioSec.toFixed(1)} s at ${decoded.rate} Hz; repeats: ${repeat} (best of)\n`);

const rows: { threads: number; stages: Record<string, number>; total: number }[] = [];
for (const threads of [1, 2]) {
  const rec = await Recognizer.create({ ort: ort as unknown as OrtModule, model: model.bytes, source: model.what, threads });
  let best: { stages: Record<string, number>; total: number } | undefined;
  for (let r = 0; r < repeat; r++) {
    decoded = await decodeAll(audio.file);
    const t0 = performance.now();
    const s = rec.createStream();
    for (const c of chunks) await s.acceptWaveform(c, decoded.rate);
    const res = await s.inputFinished();
    const wall = (performance.now() - t0) / 1000 + decoded.decode * (audioSec / decoded.sec);
    const stages = { decode: decoded.decode * (audioSec / decoded.sec), ...res.timings };
    if (!best || wall < best.total) best = { stages, total: wall };
  }
  rows.push({ threads, ...best! });
}

const names = ['decode', 'resample', 'features', 'acoustic', 'decoder'];
const pad = (s: string, n: number) => s.padStart(n);
console.log(`${'stage'.padEnd(10)}${rows.map((r) => pad(`RTF ${r.threads} thr`, 14)).join('')}${pad('share (1 thr)', 15)}`);
for (const n of names) {
  console.log(`${n.padEnd(10)}${rows.map((r) => pad((r.stages[n]! / audioSec).toExponential(2), 14)).join('')}${pad(((100 * rows[0]!.stages[n]!) / rows[0]!.total).toFixed(1) + ' %', 15)}`);
}
console.log(`${'total'.padEnd(10)}${rows.map((r) => pad((r.total / audioSec).toExponential(2), 14)).join('')}`);
console.log(`\nspeed-up 2 threads vs 1: ${(rows[0]!.total / rows[1]!.total).toFixed(2)}x; acoustic model ${(rows[0]!.stages.acoustic! / rows[1]!.stages.acoustic!).toFixed(2)}x`);
console.log(`1 thread: ${(audioSec / rows[0]!.total).toFixed(0)}x faster than real time (process start and model load excluded)`);
