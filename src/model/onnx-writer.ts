/**
 * Writes earshot MLP acoustic models as ONNX (onnx-proto), deterministically: the same spec gives
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
 * Metadata values are canonical JSON (object keys sorted) so key order in the inputs does not matter;
 * the content hash is appended last (see hash.ts).
 */
import onnxProto from 'onnx-proto';
import { UsageError } from '../core/errors.js';
import { inputDim } from '../features/config.js';
import { VERSION } from '../version.js';
import { FORMAT_VERSION, MetadataKeys, type Activation, type ModelMetadata, type NetworkSummary, type WeightStorage } from './metadata.js';
import { WEIGHT_STORAGES, float16Bits, quantizeInt8PerChannel } from './weight-storage.js';
import { embedContentHash } from './hash.js';
import { readModelInfo } from './onnx-reader.js';
import { checkModelAgainstGraph, parseMetadata } from './validate.js';

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
 * One fully connected layer, stored as PyTorch stores nn.Linear: weight [outDim, inDim] row-major.
 * @example
 * const layer: DenseLayer = { weight: new Float32Array(5 * 36), bias: new Float32Array(5), outDim: 5, inDim: 36 };
 */
export interface DenseLayer {
  /** outDim x inDim values, row-major (row o holds the weights into output unit o). */
  weight: Float32Array;
  /** outDim values. */
  bias: Float32Array;
  outDim: number;
  inDim: number;
}

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

/** Half-precision bits as little-endian bytes; names the layer and the weight when one is out of range. */
function f16le(values: Float32Array, what: string, outDim: number): Uint8Array {
  const out = new Uint8Array(values.length * 2);
  const dv = new DataView(out.buffer);
  for (let k = 0; k < values.length; k++) {
    const v = values[k]!;
    if (!Number.isFinite(v) || Math.abs(v) >= 65520) {
      throw new UsageError(`buildMlpModel: ${what} [${k % outDim}, ${Math.floor(k / outDim)}] is ${v}, which float16 cannot hold (largest 65504); store the weights as float32 or int8`);
    }
    dv.setUint16(k * 2, float16Bits(v), true);
  }
  return out;
}

/** The initializers and decode node of one layer's weight, stored as `storage`; the node outputs `name`. */
function weightTensors(l: DenseLayer, i: number, name: string, storage: WeightStorage): { inits: onnxProto.onnx.ITensorProto[]; nodes: onnxProto.onnx.INodeProto[] } {
  const T = onnx.TensorProto.DataType;
  const dims = [l.inDim, l.outDim];
  if (storage === 'float32') {
    return { inits: [{ name, dataType: T.FLOAT, dims, rawData: f32le(transpose(l.weight, l.outDim, l.inDim, (n) => new Float32Array(n))) }], nodes: [] };
  }
  if (storage === 'float16') {
    const stored = `${name}_f16`;
    return {
      inits: [{ name: stored, dataType: T.FLOAT16, dims, rawData: f16le(transpose(l.weight, l.outDim, l.inDim, (n) => new Float32Array(n)), `spec.layers[${i}].weight`, l.outDim) }],
      nodes: [{ name: `layer${i}/Cast`, opType: 'Cast', input: [stored], output: [name], attribute: [{ name: 'to', type: onnx.AttributeProto.AttributeType.INT, i: T.FLOAT }] }],
    };
  }
  const bad = l.weight.findIndex((v) => !Number.isFinite(v));
  if (bad >= 0) throw new UsageError(`buildMlpModel: spec.layers[${i}].weight [${Math.floor(bad / l.inDim)}, ${bad % l.inDim}] is ${l.weight[bad]}; int8 quantization needs finite weights`);
  const { q, scale } = quantizeInt8PerChannel(l.weight, l.outDim, l.inDim);
  const qt = transpose(q, l.outDim, l.inDim, (n) => new Int8Array(n));
  return {
    inits: [
      { name: `${name}_q`, dataType: T.INT8, dims, rawData: new Uint8Array(qt.buffer, qt.byteOffset, qt.byteLength) },
      { name: `${name}_scale`, dataType: T.FLOAT, dims: [l.outDim], rawData: f32le(scale) },
    ],
    nodes: [{
      name: `layer${i}/DequantizeLinear`, opType: 'DequantizeLinear', input: [`${name}_q`, `${name}_scale`], output: [name],
      attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 1 }],
    }],
  };
}

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
  if (!['lrelu', 'relu', 'tanh'].includes(spec.activation)) throw new UsageError(`buildMlpModel: activation must be "lrelu", "relu" or "tanh", got ${JSON.stringify(spec.activation)}`);
  if (spec.activation === 'lrelu' && !(typeof spec.alpha === 'number' && Number.isFinite(spec.alpha) && spec.alpha >= 0 && spec.alpha < 1)) {
    throw new UsageError(`buildMlpModel: alpha must be a number in [0, 1) for lrelu, got ${String(spec.alpha)}`);
  }
  const storage = spec.weightStorage ?? 'float32';
  if (!WEIGHT_STORAGES.includes(storage)) throw new UsageError(`buildMlpModel: weightStorage must be one of ${WEIGHT_STORAGES.join(', ')}, got ${JSON.stringify(storage)}`);
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
    const stored = weightTensors(l, i, w, storage);
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
    } else if (spec.activation === 'lrelu') {
      nodes.push({
        name: `layer${i}/LeakyRelu`, opType: 'LeakyRelu', input: [x], output: [`layer${i}.act`],
        attribute: [{ name: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT, f: spec.alpha }],
      });
      x = `layer${i}.act`;
    } else {
      const op = spec.activation === 'relu' ? 'Relu' : 'Tanh';
      nodes.push({ name: `layer${i}/${op}`, opType: op, input: [x], output: [`layer${i}.act`] });
      x = `layer${i}.act`;
    }
  });
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
      name: 'earshot_mlp',
      node: nodes,
      initializer: inits,
      input: [tensorType(INPUT_NAME, network.inputDim)],
      output: [tensorType(OUTPUT_NAME, network.outputDim)],
    },
    metadataProps: props.map(([key, value]) => ({ key, value })),
  };
  const body = onnx.ModelProto.encode(model).finish();
  const bytes = await embedContentHash(body, '<buildMlpModel>');
  const info = readModelInfo(bytes, '<buildMlpModel>');
  checkModelAgainstGraph(info, parseMetadata(info.metadataProps, '<buildMlpModel>'), '<buildMlpModel>');
  return bytes;
}
