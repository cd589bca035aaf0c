/** Argument checks shared by the frontend's public functions; each throws a typed error naming the fix. */
import { AudioInputError, UsageError } from '../core/errors.js';
import { baseDim, featureConfigProblems, type FeatureConfig } from './config.js';

/** A structured-clone-free deep copy of a config that has passed featureConfigProblems. */
export function checkedConfig(config: unknown, where: string): FeatureConfig {
  const problems = featureConfigProblems(config);
  if (problems.length) throw new UsageError(`${where}: invalid feature config: ${problems.join('; ')}`);
  const c = config as FeatureConfig;
  const n = c.normalization;
  const normalization = n.type === 'global' ? { type: 'global' as const, mean: [...n.mean], std: [...n.std] } : { ...n };
  return Object.freeze({ ...c, normalization: Object.freeze(normalization) });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  const name = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
  const len = (value as { length?: unknown }).length;
  return typeof len === 'number' ? `${name} (length ${len})` : name;
}

/** True for a Float32Array, also one from another realm (worker, vm context). */
export function isFloat32Array(value: unknown): value is Float32Array {
  return Object.prototype.toString.call(value) === '[object Float32Array]';
}

/**
 * Check a chunk of audio samples: a Float32Array of finite values. `offset` is the absolute index of
 * its first sample in the stream, used to name a bad sample.
 */
export function checkSamples(samples: unknown, where: string, offset = 0): asserts samples is Float32Array {
  if (!isFloat32Array(samples)) {
    throw new UsageError(`${where}: samples must be a Float32Array of mono samples in [-1, 1], got ${describe(samples)}; convert with Float32Array.from(samples) (or decode the audio first)`);
  }
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i];
    if (v - v !== 0) {
      const pos = offset === 0 ? `sample ${i}` : `sample ${offset + i} of the stream (index ${i} of this chunk)`;
      throw new AudioInputError('<samples>', `${pos} is ${v}; every sample must be a finite number (check the decoder or the resampler that produced them)`);
    }
  }
}

/** Check a row-major frame array of `frames` rows of baseDim(config) values. */
export function checkFrames(data: unknown, frames: unknown, config: FeatureConfig, where: string): asserts data is Float32Array {
  if (!isFloat32Array(data)) throw new UsageError(`${where}: frames must be a Float32Array (row-major, frames x ${baseDim(config)}), got ${describe(data)}`);
  if (typeof frames !== 'number' || !Number.isInteger(frames) || frames < 0) throw new UsageError(`${where}: frame count must be a non-negative integer, got ${JSON.stringify(frames)}`);
  const dim = baseDim(config);
  if (data.length !== frames * dim) {
    throw new UsageError(`${where}: expected ${frames} frames x ${dim} values (numCeps * (deltaOrder + 1)) = ${frames * dim} values, got ${data.length}; pass base features from BaseFeatureExtractor for this config`);
  }
}
