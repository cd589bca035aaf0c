/**
 * Live parity with PyTorch: a fresh MLP with a seeded random shape (hidden sizes and activation; the seed is fixed,
 * test/helpers/seed.ts, and EARSHOT_TEST_SEED explores others) is made by tools/convert/make_fixtures.py, converted from every format, and run in ONNX Runtime on the inputs
 * PyTorch was run on. Needs /usr/bin/python3 with torch (Debian: python3-torch). Without it the test is
 * skipped locally, but fails under CI=true.
 */
import { describe, it, expect, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { convertWeightsFile } from '../../src/node/convert-file.js';
import { createAcousticSession, type OrtModule } from '../../src/model/runtime.js';
import { PYTHON, torchRequirement } from '../helpers/requirements.js';
import { testSeed } from '../helpers/seed.js';

const torch = torchRequirement();
const SCRIPT = path.join(import.meta.dirname, '../..', 'tools', 'convert', 'make_fixtures.py');

interface Expected {
  seed: number;
  hidden: number[];
  activation: string;
  inputs: number[][][];
  outputs: Record<'f32' | 'f16' | 'bf16', number[][][]>;
}

describe.skipIf(torch.skip)('live parity with PyTorch (seeded random network)', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await fs.rm(dir, { recursive: true, force: true });
  });

  it('converts a freshly trained-shape random MLP from every format, equal to torch within 1e-4', async () => {
    torch.assertPresent();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-live-'));
    const seed = testSeed('convert/live: mlp');
    const r = spawnSync(PYTHON, [SCRIPT, '--out', dir, '--seed', String(seed), '--random-arch'], { encoding: 'utf8', timeout: 120_000, env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status, `make_fixtures.py --seed ${seed} failed: ${r.stderr}`).toBe(0);
    const exp = JSON.parse(await fs.readFile(path.join(dir, 'expected.json'), 'utf8')) as Expected;
    const [b, t, d] = [exp.inputs.length, exp.inputs[0]!.length, exp.inputs[0]![0]!.length];
    const input = Float32Array.from(exp.inputs.flat(2));
    const errors: string[] = [];
    for (const [file, tag] of [['mlp.safetensors', 'f32'], ['mlp.npz', 'f32'], ['mlp_compressed.npz', 'f32'], ['mlp_f16.safetensors', 'f16'], ['mlp_bf16.safetensors', 'bf16']] as const) {
      const out = path.join(dir, `${file}.onnx`);
      const rep = await convertWeightsFile({ weights: path.join(dir, file), arch: path.join(dir, 'arch.json'), out });
      const s = await createAcousticSession(ort as unknown as OrtModule, new Uint8Array(await fs.readFile(out)), out, { executionProviders: ['cpu'], threads: 1 });
      const res = await s.session.run({ [s.inputName]: new ort.Tensor('float32', input, [b, t, d]) });
      const got = res[s.outputName]!.data as Float32Array;
      const want = exp.outputs[tag].flat(2);
      expect(got.length).toBe(want.length);
      let err = 0;
      for (let i = 0; i < got.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
      errors.push(`${file} ${err.toExponential(2)} (verify ${rep.maxAbsError.toExponential(2)})`);
      expect(err, `seed ${seed} ${file}: max abs error vs torch`).toBeLessThanOrEqual(1e-4);
    }
    console.log(`seed ${seed}, hidden [${exp.hidden.join(', ')}], ${exp.activation}: ${errors.join(', ')}`);
  });
});
