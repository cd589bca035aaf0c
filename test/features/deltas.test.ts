/** Deltas and delta-deltas: hand-computed cases and a direct implementation of the formula. */
import { describe, expect, it } from 'vitest';
import { computeBaseFeatures, computeDeltas, FastMfcc } from '../../src/features/index.js';
import { Framer } from '../../src/features/framing.js';
import { cfg, maxRelDev, speechLike } from '../fixtures/features/signals.js';

/** Direct formula, written independently: d_t = sum n (c[t+n] - c[t-n]) / (2 sum n^2), clamped. */
function naiveDeltas(c: number[][], N: number): number[][] {
  const T = c.length;
  const at = (t: number): number[] => c[Math.min(T - 1, Math.max(0, t))];
  let den = 0;
  for (let n = 1; n <= N; n++) den += 2 * n * n;
  return c.map((_, t) => c[0].map((__, i) => {
    let s = 0;
    for (let n = 1; n <= N; n++) s += n * (at(t + n)[i] - at(t - n)[i]);
    return s / den;
  }));
}

describe('computeDeltas', () => {
  const c = [0, 1, 4, 9];
  it('hand-computed, N = 1', () => {
    // d0 = (1 - 0)/2, d1 = (4 - 0)/2, d2 = (9 - 1)/2, d3 = (9 - 4)/2 (edges replicate)
    expect(Array.from(computeDeltas(c, 4, 1, 1))).toEqual([0.5, 2, 4, 2.5]);
  });
  it('hand-computed, N = 2 (denominator 10)', () => {
    // d0 = (1*(1-0) + 2*(4-0))/10, d1 = (1*(4-0) + 2*(9-0))/10, d2 = (1*(9-1) + 2*(9-0))/10, d3 = (1*(9-4) + 2*(9-1))/10
    const d = Array.from(computeDeltas(c, 4, 1, 2));
    [0.9, 2.2, 2.6, 2.1].forEach((v, i) => expect(d[i]).toBeCloseTo(v, 12));
  });
  it('hand-computed delta-deltas (deltas of deltas), N = 1', () => {
    const dd = Array.from(computeDeltas(computeDeltas(c, 4, 1, 1), 4, 1, 1));
    expect(dd).toEqual([0.75, 1.75, 0.25, -0.75]);
  });
  it('one frame: all deltas are 0; two dims are independent', () => {
    expect(Array.from(computeDeltas([3, -7], 1, 2, 3))).toEqual([0, 0]);
    const two = Array.from(computeDeltas([0, 10, 1, 20, 4, 30, 9, 40], 4, 2, 1));
    expect(two.filter((_, i) => i % 2 === 0)).toEqual([0.5, 2, 4, 2.5]);
    expect(two.filter((_, i) => i % 2 === 1)).toEqual([5, 10, 10, 5]);
  });
  it('matches the direct formula on random data for N = 1..4', () => {
    const T = 37;
    const dim = 5;
    const data = Array.from({ length: T }, (_, t) => Array.from({ length: dim }, (__, i) => Math.sin(t * 1.3 + i) * (i + 1) + t * 0.1));
    for (let N = 1; N <= 4; N++) {
      const got = computeDeltas(data.flat(), T, dim, N);
      expect(maxRelDev(got, naiveDeltas(data, N).flat())).toBeLessThan(1e-12);
    }
  });
});

describe('streaming deltas in BaseFeatureExtractor', () => {
  for (const [order, N] of [[1, 2], [2, 2], [2, 1], [2, 3]] as const) {
    it(`deltaOrder ${order}, deltaWindow ${N}: [c, d, dd] == direct formula on the MFCCs`, () => {
      const c = cfg({ deltaOrder: order, deltaWindow: N });
      const x = speechLike(12000, 16000, 5);
      // float64 cepstra straight from the framer and the (Meyda-exact) MFCC
      const framer = new Framer(c);
      const mfcc = new FastMfcc(c);
      const ceps: number[][] = [];
      framer.accept(x, (frame) => {
        const row = new Float64Array(13);
        mfcc.compute(frame, row);
        ceps.push(Array.from(row));
      });
      const base = computeBaseFeatures(x, c);
      const T = ceps.length;
      expect(base.frames).toBe(T);
      const d = naiveDeltas(ceps, N);
      const dd = naiveDeltas(d, N);
      const expected = ceps.map((row, t) => [...row, ...d[t], ...(order === 2 ? dd[t] : [])]).flat();
      expect(maxRelDev(base.data, expected)).toBeLessThan(1e-6); // float32 output rounding only
      expect(base.data).toEqual(Float32Array.from(expected)); // same operations in the same order
    });
  }

  it('very short inputs: 1 and 2 frames', () => {
    for (const n of [400, 560]) {
      const b = computeBaseFeatures(speechLike(n, 16000, 3), cfg());
      expect(b.frames).toBe(n === 400 ? 1 : 2);
      if (n === 400) for (let i = 13; i < 39; i++) expect(b.data[i]).toBe(0);
      else for (let i = 0; i < 13; i++) expect(b.data[13 + i]).toBeCloseTo((b.data[39 + i] - b.data[i]) * (1 + 2) / 10, 4);
    }
  });
});
