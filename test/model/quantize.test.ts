/**
 * Weight storage types (float16, int8): the exact encodings against hand-computed values, the models'
 * ONNX Runtime output against float32 models of the decoded weights (the closed form), the metadata field
 * (`earshot convert --weight-type`, `earshot quantize` and the shipped model re-encoded: test/cli/quantize.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import onnxProto from 'onnx-proto';
import { ModelError, UsageError } from '../../src/core/errors.js';
import { defaultFeatureConfig, inputDim } from '../../src/features/config.js';
import { describeModel } from '../../src/model/load.js';
import { MetadataKeys, type WeightStorage } from '../../src/model/metadata.js';
import { readMlpLayers } from '../../src/model/build/onnx-layers.js';
import { readModelInfo } from '../../src/model/onnx-reader.js';
import type { DenseLayer } from '../../src/model/build/layers.js';
import { buildMlpModel } from '../../src/model/build/onnx-writer.js';
import { createAcousticSession, runAcoustic, type OrtModule } from '../../src/model/runtime.js';
import { randomLayers, seededUniform, TINY_LABELS } from '../../src/model/build/tiny.js';
import { effectiveLayers, float16Bits, parseWeightStorage, quantizeInt8PerChannel, roundHalfToEven, roundToFloat16 } from '../../src/model/build/weight-storage.js';
import { withMetadata } from '../helpers/metadata.js';
import { maxAbs } from '../helpers/numeric.js';
import { expectError } from '../helpers/expect-error.js';

const { onnx } = onnxProto;
const ortNode = ort as unknown as OrtModule;
const ortWasm = ortWeb as unknown as OrtModule;

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-quantize-'));
  ortWeb.env.wasm.numThreads = 1;
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const fc = defaultFeatureConfig();
const meta = { featureConfig: fc, output: { type: 'ctc' as const, blankId: 0 }, labels: [...TINY_LABELS], provenance: { producer: 'quantize.test' } };
const build = (layers: DenseLayer[], weightStorage: WeightStorage): Promise<Uint8Array> => buildMlpModel({ layers, activation: 'lrelu', alpha: 0.01, weightStorage, metadata: meta });

/** Run a model with the runtime earshot uses (createAcousticSession) on `frames` rows of seeded input. */
async function run(ortm: OrtModule, bytes: Uint8Array, frames: number, seed: number, provider: 'cpu' | 'wasm' = 'cpu'): Promise<Float32Array> {
  const dim = readModelInfo(bytes, 'm').inputs[0]!.dims![2] as number;
  const rand = seededUniform(seed);
  const input = new Float32Array(frames * dim).map(() => (rand() * 2 - 1) * 3);
  const s = await createAcousticSession(ortm, bytes, 'm', { executionProviders: [provider], threads: 1 });
  try {
    return Float32Array.from(await runAcoustic(ortm, s, input, frames, dim));
  } finally {
    await s.session.release?.();
  }
}

describe('float16 encoding: round to nearest, ties to even', () => {
  // Hand-computed: half = (-1)^s 2^(e-15) (1 + m/1024), subnormal 2^-24 m.
  const table: Array<[string, number, number]> = [
    ['0', 0, 0x0000],
    ['-0', -0, 0x8000],
    ['1', 1, 0x3c00],
    ['-2', -2, 0xc000],
    ['0.5', 0.5, 0x3800],
    ['largest finite, 65504', 65504, 0x7bff],
    ['65519 rounds down to 65504', 65519, 0x7bff],
    ['0.1 (float32)', Math.fround(0.1), 0x2e66],
    ['1/3 (float32)', Math.fround(1 / 3), 0x3555],
    ['pi (float32)', Math.fround(Math.PI), 0x4248],
    ['tie 1 + 2^-11 goes to even 1', 1 + 2 ** -11, 0x3c00],
    ['tie 1 + 3*2^-11 goes to even 1 + 2^-9', 1 + 3 * 2 ** -11, 0x3c02],
    ['just above the tie rounds up', 1 + 2 ** -11 + 2 ** -20, 0x3c01],
    ['-(tie 1 + 2^-11) goes to even -1', -(1 + 2 ** -11), 0xbc00],
    ['2 - 2^-12 carries into the exponent', 2 - 2 ** -12, 0x4000],
    ['smallest normal 2^-14', 2 ** -14, 0x0400],
    ['subnormal tie 2^-14 - 2^-25 goes to even 1024 = smallest normal', 2 ** -14 - 2 ** -25, 0x0400],
    ['subnormal tie 2^-14 - 3*2^-25 goes to even 1022', 2 ** -14 - 3 * 2 ** -25, 0x03fe],
    ['largest subnormal 2^-14 - 2^-24', 2 ** -14 - 2 ** -24, 0x03ff],
    ['smallest subnormal 2^-24', 2 ** -24, 0x0001],
    ['tie 2^-25 goes to even 0', 2 ** -25, 0x0000],
    ['tie -2^-25 goes to even -0', -(2 ** -25), 0x8000],
    ['tie 3*2^-25 goes to even 2*2^-24', 3 * 2 ** -25, 0x0002],
    ['just above 2^-25 rounds to 2^-24', 2 ** -25 + 2 ** -40, 0x0001],
    ['1e-8 underflows to 0', Math.fround(1e-8), 0x0000],
  ];
  it.each(table)('%s', (_name, x, bits) => {
    expect(Math.fround(x)).toBe(x); // every entry is a float32 value, as weights are
    expect(float16Bits(x)).toBe(bits);
  });

  it('roundToFloat16 gives the value of those bits', () => {
    expect(roundToFloat16(Math.fround(0.1))).toBe(0.0999755859375);
    expect(roundToFloat16(1 + 2 ** -11 + 2 ** -20)).toBe(1 + 2 ** -10);
    expect(roundToFloat16(3 * 2 ** -25)).toBe(2 ** -23);
    expect(Object.is(roundToFloat16(-(2 ** -26)), -0)).toBe(true);
  });

  it('overflow is an error, not infinity: |x| >= 65520, infinities and NaN', () => {
    for (const x of [65520, -65520, 1e6, Infinity, -Infinity, NaN]) expect(() => float16Bits(x)).toThrow(RangeError);
  });

  it('a model with a weight beyond the float16 range is refused, naming the layer and the weight', async () => {
    const layers = randomLayers([inputDim(fc), 4, 29], 3);
    layers[1]!.weight[2 * 4 + 3] = 70000;
    await expectError(UsageError, build(layers, 'float16'), /spec\.layers\[1\]\.weight \[2, 3\] is 70000/, /float16 cannot hold/, /float32 or int8/);
    await expect(build(layers, 'int8')).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe('int8 encoding: symmetric, per output channel', () => {
  it('rounds half to even, with scale max|w| / 127 per row (hand-computed)', () => {
    expect([2.5, 3.5, -2.5, -0.5, 0.5, 1.5, -1.5, 126.5, -126.5].map(roundHalfToEven)).toEqual([2, 4, -2, 0, 0, 2, -2, 126, -126]);
    // row 0: max 127 -> scale 1; row 1: max 254 -> scale 2; row 2: all zero -> scale 1, q 0
    const w = new Float32Array([127, 2.5, 3.5, -2.5, -0.5, 254, 5, 7, -3, -254, 0, 0, 0, 0, 0]);
    const { q, scale } = quantizeInt8PerChannel(w, 3, 5);
    expect([...scale]).toEqual([1, 2, 1]);
    expect([...q]).toEqual([127, 2, 4, -2, 0, 127, 2, 4, -2, -127, 0, 0, 0, 0, 0]);
  });

  it('the weights stored in the model dequantize to within scale/2 of the originals', async () => {
    const layers = randomLayers([inputDim(fc), 24, 24, 29], 11);
    const bytes = await build(layers, 'int8');
    const { metadata } = await describeModel(bytes, 'm.int8.onnx');
    expect(metadata.network.weightStorage).toBe('int8');
    const back = readMlpLayers(bytes, 'm.int8.onnx', metadata);
    layers.forEach((l, li) => {
      const b = back[li]!;
      expect(b.bias).toEqual(l.bias); // biases stay float32
      for (let o = 0; o < l.outDim; o++) {
        const row = l.weight.subarray(o * l.inDim, (o + 1) * l.inDim);
        const scale = Math.max(...row.map(Math.abs)) / 127;
        for (let i = 0; i < l.inDim; i++) {
          expect(Math.abs(b.weight[o * l.inDim + i]! - row[i]!)).toBeLessThanOrEqual(scale / 2 + 1e-7);
        }
      }
    });
  });

  it('the float16 weights stored in the model are the rounded originals', async () => {
    const layers = randomLayers([inputDim(fc), 24, 29], 12);
    const bytes = await build(layers, 'float16');
    const back = readMlpLayers(bytes, 'm', (await describeModel(bytes, 'm')).metadata);
    layers.forEach((l, li) => expect([...back[li]!.weight]).toEqual([...l.weight].map(roundToFloat16)));
  });
});

describe('ONNX Runtime output equals a float32 model of the decoded weights', () => {
  const layers = randomLayers([inputDim(fc), 48, 48, 29], 7);
  const cases: Array<[WeightStorage, string, OrtModule, 'cpu' | 'wasm']> = [
    ['float16', 'onnxruntime-node', ortNode, 'cpu'],
    ['int8', 'onnxruntime-node', ortNode, 'cpu'],
    ['float16', 'onnxruntime-web (wasm)', ortWasm, 'wasm'],
    ['int8', 'onnxruntime-web (wasm)', ortWasm, 'wasm'],
  ];
  it.each(cases)('%s with %s, within 1e-5', async (storage, _name, ortm, provider) => {
    const stored = await build(layers, storage);
    const reference = await build(effectiveLayers(layers, storage), 'float32');
    const got = await run(ortm, stored, 40, 5, provider);
    const want = await run(ortm, reference, 40, 5, provider);
    expect(maxAbs(got, want)).toBeLessThanOrEqual(1e-5);
    // and the decoding is not a no-op: the stored model differs from the original float32 one
    expect(maxAbs(got, await run(ortm, await build(layers, 'float32'), 40, 5, provider))).toBeGreaterThan(0);
  });

  it('the graphs: Cast from FLOAT16, DequantizeLinear with axis 1 from INT8; sizes about 1/2 and 1/4', async () => {
    const big = randomLayers([inputDim(fc), 256, 29], 8);
    const f32 = readModelInfo(await build(big, 'float32'), 'm');
    const f16 = readModelInfo(await build(big, 'float16'), 'm');
    const i8 = readModelInfo(await build(big, 'int8'), 'm');
    expect(f16.opCounts).toMatchObject({ Cast: 2, MatMul: 2 });
    expect(f16.initializerTypes).toEqual({ float16: 2, float32: 2 });
    expect(i8.opCounts).toMatchObject({ DequantizeLinear: 2, MatMul: 2 });
    expect(i8.initializerTypes).toEqual({ int8: 2, float32: 4 });
    expect(f16.byteLength / f32.byteLength).toBeCloseTo(0.5, 1);
    expect(i8.byteLength / f32.byteLength).toBeCloseTo(0.25, 1);
    const m = onnx.ModelProto.decode(await build(big, 'int8'));
    const dq = m.graph!.node!.find((n) => n.opType === 'DequantizeLinear')!;
    expect(Number(dq.attribute!.find((a) => a.name === 'axis')!.i)).toBe(1);
    expect(dq.input).toEqual(['layer0.weight_q', 'layer0.weight_scale']);
  });

  it('is deterministic: the same layers give the same bytes', async () => {
    for (const s of ['float16', 'int8'] as const) expect(Buffer.compare(await build(layers, s), await build(layers, s))).toBe(0);
  });
});

const editNetwork = (edit: (n: Record<string, unknown>) => void) => (p: Record<string, string>): void => {
  const n = JSON.parse(p[MetadataKeys.network]!) as Record<string, unknown>;
  edit(n);
  p[MetadataKeys.network] = JSON.stringify(n);
};

describe('metadata: network.weightStorage', () => {
  const layers = randomLayers([inputDim(fc), 8, 29], 9);

  it('is recorded, float32 included', async () => {
    for (const s of ['float32', 'float16', 'int8'] as const) {
      const { metadata } = await describeModel(await build(layers, s), 'm');
      expect(metadata.network.weightStorage).toBe(s);
    }
  });

  it('absent (models written before it existed) means float32', async () => {
    const old = await withMetadata(await build(layers, 'float32'), editNetwork((n) => delete n.weightStorage));
    expect(readModelInfo(old, 'old.onnx').metadataProps[MetadataKeys.network]).not.toContain('weightStorage');
    expect((await describeModel(old, 'old.onnx')).metadata.network.weightStorage).toBe('float32');
  });

  it('an unknown value is a ModelError naming the field and the allowed values', async () => {
    const bad = await withMetadata(await build(layers, 'float32'), editNetwork((n) => (n.weightStorage = 'int4')));
    await expectError(ModelError, describeModel(bad, 'bad.onnx'), /weightStorage: expected "float32", "float16", "int8"/, /got "int4"/);
  });

  it('must agree with the initializers', async () => {
    const claimsInt8 = await withMetadata(await build(layers, 'float32'), editNetwork((n) => (n.weightStorage = 'int8')));
    await expectError(ModelError, describeModel(claimsInt8, 'a.onnx'), /weightStorage is "int8" but the graph has no int8 initializers/);
    const claimsF32 = await withMetadata(await build(layers, 'float16'), editNetwork((n) => (n.weightStorage = 'float32')));
    await expectError(ModelError, describeModel(claimsF32, 'b.onnx'), /the graph has 2 float16 initializers but network\.weightStorage is "float32"/);
  });

  it('parseWeightStorage names the option and the allowed values', () => {
    expect(parseWeightStorage('int8', '--weight-type')).toBe('int8');
    expect(() => parseWeightStorage('fp16', '--weight-type')).toThrow(/--weight-type must be one of float32, float16, int8, got "fp16"/);
    expect(() => parseWeightStorage(undefined, 'weightStorage')).toThrow(UsageError);
  });
});
