/** Normalization (global, sliding), norm statistics, splicing and subsampling. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { baseDim, computeBaseFeatures, computeFeatures, computeNormStats, normalizeFrames, NormStatsAccumulator, SLIDING_VAR_FLOOR, spliceFrames } from '../../src/features/index.js';
import { cfg, maxRelDev, rng, speechLike } from '../fixtures/features/signals.js';

function randomFrames(T: number, dim: number, seed: number, offset = 0): Float32Array {
  const r = rng(seed);
  const x = new Float32Array(T * dim);
  for (let t = 0; t < T; t++) for (let i = 0; i < dim; i++) x[t * dim + i] = offset + (i - 3) * 7 + (2 * r() - 1) * (i + 1) + Math.sin(t / 9) * 5;
  return x;
}

describe('normalizeFrames', () => {
  const c0 = cfg({ numCeps: 4, deltaOrder: 1 }); // baseDim 8
  const dim = baseDim(c0);
  const T = 120;
  const x = randomFrames(T, dim, 1);

  it('none: unchanged', () => {
    expect(normalizeFrames(x, T, c0)).toEqual(x);
  });

  it('global: (x - mean) / std, closed form', () => {
    const mean = Array.from({ length: dim }, (_, i) => i * 1.5 - 3);
    const std = Array.from({ length: dim }, (_, i) => 0.5 + i);
    const y = normalizeFrames(x, T, { ...c0, normalization: { type: 'global', mean, std } });
    const expected = Float32Array.from(x, (v, k) => (v - mean[k % dim]) / std[k % dim]);
    expect(y).toEqual(expected);
  });

  function bruteSliding(W: number, normVars: boolean): number[] {
    const out: number[] = [];
    for (let t = 0; t < T; t++) {
      const lo = Math.max(0, t - W + 1);
      const n = t - lo + 1;
      for (let i = 0; i < dim; i++) {
        let s = 0;
        for (let u = lo; u <= t; u++) s += x[u * dim + i];
        const mean = s / n;
        let v = 0;
        for (let u = lo; u <= t; u++) v += (x[u * dim + i] - mean) ** 2;
        v /= n;
        const y = x[t * dim + i] - mean;
        out.push(normVars ? y / Math.sqrt(Math.max(v, SLIDING_VAR_FLOOR)) : y);
      }
    }
    return out;
  }

  for (const W of [1, 2, 7, 50, 500]) {
    for (const normVars of [false, true]) {
      it(`sliding window ${W}, normVars ${normVars} == brute force`, () => {
        const y = normalizeFrames(x, T, { ...c0, normalization: { type: 'sliding', window: W, normVars } });
        expect(maxRelDev(y, bruteSliding(W, normVars))).toBeLessThan(1e-5);
        if (W === 1) expect(Array.from(y).every((v) => v === 0)).toBe(true);
      });
    }
  }

  it('sliding stays accurate over a long stream with a large offset (running sums are re-anchored)', () => {
    const LT = 20000;
    const big = randomFrames(LT, dim, 9, 3000);
    const W = 100;
    const y = normalizeFrames(big, LT, { ...c0, normalization: { type: 'sliding', window: W, normVars: true } });
    // brute force at the last frames
    let dev = 0;
    for (let t = LT - 5; t < LT; t++) {
      for (let i = 0; i < dim; i++) {
        let s = 0;
        for (let u = t - W + 1; u <= t; u++) s += big[u * dim + i];
        const mean = s / W;
        let v = 0;
        for (let u = t - W + 1; u <= t; u++) v += (big[u * dim + i] - mean) ** 2;
        const want = (big[t * dim + i] - mean) / Math.sqrt(v / W);
        dev = Math.max(dev, Math.abs(y[t * dim + i] - want) / Math.max(1, Math.abs(want)));
      }
    }
    expect(dev).toBeLessThan(1e-5);
  });

  it('rejects frames of the wrong shape or type', () => {
    expect(() => normalizeFrames(x, T + 1, c0)).toThrow(UsageError);
    expect(() => normalizeFrames(Array.from(x) as unknown as Float32Array, T, c0)).toThrow(/Float32Array/);
    expect(() => normalizeFrames(x, T, { ...c0, numCeps: 0 })).toThrow(/numCeps/);
  });
});

describe('computeNormStats', () => {
  it('equals a two-pass float64 computation, over uneven blocks, with a large offset', () => {
    const dim = 6;
    const all = randomFrames(1000, dim, 4, 1e4);
    const blocks = [all.subarray(0, dim * 3), all.subarray(dim * 3, dim * 3), all.subarray(dim * 3, dim * 700), all.subarray(dim * 700)];
    const s = computeNormStats(blocks, dim);
    expect(s.frames).toBe(1000);
    for (let i = 0; i < dim; i++) {
      let m = 0;
      for (let t = 0; t < 1000; t++) m += all[t * dim + i];
      m /= 1000;
      let v = 0;
      for (let t = 0; t < 1000; t++) v += (all[t * dim + i] - m) ** 2;
      expect(Math.abs(s.mean[i] - m) / Math.abs(m)).toBeLessThan(1e-14);
      expect(Math.abs(s.std[i] - Math.sqrt(v / 1000)) / Math.sqrt(v / 1000)).toBeLessThan(1e-10);
    }
  });

  it('floors std, and its result is a valid global normalization', () => {
    const c = cfg({ numCeps: 2, deltaOrder: 0 });
    const s = computeNormStats([Float32Array.from([1, 5, 1, 7, 1, 9])], 2);
    expect(s.mean).toEqual([1, 7]);
    expect(s.std[0]).toBe(1e-6);
    expect(s.std[1]).toBeCloseTo(Math.sqrt(8 / 3), 12);
    const y = normalizeFrames(Float32Array.from([1, 5, 1, 7, 1, 9]), 3, { ...c, normalization: { type: 'global', mean: s.mean, std: s.std } });
    expect(Array.from(y).filter((_, i) => i % 2 === 0)).toEqual([0, 0, 0]);
  });

  it('errors: no frames, ragged block, bad dim', () => {
    expect(() => computeNormStats([], 3)).toThrow(UsageError);
    expect(() => computeNormStats([new Float32Array(4)], 3)).toThrow(/multiple of dim/);
    expect(() => new NormStatsAccumulator(0)).toThrow(UsageError);
    expect(() => computeNormStats([Float32Array.from([NaN])], 1)).toThrow(/not finite/);
  });
});

describe('spliceFrames', () => {
  const c = cfg({ numCeps: 1, deltaOrder: 0, contextLeft: 2, contextRight: 1 });
  const x = Float32Array.from([0, 1, 2, 3, 4]);
  it('concatenates t-2..t+1 with edge replication', () => {
    const s = spliceFrames(x, 5, c);
    expect(s.frames).toBe(5);
    expect(Array.from(s.data)).toEqual([0, 0, 0, 1, 0, 0, 1, 2, 0, 1, 2, 3, 1, 2, 3, 4, 2, 3, 4, 4]);
  });
  it('subsampling 3 keeps t = 0, 3 (ceil(5 / 3) frames)', () => {
    const s = spliceFrames(x, 5, { ...c, subsampling: 3 });
    expect(s.frames).toBe(2);
    expect(Array.from(s.data)).toEqual([0, 0, 0, 1, 1, 2, 3, 4]);
  });
  it('no frames in, none out; a single frame is replicated', () => {
    expect(spliceFrames(new Float32Array(0), 0, c).frames).toBe(0);
    expect(Array.from(spliceFrames(Float32Array.from([7]), 1, c).data)).toEqual([7, 7, 7, 7]);
  });
});

describe('training path == runtime path', () => {
  for (const normalization of [{ type: 'none' as const }, { type: 'sliding' as const, window: 40, normVars: true }, { type: 'global' as const, mean: Array(39).fill(0).map((_, i) => i), std: Array(39).fill(0).map((_, i) => 1 + i / 10) }]) {
    it(`spliceFrames(normalizeFrames(base)) == computeFeatures bit for bit (${normalization.type})`, () => {
      const c = cfg({ normalization, contextLeft: 3, contextRight: 4, subsampling: 3 });
      const x = speechLike(16000, 16000, 21);
      const base = computeBaseFeatures(x, c);
      const viaTraining = spliceFrames(normalizeFrames(base.data, base.frames, c), base.frames, c);
      const runtime = computeFeatures(x, c);
      expect(runtime.frames).toBe(viaTraining.frames);
      expect(runtime.data).toEqual(viaTraining.data);
    });
  }
});
