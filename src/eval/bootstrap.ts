/**
 * Bootstrap confidence intervals for WER and CER: how far a set's error rate could move on another draw of
 * utterances like these. Utterances are resampled with replacement (within each subset, so an overall
 * interval keeps the subsets' sizes), the rate recomputed as total errors / total reference length, and the
 * interval read from the percentiles of the resampled rates. Seeded: the same counts give the same interval.
 */
import { Rng } from '../core/rng.js';
import { addCounts, rates, type ErrorCounts } from './metrics.js';

/** A two-sided percentile interval, as fractions like `rates()`. */
export interface Interval {
  low: number;
  high: number;
}

/** Options of {@link bootstrapIntervals}. */
export interface BootstrapOptions {
  /** Resamples to draw (default 2000). */
  draws?: number;
  /** Coverage of the interval (default 0.95). */
  level?: number;
  /** Seed of the resampling (default 1). */
  seed?: number;
}

const ZERO: ErrorCounts = { wordErrors: 0, words: 0, charErrors: 0, chars: 0 };

/** The q-quantile of sorted values, interpolating linearly between order statistics. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const i = Math.floor(pos);
  const f = pos - i;
  return i + 1 < sorted.length ? sorted[i]! * (1 - f) + sorted[i + 1]! * f : sorted[i]!;
}

/**
 * Percentile bootstrap intervals of WER and CER over utterances: `groups` holds each subset's per-utterance
 * error counts (one group for a single set); each draw resamples every group to its own size.
 * @example
 * const { cer } = bootstrapIntervals([perUtteranceCounts], { draws: 2000, seed: 1 });
 * `${(100 * cer.low).toFixed(2)}-${(100 * cer.high).toFixed(2)} %`
 */
export function bootstrapIntervals(groups: readonly (readonly ErrorCounts[])[], opts: BootstrapOptions = {}): { wer: Interval; cer: Interval } {
  const draws = opts.draws ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`bootstrapIntervals: draws must be a positive integer, got ${draws}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`bootstrapIntervals: level must lie strictly between 0 and 1, got ${level}`);
  if (!groups.some((g) => g.length > 0)) throw new RangeError('bootstrapIntervals: no utterances to resample');
  const rng = new Rng(opts.seed ?? 1);
  const wer: number[] = [];
  const cer: number[] = [];
  for (let d = 0; d < draws; d++) {
    let sum = ZERO;
    for (const g of groups) for (let i = 0; i < g.length; i++) sum = addCounts(sum, g[Math.floor(rng.next() * g.length)]!);
    const r = rates(sum);
    wer.push(r.wer);
    cer.push(r.cer);
  }
  const lo = (1 - level) / 2;
  const interval = (xs: number[]): Interval => {
    xs.sort((a, b) => a - b);
    return { low: quantile(xs, lo), high: quantile(xs, 1 - lo) };
  };
  return { wer: interval(wer), cer: interval(cer) };
}
