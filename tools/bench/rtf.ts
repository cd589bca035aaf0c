/**
 * End-to-end real-time factor on a 60 s file, per stage (decode, resample, features, acoustic model,
 * decoder), at 1 and 2 threads, in one run. RTF = processing seconds / audio seconds (lower is faster).
 *
 *   node dist/tools/bench/rtf.js [--model file.onnx ...] [--audio file] [--seconds 60] [--repeat 3] [--threads 1,2]
 *
 * --model may be given several times (e.g. a float32 model and its float16 / int8 variants): each is
 * measured on the same audio, interleaved repeat by repeat, and the summary gives each one's speed
 * relative to the first.
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
  options: {
    model: { type: 'string', multiple: true }, audio: { type: 'string' }, seconds: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' }, help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: node dist/tools/bench/rtf.js [--model file.onnx ...] [--audio file] [--seconds 60] [--repeat 3] [--threads 1,2]\n' +
    '  --model    model to measure; repeat it to compare models (speed ratios relative to the first); default: the shipped model\n' +
    '  --audio    audio file; default: 60 s of espeak-ng speech at 22.05 kHz\n' +
    '  --seconds  audio length used; --repeat: best of n runs; --threads: comma-separated intra-op thread counts');
  process.exit(0);
}
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);
const threadCounts = values.threads.split(',').map(Number);
if (threadCounts.some((t) => !Number.isInteger(t) || t < 1)) throw new Error(`--threads: expected comma-separated positive integers, got "${values.threads}"`);

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

async function loadModel(file: string | undefined): Promise<{ bytes: Uint8Array; what: string }> {
  if (file) return { bytes: await readModelFile(file), what: file };
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
const models = await Promise.all((values.model ?? [undefined]).map(loadModel));
console.log(`audio: ${audio.what}`);
let decoded = await decodeAll(audio.file);
const chunks = trim(decoded.chunks, decoded.rate, seconds);
const audioSec = chunks.reduce((s, c) => s + c.length, 0) / decoded.rate;
console.log(`audio length used: ${audioSec.toFixed(1)} s at ${decoded.rate} Hz; repeats: ${repeat} (best of)\n`);

type Row = { threads: number; stages: Record<string, number>; total: number };
const recs = await Promise.all(models.flatMap((m) => threadCounts.map((threads) => Recognizer.create({ ort: ort as unknown as OrtModule, model: m.bytes, source: m.what, threads }))));
const best: Array<Row | undefined> = recs.map(() => undefined);
// Interleaved: every model and thread count once per repeat, so load from other processes hits them alike.
for (let r = 0; r < repeat; r++) {
  for (const [k, rec] of recs.entries()) {
    decoded = await decodeAll(audio.file);
    const t0 = performance.now();
    const s = rec.createStream();
    for (const c of chunks) await s.acceptWaveform(c, decoded.rate);
    const res = await s.inputFinished();
    const wall = (performance.now() - t0) / 1000 + decoded.decode * (audioSec / decoded.sec);
    const stages = { decode: decoded.decode * (audioSec / decoded.sec), ...res.timings };
    if (!best[k] || wall < best[k]!.total) best[k] = { threads: threadCounts[k % threadCounts.length]!, stages, total: wall };
  }
}

const names = ['decode', 'resample', 'features', 'acoustic', 'decoder'];
const pad = (s: string, n: number) => s.padStart(n);
models.forEach((m, mi) => {
  const rows = best.slice(mi * threadCounts.length, (mi + 1) * threadCounts.length) as Row[];
  console.log(`model: ${m.what}`);
  console.log(`${'stage'.padEnd(10)}${rows.map((r) => pad(`RTF ${r.threads} thr`, 14)).join('')}${pad(`share (${rows[0]!.threads} thr)`, 15)}`);
  for (const n of names) {
    console.log(`${n.padEnd(10)}${rows.map((r) => pad((r.stages[n]! / audioSec).toExponential(2), 14)).join('')}${pad(((100 * rows[0]!.stages[n]!) / rows[0]!.total).toFixed(1) + ' %', 15)}`);
  }
  console.log(`${'total'.padEnd(10)}${rows.map((r) => pad((r.total / audioSec).toExponential(2), 14)).join('')}`);
  if (rows.length > 1) console.log(`\nspeed-up ${rows[1]!.threads} threads vs ${rows[0]!.threads}: ${(rows[0]!.total / rows[1]!.total).toFixed(2)}x; acoustic model ${(rows[0]!.stages.acoustic! / rows[1]!.stages.acoustic!).toFixed(2)}x`);
  console.log(`${rows[0]!.threads} thread(s): ${(audioSec / rows[0]!.total).toFixed(0)}x faster than real time (process start and model load excluded)\n`);
});
if (models.length > 1) {
  console.log(`speed relative to ${models[0]!.what} (> 1 is faster), total / acoustic model:`);
  models.forEach((m, mi) => {
    const cells = threadCounts.map((t, ti) => {
      const base = best[ti]!;
      const r = best[mi * threadCounts.length + ti]!;
      return `${t} thr ${(base.total / r.total).toFixed(2)}x / ${(base.stages.acoustic! / r.stages.acoustic!).toFixed(2)}x`;
    });
    console.log(`  ${m.what}: ${cells.join(';  ')}`);
  });
}
