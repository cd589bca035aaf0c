import { describe, expect, it } from 'vitest';
import { chooseSubset, excludedIds, summarize, type SubsetEntry } from '../../../tools/corpus/subset.js';

// 6 speakers of one source, 20 clips each of 1..4 s: enough for hash order to matter and small enough to check by hand.
const entries: SubsetEntry[] = [];
for (let s = 0; s < 6; s++) for (let c = 0; c < 20; c++) entries.push({ id: `q-${s}-${c}`, voice: `queen/v${s}`, source: 'debian/q', duration: 1 + ((s + c) % 4) });
const total = entries.reduce((a, e) => a + e.duration, 0);
const hoursOf = (kept: Set<string>): number => entries.filter((e) => kept.has(e.id)).reduce((a, e) => a + e.duration, 0);

describe('learning-curve subsets', () => {
  it('--fraction keeps the first clips in hash order until their share of the duration is reached', () => {
    const kept = chooseSubset(entries, { fraction: 0.25, seed: '1' });
    expect(hoursOf(kept)).toBeGreaterThanOrEqual(0.25 * total);
    expect(hoursOf(kept)).toBeLessThan(0.25 * total + 4); // stops at the first clip that reaches it
    expect(summarize(entries, kept).speakers).toBe(6);
    expect(chooseSubset(entries, { fraction: 0.25, seed: '1' })).toEqual(kept);
    expect(chooseSubset(entries, { fraction: 0.25, seed: '2' })).not.toEqual(kept);
    const half = chooseSubset(entries, { fraction: 0.5, seed: '1' });
    for (const id of kept) expect(half.has(id)).toBe(true); // nested: a bigger point holds the smaller one
    expect(chooseSubset(entries, { fraction: 1, seed: '1' }).size).toBe(entries.length);
    expect(() => chooseSubset(entries, { fraction: 0, seed: '1' })).toThrow(/--fraction must be in \(0, 1\]/);
  });

  it('--speakers keeps only that many voices, taking their clips in turn up to the hours', () => {
    const kept = chooseSubset(entries, { speakers: 2, hours: 20 / 3600, seed: '1' });
    const voices = new Set(entries.filter((e) => kept.has(e.id)).map((e) => e.voice));
    expect(voices.size).toBe(2);
    const per = [...voices].map((v) => entries.filter((e) => kept.has(e.id) && e.voice === v).length);
    expect(Math.abs(per[0]! - per[1]!)).toBeLessThanOrEqual(1); // round-robin
    expect(hoursOf(kept)).toBeGreaterThanOrEqual(20);
    expect(hoursOf(kept)).toBeLessThan(24);
    expect(chooseSubset(entries, { speakers: 2, seed: '1' }).size).toBe(40); // no --hours: all of theirs
    expect(() => chooseSubset(entries, { speakers: 1.5, seed: '1' })).toThrow(/--speakers must be a positive whole number/);
  });

  it('leaves out the clips not kept, their augmented copies and copies joined to them', () => {
    const out = excludedIds(['a', 'b', 'c'], [{ id: 'a-a1' }, { id: 'a-a2', joins: 'b' }, { id: 'b-a1', joins: 'a' }, { id: 'c-a1' }], new Set(['a', 'c']));
    expect(out).toEqual(['b', 'a-a2', 'b-a1']);
    expect(() => excludedIds(['a'], [{ id: 'a-copy' }], new Set(['a']))).toThrow(/"a-copy" is not <clip id>-a<k>/);
  });
});
