/**
 * tools/eval/compare: two `earshot eval --hyp` files of the same manifests -> B - A per subset with a paired
 * bootstrap interval; error counts checked by hand, mismatched runs refused with what differs.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuilt } from '../../helpers/cli.js';
import { compareRuns, parseHyps } from '../../../tools/eval/compare.js';

const line = (subset: string, id: string, ref: string, hyp: string): string => JSON.stringify({ subset, id, ref, hyp, wer: 0, cer: 0 });

// A: "the cat" -> "the bat" (1 char, 1 word of 7 chars, 2 words), "a dog" -> "a dog" (0). B: both right.
// Subset "x" in both runs is identical.
const A = [line('s', '1', 'the cat', 'the bat'), line('s', '2', 'a dog', 'a dog'), line('x', '1', 'hi', 'ho')].join('\n');
const B = [line('s', '1', 'the cat', 'the cat'), line('s', '2', 'a dog', 'a dog'), line('x', '1', 'hi', 'ho')].join('\n');

describe('tools/eval/compare', () => {
  it('scores both runs per subset and overall, with B - A and its paired interval', () => {
    const rows = compareRuns(parseHyps(A, 'a'), parseHyps(B, 'b'), { draws: 500 });
    expect(rows.map((r) => r.subset)).toEqual(['s', 'x', 'overall']);
    const [s, x, all] = rows;
    // Subset s: 12 reference characters ("the cat" 7 + "a dog" 5), 4 words; A has 1 char and 1 word error.
    expect([s!.cerA, s!.cerB, s!.werA, s!.werB]).toEqual([1 / 12, 0, 1 / 4, 0]);
    expect(s!.cerDelta).toBeCloseTo(-1 / 12, 12);
    // A resample either draws utterance 1 (B better) or only utterance 2 twice (a tie, 1/4 of draws).
    expect(s!.pBetterCer).toBeGreaterThan(0.75);
    expect(s!.cerDeltaInterval.high).toBe(0);
    // Subset x is the same in both: no difference in any resample.
    expect(x!.cerDeltaInterval).toEqual({ low: 0, high: 0 });
    expect(x!.pBetterCer).toBe(0.5);
    // Overall: 14 characters, A 2 errors (1 + "hi"->"ho" 1), B 1.
    expect([all!.cerA, all!.cerB]).toEqual([2 / 14, 1 / 14]);
  });

  it('refuses runs over different utterances or references, saying which', () => {
    expect(() => compareRuns(parseHyps(A, 'a'), parseHyps(line('s', '1', 'the cat', 'the cat'), 'b'))).toThrow(/only in A 2 \(s\/2, x\/1\), only in B 0/);
    const other = B.replace('"ref":"a dog"', '"ref":"a fog"');
    expect(() => compareRuns(parseHyps(A, 'a'), parseHyps(other, 'b'))).toThrow(/s\/2: the runs have different references \("a dog" vs "a fog"\)/);
    expect(() => parseHyps('{"id":"1"}', 'h.jsonl')).toThrow(/h\.jsonl:1: expected string fields "subset", "id", "ref" and "hyp", got subset: missing, ref: missing, hyp: missing; expected an earshot eval --hyp file/);
    expect(() => parseHyps(`${A}\n${line('s', '1', 'x', 'y')}`, 'h.jsonl')).toThrow(/h\.jsonl:4: s\/1 appears twice/);
  });

  it('runs as a CLI: the table on stdout, --json with the same rows, exit 1 and a message on bad input', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'earshot-compare-'));
    const [fa, fb, json] = ['a.jsonl', 'b.jsonl', 'out.json'].map((f) => path.join(dir, f)) as [string, string, string];
    writeFileSync(fa, A);
    writeFileSync(fb, B);
    const r = runBuilt('dist/tools/eval/compare.js', [fa, fb, '--draws', '300', '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    const table = r.stdout.split('\n').filter((l) => /^(s|x|overall) /.test(l)).map((l) => l.split(/\s+/).slice(0, 5));
    expect(table).toEqual([['s', '2', '8.33', '0.00', '-8.33'], ['x', '1', '50.00', '50.00', '0.00'], ['overall', '3', '14.29', '7.14', '-7.14']]);
    const rows = (JSON.parse(readFileSync(json, 'utf8')) as { rows: { subset: string; cerA: number }[] }).rows;
    expect(rows.map((x) => x.subset)).toEqual(['s', 'x', 'overall']);
    const bad = runBuilt('dist/tools/eval/compare.js', [fa, path.join(dir, 'missing.jsonl')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/compare: .*missing\.jsonl: cannot read/);
  });
});
