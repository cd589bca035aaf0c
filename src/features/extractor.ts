/**
 * The streaming feature frontend: samples -> frames -> Meyda MFCC (fast path) -> deltas ->
 * normalization -> splicing -> subsampling. Whole-file computation is the same code run on one chunk.
 */
import { UsageError } from '../core/errors.js';
import { baseDim, inputDim, type FeatureConfig } from './config.js';
import { DeltaStage } from './deltas.js';
import { Framer } from './framing.js';
import { FastMfcc } from './mfcc.js';
import { NormStage } from './normalize.js';
import { SpliceStage } from './splice.js';
import { BlockSink, type FrameSink } from './stage.js';
import { checkedConfig, checkSamples } from './validate.js';

/**
 * A block of frames: `data` holds `frames` rows of the extractor's dimension, row-major.
 * @example
 * const block = fx.accept(chunk);
 * const row = (i: number) => block.data.subarray(i * fx.inputDim, (i + 1) * fx.inputDim); // model frame block.firstFrame + i
 */
export interface FeatureBlock {
  data: Float32Array;
  frames: number;
  /** Index (in the stream) of the first frame of this block: model frames for FeatureExtractor, base frames for BaseFeatureExtractor. */
  firstFrame: number;
}

/** Framing + MFCC + deltas, pushing base rows (float64 values, rounded to float32 downstream) to `next`. */
class BasePipeline {
  private readonly framer: Framer;
  private readonly mfcc: FastMfcc;
  private readonly ceps: Float64Array;
  private readonly head: FrameSink;
  private readonly onFrame: (frame: Float32Array) => void;
  private finished = false;

  constructor(
    c: FeatureConfig,
    private readonly next: FrameSink,
    private readonly name: string,
  ) {
    this.framer = new Framer(c);
    this.mfcc = new FastMfcc(c);
    this.ceps = new Float64Array(c.numCeps);
    const nc = c.numCeps;
    if (c.deltaOrder === 0) this.head = next;
    else if (c.deltaOrder === 1) this.head = new DeltaStage(nc, 0, nc, c.deltaWindow, next);
    else this.head = new DeltaStage(nc, 0, nc, c.deltaWindow, new DeltaStage(2 * nc, nc, nc, c.deltaWindow, next));
    this.onFrame = (frame) => {
      this.mfcc.compute(frame, this.ceps);
      this.head.push(this.ceps);
    };
  }

  accept(samples: unknown): void {
    if (this.finished) throw new UsageError(`${this.name}.accept: the stream is finished; call reset() before feeding a new stream`);
    checkSamples(samples, `${this.name}.accept`, this.framer.samplesAccepted);
    this.framer.accept(samples, this.onFrame);
  }

  finish(): void {
    if (this.finished) throw new UsageError(`${this.name}.finish: the stream is already finished; call reset() before feeding a new stream`);
    this.finished = true;
    this.head.finish();
  }

  reset(): void {
    this.finished = false;
    this.framer.reset();
    this.head.reset();
  }
}

/**
 * What both extractors share: a BasePipeline feeding a chain that ends in a BlockSink; accept/finish
 * return what the sink collected. Subclasses only choose the chain and its output dimension.
 */
abstract class BlockExtractor {
  /** The validated, frozen config. */
  readonly config: Readonly<FeatureConfig>;
  private readonly sink: BlockSink;
  private readonly pipeline: BasePipeline;

  protected constructor(config: FeatureConfig, name: string, dimOf: (c: FeatureConfig) => number, chain: (sink: BlockSink, c: Readonly<FeatureConfig>) => FrameSink) {
    this.config = checkedConfig(config, name);
    this.sink = new BlockSink(dimOf(this.config));
    this.pipeline = new BasePipeline(this.config, chain(this.sink, this.config), name);
  }

  /**
   * Feed samples (any length, including 0); returns the frames now fully determined. With `borrow`,
   * the block's data is a view of the extractor's own buffer, valid only until the next call (for a
   * caller that copies it at once, e.g. into its model batch: no new array per chunk).
   */
  accept(samples: Float32Array, borrow = false): FeatureBlock {
    this.pipeline.accept(samples);
    return this.sink.take(borrow);
  }

  /** End of stream: returns the remaining frames (end-edge replication); `borrow` as for accept(). */
  finish(borrow = false): FeatureBlock {
    this.pipeline.finish();
    return this.sink.take(borrow);
  }

  /** Start a new stream. */
  reset(): void {
    this.pipeline.reset();
  }
}

/**
 * Streaming base features: MFCC (+ deltas, + delta-deltas), un-normalized and un-spliced,
 * `baseDim = numCeps * (deltaOrder + 1)` values per analysis frame: [c, d, dd]. For training
 * featurizers that store base features and apply {@link normalizeFrames} / {@link spliceFrames} later.
 * @example
 * const ex = new BaseFeatureExtractor(cfg);
 * const blocks = [ex.accept(chunk1), ex.accept(chunk2), ex.finish()];
 */
export class BaseFeatureExtractor extends BlockExtractor {
  /** Values per frame: numCeps * (deltaOrder + 1). */
  readonly baseDim: number;

  constructor(config: FeatureConfig) {
    super(config, 'BaseFeatureExtractor', baseDim, (sink) => sink);
    this.baseDim = baseDim(this.config);
  }
}

/**
 * The model's input features, streaming: each `accept` returns the model frames (spliced,
 * subsampled, `inputDim` values each) that no later audio can change; `finish` flushes the rest.
 * Any chunking gives exactly (bit for bit) the frames of one whole-file call.
 * @example
 * const fx = new FeatureExtractor(model.featureConfig);
 * for (const chunk of chunks) feed(fx.accept(chunk));
 * feed(fx.finish());
 * fx.reset(); // ready for the next stream
 */
export class FeatureExtractor extends BlockExtractor {
  /** Values per model frame: baseDim * (contextLeft + 1 + contextRight). */
  readonly inputDim: number;

  constructor(config: FeatureConfig) {
    super(config, 'FeatureExtractor', inputDim, (sink, c) => {
      const splice = new SpliceStage(baseDim(c), c.contextLeft, c.contextRight, c.subsampling, sink);
      return new NormStage(c.normalization, baseDim(c), splice);
    });
    this.inputDim = inputDim(this.config);
  }
}

function concatBlocks(a: FeatureBlock, b: FeatureBlock, dim: number): FeatureBlock {
  if (b.frames === 0) return { data: a.data, frames: a.frames, firstFrame: 0 };
  if (a.frames === 0) return { data: b.data, frames: b.frames, firstFrame: 0 };
  const data = new Float32Array((a.frames + b.frames) * dim);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { data, frames: a.frames + b.frames, firstFrame: 0 };
}

/**
 * Whole-file model input features (a FeatureExtractor fed once, then finished).
 * @example
 * const { data, frames } = computeFeatures(samples, defaultFeatureConfig()); // frames x inputDim
 */
export function computeFeatures(samples: Float32Array, config: FeatureConfig): FeatureBlock {
  const fx = new FeatureExtractor(config);
  return concatBlocks(fx.accept(samples), fx.finish(), fx.inputDim);
}

/**
 * Whole-file base features (MFCC + deltas, un-normalized, un-spliced).
 * @example
 * const base = computeBaseFeatures(samples, cfg); // base.frames x baseDim(cfg)
 */
export function computeBaseFeatures(samples: Float32Array, config: FeatureConfig): FeatureBlock {
  const fx = new BaseFeatureExtractor(config);
  return concatBlocks(fx.accept(samples), fx.finish(), fx.baseDim);
}
