/**
 * A tiny, seeded, untrained earshot model for tests and examples: real ONNX, real metadata, random
 * weights. Pure (no I/O), so tests on any platform can build one in memory.
 */
import { defaultFeatureConfig, inputDim, type FeatureConfig } from '../../features/config.js';
import type { Activation, OutputSpec } from '../metadata.js';
import type { DenseLayer } from './layers.js';
import { buildMlpModel } from './onnx-writer.js';
import { Rng } from '../../core/rng.js';

/**
 * Options of `buildTinyModel`; every field has a default.
 * @example
 * const bytes = await buildTinyModel({ hidden: [8, 8], activation: 'tanh', seed: 3 } satisfies TinyModelOptions);
 */
export interface TinyModelOptions {
  /** Default: defaultFeatureConfig() (inputDim 429). */
  featureConfig?: FeatureConfig;
  /** Default: CTC over ["<blank>", " ", "a".."z", "'"] (29 labels). */
  labels?: string[];
  /** Default: { type: 'ctc', blankId: 0 }. */
  output?: OutputSpec;
  /** Hidden layer widths. Default [16]. */
  hidden?: number[];
  /** Default 'lrelu'. */
  activation?: Activation;
  /** Default 0.01. */
  alpha?: number;
  /** Weight seed. Default 1. */
  seed?: number;
}

/**
 * The default tiny-model label set: CTC blank, space, a-z, apostrophe.
 * @example
 * TINY_LABELS.length; // 29
 */
export const TINY_LABELS: readonly string[] = ['<blank>', ' ', ...'abcdefghijklmnopqrstuvwxyz', "'"];

/**
 * Uniform numbers in [0, 1) from a seed: src/core/rng.ts's generator (the project's one), as a function.
 * @example
 * const next = seededUniform(7); next(); // the same sequence for seed 7 on every run
 */
export function seededUniform(seed: number): () => number {
  const rng = new Rng(seed);
  return () => rng.next();
}

/**
 * Seeded random dense layers (uniform in +-1/sqrt(in), like PyTorch's nn.Linear init) for dims
 * [in, h1, ..., out].
 * @example
 * const layers = randomLayers([36, 16, 5], 42);
 */
export function randomLayers(dims: readonly number[], seed: number): DenseLayer[] {
  const rand = seededUniform(seed);
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < dims.length; i++) {
    const inDim = dims[i]!;
    const outDim = dims[i + 1]!;
    const bound = 1 / Math.sqrt(inDim);
    const weight = new Float32Array(outDim * inDim).map(() => (rand() * 2 - 1) * bound);
    const bias = new Float32Array(outDim).map(() => (rand() * 2 - 1) * bound);
    layers.push({ weight, bias, outDim, inDim });
  }
  return layers;
}

/**
 * Build a tiny untrained earshot model in memory (deterministic for given options; about 30 KB with
 * the defaults). `test/fixtures/models/tiny.onnx` is `buildTinyModel()` with the defaults.
 * @example
 * const bytes = await buildTinyModel();
 * const rec = await Recognizer.create({ ort, model: bytes, source: 'tiny.onnx' });
 */
export async function buildTinyModel(opts: TinyModelOptions = {}): Promise<Uint8Array> {
  const featureConfig = opts.featureConfig ?? defaultFeatureConfig();
  const labels = opts.labels ?? [...TINY_LABELS];
  const activation = opts.activation ?? 'lrelu';
  const alpha = opts.alpha ?? 0.01;
  const dims = [inputDim(featureConfig), ...(opts.hidden ?? [16]), labels.length];
  return buildMlpModel({
    layers: randomLayers(dims, opts.seed ?? 1),
    activation,
    alpha,
    metadata: {
      featureConfig,
      output: opts.output ?? { type: 'ctc', blankId: 0 },
      labels,
      provenance: { producer: 'earshot buildTinyModel', training: { note: 'untrained: seeded random weights, for tests only', seed: opts.seed ?? 1 } },
    },
  });
}
