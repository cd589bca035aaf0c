// The CTC forward score against an independent reference: the sum over every alignment, enumerated.
import { describe, expect, it } from 'vitest';
import { ctcLogLikelihood } from '../../src/decoder/ctc-score.js';
import { rngFor } from '../../src/core/rng.js';

/** Collapse an alignment: merge repeats, drop blanks. */
function collapse(path: number[], blank: number): number[] {
  const out: number[] = [];
  let prev = -1;
  for (const id of path) {
    if (id !== prev && id !== blank) out.push(id);
    prev = id;
  }
  return out;
}

/** ln of the sum over all v^T alignments that collapse to `labels`. */
function bruteForce(lp: Float32Array, t: number, v: number, labels: number[], blank: number): number {
  let total = 0;
  const path = new Array<number>(t).fill(0);
  const rec = (i: number, logp: number): void => {
    if (i === t) {
      const c = collapse(path, blank);
      if (c.length === labels.length && c.every((x, k) => x === labels[k])) total += Math.exp(logp);
      return;
    }
    for (let k = 0; k < v; k++) {
      path[i] = k;
      rec(i + 1, logp + lp[i * v + k]!);
    }
  };
  rec(0, 0);
  return Math.log(total);
}

function randomLogPosteriors(t: number, v: number, rng: () => number): Float32Array {
  const out = new Float32Array(t * v);
  for (let i = 0; i < t; i++) {
    const row = Array.from({ length: v }, () => rng() + 0.05);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((x, k) => (out[i * v + k] = Math.log(x / sum)));
  }
  return out;
}

describe('ctcLogLikelihood', () => {
  const r = rngFor(23, 'ctc-score');
  const rng = (): number => r.next();
  it('equals the brute-force sum over alignments (repeats, blank not at 0, too-long sequences)', () => {
    const v = 4;
    for (const blank of [0, 2]) {
      const letters = [0, 1, 2, 3].filter((x) => x !== blank);
      for (const t of [1, 3, 5, 6]) {
        const lp = randomLogPosteriors(t, v, rng);
        for (const labels of [[], [letters[0]!], [letters[0]!, letters[1]!], [letters[1]!, letters[1]!], [letters[0]!, letters[1]!, letters[0]!], [letters[2]!, letters[2]!, letters[2]!, letters[2]!]]) {
          const got = ctcLogLikelihood(lp, t, v, labels, blank);
          const want = bruteForce(lp, t, v, labels, blank);
          if (want === -Infinity) expect(got, `${labels} in ${t} frames`).toBe(-Infinity);
          else expect(got, `${labels} in ${t} frames`).toBeCloseTo(want, 5);
        }
      }
    }
  });
});
