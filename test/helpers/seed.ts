/**
 * Seeds for tests that draw random cases (random network shapes and weights for the PyTorch parity tests): fixed
 * per test, so a run is repeatable and a failure reproduces, from src/core/rng.ts's hash of a key naming the case.
 * EARSHOT_TEST_SEED=<n> mixes n into every key, to explore other cases on purpose (the seed is in each failure message).
 */
import { hash32 } from '../../src/core/rng.js';

/**
 * A seed in 1..2^31-1 for the case named `key` (and $EARSHOT_TEST_SEED when set).
 * @example
 * const seed = testSeed('convert/live: mlp'); // the same number on every run
 */
export function testSeed(key: string): number {
  const extra = process.env.EARSHOT_TEST_SEED;
  return 1 + (hash32(extra === undefined ? key : `${key}\u0000${extra}`) % (2 ** 31 - 1));
}
