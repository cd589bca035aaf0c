/**
 * Execution providers compared on the same audio, in one run: the acoustic model's real-time factor on
 * each provider (and its speed relative to the first, the reference), at several acoustic-model batch
 * sizes, and whether the transcript and token confidences match the reference's.
 *
 *   node dist/tools/bench/providers.js [--model file.onnx ...] [--ep cpu,webgpu] [--batch-frames 64,1024]
 *                                      [--threads 1] [--audio file] [--seconds 60] [--repeat 3]
 *
 * A provider that cannot create a session (no GPU adapter, no CUDA libraries) is reported with the
 * reason, and the exit code is 2. Without --model it uses the shipped default model; without --audio,
 * 60 s of espeak-ng speech (see common.ts).
 */
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Recognizer, type RecognitionResult } from '../../src/recognizer.js';
import type { ExecutionProviderName, OrtModule } from '../../src/model/runtime.js';
import { makeBenchAudio, loadBenchModel, decodeBenchAudio, trimChunks, positiveInts, streamOnce } from './common.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', multiple: true }, ep: { type: 'string', default: 'cpu,webgpu' }, 'batch-frames': { type: 'string', default: '64,1024' },
    threads: { type: 'string', default: '1' }, audio: { type: 'string' }, seconds: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: node dist/tools/bench/providers.js [--model file.onnx ...] [--ep cpu,webgpu] [--batch-frames 64,1024] [--threads 1] [--audio file] [--seconds 60] [--repeat 3]\n' +
    '  --ep            providers to compare; the first is the reference for speed and agreement\n' +
    '  --batch-frames  model frames per acoustic-model call (the streaming batch), comma-separated\n' +
    '  --threads       intra-op threads of the cpu provider');
  process.exit(0);
}
const eps = values.ep.split(',') as ExecutionProviderName[];
const batches = positiveInts('batch-frames', values['batch-frames']);
const [threads] = positiveInts('threads', values.threads);
const [repeat] = positiveInts('repeat', values.repeat);
const seconds = Number(values.seconds);

const audio = values.audio ? { file: values.audio, what: values.audio } : makeBenchAudio(seconds);
const decoded = await decodeBenchAudio(audio.file);
const chunks = trimChunks(decoded.chunks, decoded.rate, seconds);
const audioSec = chunks.reduce((s, c) => s + c.length, 0) / decoded.rate;
console.log(`audio: ${audio.what}, ${audioSec.toFixed(1)} s used; cpu threads ${threads}; best of ${repeat}\n`);

type Run = { acoustic: number; total: number; result: RecognitionResult };
async function measure(rec: Recognizer, batchFrames: number): Promise<Run> {
  let best: Run | undefined;
  for (let r = 0; r < repeat!; r++) {
    const { result, seconds: total } = await streamOnce(rec, chunks, decoded.rate, batchFrames);
    if (!best || result.timings.acoustic < best.acoustic) best = { acoustic: result.timings.acoustic, total, result };
  }
  return best!;
}

/** How far a result is from the reference's: same text, and the largest token-confidence difference when the tokens line up. */
function agreement(ref: RecognitionResult, got: RecognitionResult): string {
  if (got.text !== ref.text) return 'TEXT DIFFERS';
  if (got.tokens.length !== ref.tokens.length) return 'same text, tokens differ';
  let d = 0;
  got.tokens.forEach((t, i) => { d = Math.max(d, Math.abs(t.confidence - ref.tokens[i]!.confidence)); });
  return `same text, max |Δconf| ${d.toExponential(1)}`;
}

let unavailable = 0;
for (const m of await Promise.all((values.model ?? [undefined]).map(loadBenchModel))) {
  console.log(`model: ${m.what}`);
  console.log(`${'provider'.padEnd(10)}${'batch'.padStart(7)}${'AM RTF'.padStart(11)}${'total RTF'.padStart(11)}${'AM speed'.padStart(10)}  agreement with ${eps[0]}`);
  // One session per provider, shared by the batch sizes (batchFrames is per stream).
  const recs = await Promise.all(eps.map((ep) =>
    Recognizer.create({ ort: ort as unknown as OrtModule, model: m.bytes, source: m.what, executionProviders: [ep], threads: threads! })
      .catch((e: unknown) => new Error(e instanceof Error ? e.message : String(e)))));
  for (const batchFrames of batches) {
    let ref: Run | undefined;
    for (const [i, ep] of eps.entries()) {
      const rec = recs[i]!;
      if (rec instanceof Error) {
        unavailable++;
        console.log(`${ep.padEnd(10)}${String(batchFrames).padStart(7)}  unavailable: ${rec.message}`);
        continue;
      }
      const run = await measure(rec, batchFrames);
      ref ??= run;
      console.log(`${ep.padEnd(10)}${String(batchFrames).padStart(7)}${(run.acoustic / audioSec).toExponential(2).padStart(11)}${(run.total / audioSec).toExponential(2).padStart(11)}` +
        `${`${(ref.acoustic / run.acoustic).toFixed(2)}x`.padStart(10)}  ${run === ref ? '(reference)' : agreement(ref.result, run.result)}`);
    }
  }
  console.log('');
}
if (unavailable > 0) process.exitCode = 2;
