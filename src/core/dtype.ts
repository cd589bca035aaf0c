/**
 * Decoding stored floating-point element types to float32: IEEE half, bfloat16, single and double, little-endian.
 * A low, platform-neutral module shared by the model runtime (float16 and int8 models) and the weights-file
 * readers of the converter, so that neither imports the other.
 */

/**
 * Floating-point element types earshot converts to float32.
 * @example
 * const w = decodeFloats(bytes, 'F16' satisfies FloatDType, 0, 16);
 */
export type FloatDType = 'F32' | 'F16' | 'BF16' | 'F64';

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
