import { describe, expect, it } from 'vitest';
import { GreedyDecoder } from '../../src/decoder/greedy.js';
import { tokensToText, tokensToWords } from '../../src/decoder/words.js';
import { Rng } from '../../src/core/rng.js';

// labels: 0 blank, 1 space, 2 a, 3 b, 4 c
const labels = ['<b>', ' ', 'a', 'b', 'c'];

/** Log-posteriors where frame t puts probability p on ids[t] and spreads the rest evenly. */
function posteriors(ids: number[], p = 0.9): Float32Array {
  const v = labels.length;
  const out = new Float32Array(ids.length * v);
  ids.forEach((id, t) => {
    for (let k = 0; k < v; k++) out[t * v + k] = Math.log(k === id ? p : (1 - p) / (v - 1));
  });
  return out;
}

describe('GreedyDecoder (CTC)', () => {
  it('collapses repeats, drops blanks, keeps repeats separated by a blank', () => {
    const d = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.01 });
    // a a _ a b b _ _ <sp> c c
    d.accept(posteriors([2, 2, 0, 2, 3, 3, 0, 0, 1, 4, 4]), 11);
    const r = d.result();
    expect(r.text).toBe('aab c');
    expect(r.tokens.map((t) => t.label).join('')).toBe('aab c');
  });

  it('gives token and word times from frame indices and frameSeconds', () => {
    const d = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.03 });
    d.accept(posteriors([0, 2, 2, 0, 3, 1, 1, 4]), 8);
    const r = d.result();
    expect(r.tokens[0]).toMatchObject({ label: 'a', start: 0.03 * 1, end: 0.03 * 3 });
    expect(r.tokens[1]).toMatchObject({ label: 'b', start: 0.03 * 4, end: 0.03 * 5 });
    expect(r.words).toHaveLength(2);
    expect(r.words[0]!.word).toBe('ab');
    expect(r.words[0]!.start).toBeCloseTo(0.03);
    expect(r.words[0]!.end).toBeCloseTo(0.15);
    expect(r.words[1]).toMatchObject({ word: 'c' });
    expect(r.words[1]!.start).toBeCloseTo(0.21);
  });

  it('word confidence is the lowest mean token posterior in the word', () => {
    const d = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.01 });
    const a = posteriors([2, 2], 0.8);
    const b = posteriors([3], 0.6);
    d.accept(a, 2);
    d.accept(b, 1);
    const w = d.result().words[0]!;
    expect(w.word).toBe('ab');
    expect(w.confidence).toBeCloseTo(0.6, 5);
    expect(d.result().tokens[0]!.confidence).toBeCloseTo(0.8, 5);
  });

  it('decoding in random chunks equals decoding the whole at once', () => {
    const rng = new Rng(7);
    const rand = (): number => rng.next();
    const ids = Array.from({ length: 500 }, () => (rand() < 0.5 ? 0 : Math.floor(rand() * labels.length)));
    // Repeat runs so that collapsing across chunk borders matters.
    const frames = ids.flatMap((id) => [id, id, id].slice(0, 1 + Math.floor(rand() * 3)));
    const all = posteriors(frames, 0.7);
    const whole = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.02 });
    whole.accept(all, frames.length);
    const chunked = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.02 });
    let t = 0;
    while (t < frames.length) {
      const n = Math.min(frames.length - t, Math.floor(rand() * 7));
      chunked.accept(all.subarray(t * labels.length, (t + n) * labels.length), n);
      t += n;
    }
    expect(chunked.result()).toEqual(whole.result());
    expect(chunked.framesDecoded).toBe(frames.length);
  });

  it('uses the blank id from the model, not a constant', () => {
    const lab = ['a', 'b', '_'];
    const d = new GreedyDecoder({ output: { type: 'ctc', blankId: 2 }, labels: lab, frameSeconds: 0.01 });
    const lp = new Float32Array([0, -9, -9, -9, -9, 0, -9, 0, -9]); // a, blank, b
    d.accept(lp, 3);
    expect(d.result().text).toBe('ab');
  });

  it('rejects a posterior block of the wrong size and a blank id out of range', () => {
    const d = new GreedyDecoder({ output: { type: 'ctc', blankId: 0 }, labels, frameSeconds: 0.01 });
    expect(() => d.accept(new Float32Array(7), 2)).toThrow(/expected 2 x 5 = 10 values, got 7/);
    expect(() => new GreedyDecoder({ output: { type: 'ctc', blankId: 9 }, labels, frameSeconds: 0.01 })).toThrow(/outside the 5 labels/);
  });
});

describe('GreedyDecoder (frame labels)', () => {
  it('drops the silence label and collapses every run', () => {
    const d = new GreedyDecoder({ output: { type: 'frame', silenceId: 1 }, labels, frameSeconds: 0.01 });
    // sil a a a sil sil b b  => "ab" as one word (silence is not a word separator by itself)
    d.accept(posteriors([1, 2, 2, 2, 1, 1, 3, 3]), 8);
    expect(d.result().tokens.map((t) => t.label)).toEqual(['a', 'b']);
  });
});

describe('words', () => {
  it('treats "|" and spaces as word separators and ignores leading/trailing/double separators', () => {
    const tok = (label: string, i: number) => ({ id: 0, label, start: i, end: i + 1, confidence: 1 });
    const tokens = [' ', 'h', 'i', ' ', ' ', 'y', 'o', '|', 'u', ' '].map(tok);
    expect(tokensToText(tokens)).toBe('hi yo u');
    expect(tokensToWords(tokens).map((w) => [w.word, w.start, w.end])).toEqual([['hi', 1, 3], ['yo', 5, 7], ['u', 8, 9]]);
  });
});
