/**
 * Word and character error rates by Levenshtein alignment: (substitutions + deletions + insertions) / reference length.
 * Reference and hypothesis are normalized the same way first, by the shared rule of src/core/text.ts (see
 * {@link SCORING_NORMALIZATION}), so that punctuation and case in a reference ("milk," "Work.") are not counted as word errors.
 */
import { normalizeText, TEXT_NORMALIZATION } from '../core/text.js';

/**
 * How text is normalized before scoring, in words (eval's --json report carries it): src/core/text.ts's rule.
 * @example
 * console.log(SCORING_NORMALIZATION);
 */
export const SCORING_NORMALIZATION = TEXT_NORMALIZATION;

/**
 * Minimum number of edits turning `ref` into `hyp`.
 * @example
 * editDistance(['a', 'b'], ['a', 'c']) // 1
 */
export function editDistance<T>(ref: readonly T[], hyp: readonly T[]): number {
  let prev = new Array<number>(hyp.length + 1);
  let cur = new Array<number>(hyp.length + 1);
  for (let j = 0; j <= hyp.length; j++) prev[j] = j;
  for (let i = 1; i <= ref.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= hyp.length; j++) {
      const sub = prev[j - 1]! + (ref[i - 1] === hyp[j - 1] ? 0 : 1);
      cur[j] = Math.min(sub, prev[j]! + 1, cur[j - 1]! + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[hyp.length]!;
}

/** Error counts, summable over a set. */
export interface ErrorCounts {
  wordErrors: number;
  words: number;
  charErrors: number;
  chars: number;
}

/**
 * Word and character errors of one hypothesis against its reference, both normalized by
 * {@link normalizeText} (with the model's `labels` when given).
 * @example
 * const c = countErrors('the cat sat', 'the cat sad');
 * c.wordErrors / c.words // 1/3
 */
export function countErrors(reference: string, hypothesis: string, labels?: readonly string[]): ErrorCounts {
  const r = normalizeText(reference, labels);
  const h = normalizeText(hypothesis, labels);
  const rw = r ? r.split(' ') : [];
  const hw = h ? h.split(' ') : [];
  return { wordErrors: editDistance(rw, hw), words: rw.length, charErrors: editDistance([...r], [...h]), chars: [...r].length };
}

/** Sum error counts. */
export function addCounts(a: ErrorCounts, b: ErrorCounts): ErrorCounts {
  return { wordErrors: a.wordErrors + b.wordErrors, words: a.words + b.words, charErrors: a.charErrors + b.charErrors, chars: a.chars + b.chars };
}

/** WER and CER as fractions (0 when the reference is empty and so is the hypothesis). */
export function rates(c: ErrorCounts): { wer: number; cer: number } {
  return { wer: c.words ? c.wordErrors / c.words : c.wordErrors ? 1 : 0, cer: c.chars ? c.charErrors / c.chars : c.charErrors ? 1 : 0 };
}
