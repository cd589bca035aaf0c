/**
 * safetensors reader: an 8-byte little-endian u64 header length N, N bytes of JSON
 * `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__"?: {string: string}}`, then the raw
 * little-endian row-major data, offsets relative to the end of the header.
 *
 * Policy (as the reference implementation): the tensors must cover the data section exactly — no
 * overlaps, no gaps, no trailing bytes — so a corrupt or concatenated file is rejected, not half-read.
 * F32, F16, BF16 and F64 tensors are converted to float32; other dtypes are listed but cannot be used
 * as layer weights.
 */
import { ConversionError } from '../core/errors.js';
import { decodeFloats, type FloatDType } from '../core/dtype.js';
import { numel, unsupportedTensor, type WeightTensor, type WeightsFile } from './tensors.js';

/** Bytes per element of every safetensors dtype. */
const DTYPE_SIZE: Record<string, number> = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, I16: 2, U16: 2, F16: 2, BF16: 2, I32: 4, U32: 4, F32: 4, F64: 8, I64: 8, U64: 8,
};
const FLOAT_DTYPES = new Set<string>(['F32', 'F16', 'BF16', 'F64']);

/**
 * Largest header accepted (the reference implementation uses the same limit).
 * @example
 * if (headerLength > MAX_SAFETENSORS_HEADER) throw new Error('not a safetensors file');
 */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

const show = (v: unknown): string => JSON.stringify(v) ?? String(v);

/**
 * Parse a safetensors file. Throws ConversionError naming the problem: a file shorter than 8 bytes, a
 * header length larger than the file or over 100 MB, invalid JSON, a bad entry, data_offsets out of
 * range or overlapping, a byte length that is not prod(shape) x dtype size, gaps or trailing bytes.
 * @example
 * const w = parseSafetensors(bytes, 'model.safetensors');
 * const fc1 = w.tensors.get('net.0.weight')?.toFloat32();
 */
export function parseSafetensors(bytes: Uint8Array, source: string): WeightsFile {
  if (bytes.length < 8) throw new ConversionError(source, `truncated safetensors file: ${bytes.length} bytes, shorter than the 8-byte header length field`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n64 = dv.getBigUint64(0, true);
  if (n64 > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw new ConversionError(source, `safetensors header length ${n64} is larger than the 100 MB limit: not a safetensors file, or corrupt`);
  }
  const n = Number(n64);
  if (8 + n > bytes.length) throw new ConversionError(source, `truncated safetensors file: header length ${n} bytes exceeds the ${bytes.length - 8} bytes after the length field`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    throw new ConversionError(source, `safetensors header is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new ConversionError(source, `safetensors header: expected a JSON object, got ${show(header)}`);
  const dataStart = 8 + n;
  const dataLen = bytes.length - dataStart;
  const tensors = new Map<string, WeightTensor>();
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  let metadata: Record<string, string> = {};
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry) || !Object.values(entry).every((v) => typeof v === 'string')) {
        throw new ConversionError(source, `safetensors "__metadata__": expected an object of strings, got ${show(entry)}`);
      }
      metadata = entry as Record<string, string>;
      continue;
    }
    const at = `safetensors tensor "${name}"`;
    if (typeof entry !== 'object' || entry === null) throw new ConversionError(source, `${at}: expected {dtype, shape, data_offsets}, got ${show(entry)}`);
    const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
    if (typeof dtype !== 'string' || DTYPE_SIZE[dtype] === undefined) {
      throw new ConversionError(source, `${at}: unknown dtype ${show(dtype)}; safetensors dtypes are ${Object.keys(DTYPE_SIZE).join(', ')}`);
    }
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) throw new ConversionError(source, `${at}: shape must be an array of non-negative integers, got ${show(shape)}`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isSafeInteger(o) && (o as number) >= 0) || (offsets[0] as number) > (offsets[1] as number)) {
      throw new ConversionError(source, `${at}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${show(offsets)}`);
    }
    const [begin, end] = offsets as [number, number];
    if (end > dataLen) throw new ConversionError(source, `${at}: data_offsets [${begin}, ${end}] out of range: the data section holds ${dataLen} bytes (file truncated or header corrupt)`);
    const dims = shape as number[];
    const size = DTYPE_SIZE[dtype]!;
    const want = numel(dims) * size;
    if (end - begin !== want) {
      throw new ConversionError(source, `${at}: data_offsets [${begin}, ${end}] span ${end - begin} bytes but shape [${dims.join(', ')}] of ${dtype} needs ${numel(dims)} x ${size} = ${want}`);
    }
    spans.push({ name, begin, end });
    tensors.set(
      name,
      FLOAT_DTYPES.has(dtype)
        ? { name, dtype, shape: dims, toFloat32: () => decodeFloats(bytes, dtype as FloatDType, dataStart + begin, numel(dims)) }
        : unsupportedTensor(source, name, dtype, dims, 'F32, F16, BF16 and F64'),
    );
  }
  const sorted = spans.filter((s) => s.end > s.begin).sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let prev: (typeof sorted)[number] | undefined;
  for (const s of sorted) {
    if (prev && s.begin < prev.end) {
      throw new ConversionError(source, `safetensors tensors "${prev.name}" [${prev.begin}, ${prev.end}] and "${s.name}" [${s.begin}, ${s.end}] overlap: data_offsets must not overlap`);
    }
    if (s.begin > covered) throw new ConversionError(source, `safetensors data bytes [${covered}, ${s.begin}) belong to no tensor: the header and data disagree (corrupt file)`);
    covered = s.end;
    prev = s;
  }
  if (covered !== dataLen) {
    throw new ConversionError(source, `${dataLen - covered} trailing bytes after the last tensor (data section is ${dataLen} bytes, tensors cover ${covered}): the file is corrupt or has data appended`);
  }
  return { format: 'safetensors', source, tensors, metadata };
}

/**
 * Write float32 tensors as a safetensors file (the layout parseSafetensors reads): tensors in name order, data
 * 8-byte aligned after a space-padded header, little-endian F32. Deterministic: the same tensors give the same bytes.
 * @example
 * const bytes = encodeSafetensors([{ name: 'out.bias', shape: [29], data: new Float32Array(29) }], { producer: 'me' });
 */
export function encodeSafetensors(tensors: ReadonlyArray<{ name: string; shape: readonly number[]; data: Float32Array }>, metadata?: Record<string, string>): Uint8Array {
  const sorted = [...tensors].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const t of sorted) {
    if (header[t.name]) throw new ConversionError('<encodeSafetensors>', `tensor name "${t.name}" is given twice`);
    if (numel(t.shape as number[]) !== t.data.length) throw new ConversionError('<encodeSafetensors>', `tensor "${t.name}": shape [${t.shape.join(', ')}] needs ${numel(t.shape as number[])} values, got ${t.data.length}`);
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + 4 * t.data.length] };
    offset += 4 * t.data.length;
  }
  if (metadata) header.__metadata__ = metadata;
  const json = new TextEncoder().encode(JSON.stringify(header));
  const head = new Uint8Array(json.length + ((8 - (json.length % 8)) % 8)).fill(0x20); // space-padded
  head.set(json);
  const out = new Uint8Array(8 + head.length + offset);
  const dv = new DataView(out.buffer);
  dv.setBigUint64(0, BigInt(head.length), true);
  out.set(head, 8);
  let at = 8 + head.length;
  for (const t of sorted) {
    for (let i = 0; i < t.data.length; i++, at += 4) dv.setFloat32(at, t.data[i]!, true);
  }
  return out;
}
