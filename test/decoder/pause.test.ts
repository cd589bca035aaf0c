// A pause always ends a word (issue 23, defect 1): "afternoon[1.5 s]please" must not come out as one word.
import { describe, expect, it } from 'vitest';
import { GreedyDecoder } from '../../src/decoder/greedy.js';
import { BeamDecoder, compileBeamOptions, type BeamSearchOptions } from '../../src/decoder/beam.js';
import { decoderFactory } from '../../src/decoder/select.js';
import { pauseFrames } from '../../src/decoder/words.js';
import type { LanguageModel } from '../../src/lm/types.js';
import { UsageError } from '../../src/core/errors.js';

// 0 blank, 1 space, 2 a, 3 b, 4 c
const labels = ['<b>', ' ', 'a', 'b', 'c'];
const CTC = { type: 'ctc' as const, blankId: 0 };
const FS = 0.03; // the shipped model's frame: 10 ms shift x subsampling 3

/** Frame t puts probability p on ids[t], the rest spread evenly. */
function peaky(ids: number[], p = 0.9): Float32Array {
  const v = labels.length;
  const out = new Float32Array(ids.length * v);
  ids.forEach((id, t) => {
    for (let k = 0; k < v; k++) out[t * v + k] = Math.log(k === id ? p : (1 - p) / (v - 1));
  });
  return out;
}

/** "ab", `gap` blank frames, "ca": no separator emitted between the two words. */
function glued(gap: number): number[] {
  return [0, 2, 2, 3, ...Array<number>(gap).fill(0), 4, 2, 0];
}

function greedy(ids: number[], pauseSeconds?: number): ReturnType<GreedyDecoder['result']> {
  const d = new GreedyDecoder({ output: CTC, labels, frameSeconds: FS, ...(pauseSeconds !== undefined ? { pauseSeconds } : {}) });
  d.accept(peaky(ids), ids.length);
  return d.result();
}

function beam(ids: number[], opts: Partial<BeamSearchOptions> = {}): ReturnType<BeamDecoder['finalResult']> {
  const d = new BeamDecoder(compileBeamOptions({ type: 'beam', ...opts }, labels, CTC), FS);
  // Peaky enough that a separator spread over many blank frames never outweighs the blanks (CTC sums alignments).
  d.accept(peaky(ids, 0.99), ids.length);
  return d.finalResult();
}

describe('a pause ends a word', () => {
  it('the default pause is 0.3 s in model frames', () => {
    expect(pauseFrames(undefined, 0.03)).toBe(10);
    expect(pauseFrames(undefined, 0.01)).toBe(30);
    expect(pauseFrames(0.5, 0.03)).toBe(17);
    expect(pauseFrames(0.001, 0.03)).toBe(1);
    expect(pauseFrames(Infinity, 0.03)).toBe(Infinity);
    for (const bad of [0, -1, Number.NaN]) expect(() => pauseFrames(bad, 0.03)).toThrow(UsageError);
  });

  it('greedy: 1.5 s of blank between letters splits the word; the words do not span the pause', () => {
    const r = greedy(glued(50));
    expect(r.text).toBe('ab ca');
    expect(r.words.map((w) => w.word)).toEqual(['ab', 'ca']);
    expect(r.words[0]!.end).toBeCloseTo(4 * FS, 9);
    expect(r.words[1]!.start).toBeCloseTo(54 * FS, 9);
    // The tokens are what the model emitted: no invented separator.
    expect(r.tokens.map((t) => t.label).join('')).toBe('abca');
  });

  it('greedy: a gap shorter than the pause keeps one word; exactly the pause splits', () => {
    expect(greedy(glued(9)).text).toBe('abca');
    expect(greedy(glued(10)).text).toBe('ab ca');
  });

  it('greedy: the pause can be overridden, or turned off with Infinity', () => {
    expect(greedy(glued(10), 0.6).text).toBe('abca');
    expect(greedy(glued(20), 0.6).text).toBe('ab ca');
    expect(greedy(glued(50), Infinity).text).toBe('abca');
  });

  it('greedy: the split does not depend on the chunking', () => {
    const ids = glued(40);
    const lp = peaky(ids);
    const d = new GreedyDecoder({ output: CTC, labels, frameSeconds: FS });
    for (let t = 0; t < ids.length; t += 7) {
      const n = Math.min(7, ids.length - t);
      d.accept(lp.subarray(t * labels.length, (t + n) * labels.length), n);
    }
    expect(d.result().text).toBe('ab ca');
  });

  it('the recognizer factory passes pauseSeconds to the greedy decoder and checks it', () => {
    const make = decoderFactory({ type: 'greedy', pauseSeconds: 2 }, labels, CTC, FS);
    const d = make();
    const ids = glued(50);
    d.accept(peaky(ids), ids.length);
    expect(d.finalResult().text).toBe('abca');
    expect(() => decoderFactory({ type: 'greedy', pauseSeconds: 0 }, labels, CTC, FS)).toThrow(/pauseSeconds/);
    expect(() => decoderFactory({ type: 'beam', pauseSeconds: -1 }, labels, CTC, FS)).toThrow(/pauseSeconds/);
  });

  it('beam: splits at the pause too, with word times that do not span it', () => {
    const r = beam(glued(50));
    expect(r.text).toBe('ab ca');
    expect(r.words[0]!.end).toBeLessThanOrEqual(4 * FS + 1e-9);
    expect(r.words[1]!.start).toBeGreaterThanOrEqual(54 * FS - 1e-9);
    expect(beam(glued(5)).text).toBe('abca');
    expect(beam(glued(50), { pauseSeconds: Infinity }).text).toBe('abca');
  });

  it('beam: the LM scores the two words the pause separates, not one glued word', () => {
    const seen: string[] = [];
    const lm: LanguageModel = {
      order: 2,
      score: (_h, w) => {
        seen.push(w);
        return -1;
      },
    } as LanguageModel;
    beam(glued(50), { lm });
    expect(seen).toContain('ab');
    expect(seen).toContain('ca');
    expect(seen).not.toContain('abca');
  });

  it('beam: a lexicon of the two words accepts them across a pause', () => {
    expect(beam(glued(50), { lexicon: ['ab', 'ca'] }).text).toBe('ab ca');
  });

  it('beam: a closed phrase "ab ca" is matched across a pause without a separator', () => {
    const r = beam(glued(50), { phrases: ['ab ca', 'bb'], phraseThreshold: 0 });
    expect(r.phrase?.text).toBe('ab ca');
  });
});
