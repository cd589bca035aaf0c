/**
 * Test fixtures for the end-to-end path: a tone "language" whose acoustic model the test constructs by
 * hand, so the expected transcript is known without training.
 *   silence -> <blank>, 500 Hz -> "a", 1500 Hz -> "b", 3000 Hz -> " " (word separator)
 * The MLP is a nearest-prototype classifier over c1..c12 (c0, the energy, is ignored): hidden unit k scores p_k . x - |p_k|^2 / 2 (the
 * discriminant of -|x - p_k|^2 / 2), a LeakyReLU keeps their order (it is monotonic), and the output
 * layer is a scaled identity, so argmax picks the nearest prototype's label.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { earshot, type CliRun } from './cli.js';
import { computeFeatures } from '../../src/features/index.js';
import { concatSamples } from '../../src/audio/samples.js';
import { defaultFeatureConfig, inputDim, type FeatureConfig } from '../../src/features/config.js';

export const E2E_LABELS = ['<blank>', ' ', 'a', 'b'];
const TONES: [label: number, hz: number][] = [[2, 500], [3, 1500], [1, 3000]];

export function e2eFeatureConfig(): FeatureConfig {
  return { ...defaultFeatureConfig(), deltaOrder: 0, contextLeft: 0, contextRight: 0, preEmphasis: 0, subsampling: 1 };
}

export function tone(hz: number, sec: number, rate: number, amp = 0.5): Float32Array {
  const n = Math.round(sec * rate);
  return Float32Array.from({ length: n }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / rate));
}

export function silence(sec: number, rate: number): Float32Array {
  return new Float32Array(Math.round(sec * rate));
}


/** 500 Hz, pause, 500 Hz, pause, 3000 Hz, pause, 1500 Hz  =>  "aa b" */
export function e2eSignal(rate: number): Float32Array {
  return concatSamples([
    silence(0.2, rate), tone(500, 0.3, rate), silence(0.2, rate), tone(500, 0.3, rate), silence(0.2, rate),
    tone(3000, 0.2, rate), silence(0.2, rate), tone(1500, 0.4, rate), silence(0.3, rate),
  ]);
}
export const E2E_TEXT = 'aa b';

/** The hand-built weights, as a PyTorch-style state_dict: net.0 (prototypes), net.2 (output). */
export function e2eWeights(): Record<string, { shape: number[]; data: Float32Array }> {
  const cfg = e2eFeatureConfig();
  const dim = inputDim(cfg);
  const protos: Float32Array[] = [new Float32Array(dim)]; // silence: all-zero MFCC (log(0 + 1) = 0)
  for (const [, hz] of TONES) {
    const f = computeFeatures(tone(hz, 0.5, 16000), cfg);
    const mid = Math.floor(f.frames / 2);
    const p = f.data.slice(mid * dim, (mid + 1) * dim);
    // Ignore c0 (energy): frames the tone only partly covers keep the tone's spectral shape but not its energy.
    p[0] = 0;
    protos.push(p);
  }
  const classes = [0, ...TONES.map(([l]) => l)]; // hidden unit k -> label id
  const h = protos.length;
  const w0 = new Float32Array(h * dim);
  const b0 = new Float32Array(h);
  protos.forEach((p, k) => {
    w0.set(p, k * dim);
    b0[k] = -0.5 * p.reduce((s, x) => s + x * x, 0);
  });
  const v = E2E_LABELS.length;
  const w1 = new Float32Array(v * h);
  classes.forEach((label, k) => (w1[label * h + k] = 0.05));
  return {
    'net.0.weight': { shape: [h, dim], data: w0 },
    'net.0.bias': { shape: [h], data: b0 },
    'net.2.weight': { shape: [v, h], data: w1 },
    'net.2.bias': { shape: [v], data: new Float32Array(v) },
  };
}

/** Serialize tensors in the safetensors format (u64 LE header length, JSON header, raw little-endian data). */
export function toSafetensors(tensors: Record<string, { shape: number[]; data: Float32Array }>): Uint8Array {
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [offset, offset + t.data.byteLength] };
    offset += t.data.byteLength;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let o = 8 + json.length;
  for (const t of Object.values(tensors)) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), o);
    o += t.data.byteLength;
  }
  return out;
}

export function e2eArch(): Record<string, unknown> {
  return {
    kind: 'mlp',
    activation: 'lrelu',
    alpha: 0.01,
    featureConfig: e2eFeatureConfig(),
    output: { type: 'ctc', blankId: 0 },
    labels: E2E_LABELS,
    provenance: { producer: 'test/helpers/e2e.ts', training: { note: 'hand-built nearest-prototype tone classifier' } },
  };
}

/** A WAV file (interleaved channels): 16-bit PCM, or with `f32` IEEE float, which holds the samples exactly. */
export function wavBytes(channels: Float32Array[], rate: number, encoding: 's16' | 'f32' = 's16'): Uint8Array {
  const n = channels[0]!.length;
  const c = channels.length;
  const bytes = encoding === 'f32' ? 4 : 2;
  const data = n * c * bytes;
  const b = new Uint8Array(44 + data);
  const v = new DataView(b.buffer);
  const str = (o: number, s: string) => [...s].forEach((ch, i) => v.setUint8(o + i, ch.charCodeAt(0)));
  str(0, 'RIFF'); v.setUint32(4, 36 + data, true); str(8, 'WAVE');
  str(12, 'fmt '); v.setUint32(16, 16, true); v.setUint16(20, encoding === 'f32' ? 3 : 1, true); v.setUint16(22, c, true);
  v.setUint32(24, rate, true); v.setUint32(28, rate * c * bytes, true); v.setUint16(32, c * bytes, true); v.setUint16(34, bytes * 8, true);
  str(36, 'data'); v.setUint32(40, data, true);
  for (let i = 0; i < n; i++) {
    for (let ch = 0; ch < c; ch++) {
      const x = channels[ch]![i]!;
      const o = 44 + (i * c + ch) * bytes;
      if (encoding === 'f32') v.setFloat32(o, x, true);
      else v.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(x * 32767))), true);
    }
  }
  return b;
}

/**
 * Write the tone model's weights and architecture into `dir` and convert them with the CLI to `out`
 * (default `<dir>/tones.onnx`). Returns the model path and the CLI run, for the caller to assert on.
 * @example
 * const { model, run } = convertToneModel(dir);
 * expect(run.code).toBe(0);
 */
export function convertToneModel(dir: string, out = path.join(dir, 'tones.onnx')): { model: string; run: CliRun } {
  writeFileSync(path.join(dir, 'w.safetensors'), toSafetensors(e2eWeights()));
  writeFileSync(path.join(dir, 'arch.json'), JSON.stringify(e2eArch()));
  const run = earshot(['convert', '-w', path.join(dir, 'w.safetensors'), '-a', path.join(dir, 'arch.json'), '-o', out]);
  return { model: out, run };
}
