import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { DEFAULT_SPLIT, type SplitEntry, assignSpeakers, writeSplit } from '../../../tools/corpus/real-split.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-real-split-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** `clips` clips of `seconds` each for one speaker of one source. */
function speaker(source: string, voice: string, clips: number, seconds = 3): SplitEntry[] {
  return Array.from({ length: clips }, (_, i) => ({
    id: `${voice.replace('/', '-')}-${i}`,
    audio: `wav/${voice.replace('/', '-')}-${i}.wav`,
    text: 'some words',
    voice,
    source,
    duration: seconds,
  }));
}

// Queen: Joe 60 min, ten side characters of 2-6 min, 3 min unlabelled; Sky: Foster 30 min, six of 3 min.
const queen = [
  ...speaker('q', 'queen/joe', 1200),
  ...Array.from({ length: 10 }, (_, k) => speaker('q', `queen/c${k}`, 40 + 8 * k)).flat(),
  ...speaker('q', 'queen/unknown', 60),
];
const sky = [...speaker('s', 'sky/foster', 600), ...Array.from({ length: 6 }, (_, k) => speaker('s', `sky/c${k}`, 60)).flat()];

describe('real-split: speaker-disjoint real-dev / real-test', () => {
  const o = { ...DEFAULT_SPLIT, testMin: 12, devMin: 12 };
  const assigned = assignSpeakers([...queen, ...sky], o);
  const minutes = (set: string, source?: string): number =>
    assigned.filter((s) => s.set === set && (!source || s.source === source)).reduce((a, s) => a + s.minutes, 0);

  it('holds out whole speakers, never the protagonists, and drops the unlabelled', () => {
    const setOf = new Map(assigned.map((s) => [s.speaker, s.set]));
    expect(setOf.get('queen/joe')).toBe('train');
    expect(setOf.get('sky/foster')).toBe('train');
    expect(setOf.get('queen/unknown')).toBe('dropped');
    expect(assigned.filter((s) => s.set === 'test').length).toBeGreaterThan(1);
    expect(assigned.filter((s) => s.set === 'dev').length).toBeGreaterThan(1);
    expect(assigned.filter((s) => s.set === 'train').length).toBeGreaterThan(3);
  });

  it('meets each target, shared out over the sources by their eligible hours', () => {
    expect(minutes('test')).toBeGreaterThanOrEqual(12);
    expect(minutes('dev')).toBeGreaterThanOrEqual(12);
    // Both sources have eligible side characters, so both give speakers to each held-out set.
    for (const source of ['q', 's']) {
      expect(minutes('test', source)).toBeGreaterThan(0);
      expect(minutes('dev', source)).toBeGreaterThan(0);
    }
    // A set stops taking speakers once over target: it overshoots by less than its largest speaker.
    expect(minutes('test')).toBeLessThan(12 + 2 * 5);
  });

  it('does not depend on the order of the input', () => {
    const again = assignSpeakers([...sky].reverse().concat([...queen].reverse()), o);
    expect(again).toEqual(assigned);
  });

  it('groups aliases of one voice into one set', () => {
    const aliased = [...speaker('q', 'queen/c3', 10), ...speaker('q', 'queen/c3-other-scene', 200)];
    const a = assignSpeakers([...queen, ...aliased], { ...o, aliases: { 'queen/c3-other-scene': 'queen/c3' } });
    expect(a.find((s) => s.speaker === 'queen/c3-other-scene')).toBeUndefined();
    expect(a.find((s) => s.speaker === 'queen/c3')!.clips).toBe(64 + 210);
  });

  it('--unknown train keeps the unlabelled clips in training', () => {
    const a = assignSpeakers(queen, { ...o, unknown: 'train' });
    expect(a.find((s) => s.speaker === 'queen/unknown')?.set).toBe('train');
  });

  it('writes three disjoint manifests whose audio paths still reach the files, and split.json', async () => {
    const input = path.join(tmp, 'q.jsonl');
    writeFileSync(input, queen.map((e) => JSON.stringify(e)).join('\n'));
    const out = path.join(tmp, 'split');
    await writeSplit([input], out, o);
    const read = (set: string): SplitEntry[] =>
      readFileSync(path.join(out, `real-${set}.jsonl`), 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as SplitEntry);
    const sets = ['train', 'dev', 'test'].map(read);
    const voices = sets.map((s) => new Set(s.map((e) => e.voice)));
    for (let a = 0; a < 3; a++) for (let b = a + 1; b < 3; b++) expect([...voices[a]!].filter((v) => voices[b]!.has(v))).toEqual([]);
    expect(sets.reduce((a, s) => a + s.length, 0)).toBe(queen.length - 60);
    const first = sets[1]![0]!;
    expect(path.resolve(out, first.audio)).toBe(path.join(tmp, 'wav', `${first.id}.wav`));
    const split = JSON.parse(readFileSync(path.join(out, 'split.json'), 'utf8')) as { summary: Record<string, { clips: number }> };
    expect(split.summary.test!.clips).toBe(sets[2]!.length);
  });

  it('refuses a clip id that appears twice, naming the line', async () => {
    const input = path.join(tmp, 'dup.jsonl');
    const e = queen[0]!;
    writeFileSync(input, `${JSON.stringify(e)}\n${JSON.stringify(e)}\n`);
    await expect(writeSplit([input], path.join(tmp, 'dup'), o)).rejects.toThrow(/dup\.jsonl:2: id "queen-joe-0" appears twice/);
    await expect(writeSplit([input], path.join(tmp, 'dup'), o)).rejects.toBeInstanceOf(UsageError);
  });

  it('refuses a line without a duration', async () => {
    const input = path.join(tmp, 'bad.jsonl');
    writeFileSync(input, `${JSON.stringify({ ...queen[0], duration: undefined })}\n`);
    await expect(writeSplit([input], path.join(tmp, 'bad'), o)).rejects.toThrow(/bad\.jsonl:1: "duration" must be a positive number/);
  });
});
