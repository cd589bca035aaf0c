import { describe, expect, it } from 'vitest';
import { scoreThreshold, splitPhrases, type PhraseTrial } from '../../../tools/eval/phrase-threshold.js';

describe('closed-phrase threshold calibration (tools/eval/phrase-threshold)', () => {
  it('splits distinct lines into the list and the out-of-list half, reproducibly', () => {
    const lines = ['go left', 'stop', 'go right', 'wait', 'stop', 'jump'];
    const a = splitPhrases(lines, '1');
    expect(a.phrases).toHaveLength(3);
    expect(a.others).toHaveLength(2);
    expect(new Set([...a.phrases, ...a.others])).toEqual(new Set(lines));
    expect(splitPhrases(lines, '1')).toEqual(a);
    expect(splitPhrases([...lines].reverse(), '1').phrases.sort()).toEqual([...a.phrases].sort()); // order of the input does not matter
  });

  it('scores each threshold from one decode at threshold 0', () => {
    const t: PhraseTrial[] = [
      { ref: 'stop', inList: true, best: 'stop', confidence: 0.8 },
      { ref: 'go left', inList: true, best: 'go right', confidence: 0.4 },
      { ref: 'wait', inList: false, best: 'stop', confidence: 0.2 },
      { ref: 'jump', inList: false, best: '', confidence: 0 },
    ];
    expect(scoreThreshold(t, 0)).toEqual({ threshold: 0, inRight: 1, inWrong: 1, inRejected: 0, outFalseAccept: 1, outRejected: 1, accuracy: 0.5 });
    expect(scoreThreshold(t, 0.3)).toMatchObject({ inRight: 1, inWrong: 1, outFalseAccept: 0, outRejected: 2, accuracy: 0.75 });
    expect(scoreThreshold(t, 0.5)).toMatchObject({ inRight: 1, inWrong: 0, inRejected: 1, outRejected: 2, accuracy: 0.75 });
    expect(scoreThreshold(t, 0.9)).toMatchObject({ inRight: 0, inRejected: 2, accuracy: 0.5 });
  });
});
