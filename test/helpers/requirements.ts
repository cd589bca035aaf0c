/**
 * What a test needs from the machine (python3-torch, the TTS engines, sox). Where it is missing the test is
 * skipped locally, and fails under CI=true, which must install it (.ci/run): CI never skips silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const inCi = process.env.CI === 'true';

export interface Requirement {
  /** Skip the tests that need it: missing, and not under CI. */
  skip: boolean;
  /** Throws, naming what is missing and how to install it, unless it is present (call it inside the tests). */
  assertPresent(): void;
}

function requirement(what: string, missing: string | undefined, install: string): Requirement {
  return {
    skip: missing !== undefined && !inCi,
    assertPresent() {
      if (missing) throw new Error(`${what} is missing: ${missing}; install it (${install}). CI=true makes this a failure, not a skip.`);
    },
  };
}

/** The interpreter with torch: $EARSHOT_PYTHON (e.g. to check the missing-torch path), else Debian's /usr/bin/python3. */
export const PYTHON = process.env.EARSHOT_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');

function torchMissing(): string | undefined {
  const r = spawnSync(PYTHON, ['-c', 'import torch, numpy'], { encoding: 'utf8', timeout: 300_000 }); // a loaded machine can take a minute to import torch
  if (r.error) return `${PYTHON} could not be run (${r.error.message})`;
  if (r.status !== 0) return `${PYTHON} cannot import torch/numpy (${r.stderr.trim().split('\n').pop() ?? ''})`;
  return undefined;
}

/** python3-torch and python3-numpy, for the parity and recipe tests (probed when first asked: importing torch takes seconds). */
export function torchRequirement(): Requirement {
  return requirement('python3-torch', torchMissing(), 'apt-get install -y python3-torch python3-numpy libopenblas0-openmp');
}

/** Command-line tools that answer `--version`, e.g. tools(['sox']). */
export function tools(names: readonly string[]): Requirement {
  const absent = names.filter((t) => spawnSync(t, ['--version'], { stdio: 'ignore' }).error !== undefined);
  return requirement(names.join(', '), absent.length > 0 ? `${absent.join(', ')} not found on PATH` : undefined, `apt-get install -y ${absent.join(' ')}`);
}

/** Installed Debian data packages, each probed by one file it installs, e.g. installed({ 'klettres-data': '/usr/share/klettres/en/sounds.xml' }). */
export function installed(probes: Readonly<Record<string, string>>): Requirement {
  const absent = Object.entries(probes).filter(([, file]) => !existsSync(file)).map(([pkg]) => pkg);
  return requirement(Object.keys(probes).join(', '), absent.length > 0 ? `${absent.join(', ')} not installed` : undefined, `apt-get install -y ${absent.join(' ')}`);
}
