/**
 * TDNN conversion: a random time-delay network from tools/train/train.py (dilations 1,2,3, subsampling 3) is run
 * through the trainer's own forward on a padded batch (utterances of 29, 4 and 1 frames: two shorter than the
 * receptive field), exported by the trainer, converted by the `earshot convert` CLI, and run in onnxruntime-node on
 * inputs spliced by earshot's spliceFrames. Plus the converter's errors for bad TDNN architectures.
 *
 * Needs /usr/bin/python3 with torch (Debian: python3-torch; $EARSHOT_PYTHON overrides). Without it the parity
 * test is skipped locally, but fails under CI=true. The CLI runs from dist/ (`npm test` builds it).
 */
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseArch } from '../../src/convert/arch.js';
import { buildModelFromWeights } from '../../src/convert/build.js';
import { parseWeights } from '../../src/convert/weights.js';
import { ConversionError } from '../../src/core/errors.js';
import { defaultFeatureConfig, spliceFrames, type FeatureConfig } from '../../src/features/index.js';
import { readModelInfo } from '../../src/model/onnx-reader.js';
import { parseMetadata } from '../../src/model/validate.js';
import { createAcousticSession, type OrtModule } from '../../src/model/runtime.js';
import { quantizeModelFile } from '../../src/node/quantize-file.js';
import { verifyTdnnBytes } from '../../src/node/convert-file.js';
import { readTdnnModelLayers } from '../../src/model/build/onnx-layers.js';
import { effectiveTdnn } from '../../src/model/build/weight-storage.js';
import { maxAbs as arrayMaxAbs } from '../helpers/numeric.js';
import { earshot, ROOT } from '../helpers/cli.js';
import { PYTHON, torchRequirement } from '../helpers/requirements.js';
import { testSeed } from '../helpers/seed.js';

const torch = torchRequirement();

interface Expected {
  dim: number;
  outputDim: number;
  lengths: number[];
  outFrames: number[];
  receptiveField: number;
}

const f32 = async (file: string): Promise<Float32Array> => {
  const b = await fs.readFile(file);
  return new Float32Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength));
};

let dir = '';
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-tdnn-'));
});
afterAll(async () => {
  if (dir) await fs.rm(dir, { recursive: true, force: true });
});

/** Run the fixture script into `out` (extra arguments appended); throws with its stderr on failure. */
async function makeFixture(out: string, seed: number, extra: readonly string[]): Promise<Expected> {
  const cfg = path.join(dir, 'base-config.json');
  await fs.writeFile(cfg, JSON.stringify(defaultFeatureConfig()));
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools/train/tdnn_fixture.py'), '--config', cfg, '--out', out, '--seed', String(seed), ...extra], {
    encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`tdnn_fixture.py --seed ${seed} failed (${r.status}): ${r.stderr}`);
  return JSON.parse(await fs.readFile(path.join(out, 'expected.json'), 'utf8')) as Expected;
}

/**
 * The two layouts train.py writes: every layer at the base frame rate (Rf = 1 + 2 + 3), and early subsampling, where
 * the first convolution strides by 3 and the later dilations count output frames (Rf = 1 + 3 x (1 + 2) = 10).
 * Early-subsampling utterances include lengths that are not multiples of 3 and longer than the window.
 */
const LAYOUTS = [
  { name: 'dilations 1,2,3 at the base rate', args: [], rf: 6, strides: undefined, lengths: '29,4,1', inspect: /dilations 1,2,3 \(receptive field \+-6 frames/ },
  { name: 'early subsampling: stride 3, then dilations 1,2 at the output rate', args: ['--dilations', '1,1,2', '--early-subsampling', '--lengths', '31,29,8,2,1'], rf: 10, strides: [3, 1, 1], lengths: '31,29,8,2,1', inspect: /dilations 1,1,2, strides 3,1,1 \(receptive field \+-10 frames/ },
  // Trained with --batchnorm: the reference is PyTorch's BatchNorm on random running statistics, the file holds the
  // folded weights (BatchNorm of layer i merged into layer i + 1 and the output layer), and no other op appears.
  { name: 'early subsampling with BatchNorm folded on export', args: ['--dilations', '1,1,2', '--early-subsampling', '--batchnorm', '--lengths', '31,29,8,2,1'], rf: 10, strides: [3, 1, 1], lengths: '31,29,8,2,1', inspect: /dilations 1,1,2, strides 3,1,1 \(receptive field \+-10 frames/ },
] as const;

describe.skipIf(torch.skip)('TDNN: trainer forward == converted ONNX on spliced windows', () => {
  it.each(LAYOUTS)('converts a random TDNN ($name, subsampling 3) and matches PyTorch within 1e-4, edges included', async (layout) => {
    torch.assertPresent();
    const seed = testSeed(`convert/tdnn: ${layout.name}`);
    const tag = `${layout.rf}${(layout.args as readonly string[]).includes('--batchnorm') ? '-bn' : ''}`;
    const out = path.join(dir, `fixture-${tag}`);
    const exp = await makeFixture(out, seed, layout.args);
    expect(exp.receptiveField).toBe(layout.rf);
    expect(exp.lengths.join(',')).toBe(layout.lengths);
    const arch = JSON.parse(await fs.readFile(path.join(out, 'arch.json'), 'utf8')) as { kind: string; featureConfig: FeatureConfig; layers: Array<{ dilation: number; stride?: number }> };
    expect(arch.kind).toBe('tdnn');
    expect(arch.layers.map((l) => l.stride ?? 1)).toEqual(layout.strides ?? [1, 1, 1]);
    expect([arch.featureConfig.contextLeft, arch.featureConfig.contextRight, arch.featureConfig.subsampling]).toEqual([layout.rf, layout.rf, 3]);

    const model = path.join(dir, `tdnn-${tag}.onnx`);
    const conv = earshot(['convert', '-w', path.join(out, 'model.safetensors'), '-a', path.join(out, 'arch.json'), '-o', model]);
    expect(conv.code, `convert failed: ${conv.stderr}`).toBe(0);
    const bytes = new Uint8Array(await fs.readFile(model));
    const info = readModelInfo(bytes, model);
    const meta = parseMetadata(info.metadataProps, model);
    expect(meta.network).toMatchObject({ kind: 'tdnn', inputDim: 39 * (2 * layout.rf + 1), hidden: [16, 16, 16], outputDim: 29, dilations: arch.layers.map((l) => l.dilation), kernel: 3 });
    expect(meta.network.strides).toEqual(layout.strides);
    expect(info.opCounts.Conv).toBe(3);
    expect(info.opCounts.Pad, 'the 39 feature channels padded to 40, input and weight').toBe(2);
    const inspect = earshot(['inspect', model]);
    expect(inspect.code, inspect.stderr).toBe(0);
    expect(inspect.stdout).toMatch(new RegExp(`network +tdnn ${39 * (2 * layout.rf + 1)} -> 16 -> 16 -> 16 -> 29`));
    expect(inspect.stdout).toMatch(layout.inspect);

    const s = await createAcousticSession(ort as unknown as OrtModule, bytes, model, { executionProviders: ['cpu'], threads: 1 });
    const base = await f32(path.join(out, 'base.f32'));
    const want = await f32(path.join(out, 'logprobs.f32'));
    const fc = meta.featureConfig;
    let at = 0;
    let wantAt = 0;
    let maxDiff = 0;
    let maxAbs = 0;
    const perUtt: string[] = [];
    for (const [u, n] of exp.lengths.entries()) {
      const input = spliceFrames(base.subarray(at * exp.dim, (at + n) * exp.dim), n, fc);
      at += n;
      expect(input.frames).toBe(exp.outFrames[u]);
      const res = await s.session.run({ [s.inputName]: new ort.Tensor('float32', input.data, [1, input.frames, input.data.length / input.frames]) });
      const got = res[s.outputName]!.data as Float32Array;
      expect(got.length).toBe(input.frames * exp.outputDim);
      let d = 0;
      for (let i = 0; i < got.length; i++) {
        const w = want[wantAt + i]!;
        d = Math.max(d, Math.abs(got[i]! - w));
        maxAbs = Math.max(maxAbs, Math.abs(w));
      }
      wantAt += got.length;
      maxDiff = Math.max(maxDiff, d);
      perUtt.push(`${n} frames: ${d.toExponential(2)}`);
    }
    expect(wantAt).toBe(want.length);
    // The graph reads the rows as one stream of consecutive windows: the streaming recognizer's blocks of rows (any
    // split) must give what the whole utterance gives.
    const n0 = exp.lengths[0]!;
    const whole = spliceFrames(base.subarray(0, n0 * exp.dim), n0, fc);
    const rowLen = whole.data.length / whole.frames;
    const run = async (from: number, to: number): Promise<Float32Array> => {
      const res = await s.session.run({ [s.inputName]: new ort.Tensor('float32', whole.data.slice(from * rowLen, to * rowLen), [1, to - from, rowLen]) });
      return res[s.outputName]!.data as Float32Array;
    };
    const all = await run(0, whole.frames);
    const cuts = [0, 1, 2, 5, whole.frames];
    const pieces = await Promise.all(cuts.slice(1).map((to, k) => run(cuts[k]!, to)));
    const joined = new Float32Array(all.length);
    let o = 0;
    for (const p of pieces) { joined.set(p, o); o += p.length; }
    expect(o).toBe(all.length);
    // float32 rounding of different block shapes: relative to the outputs' scale (about 1e-5 for |logprob| <= 10)
    expect(arrayMaxAbs(joined, all), 'blocks of 1, 1, 3 and the rest vs the whole utterance').toBeLessThanOrEqual(1e-6 * Math.max(10, maxAbs));
    await s.session.release?.();
    console.log(`TDNN (${layout.name}) seed ${seed}: max |onnx - torch| ${maxDiff.toExponential(2)} (max |logprob| ${maxAbs.toFixed(1)}); ${perUtt.join(', ')}`);
    expect(maxDiff, `seed ${seed}: max abs diff vs torch`).toBeLessThanOrEqual(1e-4 * Math.max(1, maxAbs));


    // float16 and int8 re-encodings: smaller files that compute exactly what float32 TDNNs of their decoded weights do
    // (the closed forms of weight-storage.ts, run through the float64 reference), and whose weights read back as those.
    const f32Layers = readTdnnModelLayers(bytes, model, meta);
    let previousBytes = bytes.length;
    for (const storage of ['float16', 'int8'] as const) {
      const q = path.join(dir, `tdnn-${tag}.${storage}.onnx`);
      const r = await quantizeModelFile({ input: model, out: q, weightStorage: storage });
      expect(r.maxAbsError, storage).toBeLessThanOrEqual(1e-4);
      expect(r.bytes, `${storage} is smaller than the previous storage`).toBeLessThan(previousBytes);
      previousBytes = r.bytes;
      const qBytes = new Uint8Array(await fs.readFile(q));
      const qMeta = parseMetadata(readModelInfo(qBytes, q).metadataProps, q);
      expect(qMeta.network).toMatchObject({ kind: 'tdnn', weightStorage: storage, dilations: meta.network.dilations });
      expect(qMeta.network.strides).toEqual(layout.strides);
      const back = readTdnnModelLayers(qBytes, q, qMeta);
      const want = effectiveTdnn(f32Layers.convs, f32Layers.output, storage);
      back.convs.forEach((c, i) => expect(arrayMaxAbs(c.weight, want.convs[i]!.weight), `${storage} conv ${i}`).toBeLessThanOrEqual(1e-7));
      expect(arrayMaxAbs(back.output.weight, want.output.weight)).toBeLessThanOrEqual(1e-7);
    }
  });
});

describe('TDNN architecture errors', () => {
  const fc = (rf: number): FeatureConfig => ({ ...defaultFeatureConfig(), contextLeft: rf, contextRight: rf, subsampling: 3 });
  const labels = ['<blank>', 'a', 'b'];
  const archOf = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
    kind: 'tdnn',
    layers: [{ weight: 'convs.0.weight', bias: 'convs.0.bias', dilation: 1 }, { weight: 'convs.1.weight', bias: 'convs.1.bias', dilation: 2 }],
    kernel: 3,
    outputLayer: { weight: 'out.weight', bias: 'out.bias' },
    activation: 'lrelu',
    alpha: 0.01,
    featureConfig: fc(3),
    output: { type: 'ctc', blankId: 0 },
    labels,
    ...over,
  });
  /** A safetensors file of F32 tensors filled with small deterministic values (`poke` sets one value of one tensor). */
  const safetensors = (shapes: Record<string, number[]>, poke?: { name: string; index: number; value: number }): Uint8Array => {
    const header: Record<string, unknown> = {};
    let off = 0;
    for (const [k, sh] of Object.entries(shapes)) {
      const n = sh.reduce((a, b) => a * b, 1) * 4;
      header[k] = { dtype: 'F32', shape: sh, data_offsets: [off, off + n] };
      off += n;
    }
    const h = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + h.length + off);
    new DataView(out.buffer).setBigUint64(0, BigInt(h.length), true);
    out.set(h, 8);
    const dv = new DataView(out.buffer, 8 + h.length);
    for (let i = 0; i < off / 4; i++) dv.setFloat32(i * 4, Math.sin(i) * 0.1, true);
    if (poke) dv.setFloat32((header[poke.name] as { data_offsets: number[] }).data_offsets[0]! + poke.index * 4, poke.value, true);
    return out;
  };
  const good = { 'convs.0.weight': [8, 39, 3], 'convs.0.bias': [8], 'convs.1.weight': [8, 8, 3], 'convs.1.bias': [8], 'out.weight': [3, 8], 'out.bias': [3] };

  it('parses a valid TDNN description and builds a model whose TS reference matches ORT', async () => {
    const arch = parseArch(archOf(), 'arch.json');
    expect(arch.kind).toBe('tdnn');
    const built = await buildModelFromWeights(parseWeights(safetensors(good), 'w.safetensors'), arch);
    expect(built.network).toMatchObject({ kind: 'tdnn', inputDim: 39 * 7, hidden: [8, 8], dilations: [1, 2], kernel: 3, parameters: 8 * 39 * 3 + 8 + 8 * 8 * 3 + 8 + 3 * 8 + 3 });
    const again = await buildModelFromWeights(parseWeights(safetensors(good), 'w.safetensors'), arch);
    expect(Buffer.from(again.bytes).equals(Buffer.from(built.bytes))).toBe(true);
    // The loader checks the stated context against the dilations, and the TDNN fields.
    const props = readModelInfo(built.bytes, 'm.onnx').metadataProps;
    const net = JSON.parse(props['earshot.network']!) as Record<string, unknown>;
    const withNet = (n: Record<string, unknown>): Record<string, string> => ({ ...props, 'earshot.network': JSON.stringify(n) });
    expect(() => parseMetadata(withNet({ ...net, dilations: [1, 3] }), 'm.onnx')).toThrow(/sees 4 frames each side, but the feature config's context is -3\/\+3/);
    expect(() => parseMetadata(withNet({ ...net, dilations: [3] }), 'm.onnx')).toThrow(/dilations: a "tdnn" needs one positive integer dilation per hidden layer \(2\)/);
    expect(() => parseMetadata(withNet({ ...net, kernel: 5 }), 'm.onnx')).toThrow(/kernel: a "tdnn" has kernel 3, got 5/);
    expect(() => parseMetadata(withNet({ ...net, kind: 'mlp' }), 'm.onnx')).toThrow(/dilations, strides and kernel belong to kind "tdnn"/);
    expect(() => parseMetadata(withNet({ ...net, strides: [1, 3] }), 'm.onnx')).toThrow(/strides: a "tdnn" has one positive integer stride per hidden layer \(2\), of which only the first may differ from 1, got \[1,3\]/);
    expect(() => parseMetadata(withNet({ ...net, strides: [3, 1] }), 'm.onnx')).toThrow(/dilations \[1,2\] and strides \[3,1\] sees 7 frames each side, but the feature config's context is -3\/\+3/);
  });

  it('builds an early-subsampling TDNN (stride 3 on the first convolution): receptive field 1 + 2 x 3, strides in the metadata', async () => {
    const layers = [{ weight: 'convs.0.weight', bias: 'convs.0.bias', dilation: 1, stride: 3 }, { weight: 'convs.1.weight', bias: 'convs.1.bias', dilation: 2 }];
    const arch = parseArch(archOf({ layers, featureConfig: fc(7) }), 'arch.json');
    const built = await buildModelFromWeights(parseWeights(safetensors(good), 'w.safetensors'), arch);
    expect(built.network).toMatchObject({ kind: 'tdnn', inputDim: 39 * 15, dilations: [1, 2], strides: [3, 1] });
    const props = readModelInfo(built.bytes, 'm.onnx').metadataProps;
    const net = JSON.parse(props['earshot.network']!) as Record<string, unknown>;
    const fcProps = JSON.parse(props['earshot.feature_config']!) as Record<string, unknown>;
    expect(() => parseMetadata({ ...props, 'earshot.feature_config': JSON.stringify({ ...fcProps, subsampling: 2 }) }, 'm.onnx')).toThrow(/first convolution strides by 3 must have subsampling 3, but the feature config's subsampling is 2/);
    expect(net.strides).toEqual([3, 1]);
    expect(() => parseArch(archOf({ layers, featureConfig: fc(5) }), 'arch.json')).toThrow(/each scaled by the earlier layers' strides \(7\)/);
    expect(() => parseArch(archOf({ layers: [layers[0], { ...layers[1], stride: 3 }], featureConfig: fc(7) }), 'arch.json')).toThrow(/field "layers\[1\]\.stride": only the first convolution may stride, and by featureConfig\.subsampling \(3\), got 3/);
    expect(() => parseArch(archOf({ layers: [{ ...layers[0], stride: 2 }, layers[1]], featureConfig: fc(5) }), 'arch.json')).toThrow(/field "layers\[0\]\.stride": only the first convolution may stride, and by featureConfig\.subsampling \(3\), got 2/);
  });

  it('zero-pads each convolution\'s input channels to a multiple of 4 in the graph (a webgpu workaround) and still computes the reference', async () => {
    // onnxruntime-node 1.30's webgpu provider on an NVIDIA H200 computed Conv wrongly with 39 (or 447) input
    // channels and right with 40; the writer pads input and weight with zeros, which changes nothing on any provider.
    const odd = { ...good, 'convs.0.weight': [6, 39, 3], 'convs.0.bias': [6], 'convs.1.weight': [8, 6, 3] };
    const arch = parseArch(archOf(), 'arch.json');
    const built = await buildModelFromWeights(parseWeights(safetensors(odd), 'w.safetensors'), arch);
    const info = readModelInfo(built.bytes, 'm.onnx');
    expect(info.opCounts.Pad, 'conv0 (39 -> 40 channels) and conv1 (6 -> 8): one Pad for the input, one for the weight').toBe(4);
    const meta = parseMetadata(info.metadataProps, 'm.onnx');
    const layers = readTdnnModelLayers(built.bytes, 'm.onnx', meta);
    expect(layers.convs.map((c) => [c.outDim, c.inDim, c.weight.length])).toEqual([[6, 39, 6 * 39 * 3], [8, 6, 8 * 6 * 3]]);
    const { maxAbsError } = await verifyTdnnBytes(built.bytes, layers.convs, layers.output, 'lrelu', 0.01, meta.featureConfig, 'm.onnx');
    expect(maxAbsError).toBeLessThanOrEqual(1e-4);
    // widths that are multiples of 4 need no padding beyond the 39 features
    const even = await buildModelFromWeights(parseWeights(safetensors(good), 'w.safetensors'), arch);
    expect(readModelInfo(even.bytes, 'm.onnx').opCounts.Pad).toBe(2);
  });

  it('rejects a dilation sum that disagrees with the feature config context', () => {
    expect(() => parseArch(archOf({ featureConfig: fc(2) }), 'arch.json')).toThrow(ConversionError);
    expect(() => parseArch(archOf({ featureConfig: { ...fc(3), contextRight: 4 } }), 'arch.json')).toThrow(/contextLeft 3 and contextRight 4 must both equal the TDNN's receptive field, the sum of the dilations, each scaled by the earlier layers' strides \(3\)/);
  });

  it('rejects kernel 5, missing dilations and an MLP with TDNN fields', () => {
    expect(() => parseArch(archOf({ kernel: 5 }), 'arch.json')).toThrow(/field "kernel": earshot converts TDNNs of kernel 3 only/);
    expect(() => parseArch(archOf({ layers: [{ weight: 'a', bias: 'b' }] }), 'arch.json')).toThrow(/field "layers\[0\]": expected .*"dilation": <positive integer>/);
    expect(() => parseArch(archOf({ outputLayer: undefined }), 'arch.json')).toThrow(/field "outputLayer"/);
    expect(() => parseArch(archOf({ kind: 'mlp', layers: undefined, featureConfig: fc(3) }), 'arch.json')).toThrow(/field "kernel": unknown field for kind "mlp"/);
    expect(() => parseArch(archOf({ kind: 'lstm' }), 'arch.json')).toThrow(/expected "mlp" or "tdnn"/);
  });

  it('rejects weight shapes that do not chain, have the wrong kernel or do not match the labels', async () => {
    const arch = parseArch(archOf(), 'arch.json');
    const build = (shapes: Record<string, number[]>): Promise<unknown> => buildModelFromWeights(parseWeights(safetensors(shapes), 'w.safetensors'), arch);
    await expect(build({ ...good, 'convs.0.weight': [8, 40, 3] })).rejects.toThrow(/"convs\.0\.weight" \(convolution 0\) is \[8, 40, 3\]; expected \[8, 39, 3\]: its input channels must be 39, baseDim/);
    await expect(build({ ...good, 'convs.1.weight': [8, 6, 3] })).rejects.toThrow(/expected \[8, 8, 3\]: its input channels must be 8, the output channels of convolution 0/);
    await expect(build({ ...good, 'convs.1.weight': [8, 8, 5] })).rejects.toThrow(/kernel width 5 is not the architecture's kernel 3/);
    await expect(build({ ...good, 'convs.1.weight': [8, 24] })).rejects.toThrow(/must be 3-D \[out, in, kernel\]/);
    await expect(build({ ...good, 'out.weight': [4, 8] })).rejects.toThrow(/"out\.weight" \(output layer\) is \[4, 8\]; expected \[3, 8\]: one output per label/);
    await expect(build({ ...good, 'convs.1.bias': [7] })).rejects.toThrow(/"convs\.1\.bias" .* expected \[8\]/);
    // Weight [2, 3, 1] of convolution 1 (flat index (2 x 8 + 3) x 3 + 1) is out of float16's range: named in PyTorch indices.
    const big = parseWeights(safetensors(good, { name: 'convs.1.weight', index: (2 * 8 + 3) * 3 + 1, value: 70000 }), 'w.safetensors');
    await expect(buildModelFromWeights(big, arch, { weightStorage: 'float16' })).rejects.toThrow(/spec\.convs\[1\]\.weight \[2, 10\] is 70000, which float16 cannot hold/);
    const int8 = await buildModelFromWeights(parseWeights(safetensors(good), 'w.safetensors'), arch, { weightStorage: 'int8' });
    expect(int8.network).toMatchObject({ kind: 'tdnn', weightStorage: 'int8' });
  });
});
