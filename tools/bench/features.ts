/**
 * Feature frontend benchmark: per-frame cost of Meyda.extract('mfcc') versus earshot's fast path
 * (FastMfcc) on the same 60 s of windowed frames, and of the whole frontend (framing, MFCC, deltas,
 * splicing) per frame. Prints the speed-up and the largest deviation between the two MFCCs.
 *
 *   npx tsc -p tsconfig.json && node dist/tools/bench/features.js [seconds=60]
 */
import { computeFeatures, defaultFeatureConfig, FastMfcc, meydaMfcc, type FeatureConfig } from '../../src/features/index.js';
import { Framer } from '../../src/features/framing.js';
import { Rng } from '../../src/core/rng.js';

/** Speech-like test audio: a pulse train with a wandering pitch through moving resonances, plus noise. */
function audio(seconds: number, sampleRate: number): Float32Array {
  const n = Math.round(seconds * sampleRate);
  const x = new Float32Array(n);
  let phase = 0;
  const rng = new Rng(12345);
  const state = [0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    const t = i / sampleRate;
    phase += (140 + 50 * Math.sin(2 * Math.PI * 0.6 * t)) / sampleRate;
    const src = phase >= 1 ? 1 : 0;
    if (phase >= 1) phase -= 1;
    let v = 0;
    const formants = [600 + 250 * Math.sin(2 * Math.PI * 1.1 * t), 1700 + 500 * Math.sin(2 * Math.PI * 0.8 * t)];
    for (let k = 0; k < 2; k++) {
      const w = (2 * Math.PI * formants[k]) / sampleRate;
      const y = src + 2 * 0.97 * Math.cos(w) * state[2 * k] - 0.97 * 0.97 * state[2 * k + 1];
      state[2 * k + 1] = state[2 * k];
      state[2 * k] = y;
      v += y;
    }
    x[i] = Math.max(-1, Math.min(1, 0.03 * v * Math.max(0, Math.sin(2 * Math.PI * 3 * t)) + (rng.next() - 0.5) * 0.002));
  }
  return x;
}

function timeUs(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return (performance.now() - t0) * 1000;
}

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function main(): void {
  const seconds = Number(process.argv[2] ?? 60);
  const cfg: FeatureConfig = defaultFeatureConfig();
  const x = audio(seconds, cfg.sampleRate);
  const frames: Float32Array[] = [];
  new Framer(cfg).accept(x, (f) => frames.push(f.slice()));
  const T = frames.length;
  const fast = new FastMfcc(cfg);
  const out = new Float64Array(cfg.numCeps);

  // Correctness on the benchmark data.
  let maxDev = 0;
  for (let t = 0; t < T; t += 7) {
    const ref = meydaMfcc(frames[t], cfg);
    fast.compute(frames[t], out);
    for (let k = 0; k < cfg.numCeps; k++) maxDev = Math.max(maxDev, Math.abs(out[k] - ref[k]) / Math.max(1, Math.abs(ref[k])));
  }

  const runs = 3;
  const meydaUs: number[] = [];
  const fastUs: number[] = [];
  const fullUs: number[] = [];
  for (let r = 0; r < runs; r++) {
    meydaUs.push(timeUs(() => {
      for (let t = 0; t < T; t++) meydaMfcc(frames[t], cfg);
    }) / T);
    fastUs.push(timeUs(() => {
      for (let t = 0; t < T; t++) fast.compute(frames[t], out);
    }) / T);
    fullUs.push(timeUs(() => computeFeatures(x, cfg)) / T);
  }
  const m = median(meydaUs);
  const f = median(fastUs);
  const full = median(fullUs);
  console.log(`earshot feature frontend benchmark: ${seconds} s at ${cfg.sampleRate} Hz, ${T} frames of ${cfg.frameLength} samples (fft ${cfg.fftSize}, ${cfg.melBands} mel, ${cfg.numCeps} ceps), node ${process.version}, median of ${runs} runs`);
  console.log(`  Meyda.extract('mfcc')       ${m.toFixed(2).padStart(8)} us/frame`);
  console.log(`  FastMfcc.compute            ${f.toFixed(2).padStart(8)} us/frame   (${(m / f).toFixed(1)}x faster)`);
  console.log(`  computeFeatures (full)      ${full.toFixed(2).padStart(8)} us/frame   (frames+MFCC+deltas+splice; real-time factor ${((full * T) / 1e6 / seconds).toExponential(2)})`);
  console.log(`  max |fast - Meyda| / max(1, |Meyda|) = ${maxDev.toExponential(2)}`);
}

main();
