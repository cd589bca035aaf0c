/**
 * Reading the layers back out of an earshot MLP or TDNN model (the graph convention of onnx-writer.ts), so a
 * model can be re-encoded (`earshot quantize`) without the original weights file. Decodes the whole
 * ModelProto with onnx-proto. Platform-neutral: no I/O, no runtime.
 */
import onnxProto from 'onnx-proto';
import { ModelError } from '../../core/errors.js';
import { decodeFloats } from '../../core/dtype.js';
import type { ModelMetadata } from '../metadata.js';
import { readModelInfo } from '../onnx-reader.js';
import type { ConvLayer, DenseLayer } from './layers.js';
import { convChannelPad } from './onnx-writer.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const HINT = 'only models written by `earshot convert` (an MLP of MatMul/Add layers or a TDNN of Conv layers) can be re-encoded';

type Tensor = onnxProto.onnx.ITensorProto;

const dimsOf = (t: Tensor): number[] => (t.dims ?? []).map((d) => Number(d));

/** The raw bytes of a tensor; `float32` tensors may also carry float_data. */
function rawBytes(t: Tensor, source: string, bytesPer: number, count: number): Uint8Array {
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * bytesPer) throw new ModelError(source, `initializer "${t.name}" holds ${raw.length} bytes, expected ${count} x ${bytesPer}`, HINT);
    return raw;
  }
  if (bytesPer === 4 && t.dataType === T.FLOAT && t.floatData && t.floatData.length === count) {
    return new Uint8Array(Float32Array.from(t.floatData).buffer);
  }
  throw new ModelError(source, `initializer "${t.name}" keeps no raw_data of ${count} values`, HINT);
}

/** [rows, cols] values from little-endian bytes, decoded by `get`, transposed to [cols, rows]. */
function transposed(values: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c]!;
  return out;
}

/** Initializers by name, checked for type and shape. */
function initializers(bytes: Uint8Array, source: string): (name: string, type: number, shape: number[]) => Tensor {
  const model = onnx.ModelProto.decode(bytes);
  const inits = new Map<string, Tensor>();
  for (const t of model.graph?.initializer ?? []) inits.set(t.name ?? '', t);
  return (name, type, shape) => {
    const t = inits.get(name);
    if (!t) throw new ModelError(source, `initializer "${name}" is missing`, HINT);
    if (t.dataType !== type) throw new ModelError(source, `initializer "${name}" has data type ${t.dataType}, expected ${type} (${onnx.TensorProto.DataType[type]})`, HINT);
    const d = dimsOf(t);
    if (d.length !== shape.length || d.some((v, k) => v !== shape[k])) throw new ModelError(source, `initializer "${name}" has shape [${d.join(', ')}], expected [${shape.join(', ')}]`, HINT);
    return t;
  };
}

/** Check the graph's op counts against what earshot writes for this network. */
function checkOps(info: ReturnType<typeof readModelInfo>, want: Record<string, number>, what: string, source: string): void {
  const got = info.opCounts;
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
  if (keys.some((k) => (want[k] ?? 0) !== (got[k] ?? 0))) {
    const fmt = (c: Record<string, number>): string => keys.filter((k) => c[k]).map((k) => `${k} x${c[k]}`).join(', ');
    throw new ModelError(source, `the graph has ${fmt(got)}; ${what} has ${fmt(want)}`, HINT);
  }
}

/**
 * One stored weight decoded to float32 in its stored layout: `name` (float32), `name_f16` (float16) or
 * `name_q` + `name_scale` (int8, one scale per output channel along `channelAxis` of `shape`).
 */
function decodeWeight(init: ReturnType<typeof initializers>, name: string, shape: number[], storage: ModelMetadata['network']['weightStorage'], channelAxis: 0 | 1, source: string): Float32Array {
  const count = shape.reduce((a, b) => a * b, 1);
  if (storage === 'float16') return decodeFloats(rawBytes(init(`${name}_f16`, T.FLOAT16, shape), source, 2, count), 'F16', 0, count);
  if (storage === 'int8') {
    const channels = shape[channelAxis]!;
    const qb = rawBytes(init(`${name}_q`, T.INT8, shape), source, 1, count);
    const q = new Int8Array(qb.buffer, qb.byteOffset, count);
    const scale = decodeFloats(rawBytes(init(`${name}_scale`, T.FLOAT, [channels]), source, 4, channels), 'F32', 0, channels);
    const per = count / channels;
    return channelAxis === 0 ? Float32Array.from(q, (v, k) => v * scale[Math.floor(k / per)]!) : Float32Array.from(q, (v, k) => v * scale[k % channels]!);
  }
  return decodeFloats(rawBytes(init(name, T.FLOAT, shape), source, 4, count), 'F32', 0, count);
}

const activationOp = (a: string): string => (a === 'lrelu' ? 'LeakyRelu' : a === 'relu' ? 'Relu' : 'Tanh');
const decodeOp = (s: string): string | undefined => (s === 'float16' ? 'Cast' : s === 'int8' ? 'DequantizeLinear' : undefined);

/**
 * The layers of an earshot MLP model in PyTorch layout (weight [out, in]), with the weights as the model
 * computes with them: float32 as stored, float16 widened, int8 dequantized (float32(q * scale)).
 * `metadata` is the model's validated metadata (describeModel). Throws ModelError when the graph does not
 * follow earshot's MLP convention (op counts, initializer names, types or shapes).
 * @example
 * const { metadata } = await describeModel(bytes, 'm.onnx');
 * const layers = readMlpLayers(bytes, 'm.onnx', metadata); // layers[0].weight: Float32Array [out x in]
 */
export function readMlpLayers(bytes: Uint8Array, source: string, metadata: ModelMetadata): DenseLayer[] {
  const net = metadata.network;
  if (net.kind !== 'mlp') throw new ModelError(source, `network.kind is "${net.kind}", expected "mlp"`, HINT);
  const dims = [net.inputDim, ...net.hidden, net.outputDim];
  const n = dims.length - 1;
  const decode = decodeOp(net.weightStorage);
  checkOps(readModelInfo(bytes, source), { MatMul: n, Add: n, LogSoftmax: 1, ...(n > 1 ? { [activationOp(net.activation)]: n - 1 } : {}), ...(decode ? { [decode]: n } : {}) }, `an earshot MLP of ${n} layers`, source);
  const init = initializers(bytes, source);
  const layers: DenseLayer[] = [];
  for (let i = 0; i < n; i++) {
    const inDim = dims[i]!;
    const outDim = dims[i + 1]!;
    const weight = transposed(decodeWeight(init, `layer${i}.weight`, [inDim, outDim], net.weightStorage, 1, source), inDim, outDim);
    const bias = decodeFloats(rawBytes(init(`layer${i}.bias`, T.FLOAT, [outDim]), source, 4, outDim), 'F32', 0, outDim);
    layers.push({ weight, bias, outDim, inDim });
  }
  return layers;
}

/**
 * The convolutions ([out, in, 3], with dilations and strides from the metadata) and output layer ([labels, H]) of
 * an earshot TDNN model, in PyTorch layout, with the weights as the model computes with them (see readMlpLayers).
 * @example
 * const { convs, output } = readTdnnModelLayers(bytes, 'm.onnx', metadata); // metadata.network.kind === 'tdnn'
 */
export function readTdnnModelLayers(bytes: Uint8Array, source: string, metadata: ModelMetadata): { convs: ConvLayer[]; output: DenseLayer } {
  const net = metadata.network;
  if (net.kind !== 'tdnn') throw new ModelError(source, `network.kind is "${net.kind}", expected "tdnn"`, HINT);
  const n = net.hidden.length;
  const decode = decodeOp(net.weightStorage);
  const info = readModelInfo(bytes, source);
  let inDim = net.inputDim / (2 * metadata.featureConfig.contextLeft + 1);
  // Each convolution whose input channels get zero-padded has a Pad for its input and one for its weight;
  // files written before that padding have none and compute the same.
  const pads = 2 * [inDim, ...net.hidden.slice(0, -1)].filter((c) => convChannelPad(c) > 0).length;
  checkOps(info, {
    Conv: n, [activationOp(net.activation)]: n, Reshape: 3, Slice: (net.strides?.[0] ?? 1) === 1 ? 3 : 2, Concat: 1, Transpose: 2, MatMul: 1, Add: 1, LogSoftmax: 1,
    ...(decode ? { [decode]: n + 1 } : {}), ...(pads > 0 && (info.opCounts.Pad ?? 0) > 0 ? { Pad: pads } : {}),
  }, `an earshot TDNN of ${n} convolutions`, source);
  const init = initializers(bytes, source);
  const kernel = net.kernel ?? 3;
  const convs = net.hidden.map((outDim, i): ConvLayer => {
    const weight = decodeWeight(init, `conv${i}.weight`, [outDim, inDim, kernel], net.weightStorage, 0, source);
    const bias = decodeFloats(rawBytes(init(`conv${i}.bias`, T.FLOAT, [outDim]), source, 4, outDim), 'F32', 0, outDim);
    const stride = net.strides?.[i] ?? 1;
    const conv: ConvLayer = { weight, bias, outDim, inDim, kernel, dilation: net.dilations?.[i] ?? 1, ...(stride !== 1 ? { stride } : {}) };
    inDim = outDim;
    return conv;
  });
  const h = inDim;
  const weight = transposed(decodeWeight(init, 'output.weight', [h, net.outputDim], net.weightStorage, 1, source), h, net.outputDim);
  const bias = decodeFloats(rawBytes(init('output.bias', T.FLOAT, [net.outputDim]), source, 4, net.outputDim), 'F32', 0, net.outputDim);
  return { convs, output: { weight, bias, outDim: net.outputDim, inDim: h } };
}
