/**
 * `earshot quantize` for Node: re-encode the weights of an existing float32 earshot model as float16 or
 * int8 (see model/build/weight-storage.ts), keeping its metadata. The layers are read back from the ONNX file;
 * both the source (against its own weights) and the result (against its decoded weights) are run in
 * onnxruntime-node and checked against the TypeScript reference before the file is written atomically.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { ConversionError, ModelError, UsageError } from '../core/errors.js';
import { computeContentHash } from '../model/hash.js';
import { describeModel } from '../model/load.js';
import type { WeightStorage } from '../model/metadata.js';
import { readMlpLayers, readTdnnModelLayers } from '../model/build/onnx-layers.js';
import { buildMlpModel, buildTdnnModel } from '../model/build/onnx-writer.js';
import { effectiveLayers, effectiveTdnn, parseWeightStorage } from '../model/build/weight-storage.js';
import type { ExecutionProviderName } from '../model/runtime.js';
import { writeFileAtomic } from './atomic-write.js';
import { verifyModelBytes, verifyTdnnBytes } from './convert-file.js';
import { readModelFile } from './model-file.js';

/**
 * Options of `quantizeModelFile`.
 * @example
 * await quantizeModelFile({ input: 'models/earshot-en.onnx', out: 'models/earshot-en.int8.onnx', weightStorage: 'int8' } satisfies QuantizeOptions);
 */
export interface QuantizeOptions {
  /** The float32 earshot model to re-encode. */
  input: string;
  /** Path of the .onnx file to write. */
  out: string;
  /** How to store the weights in the new file. */
  weightStorage: WeightStorage;
  /** Replace `out` if it exists. Default false. */
  force?: boolean;
}

/**
 * What `quantizeModelFile` wrote.
 * @example
 * const r: QuantizeReport = await quantizeModelFile(opts); console.log(r.bytes / r.sourceBytes);
 */
export interface QuantizeReport {
  out: string;
  /** Size of the written file. */
  bytes: number;
  /** Size of the source file. */
  sourceBytes: number;
  weightStorage: WeightStorage;
  contentHash: string;
  sourceContentHash: string;
  /** Max |ORT - reference| of the written model against a float32 model of its decoded weights. */
  maxAbsError: number;
  /** Execution provider that ran the verification. */
  provider: ExecutionProviderName;
}

/** Refuse a directory, an existing file without `force`, or a missing directory. */
async function checkOutput(out: string, force: boolean): Promise<void> {
  const exists = await fs.stat(out).then((s) => s, () => undefined);
  if (exists?.isDirectory()) throw new ConversionError(out, 'the output path is a directory; give a file name such as model.int8.onnx');
  if (exists && !force) throw new ConversionError(out, 'refusing to overwrite an existing file; pass --force (force: true) to replace it');
  const dir = path.dirname(path.resolve(out));
  const dirStat = await fs.stat(dir).then((s) => s, () => undefined);
  if (!dirStat?.isDirectory()) throw new ConversionError(out, `the output directory ${dir} does not exist; create it first`);
}

/**
 * Re-encode a float32 earshot model's weights as `weightStorage` and write the result to `out`.
 * The metadata (feature config, labels, output, provenance) is kept; provenance gains `reencodedFrom`
 * (the source's content hash) and the network summary the new storage; the content hash is recomputed.
 * Deterministic: the same source gives the same bytes. Throws ModelError for a source that is not a
 * valid earshot model, ConversionError for one already stored as float16 or int8 (re-encode from float32)
 * or when the output path is taken (without `force`) or verification fails; nothing is written then.
 * @example
 * const r = await quantizeModelFile({ input: 'models/earshot-en.onnx', out: 'models/earshot-en.fp16.onnx', weightStorage: 'float16' });
 * console.log(`${r.bytes} bytes, max abs error ${r.maxAbsError}`);
 */
export async function quantizeModelFile(opts: QuantizeOptions): Promise<QuantizeReport> {
  const storage = parseWeightStorage(opts.weightStorage, 'weightStorage');
  const force = opts.force ?? false;
  await checkOutput(opts.out, force);
  const src = await readModelFile(opts.input, 'check the input model path given to `earshot quantize`');
  const { metadata } = await describeModel(src, opts.input);
  const from = metadata.network.weightStorage;
  if (from !== 'float32') {
    throw new ConversionError(opts.input, `its weights are already stored as ${from}; re-encode from the float32 model (rounding twice compounds the error)`);
  }
  const { activation, alpha } = metadata.network;
  const reencodeMeta = {
    formatVersion: metadata.formatVersion,
    featureConfig: metadata.featureConfig,
    output: metadata.output,
    labels: metadata.labels,
    provenance: { ...metadata.provenance, reencodedFrom: metadata.contentHash },
  };
  const notOurs = (e: unknown): ConversionError => new ConversionError(opts.input, `the layers read back from the model do not reproduce its output (${e instanceof Error ? e.message : String(e)}); only models written by \`earshot convert\` can be re-encoded`, { cause: e });
  let bytes: Uint8Array;
  let check: () => Promise<{ maxAbsError: number; provider: ExecutionProviderName }>;
  try {
    if (metadata.network.kind === 'tdnn') {
      const { convs, output } = readTdnnModelLayers(src, opts.input, metadata);
      const fc = metadata.featureConfig;
      // Read by name and shape; running the source proves they are the ones its graph computes with.
      await verifyTdnnBytes(src, convs, output, activation, alpha, fc, opts.input).catch((e: unknown) => { throw notOurs(e); });
      bytes = await buildTdnnModel({ convs, output, activation, alpha, weightStorage: storage, metadata: reencodeMeta });
      const eff = effectiveTdnn(convs, output, storage);
      check = () => verifyTdnnBytes(bytes, eff.convs, eff.output, activation, alpha, fc, opts.out);
    } else {
      const layers = readMlpLayers(src, opts.input, metadata);
      await verifyModelBytes(src, layers, activation, alpha, opts.input).catch((e: unknown) => { throw notOurs(e); });
      bytes = await buildMlpModel({ layers, activation, alpha, weightStorage: storage, metadata: reencodeMeta });
      check = () => verifyModelBytes(bytes, effectiveLayers(layers, storage), activation, alpha, opts.out);
    }
  } catch (e) {
    if (e instanceof UsageError) throw new ConversionError(opts.input, `cannot store the weights as ${storage}: ${e.message}`, { cause: e });
    throw e;
  }
  try {
    await describeModel(bytes, opts.out);
  } catch (e) {
    if (e instanceof ModelError) throw new ConversionError(opts.out, `the written model does not load back: ${e.message}`, { cause: e });
    throw e;
  }
  const { maxAbsError, provider } = await check();
  try {
    await writeFileAtomic(opts.out, bytes, { force });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConversionError(opts.out, 'refusing to overwrite an existing file (it appeared while re-encoding); pass --force (force: true) to replace it', { cause: e });
    throw new ConversionError(opts.out, `cannot write the model: ${(e as Error).message}`, { cause: e });
  }
  return {
    out: opts.out,
    bytes: bytes.length,
    sourceBytes: src.length,
    weightStorage: storage,
    contentHash: await computeContentHash(bytes, opts.out),
    sourceContentHash: metadata.contentHash,
    maxAbsError,
    provider,
  };
}
