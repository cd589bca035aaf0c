/**
 * Named tensors read from a weights file (safetensors or NumPy .npz), and the conversions from the
 * stored element types to float32. Platform-neutral: the caller supplies the bytes.
 *
 * Tensors are decoded lazily: a file may hold tensors earshot cannot use (an int64 step counter,
 * say) and still convert, as long as the layers it needs are floating point.
 */
import { ConversionError } from '../core/errors.js';

/**
 * Floating-point element types earshot converts to float32.
 * @example
 * const w = decodeFloats(bytes, 'F16' satisfies FloatDType, 0, 16);
 */
export type FloatDType = 'F32' | 'F16' | 'BF16' | 'F64';

/**
 * One named tensor of a weights file.
 * @example
 * const t: WeightTensor = parseWeights(bytes, 'w.npz').tensors.get('net.0.weight')!; t.shape; t.toFloat32();
 */
export interface WeightTensor {
  name: string;
  /** Element type as the file names it ("F32", "BF16", "<f4", "<i8", ...). */
  dtype: string;
  /** Row-major (C order) shape. */
  shape: number[];
  /** Decode to float32. Throws ConversionError for element types that are not F32, F16, BF16 or F64. */
  toFloat32(): Float32Array;
}

/**
 * The tensors of one weights file.
 * @example
 * const w: WeightsFile = parseWeights(bytes, 'w.safetensors'); [...w.tensors.keys()];
 */
export interface WeightsFile {
  format: 'safetensors' | 'npz';
  /** File name used in errors. */
  source: string;
  /** In file order. */
  tensors: Map<string, WeightTensor>;
  /** safetensors `__metadata__` (string -> string); empty for .npz. */
  metadata: Record<string, string>;
}

/**
 * Product of a shape's dims (1 for a scalar).
 * @example
 * numel([16, 36]); // 576
 */
export const numel = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * Decode an IEEE 754 half-precision number given as its 16 bits.
 * @example
 * halfToFloat(0x3c00); // 1
 */
export function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * f * 2 ** -24;
  if (e === 31) return f ? NaN : s * Infinity;
  return s * (1 + f / 1024) * 2 ** (e - 15);
}

/**
 * Decode `count` little-endian elements of a floating-point type starting at `offset` of `bytes` into float32.
 * @example
 * const w = decodeFloats(bytes, 'BF16', 128, 64);
 */
export function decodeFloats(bytes: Uint8Array, dtype: FloatDType, offset: number, count: number): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset + offset);
  const out = new Float32Array(count);
  switch (dtype) {
    case 'F32':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat32(i * 4, true);
      break;
    case 'F64':
      for (let i = 0; i < count; i++) out[i] = dv.getFloat64(i * 8, true);
      break;
    case 'F16':
      for (let i = 0; i < count; i++) out[i] = halfToFloat(dv.getUint16(i * 2, true));
      break;
    case 'BF16': {
      const u = new Uint32Array(1);
      const f = new Float32Array(u.buffer);
      for (let i = 0; i < count; i++) {
        u[0] = dv.getUint16(i * 2, true) << 16;
        out[i] = f[0]!;
      }
      break;
    }
  }
  return out;
}

/**
 * A tensor of a type earshot cannot convert: listed, but decoding it throws.
 * @example
 * const t = unsupportedTensor('w.safetensors', 'step', 'I64', [], 'F32, F16, BF16 and F64'); t.toFloat32(); // throws ConversionError
 */
export function unsupportedTensor(source: string, name: string, dtype: string, shape: number[], accepted: string): WeightTensor {
  return {
    name,
    dtype,
    shape,
    toFloat32(): Float32Array {
      throw new ConversionError(source, `tensor "${name}" has dtype ${dtype}; earshot converts ${accepted} only (cast the weights to float32 before saving, e.g. model.float())`);
    },
  };
}
