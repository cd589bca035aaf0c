/**
 * The one-shot commands keep V8's young generation at its starting size (src/cli/young-generation.ts), and
 * the CLI loads a command's modules only when that command runs. Both are checked in real child processes:
 * V8 flags are per process, and the module cache is what a user's `earshot --version` fills.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { youngGenerationSetByUser } from '../../src/cli/young-generation.js';
import { CLI, ROOT } from '../helpers/cli.js';

const MODULE = pathToFileURL(path.join(ROOT, 'dist/src/cli/young-generation.js')).href;

/** Size in MB of V8's new space after a loop whose objects survive a few collections each, in a fresh node. */
function newSpaceAfterChurn(keepSmall: boolean, nodeArgs: string[] = []): number {
  const script = `
    import v8 from 'node:v8';
    import { keepYoungGenerationSmall } from ${JSON.stringify(MODULE)};
    if (${keepSmall}) keepYoungGenerationSmall();
    const window = [];
    for (let i = 0; i < 3e6; i++) { window.push({ i, a: [i] }); if (window.length > 200000) window.splice(0, 1000); }
    console.log(v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size / 1048576);`;
  const r = spawnSync(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  expect(r.status, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

describe('keepYoungGenerationSmall', () => {
  it('stops the young generation growing that V8 otherwise grows to its 16 MB semi-spaces', () => {
    const grown = newSpaceAfterChurn(false);
    const kept = newSpaceAfterChurn(true);
    expect(grown).toBeGreaterThanOrEqual(16);
    expect(kept).toBeLessThanOrEqual(4);
  });

  it('leaves a young generation the user sized alone', () => {
    expect(newSpaceAfterChurn(true, ['--semi-space-growth-factor=2'])).toBeGreaterThanOrEqual(16);
    expect(youngGenerationSetByUser(['--max-semi-space-size=64'], undefined)).toBe(true);
    expect(youngGenerationSetByUser([], '--max_semi_space_size=8 --no-warnings')).toBe(true);
    expect(youngGenerationSetByUser(['--inspect'], '--max-old-space-size=4096')).toBe(false);
  });
});

describe('the CLI loads a command\'s modules when the command runs', () => {
  it('`earshot --version` and `earshot transcribe --help` load neither the server (fastify) nor the queue (bullmq)', () => {
    for (const args of [['--version'], ['transcribe', '--help']]) {
      const script = `
        import { createRequire } from 'node:module';
        process.argv.splice(1, 0, ${JSON.stringify(CLI)});
        await import(${JSON.stringify(pathToFileURL(CLI).href)});
        const loaded = Object.keys(createRequire(import.meta.url).cache);
        process.stderr.write('LOADED ' + JSON.stringify(['fastify', 'bullmq', 'ioredis', 'piscina'].filter((p) => loaded.some((f) => f.includes('/node_modules/' + p + '/')))) + '\\n');`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', ...args], { cwd: ROOT, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      expect(/LOADED (.*)/.exec(r.stderr)?.[1], args.join(' ')).toBe('[]');
    }
  });

  it('a command\'s module loads when it runs: `earshot serve --port x` loads fastify and names the bad flag', () => {
    const script = `
      import { createRequire } from 'node:module';
      process.argv.splice(1, 0, ${JSON.stringify(CLI)});
      await import(${JSON.stringify(pathToFileURL(CLI).href)});
      const loaded = Object.keys(createRequire(import.meta.url).cache);
      process.stderr.write('FASTIFY ' + loaded.some((f) => f.includes('/node_modules/fastify/')) + '\\n');`;
    // serve with a bad flag value fails in the action, after its module (and fastify) loaded.
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '--', 'serve', '--port', 'x'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toMatch(/--port/);
    expect(r.stderr).toMatch(/FASTIFY true/);
  });
});
