import { describe, expect, it } from 'vitest';
import { countErrors, editDistance, rates } from '../src/eval/metrics.js';

describe('WER / CER', () => {
  it('edit distance counts substitutions, insertions and deletions', () => {
    expect(editDistance([...'kitten'], [...'sitting'])).toBe(3);
    expect(editDistance([], [...'abc'])).toBe(3);
    expect(editDistance([...'abc'], [])).toBe(3);
    expect(editDistance(['a'], ['a'])).toBe(0);
  });

  it('hand-computed WER and CER', () => {
    // ref: "the cat sat on the mat" (6 words, 22 chars), hyp: one substitution, one deletion.
    const c = countErrors('the cat sat on the mat', 'the cat sad on mat');
    expect(c).toEqual({ wordErrors: 2, words: 6, charErrors: 5, chars: 22 });
    expect(rates(c).wer).toBeCloseTo(2 / 6);
    expect(rates(c).cer).toBeCloseTo(5 / 22);
  });

  it('normalizes case and whitespace before scoring', () => {
    expect(countErrors('Hello  World', ' hello world ').wordErrors).toBe(0);
  });

  it('an empty hypothesis is all deletions; an empty reference with output is 100%', () => {
    expect(rates(countErrors('a b', ''))).toEqual({ wer: 1, cer: 1 });
    expect(rates(countErrors('', 'x'))).toEqual({ wer: 1, cer: 1 });
    expect(rates(countErrors('', ''))).toEqual({ wer: 0, cer: 0 });
  });
});
