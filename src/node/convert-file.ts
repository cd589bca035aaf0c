/**
 * `earshot convert` for Node: read a weights file (.safetensors or .npz, by magic) and an architecture
 * description, build the ONNX model (weights stored as float32, float16 or int8), verify it by running the
 * written bytes in onnxruntime-node against the independent TypeScript reference (on the decoded weights),
 * and only then write it atomically.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ConversionError, ModelError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { parseArch, parseArchJson, type ArchDescription, type ArchOverrides } from '../convert/arch.js';
import { buildModelFromWeights } from '../convert/build.js';
import { referenceForward, referenceTdnnForward } from '../convert/reference.js';
import { parseWeights } from '../convert/weights.js';
import { baseDim, inputDim, spliceFrames, type FeatureConfig } from '../features/index.js';
import { describeModel } from '../model/load.js';
import { sha256Hex } from '../model/hash.js';
import type { ConvLayer, DenseLayer } from '../model/build/layers.js';
import type { Activation, WeightStorage } from '../model/metadata.js';
import { effectiveLayers, effectiveTdnn } from '../model/build/weight-storage.js';
import { createAcousticSession, runAcoustic, type ExecutionProviderName, type OrtModule } from '../model/runtime.js';
import { writeFileAtomic } from './atomic-write.js';

/**
 * Largest max-abs difference between ONNX Runtime and the reference that verification accepts.
 * @example
 * if (report.maxAbsError > VERIFY_TOLERANCE) throw new Error('unreachable: convertWeightsFile would have failed');
 */
export const VERIFY_TOLERANCE = 1e-4;

/**
 * Options of `convertWeightsFile`.
 * @example
 * await convertWeightsFile({ weights: 'w.npz', arch: 'arch.json', out: 'm.onnx', force: true } satisfies ConvertOptions);
 */
export interface ConvertOptions {
  /** Path of the .safetensors or .npz weights. */
  weights: string;
  /** Path of the architecture JSON, or the description itself. */
  arch: string | ArchDescription;
  /** Path of the .onnx file to write. */
  out: string;
  /** Replace `out` if it exists. Default false. */
  force?: boolean;
  /** Verification cannot be turned off: every written model has been run and checked. */
  verify?: true;
  /** Command-line overrides of the architecture's activation, alpha or labels. */
  overrides?: ArchOverrides;
  /** How to store the layer weights: float32 (default), float16 or int8 (see model/build/weight-storage.ts). */
  weightStorage?: WeightStorage;
}

/**
 * What `convertWeightsFile` wrote.
 * @example
 * const r: ConversionReport = await convertWeightsFile(opts); console.log(r.maxAbsError, r.contentHash);
 */
export interface ConversionReport {
  out: string;
  /** Size of the written file. */
  bytes: number;
  parameters: number;
  /** Max |ORT - reference| over the verification input's log-probabilities. */
  maxAbsError: number;
  /** Execution provider that ran the verification. */
  provider: ExecutionProviderName;
  contentHash: string;
  /** Which format the weights were read as. */
  weightsFormat: 'safetensors' | 'npz';
  /** How the layer weights are stored in the written model. */
  weightStorage: WeightStorage;
}

async function readInput(file: string, what: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await fs.readFile(file));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConversionError(file, `cannot read the ${what}: ${why}`, { cause: e });
  }
}

/**
 * Run `bytes` in onnxruntime-node on seeded random input (2 sequences x 7 frames) and compare with the
 * float64 reference. Returns the max abs error and the provider; throws ConversionError above the tolerance.
 * @example
 * const { maxAbsError } = await verifyModelBytes(bytes, layers, 'lrelu', 0.01, 'model.onnx');
 */
export async function verifyModelBytes(
  bytes: Uint8Array,
  layers: readonly DenseLayer[],
  activation: Activation,
  alpha: number,
  source: string,
  opts: VerifyOptions = {},
): Promise<{ maxAbsError: number; provider: ExecutionProviderName }> {
  return verifyAgainstReference(bytes, layers[0]!.inDim, (input, frames) => referenceForward(layers, activation, alpha, input, frames), source, opts);
}

/**
 * verifyModelBytes for a TDNN: the input rows are consecutive windows spliced from seeded random base frames with
 * `featureConfig` (as the TDNN graph requires), compared with the float64 per-window reference.
 * @example
 * const { maxAbsError } = await verifyTdnnBytes(bytes, convs, output, 'lrelu', 0.01, metadata.featureConfig, 'model.onnx');
 */
export async function verifyTdnnBytes(
  bytes: Uint8Array,
  convs: readonly ConvLayer[],
  output: DenseLayer,
  activation: Activation,
  alpha: number,
  featureConfig: FeatureConfig,
  source: string,
): Promise<{ maxAbsError: number; provider: ExecutionProviderName }> {
  return verifyAgainstReference(bytes, inputDim(featureConfig), (input, frames) => referenceTdnnForward(convs, output, activation, alpha, input, frames), source, { windows: featureConfig });
}

/**
 * Options of the verification run (`verifyModelBytes`, `verifyAgainstReference`).
 * @example
 * const opts: VerifyOptions = { sequences: 2, frames: 7, tolerance: 1e-4 };
 */
export interface VerifyOptions {
  /** Splice the input rows as consecutive windows of random base frames with this feature config (TDNN models). */
  windows?: FeatureConfig;
  sequences?: number;
  frames?: number;
  seed?: number;
  tolerance?: number;
}

/**
 * Run `bytes` in onnxruntime-node on seeded random input rows of `dim` values and compare with
 * `reference(input, frames)` (float64 log-probabilities). Throws ConversionError above the tolerance.
 * With `opts.windows` (a TDNN's feature config) the rows are consecutive windows spliced from random base frames,
 * as a TDNN graph requires; otherwise every value is independent.
 * @example
 * await verifyAgainstReference(bytes, 507, (x, n) => referenceTdnnForward(convs, output, 'lrelu', 0.01, x, n), 'model.onnx');
 */
export async function verifyAgainstReference(
  bytes: Uint8Array,
  dim: number,
  reference: (input: Float32Array, frames: number) => Float64Array,
  source: string,
  opts: VerifyOptions = {},
): Promise<{ maxAbsError: number; provider: ExecutionProviderName }> {
  const ortm = ort as unknown as OrtModule;
  const frames = opts.frames ?? 7;
  const tolerance = opts.tolerance ?? VERIFY_TOLERANCE;
  const rng = new Rng(opts.seed ?? 20240611);
  const random = (n: number): Float32Array => new Float32Array(n).map(() => rng.uniform(-3, 3));
  let session;
  try {
    session = await createAcousticSession(ortm, bytes, source, { executionProviders: ['cpu'], threads: 1 });
  } catch (e) {
    throw new ConversionError(source, `verification failed: onnxruntime-node cannot load the written model (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  let maxAbsError = 0;
  try {
    for (let s = 0; s < (opts.sequences ?? 2); s++) {
      const fc = opts.windows;
      const input = fc ? spliceFrames(random(frames * fc.subsampling * baseDim(fc)), frames * fc.subsampling, fc).data : random(frames * dim);
      const got = await runAcoustic(ortm, session, input, frames, dim);
      const want = reference(input, frames);
      if (got.length !== want.length) throw new ConversionError(source, `verification failed: the model gave ${got.length} values, the reference ${want.length}`);
      for (let i = 0; i < got.length; i++) {
        const d = Math.abs(got[i]! - want[i]!);
        if (!(d <= maxAbsError)) maxAbsError = Number.isNaN(d) ? Infinity : d;
      }
    }
  } finally {
    await session.session.release?.();
  }
  if (!(maxAbsError <= tolerance)) {
    throw new ConversionError(source, `verification failed: onnxruntime output differs from the reference forward pass by up to ${maxAbsError.toExponential(2)} (tolerance ${tolerance}); nothing was written`);
  }
  return { maxAbsError, provider: session.provider };
}

/**
 * Convert trained weights into a verified earshot model file.
 * Refuses to replace an existing `out` unless `force`; on any failure nothing is left at `out`
 * (or beside it).
 * @example
 * const r = await convertWeightsFile({ weights: 'run/model.safetensors', arch: 'run/arch.json', out: 'models/my.onnx' });
 * console.log(r.maxAbsError, r.contentHash);
 */
export async function convertWeightsFile(opts: ConvertOptions): Promise<ConversionReport> {
  const out = opts.out;
  const force = opts.force ?? false;
  const outDir = path.dirname(path.resolve(out));
  const exists = await fs.stat(out).then((s) => s, () => undefined);
  if (exists?.isDirectory()) throw new ConversionError(out, 'the output path is a directory; give a file name such as model.onnx');
  if (exists && !force) throw new ConversionError(out, 'refusing to overwrite an existing file; pass --force (force: true) to replace it');
  const dirStat = await fs.stat(outDir).then((s) => s, () => undefined);
  if (!dirStat?.isDirectory()) throw new ConversionError(out, `the output directory ${outDir} does not exist; create it first`);

  const arch = typeof opts.arch === 'string'
    ? parseArchJson(new TextDecoder().decode(await readInput(opts.arch, 'architecture description')), opts.arch, opts.overrides)
    : parseArch(opts.arch, '<arch>', opts.overrides);
  const archSource = typeof opts.arch === 'string' ? opts.arch : '<arch>';
  const weightBytes = await readInput(opts.weights, 'weights file');
  const weights = parseWeights(weightBytes, opts.weights);
  const weightStorage = opts.weightStorage ?? 'float32';
  const built = await buildModelFromWeights(weights, arch, { archSource, provenance: { sourceSha256: await sha256Hex(weightBytes) }, weightStorage });
  try {
    await describeModel(built.bytes, out);
  } catch (e) {
    if (e instanceof ModelError) throw new ConversionError(out, `the written model does not load back: ${e.message}`, { cause: e });
    throw e;
  }
  // A float16 / int8 model must compute exactly what a float32 model of its decoded weights does.
  const tdnn = built.tdnn && effectiveTdnn(built.tdnn.convs, built.tdnn.output, weightStorage);
  const { maxAbsError, provider } = tdnn
    ? await verifyTdnnBytes(built.bytes, tdnn.convs, tdnn.output, arch.activation, arch.alpha, arch.featureConfig, out)
    : await verifyModelBytes(built.bytes, effectiveLayers(built.layers, weightStorage), arch.activation, arch.alpha, out);
  try {
    await writeFileAtomic(out, built.bytes, { force });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new ConversionError(out, 'refusing to overwrite an existing file (it appeared while converting); pass --force (force: true) to replace it', { cause: e });
    throw new ConversionError(out, `cannot write the model: ${(e as Error).message}`, { cause: e });
  }
  return { out, bytes: built.bytes.length, parameters: built.network.parameters, maxAbsError, provider, contentHash: built.contentHash, weightsFormat: weights.format, weightStorage };
}
