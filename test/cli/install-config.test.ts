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
});
