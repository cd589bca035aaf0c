#!/usr/bin/env node
/**
 * Recipe-level parity: the converted earshot model, run by onnxruntime-node on inputs computed by earshot's own
 * normalizeFrames/spliceFrames, must equal PyTorch on the trainer's inputs.
 *
 * Input: a dump from tools/train/parity.py (inputs.f32, logprobs.f32, meta.json), the shard it was taken from,
 * and the converted .onnx. Checks, per utterance:
 *  1. the TypeScript inputs (model's featureConfig: normalization, splicing, subsampling) equal the
 *     trainer's inputs: the trainer splices exactly as the engine does;
 *  2. onnxruntime-node's log-posteriors equal PyTorch's within `tolerance`.
 *
 * @example
 * node dist/tools/recipe/parity.js --model work-data/recipe/model.onnx --dump /tmp/parity --shard work-data/feats/dev
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ortNode from 'onnxruntime-node';
import { inputDim, normalizeFrames, spliceFrames } from '../../src/features/index.js';
import { describeModel } from '../../src/model/load.js';
import { createAcousticSession, runAcoustic, type OrtModule } from '../../src/model/runtime.js';
import { readShard, shardFrames } from '../featurize/shard.js';

export interface ParityOptions {
  model: string;
  dump: string;
  shard: string;
  /** Max abs difference allowed between onnxruntime and PyTorch log-posteriors. */
  tolerance?: number;
  /** Max abs difference allowed between the TypeScript and the trainer's spliced inputs. */
  inputTolerance?: number;
}

export interface ParityReport {
  utterances: number;
  frames: number;
  maxInputDiff: number;
  maxOutputDiff: number;
  ok: boolean;
  /** Provider that ran the model. */
  provider: string;
}

interface DumpMeta {
  inputDim: number;
  outputDim: number;
  utterances: { id: string; shardIndex: number; frames: number; outFrames: number; offset: number }[];
}

function readF32(file: string): Float32Array {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
}

/**
 * Largest |a - b| / max(1, |b|). Log-posteriors of improbable units reach -30 or less, where float32
 * accumulation over ~1000-term dot products differs by ~1e-4 in absolute terms between two correct
 * implementations; relative to the magnitude (and absolute near 0, where probabilities matter) it stays small.
 */
function maxScaledDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!));
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}

/**
 * Compare onnxruntime-node on TypeScript-computed inputs with the PyTorch dump.
 * @example
 * const r = await checkParity({ model: 'm.onnx', dump: 'dump', shard: 'feats/dev' });
 * if (!r.ok) process.exit(1);
 */
export async function checkParity(o: ParityOptions): Promise<ParityReport> {
  const tol = o.tolerance ?? 1e-4;
  const inTol = o.inputTolerance ?? 1e-5;
  const bytes = new Uint8Array(fs.readFileSync(o.model));
  const { metadata } = await describeModel(bytes, o.model);
  const fc = metadata.featureConfig;
  const meta = JSON.parse(fs.readFileSync(path.join(o.dump, 'meta.json'), 'utf8')) as DumpMeta;
  if (meta.inputDim !== inputDim(fc)) throw new Error(`${o.dump}: inputDim ${meta.inputDim} differs from the model's ${inputDim(fc)}: dump and model come from different runs`);
  const pyIn = readF32(path.join(o.dump, 'inputs.f32'));
  const pyOut = readF32(path.join(o.dump, 'logprobs.f32'));
  const shard = readShard(o.shard);
  const s = await createAcousticSession(ortNode as unknown as OrtModule, bytes, o.model, { executionProviders: ['cpu'], threads: 1 });
  let maxIn = 0;
  let maxOut = 0;
  let frames = 0;
  for (const u of meta.utterances) {
    const e = shard.entries[u.shardIndex];
    if (!e || e.id !== u.id) throw new Error(`${o.shard}: entry ${u.shardIndex} is not ${u.id}: the dump was made from another shard`);
    const base = shardFrames(shard, e);
    const spliced = spliceFrames(normalizeFrames(base, e.frames, fc), e.frames, fc);
    if (spliced.frames !== u.outFrames) throw new Error(`${u.id}: TypeScript gives ${spliced.frames} model frames, the trainer ${u.outFrames}`);
    const dIn = meta.inputDim;
    maxIn = Math.max(maxIn, maxAbsDiff(spliced.data, pyIn.subarray(u.offset * dIn, (u.offset + u.outFrames) * dIn)));
    const logp = await runAcoustic(ortNode as unknown as OrtModule, s, spliced.data, spliced.frames, dIn);
    const dOut = meta.outputDim;
    maxOut = Math.max(maxOut, maxScaledDiff(logp, pyOut.subarray(u.offset * dOut, (u.offset + u.outFrames) * dOut)));
    frames += u.outFrames;
  }
  await s.session.release();
  return { utterances: meta.utterances.length, frames, maxInputDiff: maxIn, maxOutputDiff: maxOut, ok: maxIn <= inTol && maxOut <= tol, provider: s.provider };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const get = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const model = get('--model');
  const dump = get('--dump');
  const shard = get('--shard');
  if (!model || !dump || !shard) throw new Error('usage: parity.js --model <model.onnx> --dump <dir from tools/train/parity.py> --shard <feature shard> [--tol 1e-4]');
  const tolerance = Number(get('--tol') ?? '1e-4');
  const r = await checkParity({ model, dump, shard, tolerance });
  process.stdout.write(
    `parity: ${r.utterances} utterances, ${r.frames} frames: TypeScript vs trainer inputs max |diff| ${r.maxInputDiff.toExponential(2)}, ` +
      `onnxruntime-node (${r.provider}) vs PyTorch log-posteriors max |diff|/max(1,|torch|) ${r.maxOutputDiff.toExponential(2)} (tolerance ${tolerance}): ${r.ok ? 'OK' : 'FAIL'}\n`,
  );
  if (!r.ok) process.exit(1);
}

const argv1 = process.argv[1];
if (argv1 && fs.existsSync(argv1) && fs.realpathSync(argv1) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  main().catch((e: unknown) => {
    process.stderr.write(`parity: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
