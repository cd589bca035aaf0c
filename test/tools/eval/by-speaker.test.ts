import { describe, expect, it } from 'vitest';
import { groupRates, type HypLine } from '../../../tools/eval/by-speaker.js';

describe('error rates per speaker (tools/eval/by-speaker)', () => {
  it('pools CER by reference characters and WER by reference words, recounted from ref and hyp as eval counts them, per group, leaving unknown ids out', () => {
    const lines: HypLine[] = [
      { id: 'a1', ref: 'ab cd', hyp: '' }, // 5 chars, 2 words, all wrong
      { id: 'a2', ref: 'abcdefghij', hyp: 'abcdefghij' }, // 10 chars, 1 word, right
      { id: 'b1', ref: 'xy', hyp: 'xz' },
      { id: 'zz', ref: 'q', hyp: 'q' },
    ];
    const g = groupRates(lines, (id) => ({ a1: 'queen/joe', a2: 'queen/joe', b1: 'sky/foster' } as Record<string, string>)[id]);
    expect(g.map((x) => x.group)).toEqual(['queen/joe', 'sky/foster']);
    expect(g[0]!.utterances).toBe(2);
    expect(g[0]!.cer).toBeCloseTo(5 / 15, 12); // not the mean of 1 and 0
    expect(g[0]!.wer).toBeCloseTo(2 / 3, 12);
    expect(g[1]).toEqual({ group: 'sky/foster', utterances: 1, cer: 0.5, wer: 1 });
  });
});
