/**
 * Reading the layers back out of an earshot MLP model (the graph convention of onnx-writer.ts), so a
 * model can be re-encoded (`earshot quantize`) without the original weights file. Decodes the whole
 * ModelProto with onnx-proto. Platform-neutral: no I/O, no runtime.
 */
import onnxProto from 'onnx-proto';
import { ModelError } from '../core/errors.js';
import { decodeFloats } from '../convert/tensors.js';
import type { ModelMetadata } from './metadata.js';
import { readModelInfo } from './onnx-reader.js';
import type { DenseLayer } from './onnx-writer.js';

const { onnx } = onnxProto;
const T = onnx.TensorProto.DataType;
const HINT = 'only models written by `earshot convert` (an MLP of MatMul/Add layers) can be re-encoded';

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
  const info = readModelInfo(bytes, source);
  const act = net.activation === 'lrelu' ? 'LeakyRelu' : net.activation === 'relu' ? 'Relu' : 'Tanh';
  const decode = net.weightStorage === 'float16' ? 'Cast' : net.weightStorage === 'int8' ? 'DequantizeLinear' : undefined;
  const want: Record<string, number> = { MatMul: n, Add: n, LogSoftmax: 1, ...(n > 1 ? { [act]: n - 1 } : {}), ...(decode ? { [decode]: n } : {}) };
  const got = info.opCounts;
  const keys = [...new Set([...Object.keys(want), ...Object.keys(got)])].sort();
  if (keys.some((k) => (want[k] ?? 0) !== (got[k] ?? 0))) {
    const fmt = (c: Record<string, number>): string => keys.filter((k) => c[k]).map((k) => `${k} x${c[k]}`).join(', ');
    throw new ModelError(source, `the graph has ${fmt(got)}; an earshot MLP of ${n} layers has ${fmt(want)}`, HINT);
  }
  const model = onnx.ModelProto.decode(bytes);
  const inits = new Map<string, Tensor>();
  for (const t of model.graph?.initializer ?? []) inits.set(t.name ?? '', t);
  const init = (name: string, type: number, shape: number[]): Tensor => {
    const t = inits.get(name);
    if (!t) throw new ModelError(source, `initializer "${name}" is missing`, HINT);
    if (t.dataType !== type) throw new ModelError(source, `initializer "${name}" has data type ${t.dataType}, expected ${type} (${onnx.TensorProto.DataType[type]})`, HINT);
    const d = dimsOf(t);
    if (d.length !== shape.length || d.some((v, k) => v !== shape[k])) throw new ModelError(source, `initializer "${name}" has shape [${d.join(', ')}], expected [${shape.join(', ')}]`, HINT);
    return t;
  };
  const layers: DenseLayer[] = [];
  for (let i = 0; i < n; i++) {
    const inDim = dims[i]!;
    const outDim = dims[i + 1]!;
    const w = `layer${i}.weight`;
    let weight: Float32Array;
    const count = inDim * outDim;
    if (net.weightStorage === 'float16') {
      weight = transposed(decodeFloats(rawBytes(init(`${w}_f16`, T.FLOAT16, [inDim, outDim]), source, 2, count), 'F16', 0, count), inDim, outDim);
    } else if (net.weightStorage === 'int8') {
      const qb = rawBytes(init(`${w}_q`, T.INT8, [inDim, outDim]), source, 1, count);
      const q = new Int8Array(qb.buffer, qb.byteOffset, count);
      const scale = decodeFloats(rawBytes(init(`${w}_scale`, T.FLOAT, [outDim]), source, 4, outDim), 'F32', 0, outDim);
      weight = transposed(Float32Array.from(q, (v, k) => v * scale[k % outDim]!), inDim, outDim);
    } else {
      weight = transposed(decodeFloats(rawBytes(init(w, T.FLOAT, [inDim, outDim]), source, 4, count), 'F32', 0, count), inDim, outDim);
    }
    const bias = decodeFloats(rawBytes(init(`layer${i}.bias`, T.FLOAT, [outDim]), source, 4, outDim), 'F32', 0, outDim);
    layers.push({ weight, bias, outDim, inDim });
  }
  return layers;
}
