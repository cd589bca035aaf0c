import { describe, expect, it } from 'vitest';
import { BeamDecoder, compileBeamOptions, type BeamSearchOptions } from '../../src/decoder/beam.js';
import { GreedyDecoder } from '../../src/decoder/greedy.js';
import type { LanguageModel } from '../../src/lm/types.js';
import { Rng } from '../../src/core/rng.js';

const CTC = { type: 'ctc' as const, blankId: 0 };

/** Deterministic pseudo-random log-posteriors, frames x v. */
function randomPosteriors(t: number, v: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  const rnd = (): number => rng.next();
  const out = new Float32Array(t * v);
  for (let i = 0; i < t; i++) {
    const row = Array.from({ length: v }, () => rnd() + 0.05);
    const sum = row.reduce((a, b) => a + b, 0);
    row.forEach((x, k) => (out[i * v + k] = Math.log(x / sum)));
  }
  return out;
}

/** Sum over every alignment of its probability, per collapsed label sequence. */
function bruteForce(lp: Float32Array, t: number, v: number, blank: number): Map<string, number> {
  const out = new Map<string, number>();
  const path = new Array<number>(t).fill(0);
  const rec = (i: number, logp: number): void => {
    if (i === t) {
      const ids: number[] = [];
      let prev = -1;
      for (const k of path) {
        if (k !== blank && k !== prev) ids.push(k);
        prev = k;
      }
      const key = ids.join(',');
      out.set(key, (out.get(key) ?? 0) + Math.exp(logp));
      return;
    }
    for (let k = 0; k < v; k++) {
      path[i] = k;
      rec(i + 1, logp + lp[i * v + k]!);
    }
  };
  rec(0, 0);
  return out;
}

function decoder(labels: string[], opts: Partial<BeamSearchOptions> = {}, frameSeconds = 0.01): BeamDecoder {
  return new BeamDecoder(compileBeamOptions({ type: 'beam', ...opts }, labels, CTC), frameSeconds);
}

/** Peaky log-posteriors: frame t puts p on ids[t]. */
function peaky(ids: number[], v: number, p = 0.9): Float32Array {
  const out = new Float32Array(ids.length * v);
  ids.forEach((id, t) => {
    for (let k = 0; k < v; k++) out[t * v + k] = Math.log(k === id ? p : (1 - p) / (v - 1));
  });
  return out;
}

describe('LM weight and word bonus', () => {
  const lm = { order: 1, score: () => -1 };
  const labels = ['<b>', ' ', 'a', 'b'];
  it("come from the caller, else the model's recommendation, else 0.7 and 6; without an LM both are 0", () => {
    const tuned = { ...CTC, lm: { weight: 0.45, wordBonus: 3.5 } };
    const pick = (o: Partial<BeamSearchOptions>, out: typeof CTC | typeof tuned) => {
      const c = compileBeamOptions({ type: 'beam', ...o }, labels, out);
      return [c.lmWeight, c.wordBonus];
    };
    expect(pick({ lm }, tuned)).toEqual([0.45, 3.5]);
    expect(pick({ lm, lmWeight: 1.2 }, tuned)).toEqual([1.2, 3.5]);
    expect(pick({ lm, wordBonus: 0 }, tuned)).toEqual([0.45, 0]);
    expect(pick({ lm }, CTC)).toEqual([0.7, 6]);
    expect(pick({}, tuned)).toEqual([0, 0]);
    expect(() => pick({ lm }, { ...CTC, lm: { weight: 0.4, wordBonus: 200 } })).toThrow(/wordBonus must be a number in \[-100, 100\], got 200/);
  });
});

describe('BeamDecoder: exact prefix probabilities', () => {
  for (const [t, v, seed] of [[1, 3, 1], [3, 2, 2], [4, 3, 3], [5, 3, 4], [6, 3, 5], [6, 2, 6]] as const) {
    it(`equals brute-force enumeration of all ${v}^${t} alignments (seed ${seed})`, () => {
      const labels = ['_', 'a', 'b'].slice(0, v);
      const lp = randomPosteriors(t, v, seed);
      const expected = bruteForce(lp, t, v, 0);
      const d = decoder(labels, { beam: 10000, topK: v, labelThreshold: 0 });
      d.accept(lp, t);
      const got = new Map(d.hypotheses().map((h) => [h.ids.join(','), Math.exp(h.logProb)]));
      expect([...got.keys()].sort()).toEqual([...expected.keys()].sort());
      for (const [k, p] of expected) expect(got.get(k)).toBeCloseTo(p, 6);
      // The total over prefixes is 1: every alignment is counted exactly once.
      expect([...got.values()].reduce((a, b) => a + b, 0)).toBeCloseTo(1, 6);
    });
  }
});

describe('BeamDecoder: streaming and greedy equivalence', () => {
  const labels = ['<b>', ' ', 'a', 'b', 'c'];

  it('gives the same hypotheses, text, words and times for any chunking', () => {
    const t = 40;
    const lp = randomPosteriors(t, labels.length, 42);
    const whole = decoder(labels, { beam: 8 });
    whole.accept(lp, t);
    for (const cuts of [[1], [7, 13], [39]]) {
      const d = decoder(labels, { beam: 8 });
      let at = 0;
      for (const c of [...cuts, t]) {
        d.accept(lp.subarray(at * labels.length, c * labels.length), c - at);
        at = c;
      }
      expect(d.hypotheses()).toEqual(whole.hypotheses());
      expect(d.finalResult()).toEqual(whole.finalResult());
      expect(d.framesDecoded).toBe(t);
    }
  });

  it('with beam width 1 equals the greedy decoder on peaky posteriors (tokens, times, confidences)', () => {
    const ids = [0, 2, 2, 0, 2, 3, 3, 0, 0, 1, 1, 4, 4, 0, 4, 0, 1, 2];
    const lp = peaky(ids, labels.length, 0.8);
    const g = new GreedyDecoder({ output: CTC, labels, frameSeconds: 0.03 });
    g.accept(lp, ids.length);
    const b = decoder(labels, { beam: 1 }, 0.03);
    b.accept(lp, ids.length);
    const gr = g.result();
    const br = b.finalResult();
    expect(br.text).toBe('aab cc a');
    expect(br.text).toBe(gr.text);
    expect(br.tokens.length).toBe(gr.tokens.length);
    br.tokens.forEach((tok, i) => {
      const gt = gr.tokens[i]!;
      expect(tok.id).toBe(gt.id);
      expect(tok.start).toBeCloseTo(gt.start, 9);
      expect(tok.end).toBeCloseTo(gt.end, 9);
      expect(tok.confidence).toBeCloseTo(gt.confidence, 5);
    });
    expect(br.words.map((w) => w.word)).toEqual(gr.words.map((w) => w.word));
  });

  it('finds the most probable labelling where greedy does not', () => {
    // Two frames: greedy picks blank twice (0.4 each), but "a" has 1 - 0.4^2 - P(b-ish) > 0.16.
    const lab = ['_', 'a', 'b'];
    const lp = new Float32Array([0.4, 0.35, 0.25, 0.4, 0.35, 0.25].map(Math.log));
    const b = decoder(lab, { beam: 4 });
    b.accept(lp, 2);
    expect(b.finalResult().text).toBe('a');
  });

  it('rejects bad options with precise messages', () => {
    expect(() => compileBeamOptions({ type: 'beam', beam: 0 }, labels, CTC)).toThrow(/beam must be an integer in \[1, 10000\], got 0/);
    expect(() => compileBeamOptions({ type: 'beam' }, labels, { type: 'frame', silenceId: 0 })).toThrow(/needs a CTC model/);
    expect(() => compileBeamOptions({ type: 'beam', phrases: ['ab', 'xyz'] }, labels, CTC)).toThrow(/phrase 2: "xyz": character "x" at position 1 is not one of the model's labels/);
    expect(() => compileBeamOptions({ type: 'beam', lexicon: ['a b'] }, labels, CTC)).toThrow(/lexicon entry 1 "a b" has a space/);
    expect(() => compileBeamOptions({ type: 'beam', boost: [] }, labels, CTC)).toThrow(/boost is empty/);
    expect(() => decoder(labels).accept(new Float32Array(7), 2)).toThrow(/expected 2 x 5 = 10 values, got 7/);
  });
});

describe('BeamDecoder: fusion', () => {
  const labels = ['_', ' ', 'a', 'b', 'c'];
  /** "ab" vs "ac" acoustically ambiguous, slightly favouring "ac". */
  function ambiguous(): Float32Array {
    const v = labels.length;
    const rows = [
      [0.05, 0.05, 0.8, 0.05, 0.05],
      [0.1, 0.05, 0.05, 0.38, 0.42],
      [0.9, 0.05, 0.02, 0.015, 0.015],
    ];
    const out = new Float32Array(rows.length * v);
    rows.forEach((r, t) => r.forEach((p, k) => (out[t * v + k] = Math.log(p))));
    return out;
  }
  const fixedLm = (probs: Record<string, number>): LanguageModel => ({ order: 1, score: (_h, w) => Math.log(probs[w] ?? 1e-6) });

  it('an LM turns the near miss into the likelier word', () => {
    const plain = decoder(labels, { beam: 8 });
    plain.accept(ambiguous(), 3);
    expect(plain.finalResult().text).toBe('ac');
    const lm = decoder(labels, { beam: 8, lm: fixedLm({ ab: 0.5, ac: 0.01, '</s>': 1 }), lmWeight: 1, wordBonus: 0 });
    lm.accept(ambiguous(), 3);
    expect(lm.finalResult().text).toBe('ab');
  });

  it('a lexicon prunes words outside the vocabulary', () => {
    const d = decoder(labels, { beam: 8, lexicon: ['ab', 'ba'] });
    d.accept(ambiguous(), 3);
    expect(d.finalResult().text).toBe('ab');
    for (const h of d.hypotheses()) expect(h.ids).not.toContain(4);
  });

  it('LM history is passed to the model and "</s>" is scored at the end', () => {
    const calls: string[] = [];
    const lm: LanguageModel = { order: 3, score: (h, w) => (calls.push(`${h.join(' ')}|${w}`), Math.log(0.5)) };
    const v = labels.length;
    const d = decoder(labels, { beam: 1, lm });
    d.accept(peaky([2, 1, 3, 1, 4], v, 0.9), 5);
    expect(d.finalResult().text).toBe('a b c');
    expect(calls).toContain('<s>|a');
    expect(calls).toContain('<s> a|b');
    expect(calls).toContain('a b|c');
    expect(calls).toContain('b c|</s>');
  });
});
