/**
 * Streaming greedy decoder for CTC and frame-label acoustic models: per-frame argmax,
 * collapse repeats, drop blank (CTC) or silence (frame labels). State (previous id, the open
 * token run, the frame offset) carries across chunks, so feeding the posteriors in any
 * chunking gives exactly the tokens and times of one whole-file call. A run of blank (silence) frames
 * of at least `pauseSeconds` between two tokens ends the word, even when the model emits no separator.
 */
import { UsageError } from '../core/errors.js';
import type { OutputSpec } from '../model/metadata.js';
import type { DecodeResult, TokenResult } from './types.js';
import { pauseFrames, tokensToWords } from './words.js';

export interface GreedyDecoderOptions {
  output: OutputSpec;
  labels: readonly string[];
  /** Seconds per model output frame (frameShift * subsampling / sampleRate). */
  frameSeconds: number;
  /** A pause of this many seconds (or more) between two tokens ends a word. Default 0.3; Infinity: never. */
  pauseSeconds?: number;
}

/**
 * @example
 * const dec = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.03 });
 * dec.accept(logprobs, frames);
 * console.log(dec.result().text);
 */
export class GreedyDecoder {
  private readonly skipId: number;
  private readonly labels: readonly string[];
  private readonly frameSeconds: number;
  /** Gap between tokens, in seconds (whole frames), that ends a word. */
  private readonly pauseGap: number;
  private readonly tokens: TokenResult[] = [];
  /** Id emitted on the previous frame (blank included), for repeat collapsing. */
  private prevId = -1;
  /** Sum of posteriors of the open run, and its frame count. */
  private runProbSum = 0;
  private runFrames = 0;
  /** Index of the next frame to be accepted. */
  private frame = 0;

  constructor(opts: GreedyDecoderOptions) {
    this.skipId = opts.output.type === 'ctc' ? opts.output.blankId : opts.output.silenceId;
    this.labels = opts.labels;
    this.frameSeconds = opts.frameSeconds;
    if (!(opts.frameSeconds > 0)) throw new UsageError(`GreedyDecoder: frameSeconds must be > 0, got ${opts.frameSeconds}`);
    this.pauseGap = pauseFrames(opts.pauseSeconds, opts.frameSeconds) * opts.frameSeconds;
    if (this.skipId < 0 || this.skipId >= opts.labels.length) throw new UsageError(`GreedyDecoder: blank/silence id ${this.skipId} is outside the ${opts.labels.length} labels`);
  }

  /** Index of the next frame: frames accepted so far, plus the start frame given to reset. */
  get framesDecoded(): number {
    return this.frame;
  }

  /**
   * Decode `frames` frames of log-posteriors (row-major, frames x labels.length).
   * @example
   * dec.accept(new Float32Array([0, -9, -9]), 1);
   */
  accept(logprobs: Float32Array, frames: number): void {
    const v = this.labels.length;
    if (logprobs.length !== frames * v) throw new UsageError(`GreedyDecoder.accept: expected ${frames} x ${v} = ${frames * v} values, got ${logprobs.length}`);
    for (let t = 0; t < frames; t++) {
      const row = t * v;
      let best = 0;
      let bestLp = logprobs[row]!;
      for (let k = 1; k < v; k++) {
        const lp = logprobs[row + k]!;
        if (lp > bestLp) {
          bestLp = lp;
          best = k;
        }
      }
      const p = Math.exp(bestLp);
      const f = this.frame + t;
      if (best !== this.skipId) {
        if (best === this.prevId) {
          // The run continues: extend the open token.
          const tok = this.tokens[this.tokens.length - 1]!;
          this.runProbSum += p;
          this.runFrames++;
          tok.end = (f + 1) * this.frameSeconds;
          tok.confidence = this.runProbSum / this.runFrames;
        } else {
          this.runProbSum = p;
          this.runFrames = 1;
          this.tokens.push({ id: best, label: this.labels[best]!, start: f * this.frameSeconds, end: (f + 1) * this.frameSeconds, confidence: p });
        }
      }
      this.prevId = best;
    }
    this.frame += frames;
  }

  /**
   * The text, words and tokens decoded so far.
   * @example
   * const { text, words } = dec.result();
   */
  result(): DecodeResult {
    const tokens = this.tokens.map((t) => ({ ...t }));
    const words = tokensToWords(tokens, this.pauseGap);
    return { text: words.map((w) => w.word).join(' '), words, tokens };
  }

  /**
   * Forget everything: start a new utterance. Its first frame is `startFrame` (default 0), so times
   * stay measured from the start of the stream when a stream is cut into segments.
   * @example
   * dec.reset(dec.framesDecoded); // next segment, absolute times
   */
  reset(startFrame = 0): void {
    if (!Number.isInteger(startFrame) || startFrame < 0) throw new UsageError(`GreedyDecoder.reset: startFrame must be a non-negative integer, got ${startFrame}`);
    this.tokens.length = 0;
    this.prevId = -1;
    this.runProbSum = 0;
    this.runFrames = 0;
    this.frame = startFrame;
  }
}
