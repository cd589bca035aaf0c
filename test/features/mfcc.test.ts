/**
 * The fast MFCC path against its definition, Meyda.extract('mfcc') (windowingFunction 'rect'), on
 * random frames and speech-like frames, for several sample rates, FFT sizes, mel bands and cepstra.
 * Required: |fast - meyda| <= 1e-5 * max(1, |meyda|). The fast path reproduces Meyda's float32/float64
 * arithmetic step by step, so in practice the results are bit-identical; that is asserted too.
 */
import { describe, expect, it } from 'vitest';
import { analysisWindow, BaseFeatureExtractor, FastMfcc, frameCount, meydaMelFilterBank, meydaMfcc, type MeydaMfccSettings } from '../../src/features/index.js';
import { cfg, maxRelDev, noise, rng, speechLike } from '../fixtures/features/signals.js';

const TOL = 1e-5;

const SETTINGS: MeydaMfccSettings[] = [
  { sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 },
  { sampleRate: 8000, fftSize: 256, melBands: 23, numCeps: 23 },
  { sampleRate: 16000, fftSize: 1024, melBands: 80, numCeps: 40 },
  { sampleRate: 22050, fftSize: 512, melBands: 26, numCeps: 12 },
  { sampleRate: 16000, fftSize: 128, melBands: 64, numCeps: 20 }, // more bands than bins: empty filters
  { sampleRate: 44100, fftSize: 2048, melBands: 40, numCeps: 1 },
];

/** Windowed, zero-padded frames: random (varied level and fill) and cut from a speech-like signal. */
function frames(s: MeydaMfccSettings, seed: number): Float32Array[] {
  const out: Float32Array[] = [];
  const r = rng(seed);
  const len = Math.floor(s.fftSize * 0.78);
  const w = analysisWindow('hamming', len);
  for (let f = 0; f < 24; f++) {
    const buf = new Float32Array(s.fftSize);
    const level = Math.pow(10, 6 * r() - 2); // 0.01 .. 10^4 (inputScale range)
    const fill = f % 3 === 0 ? s.fftSize : len;
    for (let i = 0; i < fill; i++) buf[i] = (2 * r() - 1) * level;
    out.push(buf);
  }
  out.push(new Float32Array(s.fftSize)); // silence
  const sp = speechLike(s.sampleRate, s.sampleRate, seed + 1);
  for (let f = 0; f < 24; f++) {
    const buf = new Float32Array(s.fftSize);
    const start = Math.floor(r() * (sp.length - len));
    for (let i = 0; i < len; i++) buf[i] = w[i] * 32768 * (sp[start + i] - 0.97 * sp[start + i - 1 < 0 ? 0 : start + i - 1]);
    out.push(buf);
  }
  return out;
}

describe('FastMfcc == Meyda.extract("mfcc")', () => {
  for (const s of SETTINGS) {
    it(`sr ${s.sampleRate}, fft ${s.fftSize}, ${s.melBands} mel, ${s.numCeps} ceps`, () => {
      const fast = new FastMfcc(s);
      const out = new Float64Array(s.numCeps);
      let dev = 0;
      let exact = 0;
      let total = 0;
      for (const buf of frames(s, s.fftSize + s.melBands)) {
        const copy = buf.slice();
        const ref = meydaMfcc(buf, s);
        fast.compute(buf, out);
        expect(buf).toEqual(copy); // input untouched
        expect(ref.length).toBe(s.numCeps);
        dev = Math.max(dev, maxRelDev(out, ref));
        for (let k = 0; k < s.numCeps; k++) if (Object.is(out[k] + 0, ref[k] + 0)) exact++;
        total += s.numCeps;
      }
      expect(dev).toBeLessThanOrEqual(TOL);
      expect(exact).toBe(total); // bit-identical
    });
  }

  it('handles Meyda\'s stale-filterbank cache: changing only sampleRate or fftSize still gives the right bank', () => {
    const a = { sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 };
    const b = { sampleRate: 8000, fftSize: 512, melBands: 40, numCeps: 13 };
    const c = { sampleRate: 8000, fftSize: 1024, melBands: 40, numCeps: 13 };
    for (const s of [a, b, c, a]) {
      const buf = noise(s.fftSize, 7, 1000);
      const out = new Float64Array(13);
      new FastMfcc(s).compute(buf, out);
      expect(maxRelDev(out, meydaMfcc(buf, s))).toBe(0);
    }
  });

  it('meydaMelFilterBank returns Meyda\'s bank and restores the Meyda fields it touched', async () => {
    const meyda = (await import('meyda')).default as unknown as Record<string, unknown>;
    meyda.bufferSize = 1024;
    meyda.sampleRate = 44100;
    meyda.windowingFunction = 'hanning';
    const bank = meydaMelFilterBank({ sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 });
    expect(bank.length).toBe(40);
    expect(bank[0].length).toBe(257);
    expect(meyda.bufferSize).toBe(1024);
    expect(meyda.sampleRate).toBe(44100);
    expect(meyda.windowingFunction).toBe('hanning');
    // every filter is a triangle with peak <= 1 and non-negative weights
    for (const row of bank) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
  });
});

describe('the frontend feeds Meyda the frames the spec describes', () => {
  // Independent framing: continuous pre-emphasis (s[-1] = 0), symmetric window, float32, zero-pad.
  function referenceCeps(x: Float32Array, c: ReturnType<typeof cfg>): number[][] {
    const out: number[][] = [];
    const n = frameCount(x.length, c);
    for (let f = 0; f < n; f++) {
      const buf = new Float32Array(c.fftSize);
      for (let i = 0; i < c.frameLength; i++) {
        const j = f * c.frameShift + i;
        const cur = c.inputScale * x[j];
        const prev = j > 0 ? c.inputScale * x[j - 1] : 0;
        const w = c.window === 'rect' ? 1 : c.window === 'hamming' ? 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (c.frameLength - 1)) : 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (c.frameLength - 1));
        buf[i] = w * (cur - c.preEmphasis * prev);
      }
      out.push(meydaMfcc(buf, c));
    }
    return out;
  }

  for (const over of [{}, { window: 'hann' as const, preEmphasis: 0, inputScale: 1, frameLength: 512, frameShift: 200, fftSize: 512 }, { window: 'rect' as const, sampleRate: 8000, frameLength: 200, frameShift: 80, fftSize: 256, melBands: 23, numCeps: 23 }, { frameLength: 200, frameShift: 300, fftSize: 256, preEmphasis: 0.5 }]) {
    it(`MFCC frames of BaseFeatureExtractor == Meyda on reference frames: ${JSON.stringify(over)}`, () => {
      const c = cfg({ ...over, deltaOrder: 0 });
      const x = speechLike(Math.round(0.4 * c.sampleRate), c.sampleRate, 11);
      const ex = new BaseFeatureExtractor(c);
      const a = ex.accept(x);
      const b = ex.finish();
      const got = new Float32Array([...a.data, ...b.data]);
      const ref = referenceCeps(x, c);
      expect(a.frames + b.frames).toBe(ref.length);
      expect(maxRelDev(got, Float32Array.from(ref.flat()))).toBe(0); // bit-identical after float32 rounding
    });
  }
});
