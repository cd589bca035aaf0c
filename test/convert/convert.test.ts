import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { zipSync } from 'fflate';
import { ConversionError } from '../../src/core/errors.js';
import { parseSafetensors } from '../../src/convert/safetensors.js';
import { parseNpz, parseNpy } from '../../src/convert/npz.js';
import { parseWeights } from '../../src/convert/weights.js';
import { halfToFloat } from '../../src/core/dtype.js';
import { parseArch, type ArchDescription } from '../../src/convert/arch.js';
import { buildModelFromWeights, discoverLayers, readLayers } from '../../src/convert/build.js';
import { referenceForward } from '../../src/convert/reference.js';
import { convertWeightsFile } from '../../src/node/convert-file.js';
import { convertCommand } from '../../src/cli/convert.js';
import { maxAbs } from '../helpers/numeric.js';
import { describeModel } from '../../src/model/load.js';
import { createAcousticSession, type OrtModule } from '../../src/model/runtime.js';

const ortm = ort as unknown as OrtModule;
const FIX = path.join(import.meta.dirname, '..', 'fixtures', 'convert');
const fix = (n: string): string => path.join(FIX, n);
const fixBytes = (n: string): Uint8Array => new Uint8Array(readFileSync(fix(n)));

interface Expected {
  hidden: number[];
  activation: 'lrelu' | 'relu' | 'tanh';
  alpha: number;
  inputs: number[][][];
  outputs: Record<'f32' | 'f16' | 'bf16', number[][][]>;
}

let dir: string;
let arch: ArchDescription;
let archJson: Record<string, unknown>;
let expected: Expected;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-convert-'));
  archJson = JSON.parse(await fs.readFile(fix('arch.json'), 'utf8')) as Record<string, unknown>;
  arch = parseArch(archJson, 'arch.json');
  expected = JSON.parse(await fs.readFile(fix('expected.json'), 'utf8')) as Expected;
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function outDir(): Promise<string> {
  return fs.mkdtemp(path.join(dir, 'out-'));
}

async function expectConversionError(p: Promise<unknown> | (() => unknown), ...words: RegExp[]): Promise<ConversionError> {
  let err: unknown;
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    err = e;
  }
  expect(err, `expected a ConversionError matching ${words.join(' ')}`).toBeInstanceOf(ConversionError);
  for (const w of words) expect((err as Error).message).toMatch(w);
  return err as ConversionError;
}

/** A safetensors file from a header object and a data section. */
function safetensors(header: Record<string, unknown>, data: Uint8Array): Uint8Array {
  const h = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(8 + h.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
  out.set(h, 8);
  out.set(data, 8 + h.length);
  return out;
}

/** A .npy array with a hand-written header. */
function npy(descr: string, shape: number[], data: Uint8Array, fortran = false): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat((64 - ((10 + header.length + 1) % 64)) % 64) + '\n';
  const out = new Uint8Array(10 + header.length + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, 10 + header.length);
  return out;
}

const f32bytes = (a: number[]): Uint8Array => new Uint8Array(Float32Array.from(a).buffer);

async function runOrt(bytes: Uint8Array, inputs: number[][][]): Promise<Float32Array> {
  const [b, t, d] = [inputs.length, inputs[0]!.length, inputs[0]![0]!.length];
  const s = await createAcousticSession(ortm, bytes, 'x', { executionProviders: ['cpu'], threads: 1 });
  const out = await s.session.run({ [s.inputName]: new ort.Tensor('float32', Float32Array.from(inputs.flat(2)), [b, t, d]) });
  const r = out[s.outputName]!;
  expect(r.dims).toEqual([b, t, 5]);
  return r.data as Float32Array;
}

describe('converting the PyTorch fixtures', () => {
  const cases = [
    ['mlp.safetensors', 'f32', 'safetensors'],
    ['mlp.npz', 'f32', 'npz'],
    ['mlp_compressed.npz', 'f32', 'npz'],
    ['mlp_f16.safetensors', 'f16', 'safetensors'],
    ['mlp_bf16.safetensors', 'bf16', 'safetensors'],
  ] as const;
  const errors: Record<string, number> = {};
  afterAll(() => {
    console.log(`max abs error of ONNX Runtime vs PyTorch: ${Object.entries(errors).map(([k, v]) => `${k} ${v.toExponential(2)}`).join(', ')}`);
  });

  it.each(cases)('%s: ORT output equals torch (%s weights) within 1e-4', async (file, tag, format) => {
    const out = path.join(await outDir(), 'model.onnx');
    const r = await convertWeightsFile({ weights: fix(file), arch: fix('arch.json'), out });
    expect(r).toMatchObject({ out, parameters: 36 * 16 + 16 + 16 * 16 + 16 + 16 * 5 + 5, provider: 'cpu', weightsFormat: format });
    expect(r.maxAbsError).toBeLessThanOrEqual(1e-4);
    const bytes = new Uint8Array(await fs.readFile(out));
    expect(r.bytes).toBe(bytes.length);
    const { metadata } = await describeModel(bytes, out);
    expect(metadata.contentHash).toBe(r.contentHash);
    expect(metadata.network).toMatchObject({ inputDim: 36, hidden: [16, 16], outputDim: 5, activation: 'lrelu', alpha: 0.01 });
    expect(metadata.provenance).toMatchObject({ producer: 'earshot convert 0.1.0', source: file, sourceFormat: format });
    expect(metadata.provenance.sourceSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(metadata.provenance.training).toMatchObject({ seed: 20240611 });
    const got = await runOrt(bytes, expected.inputs);
    const err = maxAbs(got, expected.outputs[tag].flat(2));
    errors[file] = err;
    expect(err).toBeLessThanOrEqual(1e-4);
  });

  it('the TypeScript reference equals torch too', () => {
    const w = parseWeights(fixBytes('mlp.safetensors'), 'mlp.safetensors');
    const layers = readLayers(w, discoverLayers(w), arch);
    const ref = referenceForward(layers, 'lrelu', 0.01, Float32Array.from(expected.inputs.flat(2)), 14);
    expect(maxAbs(ref, expected.outputs.f32.flat(2))).toBeLessThan(1e-5);
  });

  it('is deterministic: converting twice gives identical bytes', async () => {
    const a = path.join(await outDir(), 'a.onnx');
    const b = path.join(await outDir(), 'b.onnx');
    await convertWeightsFile({ weights: fix('mlp_compressed.npz'), arch: fix('arch.json'), out: a });
    await convertWeightsFile({ weights: fix('mlp_compressed.npz'), arch: archJson as unknown as ArchDescription, out: b });
    expect(Buffer.compare(await fs.readFile(a), await fs.readFile(b))).toBe(0);
  });

  it('applies overrides (alpha) and still verifies', async () => {
    const out = path.join(await outDir(), 'm.onnx');
    const r = await convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out, overrides: { alpha: 0.2 } });
    const { metadata } = await describeModel(new Uint8Array(await fs.readFile(out)), out);
    expect(metadata.network.alpha).toBe(0.2);
    expect(r.maxAbsError).toBeLessThanOrEqual(1e-4);
  });
});

describe('safetensors parsing', () => {
  it('reads dtypes, shapes and __metadata__; converts f16 and bf16', () => {
    const w = parseSafetensors(fixBytes('mlp.safetensors'), 'mlp.safetensors');
    expect([...w.tensors.keys()]).toEqual(['net.0.weight', 'net.0.bias', 'net.2.weight', 'net.2.bias', 'net.4.weight', 'net.4.bias']);
    expect(w.tensors.get('net.0.weight')!.shape).toEqual([16, 36]);
    expect(w.metadata).toEqual({ format: 'pt', seed: '20240611' });
    const f32 = w.tensors.get('net.2.weight')!.toFloat32();
    const f16 = parseSafetensors(fixBytes('mlp_f16.safetensors'), 'x').tensors.get('net.2.weight')!.toFloat32();
    const bf16 = parseSafetensors(fixBytes('mlp_bf16.safetensors'), 'x').tensors.get('net.2.weight')!.toFloat32();
    expect(maxAbs(f16, f32)).toBeLessThan(1e-3);
    expect(maxAbs(bf16, f32)).toBeLessThan(4e-3);
    expect([halfToFloat(0x3c00), halfToFloat(0xc000), halfToFloat(0x0001), halfToFloat(0x7c00)]).toEqual([1, -2, 2 ** -24, Infinity]);
  });

  it('rejects a file shorter than 8 bytes', async () => {
    await expectConversionError(() => parseWeights(new Uint8Array(5), 'w.safetensors'), /w\.safetensors: truncated safetensors file: 5 bytes, shorter than the 8-byte/);
  });

  it('rejects a truncated file', async () => {
    const full = fixBytes('mlp.safetensors');
    await expectConversionError(() => parseWeights(full.subarray(0, full.length - 100), 't.safetensors'), /t\.safetensors/, /out of range/, /truncated/);
    await expectConversionError(() => parseWeights(full.subarray(0, 200), 't.safetensors'), /header length \d+ bytes exceeds/);
  });

  it('rejects an absurd header length', async () => {
    const b = new Uint8Array(64);
    new DataView(b.buffer).setBigUint64(0, 200_000_000n, true);
    b.set(new TextEncoder().encode('{"a":1}'), 8);
    await expectConversionError(() => parseWeights(b, 'big.safetensors'), /header length 200000000 is larger than the 100 MB limit/);
  });

  it('rejects invalid JSON', async () => {
    const b = safetensors({}, new Uint8Array(0));
    const bad = new Uint8Array([...b.subarray(0, 8), ...new TextEncoder().encode('{x')]);
    new DataView(bad.buffer).setBigUint64(0, 2n, true);
    await expectConversionError(() => parseSafetensors(bad, 'j.safetensors'), /header is not valid JSON/);
  });

  it('rejects overlapping offsets', async () => {
    const b = safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, new Uint8Array(12));
    await expectConversionError(() => parseSafetensors(b, 'o.safetensors'), /tensors "a" \[0, 8\] and "b" \[4, 12\] overlap/);
  });

  it('rejects out-of-range offsets', async () => {
    const b = safetensors({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, new Uint8Array(8));
    await expectConversionError(() => parseSafetensors(b, 'r.safetensors'), /"a": data_offsets \[0, 16\] out of range: the data section holds 8 bytes/);
  });

  it('rejects a byte length that does not match the shape', async () => {
    const b = safetensors({ a: { dtype: 'F16', shape: [3, 2], data_offsets: [0, 8] } }, new Uint8Array(8));
    await expectConversionError(() => parseSafetensors(b, 's.safetensors'), /span 8 bytes but shape \[3, 2\] of F16 needs 6 x 2 = 12/);
  });

  it('rejects trailing bytes and gaps', async () => {
    await expectConversionError(() => parseSafetensors(safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, new Uint8Array(9)), 't'), /5 trailing bytes after the last tensor/);
    await expectConversionError(() => parseSafetensors(safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, new Uint8Array(8)), 't'), /bytes \[0, 4\) belong to no tensor/);
  });

  it('rejects an unknown dtype at parse time, and an unsupported one when used as a layer', async () => {
    await expectConversionError(() => parseSafetensors(safetensors({ a: { dtype: 'F4', shape: [1], data_offsets: [0, 1] } }, new Uint8Array(1)), 'd'), /unknown dtype "F4"/);
    const w = parseSafetensors(safetensors({ a: { dtype: 'I64', shape: [2], data_offsets: [0, 16] } }, new Uint8Array(16)), 'i.safetensors');
    await expectConversionError(() => w.tensors.get('a')!.toFloat32(), /tensor "a" has dtype I64; earshot converts F32, F16, BF16 and F64 only/);
  });

  it('rejects a file that is neither format', async () => {
    await expectConversionError(() => parseWeights(new TextEncoder().encode('just some text, not weights at all'), 'notes.txt'), /notes\.txt: not a weights file/);
  });
});

describe('npz parsing', () => {
  it('reads np.savez and np.savez_compressed identically', () => {
    const a = parseNpz(fixBytes('mlp.npz'), 'a');
    const b = parseNpz(fixBytes('mlp_compressed.npz'), 'b');
    const s = parseSafetensors(fixBytes('mlp.safetensors'), 's');
    expect([...a.tensors.keys()].sort()).toEqual([...s.tensors.keys()].sort());
    for (const [k, t] of s.tensors) {
      expect(a.tensors.get(k)!.shape).toEqual(t.shape);
      expect(a.tensors.get(k)!.toFloat32()).toEqual(t.toFloat32());
      expect(b.tensors.get(k)!.toFloat32()).toEqual(t.toFloat32());
    }
  });

  it('reads <f2 and <f8 arrays', () => {
    const h = new Uint8Array(new Uint16Array([0x3c00, 0xc000]).buffer);
    expect(Array.from(parseNpy(npy('<f2', [2], h), 'h', 'x').toFloat32())).toEqual([1, -2]);
    expect(Array.from(parseNpy(npy('<f8', [1, 2], new Uint8Array(new Float64Array([0.5, 3]).buffer)), 'd', 'x').toFloat32())).toEqual([0.5, 3]);
  });

  it('rejects Fortran order, big-endian, object arrays, truncation and non-zip bytes', async () => {
    await expectConversionError(() => parseNpy(npy('<f4', [2, 2], f32bytes([1, 2, 3, 4]), true), 'w', 'f.npz'), /array "w": Fortran-order/, /np\.ascontiguousarray/);
    await expectConversionError(() => parseNpy(npy('>f4', [2], new Uint8Array(8)), 'w', 'b.npz'), /big-endian dtype ">f4"/, /astype\('<f4'\)/);
    await expectConversionError(() => parseNpy(npy('|O', [2], new Uint8Array(16)), 'w', 'o.npz'), /object arrays need pickle/);
    await expectConversionError(() => parseNpy(npy('<f4', [3], new Uint8Array(8)), 'w', 't.npz'), /data is 8 bytes but shape \(3\) of <f4 needs 12/);
    await expectConversionError(() => parseNpz(new Uint8Array([0x50, 0x4b, 3, 4, 0, 0, 0]), 'z.npz'), /not a valid \.npz \(zip\) archive/);
    const w = parseNpz(zipSync({ 'a.npy': npy('<i4', [1], new Uint8Array(4)) }), 'i.npz');
    await expectConversionError(() => w.tensors.get('a')!.toFloat32(), /dtype <i4; earshot converts '<f4', '<f2' and '<f8' only/);
  });
});

describe('architecture description', () => {
  it('validates every field and names each bad one', async () => {
    const bad = { ...archJson, activation: 'gelu', featureConfig: { ...(archJson.featureConfig as object), fftSize: 300 }, labels: [], extra: 1 };
    await expectConversionError(() => parseArch(bad, 'a.json'), /a\.json: invalid architecture description/, /field "activation"/, /fftSize/, /field "labels"/, /field "extra": unknown field/);
    const { alpha: _alpha, ...noAlpha } = archJson;
    await expectConversionError(() => parseArch(noAlpha, 'a.json'), /field "alpha": required for activation "lrelu"/, /PyTorch and ONNX default 0\.01, TensorFlow 0\.2, Keras 0\.3/);
    await expectConversionError(() => parseArch({ ...archJson, output: { type: 'ctc', blankId: 5 } }, 'a.json'), /blankId: 5 is out of range for 5 labels/);
  });

  it('writes a recommended LM weight and word bonus into a CTC output, and names bad ones', async () => {
    const out = path.join(await outDir(), 'lm.onnx');
    await convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out, overrides: { lm: { weight: 0.55, wordBonus: 4 } } });
    const { metadata } = await describeModel(new Uint8Array(await fs.readFile(out)), out);
    expect(metadata.output).toEqual({ type: 'ctc', blankId: 0, lm: { weight: 0.55, wordBonus: 4 } });
    await expectConversionError(() => parseArch({ ...archJson, output: { type: 'ctc', blankId: 0, lm: { weight: -1, wordBonus: 4, beam: 8 } } }, 'a.json'),
      /field "output"\.lm\.weight: expected a number from 0 to 100, got -1/, /field "output"\.lm\.beam: unknown field/);
    await expectConversionError(() => parseArch({ ...archJson, output: { type: 'frame', silenceId: 0 } }, 'a.json', { lm: { weight: 1, wordBonus: 1 } }), /--lm-weight\/--word-bonus need a CTC model/);
    await expect(convertCommand({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: `${out}.2`, lmWeight: '0.5', force: false })).rejects.toThrow(/--lm-weight and --word-bonus go together.*got only --lm-weight/);
    await expect(convertCommand({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: `${out}.2`, lmWeight: 'x', wordBonus: '2', force: false })).rejects.toThrow(/--lm-weight must be a number from 0 to 100, got "x"/);
    await expect(convertCommand({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: `${out}.2`, alpha: '1', force: false })).rejects.toThrow(/--alpha must be a number in \[0, 1\), got "1"/);
    await expect(convertCommand({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: `${out}.2`, alpha: ' ', force: false })).rejects.toThrow(/--alpha must be a number in \[0, 1\), got " "/);
    await expect(fs.access(`${out}.2`)).rejects.toThrow();
  });

  it('merges overrides', () => {
    const a = parseArch(archJson, 'a.json', { activation: 'tanh', labels: ['_', 'a', 'b', 'c', 'd'] });
    expect(a.activation).toBe('tanh');
    expect(a.alpha).toBe(0);
    expect(a.labels[0]).toBe('_');
  });
});

describe('building: layer checks', () => {
  const weights = () => parseWeights(fixBytes('mlp.safetensors'), 'mlp.safetensors');

  it('discovers layers by numeric index, not string order', () => {
    const t = (shape: number[]) => ({ name: '', dtype: 'F32', shape, toFloat32: () => new Float32Array(shape.reduce((a, b) => a * b, 1)) });
    const w = { format: 'npz' as const, source: 's', metadata: {}, tensors: new Map(['10', '2', '0'].flatMap((i) => [[`${i}.weight`, t([3, 3])], [`${i}.bias`, t([3])]] as const)) };
    expect(discoverLayers(w).map((l) => l.weight)).toEqual(['0.weight', '2.weight', '10.weight']);
  });

  it('names a missing tensor', async () => {
    const a = parseArch({ ...archJson, layers: [{ weight: 'net.0.weight', bias: 'net.0.bias' }, { weight: 'net.6.weight', bias: 'net.6.bias' }] }, 'a.json');
    await expectConversionError(buildModelFromWeights(weights(), a), /missing tensor "net\.6\.weight" \(weight of layer 1\)/, /the file has net\.0\.weight/);
  });

  it('reports a first layer that does not fit the feature config, with expected vs got', async () => {
    const a = parseArch({ ...archJson, featureConfig: { ...(archJson.featureConfig as object), numCeps: 7 } }, 'a.json');
    await expectConversionError(buildModelFromWeights(weights(), a), /shape mismatch: tensor "net\.0\.weight" \(layer 0 input\) is \[16, 36\]; expected \[16, 42\]/, /numCeps 7/);
  });

  it('reports an output layer that does not fit the labels', async () => {
    const a = parseArch({ ...archJson, labels: ['<blank>', 'a', 'b', 'c'] }, 'a.json');
    await expectConversionError(buildModelFromWeights(weights(), a), /"net\.4\.weight" \(output layer\) is \[5, 16\]; expected \[4, 16\]: one output per label/);
  });

  it('reports a broken layer chain and a wrong bias', async () => {
    const a = parseArch({ ...archJson, layers: [{ weight: 'net.0.weight', bias: 'net.0.bias' }, { weight: 'net.4.weight', bias: 'net.4.bias' }, { weight: 'net.2.weight', bias: 'net.0.bias' }] }, 'a.json');
    await expectConversionError(buildModelFromWeights(weights(), a), /shape mismatch: tensor "net\.2\.weight" .* expected \[16, 5\]: its input width must be 5, the output width of layer 1/);
    const b = parseArch({ ...archJson, layers: [{ weight: 'net.0.weight', bias: 'net.4.bias' }, { weight: 'net.2.weight', bias: 'net.2.bias' }, { weight: 'net.4.weight', bias: 'net.4.bias' }] }, 'a.json');
    await expectConversionError(buildModelFromWeights(weights(), b), /tensor "net\.4\.bias" \(bias of layer 0\) is \[5\]; expected \[16\]/);
  });

  it('reports an unsupported dtype in a layer', async () => {
    const w = weights();
    const t = w.tensors.get('net.2.bias')!;
    w.tensors.set('net.2.bias', { ...t, dtype: 'I64', toFloat32: () => parseSafetensors(safetensors({ 'net.2.bias': { dtype: 'I64', shape: [16], data_offsets: [0, 128] } }, new Uint8Array(128)), 'mlp.safetensors').tensors.get('net.2.bias')!.toFloat32() });
    await expectConversionError(buildModelFromWeights(w, arch), /tensor "net\.2\.bias" has dtype I64/);
  });
});

describe('convertWeightsFile: files', () => {
  it('refuses to overwrite without force, replaces with force', async () => {
    const d = await outDir();
    const out = path.join(d, 'm.onnx');
    await fs.writeFile(out, 'keep me');
    await expectConversionError(convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out }), /m\.onnx: refusing to overwrite an existing file; pass --force/);
    expect(await fs.readFile(out, 'utf8')).toBe('keep me');
    await convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out, force: true });
    await describeModel(new Uint8Array(await fs.readFile(out)), out);
    expect(await fs.readdir(d)).toEqual(['m.onnx']);
  });

  it('leaves nothing behind when verification fails', async () => {
    // Weights scaled so that logits are ~1e6: float32 ONNX Runtime cannot match the float64 reference to 1e-4.
    const w = parseSafetensors(fixBytes('mlp.safetensors'), 'x');
    const header: Record<string, unknown> = {};
    const parts: Uint8Array[] = [];
    let off = 0;
    for (const [name, t] of w.tensors) {
      const data = new Uint8Array(t.toFloat32().map((v) => v * 1e3).buffer);
      header[name] = { dtype: 'F32', shape: t.shape, data_offsets: [off, off + data.length] };
      off += data.length;
      parts.push(data);
    }
    const d = await outDir();
    const weightsFile = path.join(dir, 'huge.safetensors');
    await fs.writeFile(weightsFile, safetensors(header, Buffer.concat(parts)));
    await expectConversionError(convertWeightsFile({ weights: weightsFile, arch: fix('arch.json'), out: path.join(d, 'm.onnx') }), /verification failed/, /tolerance 0\.0001/, /nothing was written/);
    expect(await fs.readdir(d)).toEqual([]);
  });

  it('leaves nothing behind on a build error, and names unreadable inputs', async () => {
    const d = await outDir();
    const out = path.join(d, 'm.onnx');
    await expectConversionError(convertWeightsFile({ weights: fix('mlp.safetensors'), arch: { ...arch, labels: ['a', 'b'], output: { type: 'ctc', blankId: 0 } }, out }), /one output per label/);
    await expectConversionError(convertWeightsFile({ weights: path.join(dir, 'missing.safetensors'), arch: fix('arch.json'), out }), /missing\.safetensors: cannot read the weights file: no such file/);
    await expectConversionError(convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('expected.json.nope'), out }), /cannot read the architecture description: no such file/);
    await expectConversionError(convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: path.join(d, 'no', 'm.onnx') }), /output directory .* does not exist/);
    await expectConversionError(convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out: d }), /output path is a directory/);
    expect(await fs.readdir(d)).toEqual([]);
  });
});
