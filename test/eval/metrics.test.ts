import { describe, expect, it } from 'vitest';
import { countErrors, editDistance, rates } from '../../src/eval/metrics.js';
import { normalizeText } from '../../src/core/text.js';

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

  it('normalizes punctuation the same way in reference and hypothesis (issue 23: "milk," and "work." were word errors)', () => {
    expect(countErrors('Buy milk, eggs and bread.', 'buy milk eggs and bread')).toMatchObject({ wordErrors: 0, charErrors: 0 });
    expect(countErrors('I work.', 'i work')).toMatchObject({ wordErrors: 0, charErrors: 0 });
    expect(countErrors('a well-known "fact"', 'a well known fact').wordErrors).toBe(0);
    expect(normalizeText('Milk, eggs -- and BREAD.')).toBe('milk eggs and bread');
    expect(normalizeText('  “Quoted” ‘words’ — dash…  ')).toBe('quoted words dash');
  });

  it('follows the model\'s label set: apostrophes only when it has one, accents dropped when it cannot spell them', () => {
    const noApos = [' ', 'a', 'c', 'd', 'e', 'f', 'n', 'o', 't'];
    expect(normalizeText("Don't 'stop'", noApos)).toBe('dont stop');
    expect(normalizeText("Don't 'stop'", [...noApos, "'"])).toBe("don't stop");
    expect(normalizeText("Don't")).toBe("don't");
    expect(normalizeText('Café', noApos)).toBe('cafe');
    expect(normalizeText('Café', [...noApos, 'é'])).toBe('café');
    expect(countErrors("It's café", 'its cafe', [' ', 'a', 'c', 'e', 'f', 'i', 's', 't']).wordErrors).toBe(0);
  });

  it('an empty hypothesis is all deletions; an empty reference with output is 100%', () => {
    expect(rates(countErrors('a b', ''))).toEqual({ wer: 1, cer: 1 });
    expect(rates(countErrors('', 'x'))).toEqual({ wer: 1, cer: 1 });
    expect(rates(countErrors('', ''))).toEqual({ wer: 0, cer: 0 });
  });
});
