/**
 * Measured quality of a resampler, whatever implements it (earshot's, sox's `rate`): pass-band ripple
 * from tones across the band to keep, and stop-band attenuation from tones whose aliases (when
 * downsampling) or images (when upsampling) would land inside the output band. Used by
 * tools/bench/resample.ts and test/audio/resample.test.ts.
 *
 * Method: one signal of two-second tone segments (each starts at an input sample that maps to a whole
 * output sample, so segment k is output samples `2k*outRate ..`); each tone's output is read over the
 * middle second of its segment (filter transients are long gone) by a rectangular DFT at the frequency
 * expected there: the tone itself, or its alias/image. Tones and their aliases/images are whole numbers
 * of Hz, so each is a whole number of cycles in the one-second window and nothing leaks between them.
 */
import { spawnSync } from 'node:child_process';
import { concatSamples } from '../../src/audio/samples.js';
import { createResampler, type ResamplerQuality } from '../../src/audio/resample.js';

/**
 * Resamples a whole signal.
 * @example
 * const identity: ResampleAll = (x) => x; // a resampler from a rate to itself
 */
export type ResampleAll = (x: Float32Array, inRate: number, outRate: number) => Promise<Float32Array> | Float32Array;

/**
 * Quality figures of one conversion.
 * @example
 * const q = await measureQuality(earshotResample('medium'), 44100, 16000);
 * console.log(q.rippleDb, q.stopbandDb);
 */
export interface QualityFigures {
  inRate: number;
  outRate: number;
  /** Highest pass-band tone measured, Hz (tones from 50 Hz up to it, every `step` Hz). */
  passHz: number;
  /** Peak-to-peak gain variation over the pass-band tones, dB. */
  rippleDb: number;
  /** Gain of the highest pass-band tone, dB. */
  edgeGainDb: number;
  /** Worst (highest) level of an alias or image relative to its tone, dB (more negative is better). */
  stopbandDb: number;
  /** The tone that gave `stopbandDb`, Hz, and where its alias/image landed. */
  worstTone: number;
  worstAt: number;
  /** Tones measured in the stop band. */
  stopTones: number;
}

/** Magnitude of `freq` in x[from .. from+n) (rectangular window, whole cycles), as a sine amplitude. */
function magnitude(x: Float32Array, rate: number, freq: number, from: number, n: number): number {
  const w = (2 * Math.PI * freq) / rate;
  let re = 0;
  let im = 0;
  for (let i = 0; i < n; i++) {
    re += x[from + i]! * Math.cos(w * i);
    im -= x[from + i]! * Math.sin(w * i);
  }
  return (2 * Math.hypot(re, im)) / n;
}

/**
 * Measure a resampler from `inRate` to `outRate`: pass-band tones every `step` Hz up to `passFraction`
 * of the lower Nyquist frequency, stop-band tones every `step` Hz whose alias/image lands in the output band.
 * @example
 * const q = await measureQuality(soxResample('-v'), 44100, 16000, { step: 100 });
 */
export async function measureQuality(resample: ResampleAll, inRate: number, outRate: number, opts: { step?: number; passFraction?: number; amplitude?: number } = {}): Promise<QualityFigures> {
  const step = opts.step ?? 100;
  const amp = opts.amplitude ?? 0.5;
  const nyq = Math.min(inRate, outRate) / 2;
  const passHz = Math.floor(((opts.passFraction ?? 0.875) * nyq) / 50) * 50;
  const pass: number[] = [];
  for (let f = 50; f <= passHz; f += step) pass.push(f);
  if (pass.at(-1) !== passHz) pass.push(passHz);
  const stop: Array<{ f: number; at: number }> = [];
  if (inRate > outRate) {
    // Downsampling: every tone above the output's Nyquist frequency, read where it would alias.
    for (let f = outRate / 2 + 50; f < inRate / 2; f += step) {
      const a = f % outRate;
      const at = a > outRate / 2 ? outRate - a : a;
      if (at > 0 && at < outRate / 2) stop.push({ f, at });
    }
  } else {
    // Upsampling: every tone whose first image (mirrored about the input's Nyquist frequency) lands
    // below the output's Nyquist frequency, read there.
    for (let f = Math.floor((inRate / 2 - 1) / 50) * 50; f > 0 && inRate - f < outRate / 2; f -= step) stop.push({ f, at: inRate - f });
  }
  const tones = [...pass, ...stop.map((s) => s.f)];
  const seg = 2 * inRate;
  const x = new Float32Array(tones.length * seg);
  tones.forEach((f, k) => {
    const w = (2 * Math.PI * f) / inRate;
    for (let i = 0; i < seg; i++) x[k * seg + i] = amp * Math.sin(w * i);
  });
  const y = await resample(x, inRate, outRate);
  const from = (k: number) => 2 * k * outRate + Math.floor(outRate / 2);
  const n = outRate;
  const gains = pass.map((f, k) => 20 * Math.log10(magnitude(y, outRate, f, from(k), n) / amp));
  let stopbandDb = -Infinity;
  let worstTone = 0;
  let worstAt = 0;
  stop.forEach((s, j) => {
    const level = 20 * Math.log10(Math.max(1e-12, magnitude(y, outRate, s.at, from(pass.length + j), n)) / amp);
    if (level > stopbandDb) [stopbandDb, worstTone, worstAt] = [level, s.f, s.at];
  });
  return { inRate, outRate, passHz, rippleDb: Math.max(...gains) - Math.min(...gains), edgeGainDb: gains.at(-1)!, stopbandDb, worstTone, worstAt, stopTones: stop.length };
}

/**
 * earshot's resampler at `quality` as a {@link ResampleAll}.
 * @example
 * const y = await earshotResample('medium')(x, 44100, 16000);
 */
export function earshotResample(quality: ResamplerQuality = 'medium', simd = true): ResampleAll {
  return async (x, inRate, outRate) => {
    const rs = await createResampler(inRate, outRate, { quality, simd });
    const y = concatSamples([rs.process(x), rs.flush()]);
    rs.close();
    return y;
  };
}

/**
 * sox's `rate` effect (its default, `-h`, or the option given, e.g. `-v`) as a {@link ResampleAll}:
 * float32 raw in and out through pipes. Throws if sox cannot be run.
 * @example
 * const y = soxResample('-v')(x, 44100, 16000);
 */
export function soxResample(option = '-h'): ResampleAll {
  return (x, inRate, outRate) => {
    const raw = ['-t', 'raw', '-e', 'floating-point', '-b', '32', '-c', '1', '-L'];
    const r = spawnSync('sox', ['-D', ...raw, '-r', String(inRate), '-', ...raw, '-r', String(outRate), '-', 'rate', option, String(outRate)], {
      input: new Uint8Array(x.buffer, x.byteOffset, x.byteLength),
      maxBuffer: 1 << 30,
    });
    if (r.error || r.status !== 0) throw new Error(`sox failed: ${r.error?.message ?? r.stderr.toString()}`);
    const b = r.stdout;
    return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
  };
}
