/**
 * Bootstrap confidence intervals for WER and CER: how far a set's error rate could move on another draw of
 * utterances like these. Utterances are resampled with replacement (within each subset, so an overall
 * interval keeps the subsets' sizes), the rate recomputed as total errors / total reference length, and the
 * interval read from the percentiles of the resampled rates. Seeded: the same counts give the same interval.
 * The paired form (Bisani & Ney 2004) resamples utterances scored by two systems, for the interval of the
 * difference between them and how often the second one wins.
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
  const { draws, level } = settings(groups, opts, 'bootstrapIntervals');
  const wer: number[] = [];
  const cer: number[] = [];
  resample(groups, draws, opts.seed, (pick) => {
    let sum = ZERO;
    pick((u) => (sum = addCounts(sum, u)));
    const r = rates(sum);
    wer.push(r.wer);
    cer.push(r.cer);
  });
  return { wer: percentiles(wer, level), cer: percentiles(cer, level) };
}

/** The draws and level `opts` ask for (defaults 2000 and 0.95), checked, with something to resample. */
function settings(groups: readonly (readonly unknown[])[], opts: BootstrapOptions, name: string): { draws: number; level: number } {
  const draws = opts.draws ?? 2000;
  const level = opts.level ?? 0.95;
  if (!Number.isInteger(draws) || draws < 1) throw new RangeError(`${name}: draws must be a positive integer, got ${draws}`);
  if (!(level > 0 && level < 1)) throw new RangeError(`${name}: level must lie strictly between 0 and 1, got ${level}`);
  if (!groups.some((g) => g.length > 0)) throw new RangeError(`${name}: no utterances to resample`);
  return { draws, level };
}

/** `draws` times: call `draw` with a `pick` that visits one resample (each group to its own size, seeded). */
function resample<T>(groups: readonly (readonly T[])[], draws: number, seed: number | undefined, draw: (pick: (visit: (u: T) => void) => void) => void): void {
  const rng = new Rng(seed ?? 1);
  for (let d = 0; d < draws; d++) {
    draw((visit) => {
      for (const g of groups) for (let i = 0; i < g.length; i++) visit(g[Math.floor(rng.next() * g.length)]!);
    });
  }
}

/** The central `level` percentile interval of `xs` (sorted in place). */
function percentiles(xs: number[], level: number): Interval {
  const lo = (1 - level) / 2;
  xs.sort((a, b) => a - b);
  return { low: quantile(xs, lo), high: quantile(xs, 1 - lo) };
}

/** One utterance scored by two systems, A and B, against the same reference. */
export interface PairedCounts {
  a: ErrorCounts;
  b: ErrorCounts;
}

/** What {@link pairedBootstrap} finds: both rates, B's minus A's, its interval, and how often B had fewer errors. */
export interface PairedResult {
  /** The two systems' rates on the set itself. */
  cerA: number;
  cerB: number;
  werA: number;
  werB: number;
  /** CER(B) - CER(A) on the set itself (negative: B is better). */
  cerDelta: number;
  werDelta: number;
  cerDeltaInterval: Interval;
  werDeltaInterval: Interval;
  /** Fraction of resamples in which B's CER is below A's (ties count half). */
  pBetterCer: number;
  pBetterWer: number;
}

/**
 * Paired bootstrap of two systems on the same utterances: each draw resamples utterances (each group to its
 * own size) and scores both systems on that one resample, so what the utterances share (hard ones are hard for
 * both) cancels, and the interval of the difference is narrower than the two separate intervals suggest.
 * @example
 * const r = pairedBootstrap([pairs], { draws: 2000 });
 * r.cerDeltaInterval.high < 0 // B is better beyond this set's noise
 */
export function pairedBootstrap(groups: readonly (readonly PairedCounts[])[], opts: BootstrapOptions = {}): PairedResult {
  const { draws, level } = settings(groups, opts, 'pairedBootstrap');
  const delta = (a: ErrorCounts, b: ErrorCounts): { wer: number; cer: number } => {
    const ra = rates(a);
    const rb = rates(b);
    return { wer: rb.wer - ra.wer, cer: rb.cer - ra.cer };
  };
  let totalA = ZERO;
  let totalB = ZERO;
  for (const g of groups) for (const u of g) {
    totalA = addCounts(totalA, u.a);
    totalB = addCounts(totalB, u.b);
  }
  const wer: number[] = [];
  const cer: number[] = [];
  let winsCer = 0;
  let winsWer = 0;
  resample(groups, draws, opts.seed, (pick) => {
    let a = ZERO;
    let b = ZERO;
    pick((u) => {
      a = addCounts(a, u.a);
      b = addCounts(b, u.b);
    });
    const d = delta(a, b);
    wer.push(d.wer);
    cer.push(d.cer);
    winsCer += d.cer < 0 ? 1 : d.cer === 0 ? 0.5 : 0;
    winsWer += d.wer < 0 ? 1 : d.wer === 0 ? 0.5 : 0;
  });
  const [ra, rb] = [rates(totalA), rates(totalB)];
  return {
    cerA: ra.cer,
    cerB: rb.cer,
    werA: ra.wer,
    werB: rb.wer,
    cerDelta: rb.cer - ra.cer,
    werDelta: rb.wer - ra.wer,
    cerDeltaInterval: percentiles(cer, level),
    werDeltaInterval: percentiles(wer, level),
    pBetterCer: winsCer / draws,
    pBetterWer: winsWer / draws,
  };
}
