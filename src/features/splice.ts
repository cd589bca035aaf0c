/**
 * Context splicing and frame subsampling. Output frame t (for t = 0, s, 2s, ...; ceil(T / s) frames)
 * is the concatenation of base frames t - contextLeft .. t + contextRight, indices clamped to [0, T - 1].
 */
import { baseDim, inputDim, type FeatureConfig } from './config.js';
import { ContextStage, type FrameSink } from './stage.js';
import { checkedConfig, checkFrames } from './validate.js';

/** Streaming splicer: emits spliced rows for t % subsampling === 0 only. */
export class SpliceStage extends ContextStage {
  private readonly out: Float64Array;

  constructor(dim: number, left: number, right: number, private readonly subsampling: number, next: FrameSink) {
    super(dim, left, right, next);
    this.out = new Float64Array(dim * (left + right + 1));
  }

  protected compute(t: number): void {
    if (t % this.subsampling !== 0) return;
    const dim = this.inDim;
    const out = this.out;
    const ring = this.ring;
    for (let j = -this.left, o = 0; j <= this.right; j++, o += dim) {
      const r = this.row(t + j);
      for (let i = 0; i < dim; i++) out[o + i] = ring[r + i];
    }
    this.next.push(out);
  }
}

/**
 * Splice (contextLeft/contextRight, edge replication) and subsample a whole utterance of normalized
 * base frames into model input frames: `{ data: frames x inputDim(config), frames: ceil(T / subsampling) }`.
 * Equal, bit for bit, to the streaming {@link FeatureExtractor}.
 * @example
 * const normed = normalizeFrames(base.data, base.frames, cfg);
 * const input = spliceFrames(normed, base.frames, cfg); // input.data.length === input.frames * inputDim(cfg)
 */
export function spliceFrames(base: Float32Array, frames: number, config: FeatureConfig): { data: Float32Array; frames: number } {
  const c = checkedConfig(config, 'spliceFrames');
  checkFrames(base, frames, c, 'spliceFrames');
  const dim = baseDim(c);
  const outDim = inputDim(c);
  const s = c.subsampling;
  const outFrames = Math.ceil(frames / s);
  const data = new Float32Array(outFrames * outDim);
  for (let t = 0, r = 0; t < frames; t += s, r++) {
    for (let j = -c.contextLeft, o = r * outDim; j <= c.contextRight; j++, o += dim) {
      const src = Math.min(Math.max(t + j, 0), frames - 1) * dim;
      data.set(base.subarray(src, src + dim), o);
    }
  }
  return { data, frames: outFrames };
}
