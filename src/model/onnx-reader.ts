/**
 * A cheap reader of ONNX model files. It walks the top-level ModelProto fields with a protobufjs
 * Reader and never decodes initializer payloads: a 100 MB model is described by skipping over its
 * weights. onnxruntime's JS API cannot read custom `metadata_props`, so this is how earshot reads them.
 *
 * Field numbers follow onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto,
 * TensorShapeProto, TensorProto, StringStringEntryProto, OperatorSetIdProto).
 */
import protobuf from 'protobufjs/minimal.js';
import { ModelError } from '../core/errors.js';

type Reader = protobuf.Reader;

/** ONNX TensorProto.DataType names by number (the ones a model is likely to use). */
const ELEM_TYPE_NAMES: Record<number, string> = {
  0: 'undefined', 1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string',
  9: 'bool', 10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
};

/**
 * ONNX element type number of float32 tensors.
 * @example
 * if (info.inputs[0]?.elemType !== ONNX_FLOAT) throw new Error('float32 input expected');
 */
export const ONNX_FLOAT = 1;

/**
 * A graph input or output as declared in the model.
 * @example
 * const v: ValueInfo = readModelInfo(bytes, 'm.onnx').inputs[0]!; // { name: 'features', elemTypeName: 'float32', dims: ['batch', 'time', 429] }
 */
export interface ValueInfo {
  name: string;
  /** ONNX TensorProto.DataType number (1 = float32); 0 when the value is not a tensor or has no type. */
  elemType: number;
  /** Readable name of `elemType`, e.g. "float32". */
  elemTypeName: string;
  /**
   * Declared dimensions: a number for a fixed size, a string for a symbolic one ("batch"), "?" for an
   * unnamed unknown one. `null` when the model declares no shape at all (rank unknown).
   */
  dims: Array<number | string> | null;
}

/**
 * One entry of ModelProto.opset_import.
 * @example
 * const onnxOpset = info.opsetImports.find((o: OpsetImport) => o.domain === '')?.version;
 */
export interface OpsetImport {
  /** "" is the default ONNX domain (ai.onnx). */
  domain: string;
  version: number;
}

/**
 * What an ONNX file contains, read without decoding the weights.
 * @example
 * const info: ModelInfo = readModelInfo(bytes, 'm.onnx'); console.log(info.opCounts, info.initializerBytes);
 */
export interface ModelInfo {
  /** The file name (or "<bytes>") used in error messages. */
  source: string;
  /** Size of the serialized model, bytes. */
  byteLength: number;
  irVersion: number;
  opsetImports: OpsetImport[];
  /** Version of the default ONNX domain ("" / "ai.onnx"); 0 when it is not imported. */
  opset: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  /** Graph inputs that are not initializers. */
  inputs: ValueInfo[];
  outputs: ValueInfo[];
  /** Number of nodes of each op type, e.g. { MatMul: 3, Add: 3, LeakyRelu: 2, LogSoftmax: 1 }. */
  opCounts: Record<string, number>;
  nodeCount: number;
  initializerCount: number;
  /** Total serialized size of the initializers (TensorProto messages), bytes. */
  initializerBytes: number;
  /** Initializers whose data lives in another file (data_location = EXTERNAL). */
  externalInitializers: number;
  /** Number of initializers of each element type, by readable name, e.g. { float32: 6, float16: 3 }. */
  initializerTypes: Record<string, number>;
  /** ModelProto.metadata_props as a key -> value map, in file order. */
  metadataProps: Record<string, string>;
}

/**
 * A top-level metadata_props entry with the byte range of its whole field (tag, length and payload).
 * @example
 * const s: MetadataEntrySpan | undefined = metadataEntrySpans(bytes, 'm.onnx').find((e) => e.key === 'earshot.labels');
 */
export interface MetadataEntrySpan {
  key: string;
  value: string;
  /** Offset of the field's tag in the model bytes. */
  start: number;
  /** Offset just past the field's payload. */
  end: number;
}

const utf8 = new TextDecoder('utf-8');

class NotOnnx extends Error {}

const toNumber = (v: number | protobuf.Long): number => (typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(false));

/** Iterate over the fields of the message between reader.pos and `end`, calling `on` for each. */
function walk(r: Reader, end: number, on: (field: number, wire: number, tagStart: number) => boolean): void {
  while (r.pos < end) {
    const tagStart = r.pos;
    const tag = r.uint32();
    const field = tag >>> 3;
    const wire = tag & 7;
    if (field === 0) throw new NotOnnx(`field number 0 at byte ${r.pos}`);
    if (wire === 4 || wire > 5) throw new NotOnnx(`invalid protobuf wire type ${wire} at byte ${r.pos}`);
    if (!on(field, wire, tagStart)) r.skipType(wire);
  }
  if (r.pos !== end) throw new NotOnnx(`a message overruns its declared length at byte ${end}`);
}

/** Read a length-delimited field and return [start, end] of its payload, advancing past it. */
function sub(r: Reader, wire: number, what: string): [number, number] {
  if (wire !== 2) throw new NotOnnx(`${what} has wire type ${wire}, expected a length-delimited message`);
  const len = r.uint32();
  const start = r.pos;
  if (start + len > r.len) throw new NotOnnx(`${what} declares ${len} bytes but only ${r.len - start} remain (truncated)`);
  r.pos = start + len;
  return [start, start + len];
}

const str = (r: Reader, wire: number, what: string): string => {
  const [a, b] = sub(r, wire, what);
  return utf8.decode(r.buf.subarray(a, b));
};

const varint = (r: Reader, wire: number, what: string): number => {
  if (wire !== 0) throw new NotOnnx(`${what} has wire type ${wire}, expected a varint`);
  return toNumber(r.int64());
};

function readDims(r: Reader, end: number): Array<number | string> {
  const dims: Array<number | string> = [];
  walk(r, end, (f, w) => {
    if (f !== 1) return false;
    const dEnd = enter(r, w, 'TensorShapeProto.dim');
    let dim: number | string = '?';
    walk(r, dEnd, (df, dw) => {
      if (df === 1) dim = varint(r, dw, 'dim_value');
      else if (df === 2) dim = str(r, dw, 'dim_param');
      else return false;
      return true;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}

/** Enter a length-delimited field: returns its end and leaves reader.pos at its payload start. */
function enter(r: Reader, wire: number, what: string): number {
  const [a, b] = sub(r, wire, what);
  r.pos = a;
  return b;
}

function readValueInfo(r: Reader, end: number): ValueInfo {
  const v: ValueInfo = { name: '', elemType: 0, elemTypeName: ELEM_TYPE_NAMES[0] ?? 'undefined', dims: null };
  walk(r, end, (f, w) => {
    if (f === 1) v.name = str(r, w, 'ValueInfoProto.name');
    else if (f === 2) {
      const tEnd = enter(r, w, 'ValueInfoProto.type');
      walk(r, tEnd, (tf, tw) => {
        if (tf !== 1) return false; // only tensor_type
        const ttEnd = enter(r, tw, 'TypeProto.tensor_type');
        walk(r, ttEnd, (xf, xw) => {
          if (xf === 1) {
            v.elemType = varint(r, xw, 'elem_type');
            v.elemTypeName = ELEM_TYPE_NAMES[v.elemType] ?? `type ${v.elemType}`;
          } else if (xf === 2) v.dims = readDims(r, enter(r, xw, 'TypeProto.Tensor.shape'));
          else return false;
          return true;
        });
        return true;
      });
    } else return false;
    return true;
  });
  return v;
}

interface Walked {
  info: Omit<ModelInfo, 'source' | 'metadataProps'>;
  metadata: MetadataEntrySpan[];
  /** Byte range of the graph field's payload (the GraphProto); [0, 0] when there is none. */
  graph: [number, number];
  hasGraph: boolean;
  hasIrVersion: boolean;
}

function walkModel(bytes: Uint8Array): Walked {
  const r = protobuf.Reader.create(bytes);
  const info: Walked['info'] = {
    byteLength: bytes.length, irVersion: 0, opsetImports: [], opset: 0, producerName: '', producerVersion: '', graphName: '',
    inputs: [], outputs: [], opCounts: {}, nodeCount: 0, initializerCount: 0, initializerBytes: 0, externalInitializers: 0,
    initializerTypes: {},
  };
  const metadata: MetadataEntrySpan[] = [];
  let hasGraph = false;
  let graph: [number, number] = [0, 0];
  let hasIrVersion = false;
  const graphInputs: ValueInfo[] = [];
  const initNames = new Set<string>();
  walk(r, bytes.length, (field, wire, fieldStart) => {
    switch (field) {
      case 1: info.irVersion = varint(r, wire, 'ir_version'); hasIrVersion = true; return true;
      case 2: info.producerName = str(r, wire, 'producer_name'); return true;
      case 3: info.producerVersion = str(r, wire, 'producer_version'); return true;
      case 8: {
        const end = enter(r, wire, 'opset_import');
        const o: OpsetImport = { domain: '', version: 0 };
        walk(r, end, (f, w) => {
          if (f === 1) o.domain = str(r, w, 'opset_import.domain');
          else if (f === 2) o.version = varint(r, w, 'opset_import.version');
          else return false;
          return true;
        });
        info.opsetImports.push(o);
        return true;
      }
      case 7: {
        hasGraph = true;
        const gEnd = enter(r, wire, 'graph');
        graph = [r.pos, gEnd];
        walk(r, gEnd, (gf, gw) => {
          if (gf === 1) {
            const nEnd = enter(r, gw, 'graph.node');
            let op = '';
            let domain = '';
            walk(r, nEnd, (nf, nw) => {
              if (nf === 4) op = str(r, nw, 'NodeProto.op_type');
              else if (nf === 7) domain = str(r, nw, 'NodeProto.domain');
              else return false;
              return true;
            });
            const key = domain && domain !== 'ai.onnx' ? `${domain}.${op}` : op;
            info.opCounts[key] = (info.opCounts[key] ?? 0) + 1;
            info.nodeCount++;
          } else if (gf === 2) info.graphName = str(r, gw, 'graph.name');
          else if (gf === 5) {
            const iEnd = enter(r, gw, 'graph.initializer');
            info.initializerCount++;
            info.initializerBytes += iEnd - r.pos;
            let elemType = 0;
            walk(r, iEnd, (tf, tw) => {
              if (tf === 2) elemType = varint(r, tw, 'TensorProto.data_type');
              else if (tf === 8) initNames.add(str(r, tw, 'TensorProto.name'));
              else if (tf === 14) { if (varint(r, tw, 'TensorProto.data_location') === 1) info.externalInitializers++; }
              else return false;
              return true;
            });
            const typeName = ELEM_TYPE_NAMES[elemType] ?? `type ${elemType}`;
            info.initializerTypes[typeName] = (info.initializerTypes[typeName] ?? 0) + 1;
          } else if (gf === 11) graphInputs.push(readValueInfo(r, enter(r, gw, 'graph.input')));
          else if (gf === 12) info.outputs.push(readValueInfo(r, enter(r, gw, 'graph.output')));
          else return false;
          return true;
        });
        return true;
      }
      case 14: {
        const end = enter(r, wire, 'metadata_props');
        let key: string | undefined;
        let value = '';
        walk(r, end, (f, w) => {
          if (f === 1) key = str(r, w, 'metadata_props.key');
          else if (f === 2) value = str(r, w, 'metadata_props.value');
          else return false;
          return true;
        });
        if (key === undefined) throw new NotOnnx(`a metadata_props entry has no key (byte ${fieldStart})`);
        metadata.push({ key, value, start: fieldStart, end });
        return true;
      }
      default:
        return false;
    }
  });
  info.inputs = graphInputs.filter((v) => !initNames.has(v.name));
  info.opset = info.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
  return { info, metadata, graph, hasGraph, hasIrVersion };
}

/** A guess at what non-ONNX bytes are, for the error message. */
function sniff(b: Uint8Array): string {
  const ascii = (n: number): string => String.fromCharCode(...b.subarray(0, n));
  if (b.length >= 12 && ascii(4) === 'RIFF') return 'it looks like a RIFF/WAV audio file';
  if (ascii(4) === 'fLaC') return 'it looks like a FLAC audio file';
  if (ascii(4) === 'OggS') return 'it looks like an Ogg audio file';
  if (ascii(3) === 'ID3') return 'it looks like an MP3 audio file';
  if (b[0] === 0x50 && b[1] === 0x4b) return 'it looks like a zip archive (a .npz weights file?): convert weights with `earshot convert`';
  if (b[0] === 0x93 && ascii(6).slice(1) === 'NUMPY') return 'it looks like a NumPy .npy file: convert weights with `earshot convert`';
  if (b.length >= 9) {
    const n = b[0]! + b[1]! * 256 + b[2]! * 65536 + b[3]! * 16777216;
    if (b[4] === 0 && b[5] === 0 && b[6] === 0 && b[7] === 0 && n > 1 && b[8] === 0x7b) return 'it looks like a safetensors weights file: convert it first with `earshot convert`';
  }
  const head = b.subarray(0, Math.min(b.length, 256));
  if (head.length > 0 && head.every((c) => c === 9 || c === 10 || c === 13 || (c >= 32 && c < 127))) return 'it looks like a text file';
  return 'expected an ONNX ModelProto (.onnx file)';
}

function fail(bytes: Uint8Array, source: string, detail: string, cause?: unknown): never {
  throw new ModelError(source, `not an ONNX model: ${detail}`, sniff(bytes), cause === undefined ? undefined : { cause });
}

function walkOrFail(bytes: Uint8Array, source: string): Walked {
  if (!(bytes instanceof Uint8Array)) throw new ModelError(source, `not an ONNX model: expected the file's bytes as a Uint8Array, got ${typeof bytes}`);
  if (bytes.length === 0) throw new ModelError(source, 'not an ONNX model: the file is empty (0 bytes)', 'pass an .onnx file written by `earshot convert`');
  let w: Walked;
  try {
    w = walkModel(bytes);
  } catch (e) {
    const msg = e instanceof NotOnnx ? e.message : e instanceof RangeError || e instanceof Error ? `the protobuf is malformed or truncated (${e.message})` : String(e);
    fail(bytes, source, msg, e);
  }
  if (!w.hasIrVersion || w.info.irVersion < 1) fail(bytes, source, 'no ir_version field');
  if (!w.hasGraph) fail(bytes, source, 'no graph field');
  if (w.info.opsetImports.length === 0) fail(bytes, source, 'no opset_import field');
  return w;
}

/**
 * Describe an ONNX model without decoding its weights: metadata_props, declared inputs/outputs
 * (with symbolic dims), IR and opset versions, producer, op-type counts and initializer sizes.
 * Throws ModelError "not an ONNX model: ..." for bytes that are not a ModelProto (a WAV, a text file,
 * an empty or truncated file).
 * @example
 * const info = readModelInfo(bytes, 'model.onnx');
 * console.log(info.inputs[0]?.dims, info.metadataProps['earshot.labels']);
 */
export function readModelInfo(bytes: Uint8Array, source: string): ModelInfo {
  const w = walkOrFail(bytes, source);
  const metadataProps: Record<string, string> = {};
  for (const m of w.metadata) {
    if (Object.prototype.hasOwnProperty.call(metadataProps, m.key)) {
      throw new ModelError(source, `metadata key "${m.key}" appears more than once`, 'the file was edited by hand or corrupted; convert the weights again with `earshot convert`');
    }
    metadataProps[m.key] = m.value;
  }
  return { source, ...w.info, metadataProps };
}

/**
 * The top-level metadata_props entries of a model with the byte range each occupies, in file order.
 * Used by the content hash, which is defined over the bytes with the hash entry cut out.
 * @example
 * const spans = metadataEntrySpans(bytes, 'model.onnx');
 * const hashEntry = spans.find((s) => s.key === 'earshot.content_hash');
 */
export function metadataEntrySpans(bytes: Uint8Array, source: string): MetadataEntrySpan[] {
  return walkOrFail(bytes, source).metadata;
}

/**
 * The serialized GraphProto of a model (nodes, initializers, inputs and outputs: everything the model computes,
 * none of its metadata), as a view into `bytes`. Throws ModelError like readModelInfo for bytes that are not ONNX.
 * @example
 * const g = graphBytes(bytes, 'model.onnx'); // g.length < bytes.length
 */
export function graphBytes(bytes: Uint8Array, source: string): Uint8Array {
  const [start, end] = walkOrFail(bytes, source).graph;
  return bytes.subarray(start, end);
}
