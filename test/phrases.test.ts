import { describe, expect, it } from 'vitest';
import { BeamDecoder, compileBeamOptions, type BeamSearchOptions } from '../src/decoder/beam.js';

const labels = ['_', ' ', 'a', 'b', 'c', 'd', 'e', 'n', 'o', 'y', 's'];
const v = labels.length;
const CTC = { type: 'ctc' as const, blankId: 0 };

/** Posteriors spelling `text` (one frame per character, a blank between), each at probability p. */
function spell(text: string, p = 0.7): Float32Array {
  const ids: number[] = [0];
  for (const ch of text) ids.push(labels.indexOf(ch), 0);
  const out = new Float32Array(ids.length * v);
  ids.forEach((id, t) => {
    for (let k = 0; k < v; k++) out[t * v + k] = Math.log(k === id ? p : (1 - p) / (v - 1));
  });
  return out;
}

function run(text: string, opts: Partial<BeamSearchOptions>, p = 0.7) {
  const d = new BeamDecoder(compileBeamOptions({ type: 'beam', beam: 16, ...opts }, labels, CTC), 0.02);
  const lp = spell(text, p);
  d.accept(lp, lp.length / v);
  return d.finalResult();
}

describe('closed phrase lists', () => {
  const phrases = ['yes', 'no', 'cease', 'dance on', 'Dance'];

  it('returns the phrase that was said, with its index and a high confidence', () => {
    const r = run('yes', { phrases });
    expect(r.text).toBe('yes');
    expect(r.phrase).toMatchObject({ index: 0, text: 'yes' });
    expect(r.phrase!.confidence).toBeGreaterThan(0.9);
    expect(r.words.map((w) => w.word)).toEqual(['yes']);
    expect(run('dance on', { phrases }).phrase).toMatchObject({ index: 3, text: 'dance on' });
    expect(run('dance', { phrases }).phrase).toMatchObject({ index: 4, text: 'dance' });
  });

  it('tolerates leading, trailing and doubled separators', () => {
    expect(run(' dance  on ', { phrases }).phrase?.index).toBe(3);
    expect(run('no ', { phrases }).phrase?.index).toBe(1);
  });

  it('maps a near miss onto the closest phrase', () => {
    const r = run('yas', { phrases });
    expect(r.text).toBe('yes');
  });

  it('says "no match" below the threshold', () => {
    const r = run('baobab dance', { phrases });
    expect(r.phrase).toBeNull();
    expect(r.text).toBe('');
    expect(r.words).toEqual([]);
    expect(run('yas', { phrases, phraseThreshold: 0.99 }).phrase).toBeNull();
  });
});

describe('boosted phrases (hotwords)', () => {
  /** Acoustics slightly prefer "bob" over "bod" on the last letter. */
  function ambiguous(): Float32Array {
    const rows: Record<number, number>[] = [{ 0: 0.9 }, { 3: 0.9 }, { 0: 0.9 }, { 8: 0.9 }, { 0: 0.9 }, { 3: 0.45, 5: 0.4 }, { 0: 0.9 }];
    const out = new Float32Array(rows.length * v);
    rows.forEach((r, t) => {
      const rest = (1 - Object.values(r).reduce((a, b) => a + b, 0)) / (v - Object.keys(r).length);
      for (let k = 0; k < v; k++) out[t * v + k] = Math.log(r[k] ?? rest);
    });
    return out;
  }
  const decode = (opts: Partial<BeamSearchOptions>) => {
    const d = new BeamDecoder(compileBeamOptions({ type: 'beam', beam: 16, ...opts }, labels, CTC), 0.02);
    d.accept(ambiguous(), 7);
    return d.finalResult().text;
  };

  it('a boosted word wins a near tie and open vocabulary is kept', () => {
    expect(decode({})).toBe('bob');
    expect(decode({ boost: ['bod'] })).toBe('bod');
    expect(decode({ boost: ['yes'] })).toBe('bob');
  });

  it('a partial match of a boosted phrase earns nothing', () => {
    // "bo" is a prefix of the boosted "boa"; "bob" and "bod" are not "boa", so their bonus is revoked.
    const boosted = new BeamDecoder(compileBeamOptions({ type: 'beam', beam: 1000, topK: v, labelThreshold: 0, boost: ['boa'], boostScore: 0.5 }, labels, CTC), 0.02);
    const plain = new BeamDecoder(compileBeamOptions({ type: 'beam', beam: 1000, topK: v, labelThreshold: 0 }, labels, CTC), 0.02);
    boosted.accept(ambiguous(), 7);
    plain.accept(ambiguous(), 7);
    expect(boosted.finalResult().text).toBe('bob');
    const score = (d: BeamDecoder, ids: number[]) => d.hypotheses().find((h) => h.ids.join() === ids.join())!.score;
    expect(score(boosted, [3, 8, 3])).toBeCloseTo(score(plain, [3, 8, 3]), 9);
    expect(score(boosted, [3, 8, 2])).toBeCloseTo(score(plain, [3, 8, 2]) + 1.5, 9);
  });
});
