/**
 * Bootstrap intervals of WER/CER against closed forms: for many utterances the resampled rate is close to
 * normal, so the 95 % percentile interval is the rate +- 1.96 standard errors, computed by hand below.
 */
import { describe, expect, it } from 'vitest';
import { bootstrapIntervals, pairedBootstrap } from '../../src/eval/bootstrap.js';
import type { ErrorCounts } from '../../src/eval/metrics.js';

/** An utterance of 10 characters and 2 words with `e` character errors and `w` word errors. */
const utt = (e: number, w = 0): ErrorCounts => ({ charErrors: e, chars: 10, wordErrors: w, words: 2 });

describe('bootstrapIntervals', () => {
  it('matches the normal closed form on 400 equal-length utterances (rate +- 1.96 standard errors)', () => {
    // Half the utterances have 0 character errors, half 4: CER 0.2; the errors per utterance have population
    // sd 2, so the mean of 400 has sd 2 / 20 = 0.1 errors, 0.01 in CER: the interval is 0.2 -+ 0.0196.
    const set = Array.from({ length: 400 }, (_, i) => utt(i % 2 ? 4 : 0, i % 2));
    const { cer, wer } = bootstrapIntervals([set], { draws: 4000, seed: 7 });
    expect(cer.low).toBeCloseTo(0.2 - 1.96 * 0.01, 2);
    expect(cer.high).toBeCloseTo(0.2 + 1.96 * 0.01, 2);
    expect(Math.abs(cer.low - 0.1804)).toBeLessThan(0.002);
    expect(Math.abs(cer.high - 0.2196)).toBeLessThan(0.002);
    // WER: word errors 0 or 1 of 2 words per utterance, rate 0.25, sd of the mean 0.5 / 20 / 2 = 0.0125.
    expect(Math.abs(wer.low - (0.25 - 1.96 * 0.0125))).toBeLessThan(0.0025);
    expect(Math.abs(wer.high - (0.25 + 1.96 * 0.0125))).toBeLessThan(0.0025);
  });

  it('resamples each subset to its own size: an error-free subset adds length, not variance', () => {
    // 100 perfect utterances + the 400 above: 800 expected errors of 5,000 characters, CER 0.16; the errors'
    // sd is sqrt(400) * 2 = 40, so the interval is 0.16 -+ 1.96 * 40 / 5000. Pooled resampling would also
    // vary how many perfect utterances are drawn and give a wider interval.
    const perfect = Array.from({ length: 100 }, () => utt(0));
    const mixed = Array.from({ length: 400 }, (_, i) => utt(i % 2 ? 4 : 0));
    const { cer } = bootstrapIntervals([perfect, mixed], { draws: 4000, seed: 3 });
    const half = (1.96 * 40) / 5000;
    expect(Math.abs(cer.low - (0.16 - half))).toBeLessThan(0.0015);
    expect(Math.abs(cer.high - (0.16 + half))).toBeLessThan(0.0015);
    const pooled = bootstrapIntervals([[...perfect, ...mixed]], { draws: 4000, seed: 3 }).cer;
    expect(pooled.high - pooled.low).toBeGreaterThan(1.05 * (cer.high - cer.low));
  });

  it('gives a point when every utterance is alike, and the same interval for the same seed', () => {
    const same = Array.from({ length: 50 }, () => utt(3, 1));
    expect(bootstrapIntervals([same], { draws: 200 })).toEqual({ wer: { low: 0.5, high: 0.5 }, cer: { low: 0.3, high: 0.3 } });
    const set = Array.from({ length: 60 }, (_, i) => utt(i % 5, i % 2));
    expect(bootstrapIntervals([set], { seed: 5 })).toEqual(bootstrapIntervals([set], { seed: 5 }));
    expect(bootstrapIntervals([set], { seed: 5 })).not.toEqual(bootstrapIntervals([set], { seed: 6 }));
  });

  it('refuses what it cannot resample, naming the argument', () => {
    expect(() => bootstrapIntervals([[]])).toThrow(/no utterances to resample/);
    expect(() => bootstrapIntervals([[utt(1)]], { draws: 0 })).toThrow(/draws must be a positive integer, got 0/);
    expect(() => bootstrapIntervals([[utt(1)]], { level: 1 })).toThrow(/level must lie strictly between 0 and 1, got 1/);
  });
});

describe('pairedBootstrap', () => {
  it('matches the closed form of a paired difference: mean +- 1.96 standard errors, and P(B better) = Phi(z)', () => {
    // 400 utterances of 10 characters; B has one error fewer than A on 220 of them and one more on 180:
    // per-utterance difference d = -1 or +1, mean -0.1, population sd sqrt(1 - 0.01) = 0.99499; the mean of 400
    // has sd 0.049749 errors, so CER(B) - CER(A) = -0.01 with standard error 0.0049749 and z = 2.0101:
    // the interval is -0.01 -+ 0.0097508 and B wins in Phi(2.0101) = 0.9778 of the resamples.
    const pairs = Array.from({ length: 400 }, (_, i) => ({ a: utt(5), b: utt(i < 220 ? 4 : 6) }));
    const r = pairedBootstrap([pairs], { draws: 6000, seed: 11 });
    expect(r.cerA).toBeCloseTo(0.5, 12); // 2,000 errors of 4,000 characters
    expect(r.cerB).toBeCloseTo(0.49, 12); // 220 x 4 + 180 x 6 = 1,960
    expect(r.cerDelta).toBeCloseTo(-0.01, 12);
    expect(Math.abs(r.cerDeltaInterval.low - (-0.01 - 0.0097508))).toBeLessThan(0.0008);
    expect(Math.abs(r.cerDeltaInterval.high - (-0.01 + 0.0097508))).toBeLessThan(0.0008);
    expect(Math.abs(r.pBetterCer - 0.9778)).toBeLessThan(0.01);
    // Word errors equal everywhere: no difference in any resample, so WER ties count half.
    expect(r.werDelta).toBe(0);
    expect(r.werDeltaInterval).toEqual({ low: 0, high: 0 });
    expect(r.pBetterWer).toBe(0.5);
  });

  it('cancels what the utterances share: a constant gain on utterances of very different difficulty is certain', () => {
    // A's errors vary from 0 to 9 per utterance; B always makes exactly one error fewer (where A has any).
    // Each system's own interval is wide, but every resample favours B.
    const pairs = Array.from({ length: 100 }, (_, i) => ({ a: utt(1 + (i % 9)), b: utt(i % 9) }));
    const r = pairedBootstrap([pairs], { draws: 1000 });
    expect(r.pBetterCer).toBe(1);
    expect(r.cerDeltaInterval.low).toBeCloseTo(-0.1, 12);
    expect(r.cerDeltaInterval.high).toBeCloseTo(-0.1, 12);
    const ownA = bootstrapIntervals([pairs.map((p) => p.a)], { draws: 1000 }).cer;
    expect(ownA.high - ownA.low).toBeGreaterThan(0.05);
  });
});
