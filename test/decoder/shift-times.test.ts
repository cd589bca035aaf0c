/** Decoder times moved from the model's frames (a lead of silence included) onto the input: src/decoder/shift-times.ts. */
import { describe, expect, it } from 'vitest';
import { inputTime, shiftResultTimes } from '../../src/decoder/shift-times.js';
import type { DecodeResult } from '../../src/decoder/types.js';

describe('shift-times', () => {
  it('a frame time comes out exactly as a decoder without the lead computes it, (f - lead) * frameSeconds', () => {
    for (const fs of [0.03, 0.01, 0.04, 480 / 16000]) {
      for (let f = 8; f < 5000; f++) expect(inputTime(f * fs, 8, fs, 1e9)).toBe((f - 8) * fs);
    }
  });

  it('clamps to [0, duration]: times in the lead become 0, times past the end the duration', () => {
    expect(inputTime(0, 8, 0.03, 2)).toBe(0);
    expect(inputTime(7 * 0.03, 8, 0.03, 2)).toBe(0);
    expect(inputTime(8 * 0.03, 8, 0.03, 2)).toBe(0);
    expect(inputTime(9 * 0.03, 8, 0.03, 2)).toBe(0.03);
    expect(inputTime(100 * 0.03, 8, 0.03, 2)).toBe(2);
    expect(inputTime(2.05, 0, 0.03, 2)).toBe(2);
    expect(inputTime(1.5, 0, 0.03, 2)).toBe(1.5);
  });

  it('moves every word and token and keeps text, labels, confidences and the phrase', () => {
    const fs = 0.03;
    const r: DecodeResult = {
      text: 'ab c',
      words: [{ word: 'ab', start: 6 * fs, end: 12 * fs, confidence: 0.5 }, { word: 'c', start: 20 * fs, end: 80 * fs, confidence: 0.9 }],
      tokens: [
        { id: 3, label: 'a', start: 6 * fs, end: 7 * fs, confidence: 0.5 },
        { id: 4, label: 'b', start: 11 * fs, end: 12 * fs, confidence: 0.7 },
        { id: 1, label: ' ', start: 14 * fs, end: 15 * fs, confidence: 0.8 },
        { id: 5, label: 'c', start: 20 * fs, end: 80 * fs, confidence: 0.9 },
      ],
      phrase: { index: 2, text: 'ab c', confidence: 0.4 },
    };
    const s = shiftResultTimes(r, 8, fs, 1.5);
    expect(s.text).toBe(r.text);
    expect(s.phrase).toEqual(r.phrase);
    expect(s.words).toEqual([{ word: 'ab', start: 0, end: 4 * fs, confidence: 0.5 }, { word: 'c', start: 12 * fs, end: 1.5, confidence: 0.9 }]);
    expect(s.tokens.map((t) => [t.label, t.start, t.end, t.confidence])).toEqual([['a', 0, 0, 0.5], ['b', 3 * fs, 4 * fs, 0.7], [' ', 6 * fs, 7 * fs, 0.8], ['c', 12 * fs, 1.5, 0.9]]);
    // The input is not changed.
    expect(r.words[0]!.start).toBe(6 * fs);
  });
});
