/** Reading a weights file of either supported format, recognized by its first bytes, not its name. */
import { ConversionError } from '../core/errors.js';
import { parseNpz } from './npz.js';
import { parseSafetensors } from './safetensors.js';
import type { WeightsFile } from './tensors.js';

/**
 * Which weights format `bytes` hold: "npz" (zip magic "PK\x03\x04" or an empty-archive "PK\x05\x06"),
 * "safetensors" (a u64 header length followed by "{"), or undefined.
 * @example
 * detectWeightsFormat(bytes); // 'safetensors'
 */
export function detectWeightsFormat(bytes: Uint8Array): 'npz' | 'safetensors' | undefined {
  if (bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && (bytes[2] === 3 || bytes[2] === 5) && (bytes[3] === 4 || bytes[3] === 6)) return 'npz';
  if (bytes.length >= 9 && bytes[8] === 0x7b /* { */) return 'safetensors';
  return undefined;
}

/**
 * Parse a .safetensors or .npz weights file, chosen by magic bytes. Throws ConversionError for
 * anything else, saying what the bytes look like.
 * @example
 * const w = parseWeights(await fs.readFile('model.safetensors'), 'model.safetensors');
 */
export function parseWeights(bytes: Uint8Array, source: string): WeightsFile {
  const f = detectWeightsFormat(bytes);
  if (f === 'npz') return parseNpz(bytes, source);
  if (f === 'safetensors') return parseSafetensors(bytes, source);
  if (bytes.length >= 6 && bytes[0] === 0x93 && String.fromCharCode(...bytes.subarray(1, 6)) === 'NUMPY') {
    throw new ConversionError(source, 'a single .npy array is not a weights file; save all tensors into one file with np.savez(path, **state_dict) or safetensors');
  }
  if (bytes.length >= 8) {
    // A safetensors file whose header is damaged: let the parser say what is wrong with it.
    const n = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
    if (n > 0n && n < 1n << 40n && bytes[8] !== 0x7b) return parseSafetensors(bytes, source);
  }
  if (bytes.length < 8) return parseSafetensors(bytes, source);
  throw new ConversionError(source, 'not a weights file: expected .safetensors (u64 header length, then a JSON header) or NumPy .npz (a zip archive)');
}
