/** Decoder choice: greedy (the fast default) or beam search; built once per recognizer, one decoder per stream. */
import { UsageError } from '../core/errors.js';
import type { OutputSpec } from '../model/metadata.js';
import { BeamDecoder, compileBeamOptions, type BeamSearchOptions } from './beam.js';
import { GreedyDecoder } from './greedy.js';
import type { DecodeResult } from './types.js';
import { pauseFrames } from './words.js';

/**
 * Which decoder a recognizer's streams use.
 * @example
 * const d: DecoderOptions = { type: 'beam', beam: 16, lm, lmWeight: 0.7, wordBonus: 6 };
 */
export type DecoderOptions = GreedyOptions | BeamSearchOptions;

/**
 * The greedy decoder's options.
 * @example
 * const d: GreedyOptions = { type: 'greedy', pauseSeconds: 0.5 };
 */
export interface GreedyOptions {
  type: 'greedy';
  /** A pause of this many seconds (or more) between two letters ends a word. Default 0.3; Infinity: never. */
  pauseSeconds?: number;
}

/**
 * What a stream needs from a decoder.
 * @example
 * dec.accept(logprobs, frames); dec.finalResult().text;
 */
export interface StreamDecoder {
  readonly framesDecoded: number;
  accept(logprobs: Float32Array, frames: number): void;
  /** Best result so far (partial). */
  result(): DecodeResult;
  /** Result at the end of input. */
  finalResult(): DecodeResult;
  /** Start a new utterance whose first frame is `startFrame` (default 0); times stay absolute. */
  reset(startFrame?: number): void;
}

/**
 * Validate decoder options for a model once and return a factory of per-stream decoders.
 * @example
 * const make = decoderFactory({ type: 'beam' }, metadata.labels, metadata.output, 0.03);
 * const dec = make();
 */
export function decoderFactory(opts: DecoderOptions | undefined, labels: readonly string[], output: OutputSpec, frameSeconds: number): () => StreamDecoder {
  if (opts === undefined || opts.type === 'greedy') {
    const pauseSeconds = opts?.pauseSeconds;
    pauseFrames(pauseSeconds, frameSeconds); // validates once, not per stream
    return () => {
      const g = new GreedyDecoder({ output, labels, frameSeconds, ...(pauseSeconds !== undefined ? { pauseSeconds } : {}) });
      return Object.assign(g, { finalResult: () => g.result() });
    };
  }
  if (opts.type !== 'beam') throw new UsageError(`decoder.type must be "greedy" or "beam", got ${JSON.stringify((opts as { type: unknown }).type)}`);
  const compiled = compileBeamOptions(opts, labels, output);
  return () => new BeamDecoder(compiled, frameSeconds);
}
