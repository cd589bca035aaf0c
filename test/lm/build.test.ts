import { describe, expect, it } from 'vitest';
import { ArpaLanguageModel, writeArpa } from '../../src/lm/arpa.js';
import { buildKneserNey, discountsFromCounts } from '../../src/lm/build.js';
import { textWords } from '../../src/core/text.js';
import { Rng } from '../../src/core/rng.js';

const ARPA = `some header text

\\data\\
ngram 1=5
ngram 2=3

\\1-grams:
-99\t<s>\t-0.30103
-0.5\ta\t-0.2
-0.6\tb
-0.4\t</s>
-1\t<unk>

\\2-grams:
-0.1\t<s> a
-0.2\ta b
-0.3\tb </s>

\\end\\
`;

describe('ArpaLanguageModel', () => {
  const lm = ArpaLanguageModel.parse(ARPA, 'tiny.arpa');

  it('reads orders, counts and scores listed n-grams in natural log', () => {
    expect(lm.order).toBe(2);
    expect(lm.counts).toEqual([5, 3]);
    expect(lm.score(['<s>'], 'a')).toBeCloseTo(-0.1 * Math.LN10, 9);
    expect(lm.score(['x', '<s>', 'a'], 'b')).toBeCloseTo(-0.2 * Math.LN10, 9);
    expect(lm.score([], 'b')).toBeCloseTo(-0.6 * Math.LN10, 9);
  });

  it('backs off through the context\'s back-off weight (absent weight = 1)', () => {
    expect(lm.score(['a'], '</s>')).toBeCloseTo((-0.2 - 0.4) * Math.LN10, 9);
    expect(lm.score(['<s>'], 'b')).toBeCloseTo((-0.30103 - 0.6) * Math.LN10, 9);
    expect(lm.score(['b'], 'a')).toBeCloseTo(-0.5 * Math.LN10, 9);
  });

  it('scores unknown words as <unk>', () => {
    expect(lm.score([], 'zebra')).toBeCloseTo(-1 * Math.LN10, 9);
    expect(lm.score(['a'], 'zebra')).toBeCloseTo((-0.2 - 1) * Math.LN10, 9);
    expect(lm.has('zebra')).toBe(false);
  });

  it('reports malformed files with the file and line', () => {
    expect(() => ArpaLanguageModel.parse('hello', 'x.arpa')).toThrow(/x\.arpa: not an ARPA language model: no "\\data\\" line/);
    expect(() => ArpaLanguageModel.parse(ARPA.replace('-0.6\tb', '-0.6\tb c d'), 'x.arpa')).toThrow(/x\.arpa:10: a 1-gram line needs/);
    expect(() => ArpaLanguageModel.parse(ARPA.replace('-0.2\ta b', 'oops\ta b'), 'x.arpa')).toThrow(/x\.arpa:16: log10 probability "oops" is not a number/);
    expect(() => ArpaLanguageModel.parse(ARPA.replace('ngram 2=3', 'ngram 2=4'), 'x.arpa')).toThrow(/the 2-grams section has 3 entries, the header says 4/);
    expect(() => ArpaLanguageModel.parse(ARPA.replace('\\end\\', ''), 'x.arpa')).toThrow(/truncated ARPA file/);
  });

  it('round-trips through writeArpa', () => {
    const text = writeArpa([[{ words: ['<s>'], log10Prob: -99, log10Backoff: -0.5 }, { words: ['a'], log10Prob: 0 }, { words: ['</s>'], log10Prob: -0.25 }]]);
    const m = ArpaLanguageModel.parse(text);
    expect(m.score([], '</s>')).toBeCloseTo(-0.25 * Math.LN10, 6);
  });
});

describe('lm build: interpolated modified Kneser-Ney', () => {
  it('matches hand-computed probabilities on a tiny corpus (fixed discounts 0.5, 1, 1.5)', () => {
    const d: [number, number, number] = [0.5, 1, 1.5];
    const lm = ArpaLanguageModel.parse(writeArpa(buildKneserNey([['a', 'b'], ['a']], { order: 2, discounts: [d, d] })));
    // Continuation counts a=1, b=1, </s>=2; total 4; gamma = (0.5*2 + 1*1)/4 = 0.5; uniform over 4 words.
    expect(Math.exp(lm.score([], 'a'))).toBeCloseTo(0.25, 5);
    expect(Math.exp(lm.score([], '</s>'))).toBeCloseTo(0.375, 5);
    expect(Math.exp(lm.score([], 'unseen'))).toBeCloseTo(0.125, 5);
    // Bigrams: <s> a (raw 2): (2-1)/2 + 0.5*0.25; a b: 0.5/2 + 0.5*0.25; a </s>: 0.5/2 + 0.5*0.375.
    expect(Math.exp(lm.score(['<s>'], 'a'))).toBeCloseTo(0.625, 5);
    expect(Math.exp(lm.score(['a'], 'b'))).toBeCloseTo(0.375, 5);
    expect(Math.exp(lm.score(['a'], '</s>'))).toBeCloseTo(0.4375, 5);
    // Unseen bigram: back-off weight gamma(<s>) = 1*1/2 times P(b).
    expect(Math.exp(lm.score(['<s>'], 'b'))).toBeCloseTo(0.125, 5);
  });

  it('every context\'s distribution sums to 1 over the vocabulary (orders 1-4, estimated discounts)', () => {
    const text = ['the cat sat on the mat', 'the dog sat on the log', 'a cat and a dog', 'the cat ran', 'a dog ran on the mat', 'on the log the cat sat', 'the the cat'];
    for (const order of [1, 2, 3, 4]) {
      const lm = ArpaLanguageModel.parse(writeArpa(buildKneserNey(text.map((t) => textWords(t)), { order })));
      const vocab = [...new Set(text.flatMap((t) => textWords(t))), '</s>', '<unk>'];
      for (const h of [[], ['<s>'], ['the'], ['<s>', 'the'], ['the', 'cat'], ['sat', 'on', 'the'], ['zebra'], ['cat', 'ran']]) {
        const sum = vocab.reduce((s, w) => s + Math.exp(lm.score(h, w === '<unk>' ? 'never-seen' : w)), 0);
        expect(sum, `order ${order}, history ${h.join(' ')}`).toBeCloseTo(1, 5);
      }
    }
  });

  it('estimates discounts from counts-of-counts and falls back on tiny data', () => {
    const [d1, d2, d3] = discountsFromCounts([100, 40, 20, 10]);
    const y = 100 / 180;
    expect(d1).toBeCloseTo(1 - 2 * y * 0.4, 9);
    expect(d2).toBeCloseTo(2 - 3 * y * 0.5, 9);
    expect(d3).toBeCloseTo(3 - 4 * y * 0.5, 9);
    expect(discountsFromCounts([3, 0, 0, 0])).toEqual([0.5, 1, 1.5]);
  });

  it('`lm build` takes its words from the shared text rule (src/core/text.ts), as the decoder spells them', () => {
    expect(textWords("Don't STOP -- now! 'quoted' 3rd")).toEqual(["don't", 'stop', 'now', 'quoted', '3rd']);
    expect(textWords('Don’t')).toEqual(["don't"]); // a curly apostrophe is an apostrophe (lm build split it into "don" "t" before)
    expect(textWords(' -- ')).toEqual([]);
  });

  it('rejects bad input', () => {
    expect(() => buildKneserNey([], { order: 3 })).toThrow(/no sentences/);
    expect(() => buildKneserNey([['a']], { order: 0 })).toThrow(/order must be an integer from 1 to 6, got 0/);
    expect(() => buildKneserNey([['a', '<s>']], { order: 2 })).toThrow(/sentence 1 has the word "<s>"/);
  });

  // Its speed is measured by tools/bench/lm-build.ts (build, write and parse times on the same 40k sentences).
  it('builds a trigram from 40k sentences: every seen bigram and trigram, every word, parsed back', () => {
    const rng = new Rng(7);
    const words = Array.from({ length: 3000 }, (_, i) => `w${i.toString(36)}`);
    const sentences = Array.from({ length: 40000 }, () => Array.from({ length: 12 }, () => rng.pick(words)));
    const lm = ArpaLanguageModel.parse(writeArpa(buildKneserNey(sentences, { order: 3 })));
    expect(lm.order).toBe(3);
    const seen = [new Set<string>(), new Set<string>()];
    for (const s of sentences) {
      const padded = ['<s>', ...s, '</s>'];
      for (let i = 0; i + 1 < padded.length; i++) seen[0]!.add(padded.slice(i, i + 2).join(' '));
      for (let i = 0; i + 2 < padded.length; i++) seen[1]!.add(padded.slice(i, i + 3).join(' '));
    }
    expect(lm.counts.slice(1)).toEqual([seen[0]!.size, seen[1]!.size]);
    expect(words.every((w) => lm.has(w))).toBe(true);
  }, 60000);
});
