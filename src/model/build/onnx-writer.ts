/**
 * Writes earshot MLP and TDNN acoustic models as ONNX (onnx-proto), deterministically: the same spec gives
 * byte-identical files.
 *
 * Graph convention (opset 17, IR version 8):
 * - input  `features`  float32 [batch, time, inputDim] ("batch" and "time" are symbolic dims)
 * - per layer i: `MatMul(x, layer{i}.weight)` with the weight stored transposed as an [in, out]
 *   initializer, then `Add(layer{i}.bias)`; hidden layers then apply `LeakyRelu` (alpha written
 *   explicitly), `Relu` or `Tanh`
 * - weight storage (metadata `network.weightStorage`; encodings in weight-storage.ts): `float32` stores
 *   `layer{i}.weight` itself. `float16` stores `layer{i}.weight_f16` (FLOAT16 [in, out]) and computes
 *   `layer{i}.weight = Cast(to=FLOAT)` of it. `int8` stores `layer{i}.weight_q` (INT8 [in, out]) and
 *   `layer{i}.weight_scale` (FLOAT [out], one per output unit) and computes
 *   `layer{i}.weight = DequantizeLinear(axis=1)` of them (no zero point: symmetric). Either way the
 *   MatMul runs in float32 on the decoded weights, so a float16 or int8 model computes exactly what a
 *   float32 model of the decoded weights does; ONNX Runtime folds the Cast at load time. Biases are FLOAT.
 * - output `logprobs` float32 [batch, time, outputDim] = `LogSoftmax(axis=-1)` of the last layer.
 * MatMul + Add rather than Gemm, because Gemm only takes 2-D input.
 *
 * TDNN models (`buildTdnnModel`, network.kind "tdnn") take the same input: each row is the clamped
 * window of W = 2 Rf + 1 base frames (Rf = contextLeft = contextRight = tdnnReceptiveField: the dilations, each
 * scaled by the earlier strides) around an output frame, spliced frame-major, and the rows are consecutive output
 * frames, as spliceFrames writes them (row t+1 is row t shifted by s = subsampling base frames; rows that are not
 * give undefined results). The graph rebuilds the clamped base-frame stream the rows cover (row 0, then the last s
 * frames of each later row: `Reshape [B, N, W, D]`, two `Slice`s, `Reshape`s, `Concat`), `Transpose`s it to
 * [B, D, W + (N-1) s] and applies each layer once over the whole stream: `Conv(x, conv{i}.weight [out, in, 3],
 * conv{i}.bias)` (valid: pads 0, dilation d_i, stride s_i: s_0 = subsampling for an early-subsampling TDNN, else 1)
 * and the activation, leaving [B, H, N] (a TDNN without early subsampling keeps every s-th position, `Slice` steps
 * s); then `Transpose` to [B, N, H], `MatMul(output.weight [H, labels])`, `Add(output.bias)` and `LogSoftmax`. Output
 * frame t equals the per-window computation on row t alone (the reference check), at the cost of one MLP-like pass
 * per output frame instead of one per window position. Weights are stored as for an
 * MLP: `conv{i}.weight` itself (float32), or `conv{i}.weight_f16` [out, in, 3] + Cast, or `conv{i}.weight_q`
 * [out, in, 3] + `conv{i}.weight_scale` [out] + `DequantizeLinear(axis=0)`; the output layer as an MLP layer.
 * Metadata values are canonical JSON (object keys sorted) so key order in the inputs does not matter;
 * the content hash is appended last (see hash.ts).
 */
import onnxProto from 'onnx-proto';
import { UsageError } from '../../core/errors.js';
import { inputDim } from '../../features/config.js';
import { VERSION } from '../../version.js';
import { FORMAT_VERSION, MetadataKeys, WEIGHT_STORAGES, tdnnReceptiveField, tdnnStrideAllowed, type Activation, type ModelMetadata, type NetworkSummary, type WeightStorage } from '../metadata.js';
import { float16Bits, quantizeInt8PerChannel } from './weight-storage.js';
import type { ConvLayer, DenseLayer } from './layers.js';
import { embedContentHash } from '../hash.js';
import { readModelInfo } from '../onnx-reader.js';
import { checkModelAgainstGraph, parseMetadata } from '../validate.js';

const { onnx } = onnxProto;

/**
 * ONNX IR version written: 8, the version the ONNX spec pairs with opset 17 (ORT 1.30 loads it; checked).
 * @example
 * readModelInfo(bytes, 'm.onnx').irVersion === IR_VERSION; // true for models earshot writes
 */
export const IR_VERSION = 8;
/**
 * Default-domain opset written.
 * @example
 * readModelInfo(bytes, 'm.onnx').opset === OPSET; // 17
 */
export const OPSET = 17;
/**
 * Name of the graph input.
 * @example
 * await session.run({ [INPUT_NAME]: new ort.Tensor('float32', feats, [1, frames, dim]) });
 */
export const INPUT_NAME = 'features';
/**
 * Name of the graph output.
 * @example
 * const logp = (await session.run(feeds))[OUTPUT_NAME];
 */
export const OUTPUT_NAME = 'logprobs';


/**
 * Everything `buildMlpModel` needs.
 * @example
 * const spec: MlpModelSpec = { layers, activation: 'lrelu', alpha: 0.01, metadata: { featureConfig, output: { type: 'ctc', blankId: 0 }, labels, provenance: { producer: 'me' } } };
 */
export interface MlpModelSpec {
  layers: DenseLayer[];
  activation: Activation;
  /** Leaky-ReLU negative slope; ignored (stored as 0) for relu and tanh. */
  alpha: number;
  /** How to store the layer weights. Default 'float32'. */
  weightStorage?: WeightStorage;
  /**
   * The model's metadata except the content hash, which is computed. `network` may be left out:
   * it is computed from the layers; if given it must agree with them. `formatVersion` defaults to "1".
   */
  metadata: Omit<ModelMetadata, 'contentHash' | 'network' | 'formatVersion'> & { network?: NetworkSummary; formatVersion?: string };
}

/**
 * The NetworkSummary of an MLP.
 * @example
 * const net = mlpNetworkSummary(layers, 'lrelu', 0.01); // { kind: 'mlp', inputDim: 429, hidden: [512, 512], ..., weightStorage: 'float32' }
 */
export function mlpNetworkSummary(layers: readonly DenseLayer[], activation: Activation, alpha: number, weightStorage: WeightStorage = 'float32'): NetworkSummary {
  const first = layers[0];
  const last = layers[layers.length - 1];
  if (!first || !last) throw new UsageError('an MLP needs at least one layer');
  return {
    kind: 'mlp',
    inputDim: first.inDim,
    hidden: layers.slice(0, -1).map((l) => l.outDim),
    outputDim: last.outDim,
    activation,
    alpha: activation === 'lrelu' ? alpha : 0,
    parameters: layers.reduce((n, l) => n + l.outDim * l.inDim + l.outDim, 0),
    weightStorage,
  };
}

/**
 * JSON with object keys sorted at every level, no whitespace: the same value always gives the same text.
 * @example
 * canonicalJson({ b: 1, a: [2, { d: 3, c: 4 }] }); // '{"a":[2,{"c":4,"d":3}],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
    const o = v as Record<string, unknown>;
    return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
  });
}

/** Float32 values as little-endian bytes (ONNX raw_data is always little-endian). */
function f32le(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) dv.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** [out, in] row-major -> [in, out] row-major. */
function transpose<T extends Float32Array | Int8Array>(a: T, outDim: number, inDim: number, make: (n: number) => T): T {
  const t = make(a.length);
  for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) t[i * outDim + o] = a[o * inDim + i]!;
  return t;
}

/** Half-precision bits as little-endian bytes (the caller has checked the range). */
function f16le(values: Float32Array): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < values.length; k++) dv.setUint16(k * 2, float16Bits(values[k]!), true);
  return out;
}

/**
 * How one weight is laid out in the graph: "dense" = PyTorch [out, in] stored transposed as [in, out] for MatMul
 * (int8 scales along axis 1); "conv" = nn.Conv1d [out, in, kernel] stored as it is for Conv (scales along axis 0).
 */
interface WeightLayout {
  kind: 'dense' | 'conv';
  outDim: number;
  /** Values per output channel: in (dense) or in x kernel (conv). */
  rowLen: number;
  /** The stored tensor's dims. */
  dims: number[];
}

/**
 * The initializers and decode node of one weight (PyTorch layout: `outDim` rows of `rowLen`), stored as `storage`;
 * the graph sees float32 under `name` either way. `what` names the weight in errors, e.g. "buildMlpModel: spec.layers[1].weight".
 */
function weightTensors(w: Float32Array, layout: WeightLayout, name: string, node: string, storage: WeightStorage, what: string): { inits: onnxProto.onnx.ITensorProto[]; nodes: onnxProto.onnx.INodeProto[] } {
  const T = onnx.TensorProto.DataType;
  const { outDim, rowLen, dims } = layout;
  const dense = layout.kind === 'dense';
  const at = (k: number): string => `${what} [${Math.floor(k / rowLen)}, ${k % rowLen}]`;
  const stored = (values: Float32Array): Float32Array => (dense ? transpose(values, outDim, rowLen, (n) => new Float32Array(n)) : values);
  if (storage === 'float32') return { inits: [{ name, dataType: T.FLOAT, dims, rawData: f32le(stored(w)) }], nodes: [] };
  if (storage === 'float16') {
    const bad = w.findIndex((v) => !Number.isFinite(v) || Math.abs(v) >= 65520);
    if (bad >= 0) throw new UsageError(`${at(bad)} is ${w[bad]}, which float16 cannot hold (largest 65504); store the weights as float32 or int8`);
    return {
      inits: [{ name: `${name}_f16`, dataType: T.FLOAT16, dims, rawData: f16le(stored(w)) }],
      nodes: [{ name: `${node}/Cast`, opType: 'Cast', input: [`${name}_f16`], output: [name], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }] }],
    };
  }
  const bad = w.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new UsageError(`${at(bad)} is ${w[bad]}; int8 quantization needs finite weights`);
  const { q, scale } = quantizeInt8PerChannel(w, outDim, rowLen);
  const qt = dense ? transpose(q, outDim, rowLen, (n) => new Int8Array(n)) : q;
  return {
    inits: [
      { name: `${name}_q`, dataType: T.INT8, dims, rawData: new Uint8Array(qt.buffer, qt.byteOffset, qt.byteLength) },
      { name: `${name}_scale`, dataType: T.FLOAT, dims: [outDim], rawData: f32le(scale) },
    ],
    nodes: [{
      name: `${node}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${name}_q`, `${name}_scale`], output: [name],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: dense ? 1 : 0 }],
    }],
  };
}

/** weightTensors for an affine layer (MatMul on [in, out]). */
const denseWeight = (l: DenseLayer, name: string, node: string, storage: WeightStorage, what: string) =>
  weightTensors(l.weight, { kind: 'dense', outDim: l.outDim, rowLen: l.inDim, dims: [l.inDim, l.outDim] }, name, node, storage, what);

function checkLayers(layers: readonly DenseLayer[]): void {
  if (layers.length === 0) throw new UsageError('buildMlpModel: spec.layers is empty; an MLP needs at least one layer');
  layers.forEach((l, i) => {
    const at = `buildMlpModel: spec.layers[${i}]`;
    if (!Number.isInteger(l.outDim) || l.outDim < 1 || !Number.isInteger(l.inDim) || l.inDim < 1) throw new UsageError(`${at}: outDim and inDim must be positive integers, got ${l.outDim} and ${l.inDim}`);
    if (!(l.weight instanceof Float32Array) || l.weight.length !== l.outDim * l.inDim) throw new UsageError(`${at}.weight: expected a Float32Array of ${l.outDim} x ${l.inDim} = ${l.outDim * l.inDim} values, got ${l.weight?.length}`);
    if (!(l.bias instanceof Float32Array) || l.bias.length !== l.outDim) throw new UsageError(`${at}.bias: expected a Float32Array of ${l.outDim} values, got ${l.bias?.length}`);
    const prev = layers[i - 1];
    if (prev && prev.outDim !== l.inDim) throw new UsageError(`${at}: inDim ${l.inDim} does not match the previous layer's outDim ${prev.outDim}`);
  });
}

/**
 * Serialize an MLP acoustic model as ONNX with its metadata and content hash, its weights stored as
 * `spec.weightStorage` (float32 by default; float16 or int8 for a smaller file). The result is checked
 * by reading it back (metadata parsed and compared with the graph) before it is returned.
 * Async because the content hash uses WebCrypto.
 * @example
 * const bytes = await buildMlpModel({
 *   layers: [{ weight, bias, outDim: 5, inDim: 36 }], activation: 'lrelu', alpha: 0.01,
 *   metadata: { featureConfig, output: { type: 'ctc', blankId: 0 }, labels, provenance: { producer: 'me' } },
 * });
 */
export async function buildMlpModel(spec: MlpModelSpec): Promise<Uint8Array> {
  checkLayers(spec.layers);
  checkActivation(spec.activation, spec.alpha, 'buildMlpModel');
  const storage = checkedStorage(spec.weightStorage, 'buildMlpModel');
  const network = mlpNetworkSummary(spec.layers, spec.activation, spec.alpha, storage);
  if (spec.metadata.network && canonicalJson(spec.metadata.network) !== canonicalJson(network)) {
    throw new UsageError(`buildMlpModel: metadata.network ${canonicalJson(spec.metadata.network)} disagrees with the layers ${canonicalJson(network)}; leave it out to have it computed`);
  }
  const m = spec.metadata;
  const inDim = network.inputDim;
  if (inDim !== inputDim(m.featureConfig)) {
    throw new UsageError(`buildMlpModel: the first layer takes ${inDim} inputs but inputDim(featureConfig) is ${inputDim(m.featureConfig)}`);
  }

  const nodes: onnxProto.onnx.INodeProto[] = [];
  const inits: onnxProto.onnx.ITensorProto[] = [];
  let x = INPUT_NAME;
  spec.layers.forEach((l, i) => {
    const last = i === spec.layers.length - 1;
    const w = `layer${i}.weight`;
    const b = `layer${i}.bias`;
    const stored = denseWeight(l, w, `layer${i}`, storage, `buildMlpModel: spec.layers[${i}].weight`);
    inits.push(...stored.inits);
    inits.push({ name: b, dataType: onnx.TensorProto.DataType.FLOAT, dims: [l.outDim], rawData: f32le(l.bias) });
    nodes.push(...stored.nodes);
    nodes.push({ name: `layer${i}/MatMul`, opType: 'MatMul', input: [x, w], output: [`layer${i}.matmul`] });
    nodes.push({ name: `layer${i}/Add`, opType: 'Add', input: [`layer${i}.matmul`, b], output: [`layer${i}.linear`] });
    x = `layer${i}.linear`;
    if (last) {
      nodes.push({
        name: 'output/LogSoftmax', opType: 'LogSoftmax', input: [x], output: [OUTPUT_NAME],
        attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: -1 }],
      });
    } else {
      nodes.push(activationNode(`layer${i}`, x, spec.activation, spec.alpha));
      x = `layer${i}.act`;
    }
  });
  return serializeModel('earshot_mlp', nodes, inits, network, m, '<buildMlpModel>');
}

/**
 * Zero input channels a TDNN convolution of `inDim` channels gets in the graph: up to a multiple of 4 (why: buildTdnnModel). Readers expect the Pad nodes this implies.
 * @example
 * convChannelPad(39); // 1
 */
export function convChannelPad(inDim: number): number {
  return (4 - (inDim % 4)) % 4;
}

/** The spec's activation and (for leaky ReLU) its alpha, as the writers accept them. */
function checkActivation(activation: Activation, alpha: number, where: string): void {
  if (!['lrelu', 'relu', 'tanh'].includes(activation)) throw new UsageError(`${where}: activation must be "lrelu", "relu" or "tanh", got ${JSON.stringify(activation)}`);
  if (activation === 'lrelu' && !(typeof alpha === 'number' && Number.isFinite(alpha) && alpha >= 0 && alpha < 1)) {
    throw new UsageError(`${where}: alpha must be a number in [0, 1) for lrelu, got ${String(alpha)}`);
  }
}

/** The spec's weight storage (float32 when absent), checked. */
function checkedStorage(storage: WeightStorage | undefined, where: string): WeightStorage {
  const s = storage ?? 'float32';
  if (!WEIGHT_STORAGES.includes(s)) throw new UsageError(`${where}: weightStorage must be one of ${WEIGHT_STORAGES.join(', ')}, got ${JSON.stringify(s)}`);
  return s;
}

/** The hidden-layer activation node `<layer>/<Op>`: `input` -> `<layer>.act` (alpha only for leaky ReLU). */
function activationNode(layer: string, input: string, activation: Activation, alpha: number): onnxProto.onnx.INodeProto {
  const op = activation === 'lrelu' ? 'LeakyRelu' : activation === 'relu' ? 'Relu' : 'Tanh';
  return {
    name: `${layer}/${op}`, opType: op, input: [input], output: [`${layer}.act`],
    ...(activation === 'lrelu' ? { attribute: [{ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: alpha }] } : {}),
  };
}

type SpecMetadata = MlpModelSpec['metadata'];

/** The ModelProto around a graph, with metadata and content hash, checked by reading it back. */
async function serializeModel(
  graphName: string,
  nodes: onnxProto.onnx.INodeProto[],
  inits: onnxProto.onnx.ITensorProto[],
  network: NetworkSummary,
  m: SpecMetadata,
  source: string,
): Promise<Uint8Array> {
  const tensorType = (name: string, last: number): onnxProto.onnx.IValueInfoProto => ({
    name,
    type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'time' }, { dimValue: last }] } } },
  });
  const props: Array<[string, string]> = [
    [MetadataKeys.formatVersion, m.formatVersion ?? FORMAT_VERSION],
    [MetadataKeys.featureConfig, canonicalJson(m.featureConfig)],
    [MetadataKeys.output, canonicalJson(m.output)],
    [MetadataKeys.labels, canonicalJson(m.labels)],
    [MetadataKeys.network, canonicalJson(network)],
    [MetadataKeys.provenance, canonicalJson(m.provenance)],
  ];
  const model: onnxProto.onnx.IModelProto = {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: OPSET }],
    producerName: 'earshot',
    producerVersion: VERSION,
    graph: {
      name: graphName,
      node: nodes,
      initializer: inits,
      input: [tensorType(INPUT_NAME, network.inputDim)],
      output: [tensorType(OUTPUT_NAME, network.outputDim)],
    },
    metadataProps: props.map(([key, value]) => ({ key, value })),
  };
  const body = onnx.ModelProto.encode(model).finish();
  const bytes = await embedContentHash(body, source);
  const info = readModelInfo(bytes, source);
  checkModelAgainstGraph(info, parseMetadata(info.metadataProps, source), source);
  return bytes;
}


/**
 * Everything `buildTdnnModel` needs. The weights are stored as `weightStorage` (float32 by default).
 * @example
 * const spec: TdnnModelSpec = { convs, output, activation: 'lrelu', alpha: 0.01, metadata: { featureConfig, output: { type: 'ctc', blankId: 0 }, labels, provenance: { producer: 'me' } } };
 */
export interface TdnnModelSpec {
  /** The convolutions, input to output; `convs[0].inDim` = baseDim(featureConfig). */
  convs: ConvLayer[];
  /** The affine output layer: [labels, last hidden width]. */
  output: DenseLayer;
  activation: Activation;
  /** Leaky-ReLU negative slope; ignored (stored as 0) for relu and tanh. */
  alpha: number;
  /** As MlpModelSpec.metadata; contextLeft and contextRight must equal the receptive field. */
  metadata: SpecMetadata;
  /** How the convolution and output weights are stored (default float32); biases stay float32. */
  weightStorage?: WeightStorage;
}

/**
 * The NetworkSummary of a TDNN (inputDim is the spliced window: baseDim x (2 Rf + 1)).
 * @example
 * const net = tdnnNetworkSummary(convs, output, 'lrelu', 0.01); // { kind: 'tdnn', hidden: [16, 16, 16], dilations: [1, 2, 3], kernel: 3, ... }
 */
export function tdnnNetworkSummary(convs: readonly ConvLayer[], output: DenseLayer, activation: Activation, alpha: number, weightStorage: WeightStorage = 'float32'): NetworkSummary {
  const first = convs[0];
  if (!first) throw new UsageError('a TDNN needs at least one convolution');
  return {
    kind: 'tdnn',
    inputDim: first.inDim * (2 * tdnnReceptiveField(convs) + 1),
    hidden: convs.map((c) => c.outDim),
    outputDim: output.outDim,
    activation,
    alpha: activation === 'lrelu' ? alpha : 0,
    parameters: convs.reduce((n, c) => n + c.outDim * c.inDim * c.kernel + c.outDim, 0) + output.outDim * output.inDim + output.outDim,
    weightStorage,
    dilations: convs.map((c) => c.dilation),
    ...(convs.some((c) => (c.stride ?? 1) !== 1) ? { strides: convs.map((c) => c.stride ?? 1) } : {}),
    kernel: first.kernel,
  };
}

/** Little-endian int64 bytes. */
function i64le(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 8);
  const dv = new DataView(out.buffer);
  values.forEach((v, i) => dv.setBigInt64(i * 8, BigInt(v), true));
  return out;
}

/**
 * Serialize a TDNN acoustic model as ONNX in the window form (see the file comment), with metadata and
 * content hash; deterministic, weights stored as `spec.weightStorage` (float32 by default), checked by reading it back.
 * @example
 * const bytes = await buildTdnnModel({
 *   convs: [{ weight, bias, outDim: 16, inDim: 39, kernel: 3, dilation: 1 }], output: { weight: w2, bias: b2, outDim: 29, inDim: 16 },
 *   activation: 'lrelu', alpha: 0.01, metadata: { featureConfig, output: { type: 'ctc', blankId: 0 }, labels, provenance: { producer: 'me' } },
 * });
 */
export async function buildTdnnModel(spec: TdnnModelSpec): Promise<Uint8Array> {
  const { convs, output } = spec;
  if (convs.length === 0) throw new UsageError('buildTdnnModel: spec.convs is empty; a TDNN needs at least one convolution');
  convs.forEach((c, i) => {
    const at = `buildTdnnModel: spec.convs[${i}]`;
    if (![c.outDim, c.inDim, c.dilation].every((v) => Number.isInteger(v) && v >= 1)) throw new UsageError(`${at}: outDim, inDim and dilation must be positive integers, got ${c.outDim}, ${c.inDim}, ${c.dilation}`);
    if (c.kernel !== 3) throw new UsageError(`${at}: kernel must be 3, got ${c.kernel}`);
    const stride = c.stride ?? 1;
    if (!Number.isInteger(stride) || stride < 1) throw new UsageError(`${at}: stride must be a positive integer, got ${c.stride}`);
    if (!tdnnStrideAllowed(i, stride, spec.metadata.featureConfig.subsampling)) {
      throw new UsageError(`${at}: stride ${stride}: only the first convolution may stride, and by the feature config's subsampling (${spec.metadata.featureConfig.subsampling})`);
    }
    if (!(c.weight instanceof Float32Array) || c.weight.length !== c.outDim * c.inDim * c.kernel) throw new UsageError(`${at}.weight: expected a Float32Array of ${c.outDim} x ${c.inDim} x ${c.kernel} values, got ${c.weight?.length}`);
    if (!(c.bias instanceof Float32Array) || c.bias.length !== c.outDim) throw new UsageError(`${at}.bias: expected a Float32Array of ${c.outDim} values, got ${c.bias?.length}`);
    const prev = convs[i - 1];
    if (prev && prev.outDim !== c.inDim) throw new UsageError(`${at}: inDim ${c.inDim} does not match the previous layer's outDim ${prev.outDim}`);
  });
  if (!(output.weight instanceof Float32Array) || output.weight.length !== output.outDim * output.inDim || !(output.bias instanceof Float32Array) || output.bias.length !== output.outDim) {
    throw new UsageError(`buildTdnnModel: spec.output: expected a Float32Array weight of ${output.outDim} x ${output.inDim} values and a bias of ${output.outDim}, got ${output.weight?.length} and ${output.bias?.length}`);
  }
  const hiddenOut = convs[convs.length - 1]!.outDim;
  if (output.inDim !== hiddenOut) throw new UsageError(`buildTdnnModel: spec.output.inDim ${output.inDim} does not match the last convolution's outDim ${hiddenOut}`);
  checkActivation(spec.activation, spec.alpha, 'buildTdnnModel');
  const m = spec.metadata;
  const storage = checkedStorage(spec.weightStorage, 'buildTdnnModel');
  const network = tdnnNetworkSummary(convs, output, spec.activation, spec.alpha, storage);
  if (m.network && canonicalJson(m.network) !== canonicalJson(network)) {
    throw new UsageError(`buildTdnnModel: metadata.network ${canonicalJson(m.network)} disagrees with the layers ${canonicalJson(network)}; leave it out to have it computed`);
  }
  const rf = tdnnReceptiveField(convs);
  const fc = m.featureConfig;
  if (fc.contextLeft !== rf || fc.contextRight !== rf) {
    throw new UsageError(`buildTdnnModel: featureConfig context is -${fc.contextLeft}/+${fc.contextRight} but the convolutions see ${rf} frames each side (dilations scaled by earlier strides); set contextLeft = contextRight = ${rf}`);
  }
  if (network.inputDim !== inputDim(fc)) throw new UsageError(`buildTdnnModel: the window takes ${network.inputDim} inputs but inputDim(featureConfig) is ${inputDim(fc)}`);

  const T = onnx.TensorProto.DataType;
  const A = onnx.AttributeProto.AttributeType;
  const span = 2 * rf + 1;
  const d = convs[0]!.inDim;
  const s = fc.subsampling;
  const END = Number.MAX_SAFE_INTEGER; // Slice clamps ends to the dimension
  const ints = (name: string, values: number[]): onnxProto.onnx.ITensorProto => ({ name, dataType: T.INT64, dims: [values.length], rawData: i64le(values) });
  const nodes: onnxProto.onnx.INodeProto[] = [];
  // The rows are consecutive windows (row t+1 = row t shifted by s base frames), so the clamped base-frame stream
  // they cover is window 0 followed by the last s frames of every later window: rebuild it, then convolve it once.
  const inits: onnxProto.onnx.ITensorProto[] = [
    ints('stream.windows_shape', [0, -1, span, d]),
    ints('stream.frames_shape', [0, -1, d]),
    ints('stream.first_starts', [0]), ints('stream.first_ends', [1]), ints('stream.first_axes', [1]),
    ints('stream.rest_starts', [1, span - s]), ints('stream.rest_ends', [END, span]), ints('stream.rest_axes', [1, 2]),
  ];
  nodes.push({ name: 'stream/Reshape', opType: 'Reshape', input: [INPUT_NAME, 'stream.windows_shape'], output: ['stream.windows'] });
  nodes.push({ name: 'stream/SliceFirst', opType: 'Slice', input: ['stream.windows', 'stream.first_starts', 'stream.first_ends', 'stream.first_axes'], output: ['stream.first4'] });
  nodes.push({ name: 'stream/ReshapeFirst', opType: 'Reshape', input: ['stream.first4', 'stream.frames_shape'], output: ['stream.first'] });
  nodes.push({ name: 'stream/SliceRest', opType: 'Slice', input: ['stream.windows', 'stream.rest_starts', 'stream.rest_ends', 'stream.rest_axes'], output: ['stream.rest4'] });
  nodes.push({ name: 'stream/ReshapeRest', opType: 'Reshape', input: ['stream.rest4', 'stream.frames_shape'], output: ['stream.rest'] });
  nodes.push({ name: 'stream/Concat', opType: 'Concat', input: ['stream.first', 'stream.rest'], output: ['stream.frames'], attribute: [{ name: 'axis', type: A.INT, i: 1 }] });
  nodes.push({ name: 'stream/Transpose', opType: 'Transpose', input: ['stream.frames'], output: ['stream.channels'], attribute: [{ name: 'perm', type: A.INTS, ints: [0, 2, 1] }] });
  let x = 'stream.channels';
  convs.forEach((c, i) => {
    const w = weightTensors(c.weight, { kind: 'conv', outDim: c.outDim, rowLen: c.inDim * c.kernel, dims: [c.outDim, c.inDim, c.kernel] }, `conv${i}.weight`, `conv${i}`, storage, `buildTdnnModel: spec.convs[${i}].weight`);
    inits.push(...w.inits);
    nodes.push(...w.nodes);
    inits.push({ name: `conv${i}.bias`, dataType: T.FLOAT, dims: [c.outDim], rawData: f32le(c.bias) });
    let weight = `conv${i}.weight`;
    const pad = convChannelPad(c.inDim);
    if (pad > 0) {
      // onnxruntime-node's webgpu provider (1.30, NVIDIA) computes Conv wrongly for some input-channel counts that are
      // not a multiple of 4 (39 MFCC+delta features among them); zero channels, in the input and the weight alike,
      // leave the result unchanged on every provider. The stored weight keeps its true shape.
      inits.push(ints(`conv${i}.channel_pads`, [0, 0, 0, 0, pad, 0]));
      nodes.push({ name: `conv${i}/PadInput`, opType: 'Pad', input: [x, `conv${i}.channel_pads`], output: [`conv${i}.in_padded`] });
      nodes.push({ name: `conv${i}/PadWeight`, opType: 'Pad', input: [weight, `conv${i}.channel_pads`], output: [`conv${i}.weight_padded`] });
      x = `conv${i}.in_padded`;
      weight = `conv${i}.weight_padded`;
    }
    nodes.push({
      name: `conv${i}/Conv`, opType: 'Conv', input: [x, weight, `conv${i}.bias`], output: [`conv${i}.out`],
      attribute: [
        { name: 'dilations', type: A.INTS, ints: [c.dilation] },
        { name: 'group', type: A.INT, i: 1 },
        { name: 'kernel_shape', type: A.INTS, ints: [c.kernel] },
        { name: 'pads', type: A.INTS, ints: [0, 0] },
        { name: 'strides', type: A.INTS, ints: [c.stride ?? 1] },
      ],
    });
    nodes.push(activationNode(`conv${i}`, `conv${i}.out`, spec.activation, spec.alpha));
    x = `conv${i}.act`;
  });
  if ((convs[0]!.stride ?? 1) === 1) {
    // Every layer ran at the base rate: output frame t is position t x s.
    inits.push(ints('output.sub_starts', [0]), ints('output.sub_ends', [END]), ints('output.sub_axes', [2]), ints('output.sub_steps', [s]));
    nodes.push({ name: 'output/Subsample', opType: 'Slice', input: [x, 'output.sub_starts', 'output.sub_ends', 'output.sub_axes', 'output.sub_steps'], output: ['output.sub'] });
    x = 'output.sub';
  }
  const ow = denseWeight(output, 'output.weight', 'output', storage, 'buildTdnnModel: spec.output.weight');
  inits.push(...ow.inits);
  nodes.push(...ow.nodes);
  inits.push({ name: 'output.bias', dataType: T.FLOAT, dims: [output.outDim], rawData: f32le(output.bias) });
  nodes.push({ name: 'output/Transpose', opType: 'Transpose', input: [x], output: ['output.hidden'], attribute: [{ name: 'perm', type: A.INTS, ints: [0, 2, 1] }] });
  nodes.push({ name: 'output/MatMul', opType: 'MatMul', input: ['output.hidden', 'output.weight'], output: ['output.matmul'] });
  nodes.push({ name: 'output/Add', opType: 'Add', input: ['output.matmul', 'output.bias'], output: ['output.linear'] });
  nodes.push({ name: 'output/LogSoftmax', opType: 'LogSoftmax', input: ['output.linear'], output: [OUTPUT_NAME], attribute: [{ name: 'axis', type: A.INT, i: -1 }] });
  return serializeModel('earshot_tdnn', nodes, inits, network, m, '<buildTdnnModel>');
}
