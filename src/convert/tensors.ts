/**
 * Named tensors read from a weights file (safetensors or NumPy .npz). The conversions from the stored element
 * types to float32 are in core/dtype.ts. Platform-neutral: the caller supplies the bytes.
 *
 * Tensors are decoded lazily: a file may hold tensors earshot cannot use (an int64 step counter,
 * say) and still convert, as long as the layers it needs are floating point.
 */
import { ConversionError } from '../core/errors.js';

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
