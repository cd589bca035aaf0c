/**
 * End-to-end real-time factor on a 60 s file, per stage (decode, resample, features, acoustic model,
 * decoder), at 1 and 2 threads, in one run. RTF = processing seconds / audio seconds (lower is faster).
 *
 *   node dist/tools/bench/rtf.js [--model file.onnx ...] [--audio file] [--seconds 60] [--repeat 3] [--threads 1,2] [--batch-frames 256]
 *                                [--leading-silence 0.24,0]
 *
 * --model may be given several times (e.g. a float32 model and its float16 / int8 variants), and
 * --batch-frames may list several acoustic-model batch sizes (64 is what streams use, 256 what the CLI
 * uses for files): every model at every batch size is measured on the same audio, interleaved repeat
 * by repeat, and the summary gives each one's speed relative to the first. --leading-silence does the same
 * for the recognizer's lead of silence before each stream (RecognizerOptions.leadingSilence): `0.24,0` gives
 * the cost of the default lead as a ratio measured in one run.
 *
 * Without --model it uses the shipped default model when present, else a random 4x1024 leaky-ReLU MLP
 * over +-10 spliced frames with subsampling 3 (the reference architecture, 4 M parameters).
 * Without --audio it makes a 60 s 22.05 kHz speech file with espeak-ng (falling back to a synthetic
 * signal if espeak-ng is absent), so the resampler is exercised as it is for real recordings.
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { DEFAULT_LEADING_SILENCE_SECONDS, Recognizer, WHOLE_INPUT_BATCH_FRAMES } from '../../src/recognizer.js';
import type { OrtModule } from '../../src/model/runtime.js';
import { makeBenchAudio, loadBenchModel, decodeBenchAudio, trimChunks, positiveInts, streamOnce } from './common.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true }, audio: { type: 'string' }, seconds: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1,2' }, 'batch-frames': { type: 'string', default: String(WHOLE_INPUT_BATCH_FRAMES) },
    'leading-silence': { type: 'string', default: String(DEFAULT_LEADING_SILENCE_SECONDS) }, help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: node dist/tools/bench/rtf.js [--model file.onnx ...] [--audio file] [--seconds 60] [--repeat 3] [--threads 1,2]\n' +
    '  --model    model to measure; repeat it to compare models (speed ratios relative to the first); default: the shipped model\n' +
    '  --audio    audio file; default: 60 s of espeak-ng speech at 22.05 kHz\n' +
    '  --seconds  audio length used; --repeat: best of n runs; --threads: comma-separated intra-op thread counts\n' +
    `  --batch-frames  comma-separated acoustic-model batch sizes (model frames per call); default ${WHOLE_INPUT_BATCH_FRAMES}, as the CLI uses for files\n` +
    `  --leading-silence  comma-separated seconds of silence run before each stream (0 = none); default ${DEFAULT_LEADING_SILENCE_SECONDS}`);
  process.exit(0);
}
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);
const threadCounts = positiveInts('threads', values.threads);
const batches = positiveInts('batch-frames', values['batch-frames']);
const leads = values['leading-silence'].split(',').map((v) => {
  const x = Number(v);
  if (v.trim() === '' || !(x >= 0 && x <= 1)) throw new Error(`--leading-silence: expected comma-separated seconds in [0, 1], got "${values['leading-silence']}"`);
  return x;
});

const audio = values.audio ? { file: values.audio, what: values.audio } : makeBenchAudio(seconds);
const loaded = await Promise.all((values.model ?? [undefined]).map(loadBenchModel));
// Every model at every lead and batch size; with one of each the names are the models'.
const models = loaded.flatMap((m, mi) => leads.flatMap((lead, li) => batches.map((batchFrames) => ({
  mi, li, batchFrames,
  what: [m.what, ...(batches.length > 1 ? [`${batchFrames}-frame batches`] : []), ...(leads.length > 1 ? [`lead ${lead} s`] : [])].join(', '),
}))));
console.log(`audio: ${audio.what}`);
let decoded = await decodeBenchAudio(audio.file);
const chunks = trimChunks(decoded.chunks, decoded.rate, seconds);
const audioSec = chunks.reduce((s, c) => s + c.length, 0) / decoded.rate;
console.log(`audio length used: ${audioSec.toFixed(1)} s at ${decoded.rate} Hz; repeats: ${repeat} (best of)\n`);

type Row = { threads: number; stages: Record<string, number>; total: number };
// One recognizer per model, lead and thread count; the batch size is a per-stream choice.
const recsByModel = await Promise.all(loaded.map((m) => Promise.all(leads.map((leadingSilence) => Promise.all(threadCounts.map((threads) =>
  Recognizer.create({ ort: ort as unknown as OrtModule, model: m.bytes, source: m.what, threads, leadingSilence })))))));
const recs = models.flatMap((m) => recsByModel[m.mi]![m.li]!.map((rec) => ({ rec, batchFrames: m.batchFrames })));
const best: Array<Row | undefined> = recs.map(() => undefined);
// Interleaved: every model and thread count once per repeat, so load from other processes hits them alike.
for (let r = 0; r < repeat; r++) {
  for (const [k, { rec, batchFrames }] of recs.entries()) {
    decoded = await decodeBenchAudio(audio.file);
    const { result: res, seconds } = await streamOnce(rec, chunks, decoded.rate, batchFrames);
    const wall = seconds + decoded.decode * (audioSec / decoded.sec);
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
