/**
 * Seeded randomness, for the corpus recipe and for `earshot eval`'s bootstrap intervals. Every random
 * choice is drawn from an `Rng` derived from a seed and a stable key (`rngFor(seed, 'utt', id)`), so a
 * choice never depends on the order in which work happens: a resumed or re-parallelised run makes the
 * same corpus, and the same hypotheses give the same intervals.
 */

/**
 * 32-bit hash of a string, as an unsigned integer: FNV-1a, then murmur3's finaliser so that
 * strings differing only in their last characters still spread over the whole range.
 */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A small, fast, seeded pseudo-random generator (sfc32) with the helpers the recipe needs.
 * @example
 * const r = new Rng(42);
 * r.uniform(0.9, 1.1); r.int(0, 9); r.pick(['a', 'b']);
 */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer uniform in [lo, hi] (both ends included). */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** One element of a non-empty array. */
  pick<T>(xs: readonly T[]): T {
    if (xs.length === 0) throw new RangeError('Rng.pick: the array is empty; pass at least one element');
    return xs[Math.floor(this.next() * xs.length)]!;
  }

  /** One element, chosen with the given non-negative weights. */
  weighted<T>(xs: readonly (readonly [T, number])[]): T {
    const total = xs.reduce((s, [, w]) => s + w, 0);
    if (!(total > 0)) throw new RangeError('Rng.weighted: weights must sum to a positive number');
    let r = this.next() * total;
    for (const [x, w] of xs) {
      r -= w;
      if (r < 0) return x;
    }
    return xs[xs.length - 1]![0];
  }

  /** Fisher-Yates shuffle, in place; returns the array. */
  shuffle<T>(xs: T[]): T[] {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [xs[i], xs[j]] = [xs[j]!, xs[i]!];
    }
    return xs;
  }
}

/**
 * An independent generator for one purpose, derived from the run seed and a key.
 * @example
 * const r = rngFor(1, 'utt', 'train-000042');
 */
export function rngFor(seed: number, ...key: (string | number)[]): Rng {
  return new Rng(hash32(`${seed}\u0000${key.join('\u0000')}`));
}
