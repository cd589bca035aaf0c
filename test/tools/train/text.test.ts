// The Python text rule (tools/train/text.py normalize_text, used by training) gives exactly what the TypeScript one
// (src/core/text.ts normalizeText, used by eval, lm build and the corpus labels) gives, on the shared fixture.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { normalizeText } from '../../../src/core/text.js';
import { ROOT } from '../../helpers/cli.js';
import { PYTHON, pythonRequirement } from '../../helpers/requirements.js';

interface Fixture {
  labelSets: Record<string, string[] | null>;
  cases: Array<{ text: string }>;
}
const fixture = JSON.parse(readFileSync(path.join(ROOT, 'test/fixtures/text/normalize.json'), 'utf8')) as Fixture;
const python = pythonRequirement();

/** normalize_text of every fixture string under `labels`, computed by tools/train/text.py. */
function pythonNormalize(labels: string[] | null): string[] {
  const r = spawnSync(PYTHON, [path.join(ROOT, 'tools/train/text.py')], {
    input: JSON.stringify({ texts: fixture.cases.map((c) => c.text), labels }), encoding: 'utf8', timeout: 60_000, env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
  });
  expect(r.error).toBeUndefined();
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as string[];
}

describe.skipIf(python.skip)('text rule: Python == TypeScript', () => {
  it.each(Object.keys(fixture.labelSets))('the same output for every fixture string with the %s label set', (set) => {
    python.assertPresent();
    const labels = fixture.labelSets[set]!;
    const ts = fixture.cases.map((c) => normalizeText(c.text, labels ?? undefined));
    const py = pythonNormalize(labels);
    const differ = fixture.cases.map((c, i) => ({ text: c.text, ts: ts[i], py: py[i] })).filter((d) => d.ts !== d.py);
    expect(differ).toEqual([]);
    expect(py.length).toBe(fixture.cases.length);
  });
});
