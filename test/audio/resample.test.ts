import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { createResampler, planStages, type Resampler } from '../../src/audio/resample.js';
import { hasSimdKernel } from '../../src/audio/fir-kernel.js';
import { earshotResample, measureQuality, soxResample } from '../../tools/bench/resample-quality.js';
import { concat, maxAbsDiff, noise, rms, sine, toneMagnitude } from '../fixtures/audio/helpers.js';
import { tools } from '../helpers/requirements.js';

const soxReq = tools(['sox']);

function runAll(rs: Resampler, x: Float32Array, sizes?: number[]): Float32Array {
  const out: Float32Array[] = [];
  if (!sizes) out.push(rs.process(x));
  else {
    let at = 0;
    for (let i = 0; at < x.length; i++) {
      const n = sizes[i % sizes.length]!;
      out.push(rs.process(x.subarray(at, at + n)));
      at += n;
    }
  }
  out.push(rs.flush());
  return concat(out);
}

const dB = (ratio: number) => 20 * Math.log10(ratio);

describe('createResampler', () => {
  for (const inRate of [48000, 8000, 44100]) {
    it(`1 kHz sine ${inRate} Hz -> 16 kHz keeps frequency, amplitude and phase; length is ceil(n * 16000 / ${inRate})`, async () => {
      const n = inRate; // one second
      const x = sine(1000, inRate, n, 0.8);
      const rs = await createResampler(inRate, 16000);
      const y = runAll(rs, x);
      rs.close();
      expect(y.length).toBe(Math.ceil((n * 16000) / inRate));
      // away from the edges the output is the same sine sampled at 16 kHz: same frequency, amplitude, no delay
      const ideal = sine(1000, 16000, y.length, 0.8);
      expect(maxAbsDiff(y.subarray(200, 15800), ideal.subarray(200, 15800))).toBeLessThan(2e-3);
      expect(Math.abs(dB(rms(y, 200, 15800) / rms(ideal, 200, 15800)))).toBeLessThan(0.05);
      expect(toneMagnitude(y, 16000, 1000, 4000, 8000)).toBeGreaterThan(0.39);
      expect(toneMagnitude(y, 16000, 1100, 4000, 8000)).toBeLessThan(0.01);
    });
  }

  it('is band-limited: an 8.5 kHz tone at 48 kHz (above the new 8 kHz Nyquist) is removed, not aliased to 7.5 kHz', async () => {
    const x = sine(8500, 48000, 48000);
    const rs = await createResampler(48000, 16000);
    const y = runAll(rs, x);
    const alias = toneMagnitude(y, 16000, 7500, 2000, 12000);
    expect(dB(alias / 0.5)).toBeLessThan(-60);
    expect(dB(rms(y, 500, 15500) / Math.SQRT1_2)).toBeLessThan(-60);
  });

  it('passes 4 kHz (well inside the new band) within 0.1 dB', async () => {
    const rs = await createResampler(48000, 16000);
    const y = runAll(rs, sine(4000, 48000, 48000));
    expect(Math.abs(dB(rms(y, 500, 15500) / Math.SQRT1_2))).toBeLessThan(0.1);
  });

  it('chunked resampling with random chunk sizes equals one-shot (within 1e-6)', async () => {
    const x = new Float32Array(noise(100_003, 11));
    for (const [inRate, outRate] of [
      [48000, 16000],
      [44100, 16000],
      [8000, 16000],
    ] as const) {
      const oneShot = runAll(await createResampler(inRate, outRate), x);
      const sizes = Array.from(noise(50, inRate), (v) => 1 + Math.floor(((v + 1) / 2) * 3000));
      const chunked = runAll(await createResampler(inRate, outRate), x, [1, 2, 3, ...sizes]);
      expect(chunked.length).toBe(oneShot.length);
      expect(chunked.length).toBe(Math.ceil((x.length * outRate) / inRate));
      expect(maxAbsDiff(chunked, oneShot)).toBeLessThan(1e-6);
    }
  });

  it('flush() resets: a second stream through the same resampler equals a fresh one', async () => {
    const a = new Float32Array(noise(5000, 1));
    const b = new Float32Array(noise(7000, 2));
    const rs = await createResampler(22050, 16000);
    runAll(rs, a);
    const again = runAll(rs, b);
    const fresh = runAll(await createResampler(22050, 16000), b);
    expect(maxAbsDiff(again, fresh)).toBe(0);
    expect(again.length).toBe(fresh.length);
  });

  it('resamples a 2M-sample chunk (42 s) in one call', async () => {
    const x = sine(440, 48000, 2_000_000, 0.5);
    const rs = await createResampler(48000, 16000, { quality: 'fastest' });
    const y = runAll(rs, x);
    expect(y.length).toBe(Math.ceil(2_000_000 / 3));
    expect(rms(y, 1000, y.length - 1000)).toBeCloseTo(0.5 / Math.SQRT2, 3);
  });

  it('short inputs: one sample in gives ceil(ratio) samples out', async () => {
    const up = await createResampler(8000, 16000);
    expect(runAll(up, new Float32Array([0.5])).length).toBe(2);
    const down = await createResampler(48000, 16000);
    expect(runAll(down, new Float32Array([0.5])).length).toBe(1);
    expect(down.process(new Float32Array(0)).length).toBe(0);
    expect(down.flush().length).toBe(0);
  });

  it('equal rates: identity, no copy', async () => {
    const rs = await createResampler(16000, 16000);
    const x = new Float32Array([1, 2, 3]);
    expect(rs.process(x)).toBe(x);
    expect(rs.flush().length).toBe(0);
    expect(rs.outRate).toBe(16000);
  });

  it('bad rates are UsageErrors', async () => {
    await expect(createResampler(0, 16000)).rejects.toThrow(UsageError);
    await expect(createResampler(44100.5, 16000)).rejects.toThrow(/input sample rate must be an integer number of Hz from 1 to 192000, got 44100.5/);
    await expect(createResampler(16000, 384000)).rejects.toThrow(/output sample rate must be an integer/);
    await expect(createResampler(100, 192000)).rejects.toThrow(/ratio is beyond the resampler's limit of 256/);
    await expect(createResampler(16000, 8000, { quality: 'great' as 'best' })).rejects.toThrow(/resampler quality must be one of best, medium, fastest/);
  });

  it('close() releases the converter; further use is a UsageError', async () => {
    const rs = await createResampler(48000, 16000);
    rs.close();
    rs.close();
    expect(() => rs.process(new Float32Array(3))).toThrow(UsageError);
  });
});

describe('polyphase resampler: plan, kernels, quality', () => {
  it('halves the rate first when downsampling by more than 2.5, then runs the sharp filter', () => {
    expect(planStages(44100, 16000, 'medium').map((s) => s.outRate)).toEqual([22050, 16000]);
    expect(planStages(48000, 16000, 'medium').map((s) => s.outRate)).toEqual([24000, 16000]);
    expect(planStages(96000, 16000, 'medium').map((s) => s.outRate)).toEqual([48000, 24000, 16000]);
    expect(planStages(32000, 16000, 'medium').map((s) => s.outRate)).toEqual([16000]);
    expect(planStages(8000, 16000, 'medium').map((s) => s.outRate)).toEqual([16000]);
    // A halving only has to keep its aliases out of the final band: its stop band starts at rate/2 - 8 kHz.
    expect(planStages(44100, 16000, 'medium')[0]!.spec).toEqual({ passHz: 7000, stopHz: 14050, attenuationDb: 120 });
    expect(planStages(44100, 16000, 'medium')[1]!.spec).toEqual({ passHz: 7000, stopHz: 8000, attenuationDb: 120 });
  });

  it('the WebAssembly SIMD kernel and the JavaScript one give the same samples, bit for bit', async () => {
    expect(hasSimdKernel()).toBe(true); // Node 20 has WebAssembly SIMD
    const x = new Float32Array(noise(30_011, 5));
    for (const [inRate, outRate] of [[44100, 16000], [48000, 16000], [11025, 16000], [8000, 16000], [16000, 11025], [44100, 16001]] as const) {
      const simd = runAll(await createResampler(inRate, outRate, { simd: true }), x, [4097, 333]);
      const js = runAll(await createResampler(inRate, outRate, { simd: false }), x);
      expect(simd.length).toBe(js.length);
      expect(maxAbsDiff(simd, js)).toBe(0);
    }
  });

  for (const inRate of [44100, 48000, 22050, 11025, 8000]) {
    it(`${inRate} Hz -> 16 kHz: measured pass-band ripple < 0.001 dB up to 0.875 x Nyquist, every alias/image >= 110 dB down`, async () => {
      const q = await measureQuality(earshotResample('medium'), inRate, 16000, { step: 250 });
      expect(q.passHz).toBe(inRate >= 16000 ? 7000 : inRate === 11025 ? 4800 : 3500);
      expect(q.rippleDb).toBeLessThan(0.001);
      expect(Math.abs(q.edgeGainDb)).toBeLessThan(0.001);
      expect(q.stopTones).toBeGreaterThan(5);
      expect(q.stopbandDb).toBeLessThan(-110);
    });
  }

  it('presets: fastest keeps 80 dB and 0.8 x Nyquist, best 130 dB and 0.91 x Nyquist', async () => {
    const fast = await measureQuality(earshotResample('fastest'), 44100, 16000, { step: 250, passFraction: 0.8 });
    expect(fast.rippleDb).toBeLessThan(0.01);
    expect(fast.stopbandDb).toBeLessThan(-75);
    const best = await measureQuality(earshotResample('best'), 44100, 16000, { step: 250, passFraction: 0.91 });
    expect(best.rippleDb).toBeLessThan(0.001);
    expect(best.stopbandDb).toBeLessThan(-125);
  });

  it('a ratio with a huge reduced L (44100 -> 16001 Hz) interpolates phases: still exact in length and clean', async () => {
    const y = runAll(await createResampler(44100, 16001), sine(1000, 44100, 44100, 0.8));
    expect(y.length).toBe(16001);
    const ideal = sine(1000, 16001, y.length, 0.8);
    expect(maxAbsDiff(y.subarray(200, 15800), ideal.subarray(200, 15800))).toBeLessThan(1e-4);
    const q = await measureQuality(earshotResample('medium'), 44100, 16001, { step: 500 });
    expect(q.rippleDb).toBeLessThan(0.001);
    expect(q.stopbandDb).toBeLessThan(-100);
  });

  describe.skipIf(soxReq.skip)("against sox's rate (Debian sox), the independent reference", () => {
    for (const inRate of [44100, 48000, 22050, 11025, 8000]) {
      it(`${inRate} Hz -> 16 kHz: tones in the pass band plus tones above it come out as sox's and as the ideal pass-band signal`, async () => {
        soxReq.assertPresent();
        const out = 16000;
        const n = inRate * 2;
        const nyq = Math.min(inRate, out) / 2;
        const keep = Array.from({ length: 40 }, (_, k) => ({ f: ((k + 1) * 0.85 * nyq) / 40, ph: (k + 1) * 1.3 }));
        const drop: Array<{ f: number; ph: number }> = [];
        for (let f = nyq * 1.02; f < inRate / 2; f += 397) drop.push({ f, ph: f });
        const x = new Float32Array(n);
        for (const t of [...keep, ...drop]) for (let i = 0; i < n; i++) x[i]! += 0.009 * Math.sin((2 * Math.PI * t.f * i) / inRate + t.ph);
        const ours = await earshotResample('medium')(x, inRate, out);
        const sox = await soxResample('-v')(x, inRate, out);
        expect(ours.length).toBe(sox.length);
        const ideal = new Float32Array(ours.length);
        for (const t of keep) for (let o = 0; o < ideal.length; o++) ideal[o]! += 0.009 * Math.sin((2 * Math.PI * t.f * o) / out + t.ph);
        const peak = Math.max(...ideal.map(Math.abs));
        const from = 1000;
        const to = ours.length - 1000;
        expect(dB(maxAbsDiff(ours.subarray(from, to), sox.subarray(from, to)) / peak)).toBeLessThan(-90);
        expect(dB(maxAbsDiff(ours.subarray(from, to), ideal.subarray(from, to)) / peak)).toBeLessThan(-110);
      });
    }
  });
});
