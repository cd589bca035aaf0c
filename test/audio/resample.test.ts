import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { createResampler, type Resampler } from '../../src/audio/resample.js';
import { concat, maxAbsDiff, noise, rms, sine, toneMagnitude } from '../fixtures/audio/helpers.js';

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
    await expect(createResampler(100, 192000)).rejects.toThrow(/ratio is beyond libsamplerate's limit of 256/);
    await expect(createResampler(16000, 8000, { quality: 'great' as 'best' })).rejects.toThrow(/resampler quality must be one of best, medium, fastest/);
  });

  it('close() releases the converter; further use is a UsageError', async () => {
    const rs = await createResampler(48000, 16000);
    rs.close();
    rs.close();
    expect(() => rs.process(new Float32Array(3))).toThrow(UsageError);
  });
});
