// Every system package a test asks for is installed by .ci/run and named in the README (issue 23, defect 4).
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers/cli.js';
import { fortunesRequirement } from './helpers/requirements.js';

const read = (f: string): string => readFileSync(path.join(ROOT, f), 'utf8');

/** The Debian packages the requirement helper's install commands name. */
function helperPackages(): string[] {
  const src = read('test/helpers/requirements.ts');
  const pkgs = new Set<string>();
  for (const m of src.matchAll(/apt-get install -y ([a-z0-9 .+-]+?)'/g)) for (const p of m[1]!.split(' ')) if (p && !p.startsWith('$')) pkgs.add(p);
  return [...pkgs].sort();
}

describe('system packages for the tests', () => {
  const pkgs = helperPackages();

  it('the helper covers PyTorch, the TTS engines, the fortune databases and Chromium', () => {
    for (const p of ['python3-torch', 'fortunes', 'chromium']) expect(pkgs).toContain(p);
    // tools() builds its command from the tool names it is given (each the name of its Debian package): every test file's
    const tools = new Set<string>();
    const files = readdirSync(path.join(ROOT, 'test'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.test.ts'));
    for (const f of files) for (const m of read(path.join('test', f)).matchAll(/tools\(\[([^\]]+)\]\)/g)) for (const t of m[1]!.matchAll(/'([^']+)'/g)) tools.add(t[1]!);
    expect([...tools].sort()).toEqual(['espeak-ng', 'ffmpeg', 'flite', 'redis-server', 'sox']);
    pkgs.push(...tools);
  });

  it('.ci/run installs each of them, and the README names each', () => {
    const list = /^pkgs=\(([^)]*)\)/m.exec(read('.ci/run'));
    expect(list, '.ci/run has no pkgs=(...) line').not.toBeNull();
    const ci = list![1]!.split(/\s+/).filter(Boolean);
    const readme = read('README.md');
    for (const p of new Set([...pkgs, 'espeak-ng', 'flite', 'sox'])) {
      expect(ci, `.ci/run does not install ${p}`).toContain(p);
      expect(readme, `the README does not name ${p}`).toContain(`\`${p}\``);
    }
  });

  it('a missing fortune database is a skip with the install command (a failure under CI)', () => {
    const req = fortunesRequirement(mkdtempSync(path.join(tmpdir(), 'earshot-nofortunes-')));
    expect(req.skip).toBe(process.env.CI !== 'true');
    expect(() => req.assertPresent()).toThrow(/fortune databases is missing: .* has no "fortunes" database; install it \(apt-get install -y fortunes\)/);
  });
});
