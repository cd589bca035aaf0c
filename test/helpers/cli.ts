/** Run the built CLI (dist/) as a real process. `npm test` builds first. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI_SCRIPT = 'dist/src/cli/main.js';
export const CLI = path.join(ROOT, CLI_SCRIPT);

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Run a built script of dist/ (path relative to the repository root) with Node as a real process. */
export function runBuilt(script: string, args: string[], opts: { input?: Uint8Array | string; cwd?: string } = {}): CliRun {
  const file = path.join(ROOT, script);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` (npm test does it) before the CLI tests`);
  const r = spawnSync(process.execPath, [file, ...args], { cwd: opts.cwd ?? ROOT, input: opts.input ?? '', encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function earshot(args: string[], opts: { input?: Uint8Array | string; cwd?: string } = {}): CliRun {
  return runBuilt(CLI_SCRIPT, args, opts);
}
