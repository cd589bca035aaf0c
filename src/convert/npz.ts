/**
 * NumPy .npz reader: a zip archive (stored by np.savez, deflated by np.savez_compressed) of .npy
 * arrays, one per name. The .npy format: magic "\x93NUMPY", version byte pair, a little-endian header
 * length (u16 for version 1, u32 for 2 and 3), a Python dict literal header
 * `{'descr': '<f4', 'fortran_order': False, 'shape': (16, 36), }`, then the raw data.
 *
 * Accepted: little-endian float32 ('<f4'), float16 ('<f2') and float64 ('<f8', converted to float32).
 * Rejected with a message: Fortran-order arrays, big-endian arrays, object arrays (pickles) and
 * structured dtypes. Other numeric dtypes are listed but cannot be used as layer weights.
 */
import { unzipSync } from 'fflate';
import { ConversionError } from '../core/errors.js';
import { decodeFloats, type FloatDType } from '../core/dtype.js';
import { numel, unsupportedTensor, type WeightTensor, type WeightsFile } from './tensors.js';

const FLOAT_DESCR: Record<string, FloatDType> = { '<f4': 'F32', '<f2': 'F16', '<f8': 'F64' };

/**
 * Parse one .npy array. `name` is used in errors.
 * @example
 * const t = parseNpy(bytes, 'net.0.weight', 'weights.npz');
 */
export function parseNpy(bytes: Uint8Array, name: string, source: string): WeightTensor {
  const at = `array "${name}"`;
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) throw new ConversionError(source, `${at}: not a .npy array (no \\x93NUMPY magic)`);
  const major = bytes[6]!;
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let hlen: number;
  let hstart: number;
  if (major === 1) {
    hlen = dv.getUint16(8, true);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    if (bytes.length < 12) throw new ConversionError(source, `${at}: truncated .npy header`);
    hlen = dv.getUint32(8, true);
    hstart = 12;
  } else throw new ConversionError(source, `${at}: unsupported .npy format version ${major}.${bytes[7]} (expected 1.0, 2.0 or 3.0)`);
  if (hstart + hlen > bytes.length) throw new ConversionError(source, `${at}: truncated .npy header (declares ${hlen} bytes)`);
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(hstart, hstart + hlen));
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(header)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) {
    if (/'descr'\s*:\s*\[/.test(header)) throw new ConversionError(source, `${at}: structured (record) dtype is not supported; save plain float arrays`);
    throw new ConversionError(source, `${at}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  if (fortran === undefined || shapeText === undefined) throw new ConversionError(source, `${at}: malformed .npy header ${JSON.stringify(header.trim())}`);
  const shape = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => Number(s.replace(/L$/, '')));
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new ConversionError(source, `${at}: bad shape (${shapeText}) in .npy header`);
  if (fortran === 'True' && shape.filter((d) => d > 1).length > 1) {
    throw new ConversionError(source, `${at}: Fortran-order (column-major) arrays are not supported; save np.ascontiguousarray(a) instead`);
  }
  const m = /^([<>|=])([biufcOSUVMm])(\d*)$/.exec(descr);
  if (!m) throw new ConversionError(source, `${at}: unsupported dtype ${JSON.stringify(descr)}`);
  const [, order, kind, sizeText] = m;
  if (kind === 'O') throw new ConversionError(source, `${at}: object arrays need pickle and are not supported; save numeric arrays`);
  if (order === '>' && sizeText !== '1') throw new ConversionError(source, `${at}: big-endian dtype ${JSON.stringify(descr)} is not supported; save a.astype('<f4') instead`);
  const size = Number(sizeText);
  const dataStart = hstart + hlen;
  const want = numel(shape) * size;
  if (!Number.isFinite(want) || bytes.length - dataStart !== want) {
    throw new ConversionError(source, `${at}: data is ${bytes.length - dataStart} bytes but shape (${shape.join(', ')}) of ${descr} needs ${want} (truncated or corrupt)`);
  }
  const norm = order === '=' ? `<${kind}${sizeText}` : descr;
  const f = FLOAT_DESCR[norm];
  if (!f) return unsupportedTensor(source, name, descr, shape, "'<f4', '<f2' and '<f8'");
  return { name, dtype: descr, shape, toFloat32: () => decodeFloats(bytes, f, dataStart, numel(shape)) };
}

/**
 * Parse a NumPy .npz archive (np.savez or np.savez_compressed). Array names are the entry names
 * without ".npy".
 * @example
 * const w = parseNpz(bytes, 'weights.npz');
 * console.log([...w.tensors.keys()]); // ['net.0.weight', 'net.0.bias', ...]
 */
export function parseNpz(bytes: Uint8Array, source: string): WeightsFile {
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(bytes);
  } catch (e) {
    throw new ConversionError(source, `not a valid .npz (zip) archive: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  const tensors = new Map<string, WeightTensor>();
  for (const [entry, data] of Object.entries(entries)) {
    if (entry.endsWith('/')) continue;
    if (!entry.endsWith('.npy')) throw new ConversionError(source, `.npz entry "${entry}" is not a .npy array; save weights with np.savez or np.savez_compressed`);
    const name = entry.slice(0, -4);
    tensors.set(name, parseNpy(data, name, source));
  }
  if (tensors.size === 0) throw new ConversionError(source, '.npz archive holds no arrays');
  return { format: 'npz', source, tensors, metadata: {} };
}
