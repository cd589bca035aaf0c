/**
 * What a test needs from the machine (python3-torch, the TTS engines, sox, the fortune databases, Chromium).
 * Where it is missing the test is skipped locally with the command that installs it, and fails under
 * CI=true, which must install it (.ci/run, named in the README): CI never skips silently.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';

const inCi = process.env.CI === 'true';

export interface Requirement {
  /** Skip the tests that need it: missing, and not under CI. */
  skip: boolean;
  /** Throws, naming what is missing and how to install it, unless it is present (call it inside the tests). */
  assertPresent(): void;
}

function requirement(what: string, missing: string | undefined, install: string): Requirement {
  const skip = missing !== undefined && !inCi;
  // Say why a test is skipped, and how to run it, once per requirement.
  if (skip) process.stderr.write(`[skipped] tests that need ${what}: ${missing}; install it (${install})\n`);
  return {
    skip,
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

/** Python 3 at {@link PYTHON} (standard library only), for the check that the Python text rule equals the TypeScript one. */
export function pythonRequirement(): Requirement {
  const r = spawnSync(PYTHON, ['-c', 'import json, unicodedata'], { encoding: 'utf8', timeout: 60_000 });
  const missing = r.error ? `${PYTHON} could not be run (${r.error.message})` : r.status !== 0 ? `${PYTHON} failed (${r.stderr.trim().split('\n').pop() ?? ''})` : undefined;
  return requirement('python3', missing, 'apt-get install -y python3');
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

/** Debian's fortune databases (packages fortunes, which depends on fortunes-min), for the corpus synthesis test's sentence pool. */
export function fortunesRequirement(dir = '/usr/share/games/fortunes'): Requirement {
  let missing: string | undefined;
  try {
    if (!readdirSync(dir).includes('fortunes')) missing = `${dir} has no "fortunes" database`;
  } catch {
    missing = `${dir} does not exist`;
  }
  return requirement('the fortune databases', missing, 'apt-get install -y fortunes');
}

/** Debian's Chromium (the real binary, not the wrapper script), for the browser tests; $EARSHOT_CHROMIUM overrides it. */
export const CHROMIUM = process.env.EARSHOT_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** Chromium at {@link CHROMIUM}, for the browser tests. */
export function chromiumRequirement(): Requirement {
  return requirement('Chromium', existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found`, 'apt-get install -y chromium');
}

/** All of several requirements: skipped if any is, and each asserted. */
export function allOf(...reqs: Requirement[]): Requirement {
  return {
    skip: reqs.some((r) => r.skip),
    assertPresent() {
      for (const r of reqs) r.assertPresent();
    },
  };
}
