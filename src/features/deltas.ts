/**
 * Deltas by the standard regression formula, with edge replication (as Kaldi/HTK):
 *   d_t = sum_{n=1..N} n (c_{t+n} - c_{t-n}) / (2 sum_{n=1..N} n^2),  indices clamped to [0, T-1].
 * Delta-deltas are the deltas of the deltas (the clamp applies to the delta sequence).
 */
import { ContextStage, type FrameSink } from './stage.js';

/**
 * Whole-sequence deltas of `frames` rows of `dim` values (row-major), computed in float64.
 * @example
 * const d = computeDeltas(Float64Array.from([0, 1, 4, 9]), 4, 1, 2); // one coefficient, N = 2
 */
export function computeDeltas(data: ArrayLike<number>, frames: number, dim: number, window: number): Float64Array {
  const out = new Float64Array(frames * dim);
  const denom = deltaDenominator(window);
  const clamp = (j: number): number => (j < 0 ? 0 : j >= frames ? frames - 1 : j);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < dim; i++) {
      let acc = 0;
      for (let n = 1; n <= window; n++) acc += n * (data[clamp(t + n) * dim + i] - data[clamp(t - n) * dim + i]);
      out[t * dim + i] = acc / denom;
    }
  }
  return out;
}

/** 2 * sum_{n=1..N} n^2. */
export function deltaDenominator(window: number): number {
  let s = 0;
  for (let n = 1; n <= window; n++) s += n * n;
  return 2 * s;
}

/**
 * Streaming stage: input rows of `inDim` values; output rows of `inDim + partDim` values: the input row
 * followed by the deltas of its `[partOffset, partOffset + partDim)` slice. Same arithmetic as
 * {@link computeDeltas}.
 */
export class DeltaStage extends ContextStage {
  private readonly out: Float64Array;
  private readonly denom: number;

  constructor(
    inDim: number,
    private readonly partOffset: number,
    private readonly partDim: number,
    private readonly window: number,
    next: FrameSink,
  ) {
    super(inDim, window, window, next);
    this.out = new Float64Array(inDim + partDim);
    this.denom = deltaDenominator(window);
  }

  protected compute(t: number): void {
    const ring = this.ring;
    const out = this.out;
    const inDim = this.inDim;
    const partDim = this.partDim;
    const po = this.partOffset;
    const cur = this.row(t);
    for (let i = 0; i < inDim; i++) out[i] = ring[cur + i];
    for (let i = 0; i < partDim; i++) out[inDim + i] = 0;
    for (let n = 1; n <= this.window; n++) {
      const ahead = this.row(t + n) + po;
      const behind = this.row(t - n) + po;
      for (let i = 0; i < partDim; i++) out[inDim + i] += n * (ring[ahead + i] - ring[behind + i]);
    }
    const denom = this.denom;
    for (let i = 0; i < partDim; i++) out[inDim + i] /= denom;
    this.next.push(out);
  }
}
