// The one text rule (src/core/text.ts): the outputs pinned on the shared fixture, which the Python rule must also give
// (test/tools/train/text.test.ts), and the properties the pipeline relies on.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { normalizeText, textWords } from '../../src/core/text.js';
import { normalizeLabel } from '../../tools/corpus/normalize.js';

interface Fixture {
  labelSets: Record<'model' | 'noApostrophe' | 'none', string[] | null>;
  cases: Array<{ text: string; model: string; noApostrophe: string; none: string }>;
}
const fixture = JSON.parse(readFileSync(new URL('../fixtures/text/normalize.json', import.meta.url), 'utf8')) as Fixture;
const SETS = ['model', 'noApostrophe', 'none'] as const;

describe('normalizeText', () => {
  it.each(SETS)('gives the fixture\'s output for every string with the %s label set', (set) => {
    const labels = fixture.labelSets[set] ?? undefined;
    const got = fixture.cases.map((c) => normalizeText(c.text, labels));
    expect(got).toEqual(fixture.cases.map((c) => c[set]));
  });

  it('the fixture covers apostrophes, curly quotes, digits, hyphens, accents, punctuation, runs of spaces and the empty string', () => {
    const texts = fixture.cases.map((c) => c.text);
    for (const probe of ["'", '\u2019', '\u201c', '1', '-', '\u2014', '\u00e9', '\u0301', ',', '?', '  ', '\t', '\u00a0']) {
      expect(texts.some((t) => t.includes(probe)), `no fixture string holds ${JSON.stringify(probe)}`).toBe(true);
    }
    expect(texts).toContain('');
  });

  it('is idempotent, and its output under the model\'s labels holds only single spaces between words', () => {
    for (const set of SETS) {
      const labels = fixture.labelSets[set] ?? undefined;
      for (const c of fixture.cases) {
        const once = normalizeText(c.text, labels);
        expect(normalizeText(once, labels), JSON.stringify(c.text)).toBe(once);
        expect(once).not.toMatch(/^ | $| {2}/);
      }
    }
  });

  it('textWords splits the normalized text; nothing left is no words', () => {
    expect(textWords('“Hello,” she said.')).toEqual(['hello', 'she', 'said']);
    expect(textWords('...!?')).toEqual([]);
  });

  it('a corpus label (tools/corpus/normalize.ts) is a fixed point of the rule, so training and scoring see it unchanged', () => {
    const labels = fixture.labelSets.model!;
    for (const raw of ['Dr. Smith paid $4.50 at 3:30.', "Rock 'n' roll -- it's 1999!", '\u201cDon\u2019t,\u201d she said; the 2nd one?']) {
      const label = normalizeLabel(raw);
      expect(label, raw).not.toBeNull();
      expect(normalizeText(label!, labels)).toBe(label);
    }
  });
});
