/**
 * Weights + architecture description -> an earshot model (MLP or TDNN). Finds the layer tensors, checks that the
 * layer chain is consistent with itself, with the feature config and with the labels, then writes
 * the ONNX bytes. Platform-neutral: no file I/O, no runtime.
 */
import { ConversionError } from '../core/errors.js';
import { baseDim, inputDim } from '../features/config.js';
import type { NetworkSummary, Provenance, WeightStorage } from '../model/metadata.js';
import type { ConvLayer, DenseLayer } from '../model/build/layers.js';
import { buildMlpModel, buildTdnnModel, mlpNetworkSummary, tdnnNetworkSummary } from '../model/build/onnx-writer.js';
import { computeContentHash } from '../model/hash.js';
import { VERSION } from '../version.js';
import type { ArchDescription, LayerRef, TdnnArchDescription } from './arch.js';
import type { WeightTensor, WeightsFile } from './tensors.js';

/**
 * The result of building a model from weights.
 * @example
 * const { bytes, network }: BuiltModel = await buildModelFromWeights(weights, arch);
 */
export interface BuiltModel {
  /** The ONNX file's bytes. */
  bytes: Uint8Array;
  /** The MLP layers as read from the weights (PyTorch [out, in] layout), for the reference check; empty for a TDNN. */
  layers: DenseLayer[];
  /** A TDNN's convolutions ([out, in, kernel]) and output layer, for the reference check; absent for an MLP. */
  tdnn?: { convs: ConvLayer[]; output: DenseLayer };
  /** Which tensors each layer came from (a TDNN: the convolutions, then the output layer). */
  layerRefs: LayerRef[];
  network: NetworkSummary;
  contentHash: string;
}

/**
 * Options of `buildModelFromWeights`.
 * @example
 * await buildModelFromWeights(weights, arch, { archSource: 'arch.json', provenance: { run: 'exp7' } } satisfies BuildOptions);
 */
export interface BuildOptions {
  /** Architecture file name, for errors. */
  archSource?: string;
  /** Extra provenance fields (e.g. the source weights' hash); the arch file's provenance is merged under these. */
  provenance?: Record<string, unknown>;
  /** How to store the layer weights (see model/build/weight-storage.ts). Default 'float32'. */
  weightStorage?: WeightStorage;
}

const listNames = (names: readonly string[]): string => (names.length <= 12 ? names.join(', ') : `${names.slice(0, 12).join(', ')}, ... (${names.length} in all)`);

/**
 * Find the Linear layers of a weights file: `<prefix>.<index>.weight` tensors with one common prefix,
 * sorted numerically by index, each with its `.bias`. Throws ConversionError when there are none, or
 * several prefixes (list them in the arch "layers" field then).
 * @example
 * discoverLayers(weights); // [{ weight: 'net.0.weight', bias: 'net.0.bias' }, { weight: 'net.2.weight', ... }]
 */
export function discoverLayers(weights: WeightsFile): LayerRef[] {
  const groups = new Map<string, Array<{ index: number; name: string }>>();
  for (const [name, t] of weights.tensors) {
    const m = /^(?:(.*)\.)?(\d+)\.weight$/.exec(name);
    if (!m || t.shape.length !== 2) continue;
    const prefix = m[1] ?? '';
    const g = groups.get(prefix) ?? [];
    g.push({ index: Number(m[2]), name });
    groups.set(prefix, g);
  }
  if (groups.size === 0) {
    throw new ConversionError(
      weights.source,
      `no Linear layers found: expected 2-D tensors named <prefix>.<index>.weight (as nn.Sequential saves them); the file has ${listNames([...weights.tensors.keys()])}. List the layers in the architecture description's "layers" field`,
    );
  }
  if (groups.size > 1) {
    throw new ConversionError(
      weights.source,
      `Linear layers under several prefixes (${[...groups.keys()].map((p) => JSON.stringify(p)).join(', ')}): cannot tell which form the network. List them in the architecture description's "layers" field`,
    );
  }
  const [[prefix, g]] = [...groups.entries()] as [[string, Array<{ index: number; name: string }>]];
  return g.sort((a, b) => a.index - b.index).map(({ index }) => {
    const stem = prefix === '' ? `${index}` : `${prefix}.${index}`;
    return { weight: `${stem}.weight`, bias: `${stem}.bias` };
  });
}

function tensor(weights: WeightsFile, name: string, role: string): WeightTensor {
  const t = weights.tensors.get(name);
  if (!t) throw new ConversionError(weights.source, `missing tensor "${name}" (${role}); the file has ${listNames([...weights.tensors.keys()])}`);
  return t;
}

/**
 * Read the layers named by `refs` and check their shapes: weight [out, in] with `in` equal to the
 * previous layer's `out` (the first: inputDim of the feature config), bias [out], the last `out`
 * equal to the number of labels, all values finite.
 * @example
 * const layers = readLayers(weights, discoverLayers(weights), arch);
 */
export function readLayers(weights: WeightsFile, refs: readonly LayerRef[], arch: Pick<ArchDescription, 'featureConfig' | 'labels'>): DenseLayer[] {
  const src = weights.source;
  const fc = arch.featureConfig;
  let want = inputDim(fc);
  return refs.map((ref, i) => {
    const role = `layer ${i} ${i === 0 ? 'input' : 'hidden'}`;
    const w = tensor(weights, ref.weight, `weight of layer ${i}`);
    const b = tensor(weights, ref.bias, `bias of layer ${i}`);
    const last = i === refs.length - 1;
    if (w.shape.length !== 2) throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (weight of layer ${i}) must be 2-D [out, in], got [${w.shape.join(', ')}]`);
    const [out, inn] = w.shape as [number, number];
    if (inn !== want) {
      const why = i === 0
        ? `inputDim of the feature config: numCeps ${fc.numCeps} x (deltaOrder ${fc.deltaOrder} + 1) = ${baseDim(fc)}, x (contextLeft ${fc.contextLeft} + 1 + contextRight ${fc.contextRight})`
        : `the output width of layer ${i - 1} ("${refs[i - 1]!.weight}")`;
      throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (${role}) is [${out}, ${inn}]; expected [${out}, ${want}]: its input width must be ${want}, ${why}`);
    }
    if (last && out !== arch.labels.length) {
      throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (output layer) is [${out}, ${inn}]; expected [${arch.labels.length}, ${inn}]: one output per label (${arch.labels.length} labels)`);
    }
    if (b.shape.length !== 1 || b.shape[0] !== out) throw new ConversionError(src, `shape mismatch: tensor "${ref.bias}" (bias of layer ${i}) is [${b.shape.join(', ')}]; expected [${out}]`);
    const weight = w.toFloat32();
    const bias = b.toFloat32();
    for (const [name, a] of [[ref.weight, weight], [ref.bias, bias]] as const) {
      const bad = a.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) throw new ConversionError(src, `tensor "${name}" holds a non-finite value (${a[bad]}) at flat index ${bad}; the training diverged or the file is corrupt`);
    }
    want = out;
    return { weight, bias, outDim: out, inDim: inn };
  });
}

function finiteValues(src: string, pairs: ReadonlyArray<readonly [string, Float32Array]>): void {
  for (const [name, a] of pairs) {
    const bad = a.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) throw new ConversionError(src, `tensor "${name}" holds a non-finite value (${a[bad]}) at flat index ${bad}; the training diverged or the file is corrupt`);
  }
}

/**
 * Read a TDNN's convolutions and output layer and check their shapes: conv weight [out, in, 3] with `in`
 * equal to the previous layer's `out` (the first: baseDim of the feature config), bias [out]; output
 * weight [labels, last out], bias [labels]; all values finite.
 * @example
 * const { convs, output } = readTdnnLayers(weights, arch); // arch.kind === 'tdnn'
 */
export function readTdnnLayers(weights: WeightsFile, arch: TdnnArchDescription): { convs: ConvLayer[]; output: DenseLayer } {
  const src = weights.source;
  const fc = arch.featureConfig;
  let want = baseDim(fc);
  const convs = arch.layers.map((ref, i) => {
    const w = tensor(weights, ref.weight, `weight of convolution ${i}`);
    const b = tensor(weights, ref.bias, `bias of convolution ${i}`);
    if (w.shape.length !== 3) throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (weight of convolution ${i}) must be 3-D [out, in, kernel] as nn.Conv1d stores it, got [${w.shape.join(', ')}]`);
    const [out, inn, k] = w.shape as [number, number, number];
    if (k !== arch.kernel) throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (convolution ${i}) is [${w.shape.join(', ')}]; its kernel width ${k} is not the architecture's kernel ${arch.kernel}`);
    if (inn !== want) {
      const why = i === 0
        ? `baseDim of the feature config: numCeps ${fc.numCeps} x (deltaOrder ${fc.deltaOrder} + 1)`
        : `the output channels of convolution ${i - 1} ("${arch.layers[i - 1]!.weight}")`;
      throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (convolution ${i}) is [${out}, ${inn}, ${k}]; expected [${out}, ${want}, ${k}]: its input channels must be ${want}, ${why}`);
    }
    if (b.shape.length !== 1 || b.shape[0] !== out) throw new ConversionError(src, `shape mismatch: tensor "${ref.bias}" (bias of convolution ${i}) is [${b.shape.join(', ')}]; expected [${out}]`);
    const weight = w.toFloat32();
    const bias = b.toFloat32();
    finiteValues(src, [[ref.weight, weight], [ref.bias, bias]]);
    want = out;
    return { weight, bias, outDim: out, inDim: inn, kernel: k, dilation: ref.dilation, ...(ref.stride !== undefined ? { stride: ref.stride } : {}) };
  });
  const ref = arch.outputLayer;
  const w = tensor(weights, ref.weight, 'weight of the output layer');
  const b = tensor(weights, ref.bias, 'bias of the output layer');
  const labels = arch.labels.length;
  if (w.shape.length !== 2 || w.shape[0] !== labels || w.shape[1] !== want) {
    throw new ConversionError(src, `shape mismatch: tensor "${ref.weight}" (output layer) is [${w.shape.join(', ')}]; expected [${labels}, ${want}]: one output per label (${labels} labels) over the last convolution's ${want} channels`);
  }
  if (b.shape.length !== 1 || b.shape[0] !== labels) throw new ConversionError(src, `shape mismatch: tensor "${ref.bias}" (bias of the output layer) is [${b.shape.join(', ')}]; expected [${labels}]`);
  const output = { weight: w.toFloat32(), bias: b.toFloat32(), outDim: labels, inDim: want };
  finiteValues(src, [[ref.weight, output.weight], [ref.bias, output.bias]]);
  return { convs, output };
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p;

async function buildTdnnFromWeights(weights: WeightsFile, arch: TdnnArchDescription, opts: BuildOptions, provenance: Provenance): Promise<BuiltModel> {
  const weightStorage = opts.weightStorage ?? 'float32';
  const tdnn = readTdnnLayers(weights, arch);
  let bytes: Uint8Array;
  try {
    bytes = await buildTdnnModel({
      ...tdnn,
      activation: arch.activation,
      alpha: arch.alpha,
      weightStorage,
      metadata: { featureConfig: arch.featureConfig, output: arch.output, labels: arch.labels, provenance },
    });
  } catch (e) {
    throw new ConversionError(opts.archSource ?? weights.source, `could not write the model: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return {
    bytes,
    layers: [],
    tdnn,
    layerRefs: [...arch.layers.map((l) => ({ weight: l.weight, bias: l.bias })), arch.outputLayer],
    network: tdnnNetworkSummary(tdnn.convs, tdnn.output, arch.activation, arch.alpha, weightStorage),
    contentHash: await computeContentHash(bytes, '<built model>'),
  };
}

/**
 * Build an earshot model from parsed weights and a validated architecture description.
 * @example
 * const built = await buildModelFromWeights(parseWeights(bytes, 'w.safetensors'), parseArch(json, 'arch.json'));
 * console.log(built.network.parameters, built.contentHash);
 */
export async function buildModelFromWeights(weights: WeightsFile, arch: ArchDescription, opts: BuildOptions = {}): Promise<BuiltModel> {
  const provenance: Provenance = {
    ...(arch.provenance ?? {}),
    ...(opts.provenance ?? {}),
    producer: `earshot convert ${VERSION}`,
    source: baseName(weights.source),
    sourceFormat: weights.format,
  };
  if (arch.kind === 'tdnn') return buildTdnnFromWeights(weights, arch, opts, provenance);
  const layerRefs = arch.layers ?? discoverLayers(weights);
  const layers = readLayers(weights, layerRefs, arch);
  const network = mlpNetworkSummary(layers, arch.activation, arch.alpha, opts.weightStorage ?? 'float32');
  let bytes: Uint8Array;
  try {
    bytes = await buildMlpModel({
      layers,
      activation: arch.activation,
      alpha: arch.alpha,
      weightStorage: opts.weightStorage ?? 'float32',
      metadata: { featureConfig: arch.featureConfig, output: arch.output, labels: arch.labels, provenance },
    });
  } catch (e) {
    throw new ConversionError(opts.archSource ?? weights.source, `could not write the model: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  return { bytes, layers, layerRefs, network, contentHash: await computeContentHash(bytes, '<built model>') };
}
