/**
 * The CTC log-likelihood of one label sequence given a model's per-frame log-posteriors: the log of the
 * sum over all alignments (blanks anywhere, repeats collapsed) of the product of their posteriors, by
 * the forward algorithm (Graves et al. 2006). The closed-phrase decoder uses it to score every phrase
 * exactly when its beam search has lost all of them.
 */

const NEG = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * ln P(labels | logprobs) under CTC; -Infinity when the frames are too few to spell the labels.
 * `logprobs` is row-major, `frames` x `v`; `labels` must not contain `blank`. An empty label sequence
 * scores the all-blank path.
 * @example
 * ctcLogLikelihood(logprobs, frames, 29, [8, 5, 12, 12, 15], 0); // ln P("hello")
 */
export function ctcLogLikelihood(logprobs: Float32Array, frames: number, v: number, labels: readonly number[], blank: number): number {
  const s = 2 * labels.length + 1; // blank, l1, blank, l2, …, blank
  const ext = (i: number): number => (i % 2 === 0 ? blank : labels[(i - 1) / 2]!);
  let alpha = new Float64Array(s).fill(NEG);
  let next = new Float64Array(s);
  if (frames === 0) return labels.length === 0 ? 0 : NEG;
  alpha[0] = logprobs[blank]!;
  if (s > 1) alpha[1] = logprobs[ext(1)]!;
  for (let t = 1; t < frames; t++) {
    const row = t * v;
    // Only states from which the rest of the labels still fit in the remaining frames matter, but all are cheap here.
    for (let i = 0; i < s; i++) {
      let a = alpha[i]!;
      if (i >= 1) a = logAdd(a, alpha[i - 1]!);
      if (i >= 2 && i % 2 === 1 && ext(i) !== ext(i - 2)) a = logAdd(a, alpha[i - 2]!);
      next[i] = a === NEG ? NEG : a + logprobs[row + ext(i)]!;
    }
    [alpha, next] = [next, alpha];
  }
  return s > 1 ? logAdd(alpha[s - 1]!, alpha[s - 2]!) : alpha[0]!;
}
