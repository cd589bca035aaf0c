/**
 * Per-coefficient normalization of base frames (MFCC + deltas), before splicing.
 * - `none`: unchanged.
 * - `global`: x' = (x - mean[i]) / std[i].
 * - `sliding`: causal window of the current and up to `window - 1` previous frames (n frames):
 *   x' = x - mean_n; with `normVars`, x' = (x - mean_n) / sqrt(max(var_n, SLIDING_VAR_FLOOR)) where
 *   var_n = sumsq/n - mean_n^2 (population variance). Sums are kept in float64 as running sums,
 *   recomputed exactly from the window every `window` frames so rounding drift stays bounded.
 * Inputs are taken as float32 (what BaseFeatureExtractor outputs and training stores), arithmetic is
 * float64, so streaming and {@link normalizeFrames} give identical results.
 */
import { UsageError } from '../core/errors.js';
import { baseDim, type FeatureConfig, type Normalization } from './config.js';
import type { FrameSink } from './stage.js';
import { checkedConfig, checkFrames, isFloat32Array } from './validate.js';

/**
 * Variance floor of sliding normalization with normVars (so a constant coefficient gives 0, not NaN).
 * @example
 * const std = Math.sqrt(Math.max(variance, SLIDING_VAR_FLOOR));
 */
export const SLIDING_VAR_FLOOR = 1e-10;

/** Streaming normalizer: rows in, normalized rows out to `next`. */
export class NormStage implements FrameSink {
  private readonly out: Float64Array;
  private readonly history: Float32Array;
  private readonly sum: Float64Array;
  private readonly sumsq: Float64Array;
  private t = 0;

  constructor(
    private readonly norm: Normalization,
    private readonly dim: number,
    private readonly next: FrameSink,
  ) {
    this.out = new Float64Array(dim);
    const w = norm.type === 'sliding' ? norm.window : 0;
    this.history = new Float32Array(w * dim);
    this.sum = new Float64Array(norm.type === 'sliding' ? dim : 0);
    this.sumsq = new Float64Array(norm.type === 'sliding' ? dim : 0);
  }

  push(row: Float64Array): void {
    const dim = this.dim;
    const out = this.out;
    const n = this.norm;
    if (n.type === 'none') {
      for (let i = 0; i < dim; i++) out[i] = Math.fround(row[i]);
    } else if (n.type === 'global') {
      for (let i = 0; i < dim; i++) out[i] = (Math.fround(row[i]) - n.mean[i]) / n.std[i];
    } else {
      const W = n.window;
      const slot = (this.t % W) * dim;
      const h = this.history;
      const sum = this.sum;
      const sumsq = this.sumsq;
      if (this.t >= W) {
        for (let i = 0; i < dim; i++) {
          const old = h[slot + i];
          sum[i] -= old;
          sumsq[i] -= old * old;
        }
      }
      for (let i = 0; i < dim; i++) {
        const x = Math.fround(row[i]);
        h[slot + i] = x;
        sum[i] += x;
        sumsq[i] += x * x;
      }
      this.t++;
      const count = Math.min(this.t, W);
      if (this.t % W === 0) {
        // Exact recomputation over the full window bounds the running sums' rounding drift.
        sum.fill(0);
        sumsq.fill(0);
        for (let f = 0; f < W; f++) {
          for (let i = 0; i < dim; i++) {
            const x = h[f * dim + i];
            sum[i] += x;
            sumsq[i] += x * x;
          }
        }
      }
      for (let i = 0; i < dim; i++) {
        const mean = sum[i] / count;
        let y = h[slot + i] - mean;
        if (n.normVars) {
          const v = sumsq[i] / count - mean * mean;
          y /= Math.sqrt(v > SLIDING_VAR_FLOOR ? v : SLIDING_VAR_FLOOR);
        }
        out[i] = y;
      }
    }
    this.next.push(out);
  }

  finish(): void {
    this.next.finish();
  }

  reset(): void {
    this.t = 0;
    this.sum.fill(0);
    this.sumsq.fill(0);
    this.next.reset();
  }
}

/** Sink that stores rows into a preallocated float32 array. */
class ArraySink implements FrameSink {
  private rows = 0;
  constructor(
    readonly data: Float32Array,
    private readonly dim: number,
  ) {}
  push(row: Float64Array): void {
    for (let i = 0; i < this.dim; i++) this.data[this.rows * this.dim + i] = row[i];
    this.rows++;
  }
  finish(): void {}
  reset(): void {
    this.rows = 0;
  }
}

/**
 * Normalize a whole utterance of base frames (row-major, `frames` x baseDim(config)) as the config's
 * `normalization` says. Identical, bit for bit, to what {@link FeatureExtractor} does in streaming, so
 * training can store un-normalized base features and normalize them later. Sliding normalization starts
 * at frame 0 of `base` (one call per utterance/stream).
 * @example
 * const base = computeBaseFeatures(samples, cfg);
 * const normed = normalizeFrames(base.data, base.frames, cfg);
 */
export function normalizeFrames(base: Float32Array, frames: number, config: FeatureConfig): Float32Array {
  const c = checkedConfig(config, 'normalizeFrames');
  checkFrames(base, frames, c, 'normalizeFrames');
  const dim = baseDim(c);
  const sink = new ArraySink(new Float32Array(frames * dim), dim);
  const stage = new NormStage(c.normalization, dim, sink);
  const row = new Float64Array(dim);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < dim; i++) row[i] = base[t * dim + i];
    stage.push(row);
  }
  stage.finish();
  return sink.data;
}

/**
 * Global normalization statistics: per-coefficient mean and (population) standard deviation.
 * @example
 * const { mean, std, frames } = computeNormStats(blocks, 39);
 */
export interface NormStats {
  mean: number[];
  std: number[];
  /** Number of frames the statistics were computed from. */
  frames: number;
}

/**
 * Accumulates mean/variance over blocks of frames in float64 with Chan et al.'s pairwise update
 * (each block two-pass), which stays accurate for large offsets and many frames.
 * @example
 * const acc = new NormStatsAccumulator(39);
 * for await (const block of blocks) acc.add(block);
 * const { mean, std } = acc.result();
 */
export class NormStatsAccumulator {
  private n = 0;
  private readonly mean: Float64Array;
  private readonly m2: Float64Array;
  private readonly bMean: Float64Array;
  private readonly bM2: Float64Array;

  constructor(readonly dim: number) {
    if (!Number.isInteger(dim) || dim < 1) throw new UsageError(`NormStatsAccumulator: dim must be a positive integer, got ${JSON.stringify(dim)}`);
    this.mean = new Float64Array(dim);
    this.m2 = new Float64Array(dim);
    this.bMean = new Float64Array(dim);
    this.bM2 = new Float64Array(dim);
  }

  /** Frames added so far. */
  get frames(): number {
    return this.n;
  }

  /** Add a block of frames (row-major, length a multiple of dim). */
  add(block: Float32Array | Float64Array): void {
    if (!isFloat32Array(block) && !(block instanceof Float64Array)) throw new UsageError(`NormStatsAccumulator.add: expected a Float32Array or Float64Array of frames, got ${typeof block}`);
    const dim = this.dim;
    if (block.length % dim !== 0) throw new UsageError(`NormStatsAccumulator.add: block length ${block.length} is not a multiple of dim ${dim}`);
    const nb = block.length / dim;
    if (nb === 0) return;
    const bMean = this.bMean;
    const bM2 = this.bM2;
    bMean.fill(0);
    bM2.fill(0);
    for (let t = 0; t < nb; t++) for (let i = 0; i < dim; i++) bMean[i] += block[t * dim + i];
    for (let i = 0; i < dim; i++) bMean[i] /= nb;
    for (let t = 0; t < nb; t++) {
      for (let i = 0; i < dim; i++) {
        const v = block[t * dim + i];
        if (!Number.isFinite(v)) throw new UsageError(`NormStatsAccumulator.add: value ${v} at frame ${t}, coefficient ${i} of this block is not finite`);
        const d = v - bMean[i];
        bM2[i] += d * d;
      }
    }
    const na = this.n;
    const n = na + nb;
    for (let i = 0; i < dim; i++) {
      const delta = bMean[i] - this.mean[i];
      this.mean[i] += (delta * nb) / n;
      this.m2[i] += bM2[i] + (delta * delta * na * nb) / n;
    }
    this.n = n;
  }

  /** Mean and std (sqrt of the population variance, floored at `stdFloor`, default 1e-6, so every std is > 0). */
  result(stdFloor = 1e-6): NormStats {
    if (this.n === 0) throw new UsageError('NormStatsAccumulator.result: no frames were added; add at least one frame');
    if (!(stdFloor > 0)) throw new UsageError(`NormStatsAccumulator.result: stdFloor must be > 0, got ${stdFloor}`);
    const mean = Array.from(this.mean);
    const std = Array.from(this.m2, (m2) => Math.max(Math.sqrt(m2 / this.n), stdFloor));
    return { mean, std, frames: this.n };
  }
}

/**
 * Global normalization statistics over blocks of frames (each a Float32Array/Float64Array of whole
 * rows of `dim` values), accumulated in float64. The result plugs into
 * `normalization: { type: 'global', mean, std }`.
 * @example
 * const stats = computeNormStats(utterances.map((u) => computeBaseFeatures(u, cfg).data), baseDim(cfg));
 * const cfg2: FeatureConfig = { ...cfg, normalization: { type: 'global', mean: stats.mean, std: stats.std } };
 */
export function computeNormStats(blocks: Iterable<Float32Array | Float64Array>, dim: number, stdFloor = 1e-6): NormStats {
  const acc = new NormStatsAccumulator(dim);
  for (const b of blocks) acc.add(b);
  return acc.result(stdFloor);
}
