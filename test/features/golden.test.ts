/**
 * Golden test against an independent numpy computation (tools/fixtures/mfcc_golden.py, float64,
 * numpy FFT, its own Meyda-formula filterbank and DCT). Python is not needed at test time: its output
 * is the committed fixture test/fixtures/features/mfcc_golden.json.
 *
 * Tolerance: |ts - numpy| <= 2e-4 * max(1, |numpy|). The difference is Meyda's own float32 arithmetic
 * (its FFT keeps real parts in a Float32Array, power spectrum, band sums and logs are float32), which
 * matters most in low-energy bands; the observed maximum is reported by the test name below.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { computeBaseFeatures, type FeatureConfig } from '../../src/features/index.js';

interface Golden {
  signal: { sampleRate: number; numSamples: number; int16le_base64: string };
  cases: Array<{ name: string; config: FeatureConfig; frames: number; dim: number; features: number[][] }>;
}

const golden = JSON.parse(readFileSync(new URL('../fixtures/features/mfcc_golden.json', import.meta.url), 'utf8')) as Golden;
const TOL = 2e-4;

function signal(): Float32Array {
  const bytes = Buffer.from(golden.signal.int16le_base64, 'base64');
  const pcm = new Int16Array(bytes.buffer, bytes.byteOffset, bytes.length / 2);
  return Float32Array.from(pcm, (v) => v / 32768);
}

describe('features vs numpy golden', () => {
  const x = signal();
  it('fixture signal decodes', () => {
    expect(x.length).toBe(golden.signal.numSamples);
  });
  for (const g of golden.cases) {
    it(g.name, () => {
      const got = computeBaseFeatures(x, g.config);
      expect(got.frames).toBe(g.frames);
      expect(got.data.length).toBe(g.frames * g.dim);
      const nc = g.config.numCeps;
      let devCeps = 0;
      let devAll = 0;
      for (let t = 0; t < g.frames; t++) {
        for (let i = 0; i < g.dim; i++) {
          const want = g.features[t][i];
          const d = Math.abs(got.data[t * g.dim + i] - want) / Math.max(1, Math.abs(want));
          devAll = Math.max(devAll, d);
          if (i < nc) devCeps = Math.max(devCeps, d);
        }
      }
      console.log(`golden "${g.name}": max rel dev MFCC ${devCeps.toExponential(2)}, all ${devAll.toExponential(2)}`);
      expect(devAll).toBeLessThanOrEqual(TOL);
    });
  }
});
