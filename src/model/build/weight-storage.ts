/**
 * How an earshot model stores its layer weights, and the exact, deterministic encodings:
 *
 * - `float32`: IEEE single precision (the trained values as they are).
 * - `float16`: IEEE half precision, rounded to nearest with ties to even (the IEEE 754 default), from the
 *   float32 value in one rounding. Values whose magnitude rounds past the largest half (65504), i.e.
 *   |w| >= 65520, are an error, not infinity: a weight that large means the model is broken.
 *   Subnormal halves (2^-24 .. 2^-14) are kept; smaller values round to a signed zero.
 * - `int8`: symmetric per-output-channel quantization. For output unit o, scale[o] = float32(max_i |w[o][i]| / 127)
 *   (1 for an all-zero row), q[o][i] = clamp(roundHalfToEven(w[o][i] / scale[o]), -127, 127); the value
 *   the model computes with is float32(q * scale), which is what ONNX DequantizeLinear gives.
 *   Ties go to even as in ONNX QuantizeLinear. -128 is never used, so the range is symmetric.
 *
 * Biases stay float32 in every storage (they are 0.1 % of the parameters).
 * Platform-neutral: no I/O, no runtime.
 */
import { UsageError } from '../../core/errors.js';
import { halfToFloat } from '../../core/dtype.js';
import { WEIGHT_STORAGES, type WeightStorage } from '../metadata.js';
import type { ConvLayer, DenseLayer } from './layers.js';

export { WEIGHT_STORAGES, type WeightStorage };

/**
 * Largest finite half-precision value.
 * @example
 * FLOAT16_MAX; // 65504
 */
export const FLOAT16_MAX = 65504;

/**
 * Check a weight storage name (from a command-line option or an API argument). Throws UsageError
 * naming `what` and the allowed values.
 * @example
 * parseWeightStorage('int8', '--weight-type'); // 'int8'
 * parseWeightStorage('fp16', '--weight-type'); // throws UsageError: --weight-type must be one of float32, float16, int8, got "fp16"
 */
export function parseWeightStorage(value: unknown, what: string): WeightStorage {
  if (typeof value === 'string' && (WEIGHT_STORAGES as readonly string[]).includes(value)) return value as WeightStorage;
  throw new UsageError(`${what} must be one of ${WEIGHT_STORAGES.join(', ')}, got ${typeof value === 'string' ? `"${value}"` : String(value)}`);
}

/**
 * Round to the nearest integer, ties to even (what IEEE 754 and ONNX QuantizeLinear do).
 * @example
 * roundHalfToEven(2.5); // 2
 * roundHalfToEven(-3.5); // -4
 */
export function roundHalfToEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  if (d > 0.5) return f + 1;
  if (d < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * The IEEE half-precision bits of `x`, rounded to nearest, ties to even. Throws RangeError for NaN and
 * for values that would round to infinity (|x| >= 65520); infinities are rejected too.
 * @example
 * float16Bits(1); // 0x3c00
 * float16Bits(0.1); // 0x2e66
 * float16Bits(2 ** -25); // 0 (a tie between 0 and the smallest subnormal: even wins)
 */
export function float16Bits(x: number): number {
  if (Number.isNaN(x)) throw new RangeError('float16Bits: NaN cannot be stored');
  const sign = x < 0 || Object.is(x, -0) ? 0x8000 : 0;
  const a = Math.abs(x);
  if (a >= 65520) throw new RangeError(`float16Bits: ${x} is outside the float16 range (largest finite value ${FLOAT16_MAX})`);
  if (a < 2 ** -14) return sign | roundHalfToEven(a * 2 ** 24); // subnormal (a result of 1024 is the smallest normal: the bits agree)
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  let m = roundHalfToEven(a * 2 ** (10 - e)); // in [1024, 2048]
  if (m === 2048) {
    m = 1024;
    e++;
  }
  return sign | ((e + 15) << 10) | (m - 1024);
}

/**
 * `x` rounded to the nearest half-precision value (ties to even), as a number.
 * @example
 * roundToFloat16(1 + 2 ** -11); // 1
 */
export function roundToFloat16(x: number): number {
  return halfToFloat(float16Bits(x));
}

/**
 * Symmetric per-output-channel int8 quantization of a [outDim, inDim] row-major weight matrix.
 * @example
 * const { q, scale } = quantizeInt8PerChannel(layer.weight, layer.outDim, layer.inDim);
 */
export interface Int8Weights {
  /** outDim x inDim values in -127..127, row-major like the input. */
  q: Int8Array;
  /** One float32 scale per output unit. */
  scale: Float32Array;
}

/**
 * Quantize weights to int8 per output unit (row): scale = float32(max|w| / 127), q = round-half-to-even(w / scale).
 * Throws RangeError for non-finite weights.
 * @example
 * const { q, scale } = quantizeInt8PerChannel(new Float32Array([0.5, -1, 0.25, 0]), 2, 2);
 * // scale = [1/127, 0.25/127], q = [64, -127, 127, 0]
 */
export function quantizeInt8PerChannel(weight: Float32Array, outDim: number, inDim: number): Int8Weights {
  if (weight.length !== outDim * inDim) throw new RangeError(`quantizeInt8PerChannel: ${weight.length} weights, expected ${outDim} x ${inDim}`);
  const q = new Int8Array(weight.length);
  const scale = new Float32Array(outDim);
  for (let o = 0; o < outDim; o++) {
    const row = weight.subarray(o * inDim, (o + 1) * inDim);
    let max = 0;
    for (let i = 0; i < inDim; i++) {
      const v = row[i]!;
      if (!Number.isFinite(v)) throw new RangeError(`quantizeInt8PerChannel: weight [${o}, ${i}] is ${v}`);
      const a = Math.abs(v);
      if (a > max) max = a;
    }
    const s = max === 0 ? 1 : Math.fround(max / 127);
    scale[o] = s;
    for (let i = 0; i < inDim; i++) q[o * inDim + i] = Math.max(-127, Math.min(127, roundHalfToEven(row[i]! / s)));
  }
  return { q, scale };
}

/**
 * The float32 values a model computes with when weights [outDim, inDim] are stored as `storage`:
 * the weights themselves for float32, their float16 rounding, or float32(q * scale) for int8.
 * This is the closed-form reference a quantized model is tested against.
 * @example
 * const w16 = effectiveWeights(layer.weight, layer.outDim, layer.inDim, 'float16');
 */
export function effectiveWeights(weight: Float32Array, outDim: number, inDim: number, storage: WeightStorage): Float32Array {
  switch (storage) {
    case 'float32':
      return weight;
    case 'float16':
      return weight.map((v) => roundToFloat16(v));
    case 'int8': {
      const { q, scale } = quantizeInt8PerChannel(weight, outDim, inDim);
      const out = new Float32Array(q.length);
      for (let o = 0; o < outDim; o++) for (let i = 0; i < inDim; i++) out[o * inDim + i] = Math.fround(q[o * inDim + i]! * scale[o]!);
      return out;
    }
  }
}

/**
 * Layers with their weights replaced by `effectiveWeights` (biases unchanged): what a model stored as
 * `storage` computes, as a float32 model.
 * @example
 * const ref = referenceForward(effectiveLayers(layers, 'int8'), 'lrelu', 0.01, input, frames);
 */
export function effectiveLayers(layers: readonly DenseLayer[], storage: WeightStorage): DenseLayer[] {
  return layers.map((l) => ({ ...l, weight: effectiveWeights(l.weight, l.outDim, l.inDim, storage) }));
}

/**
 * A TDNN's convolutions and output layer with their weights replaced by `effectiveWeights` (per output channel:
 * rows of in x kernel for a convolution): what a TDNN stored as `storage` computes, as a float32 model.
 * @example
 * const eff = effectiveTdnn(convs, output, 'int8');
 * const ref = referenceTdnnForward(eff.convs, eff.output, 'lrelu', 0.01, input, frames);
 */
export function effectiveTdnn(convs: readonly ConvLayer[], output: DenseLayer, storage: WeightStorage): { convs: ConvLayer[]; output: DenseLayer } {
  return {
    convs: convs.map((c) => ({ ...c, weight: effectiveWeights(c.weight, c.outDim, c.inDim * c.kernel, storage) })),
    output: effectiveLayers([output], storage)[0]!,
  };
}
