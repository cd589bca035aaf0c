/** Test helper: comparing two arrays of numbers. */
import { expect } from 'vitest';
import { maxAbsDiff } from '../fixtures/audio/helpers.js';

/**
 * Largest |a[i] - b[i]|, after expecting both arrays to have the same length.
 * @example
 * expect(maxAbs(onnxOut, torchOut)).toBeLessThanOrEqual(1e-4);
 */
export function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  return maxAbsDiff(a, b);
}
