// Installs stay offline-safe without a warning on every command (issue 23, defect 10).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli.js';

describe('install configuration', () => {
  it('npx earshot prints nothing but its own output (no npm config warning)', () => {
    const r = spawnSync('npx', ['--no-install', 'earshot', '--version'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("onnxruntime-node's install script (a CUDA download from outside) is denied by npm's allowScripts policy", () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
    // and it did not run here: the CUDA provider it would fetch is absent, the CPU binding present
    const bin = path.join(ROOT, 'node_modules/onnxruntime-node/bin/napi-v6', process.platform, process.arch);
    expect(existsSync(path.join(bin, 'onnxruntime_binding.node'))).toBe(true);
    expect(existsSync(path.join(bin, 'libonnxruntime_providers_cuda.so'))).toBe(false);
  });

  it('installs no package that needs a newer Node than package.json promises (npm would warn EBADENGINE on every install)', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } };
    const floor = Number(/^>=\s*(\d+)/.exec(pkg.engines.node)?.[1]);
    expect(floor).toBeGreaterThanOrEqual(18);
    const lock = JSON.parse(readFileSync(path.join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { engines?: { node?: string }; optional?: boolean }> };
    const tooNew = Object.entries(lock.packages)
      .filter(([name, p]) => name !== '' && !p.optional && typeof p.engines?.node === 'string')
      .flatMap(([name, p]) => {
        // the plain ">= N" form (what cookie 2's ">=22" used); alternatives ("||") are all checked, the lowest wins
        const mins = p.engines!.node!.split('||').map((alt) => /^\s*>=\s*v?(\d+)/.exec(alt)?.[1]);
        if (mins.some((m) => m === undefined)) return [];
        return Math.min(...mins.map(Number)) > floor ? [`${name}: node ${p.engines!.node}`] : [];
      });
    expect(tooNew).toEqual([]);
  });
});
