/**
 * tools/train/weights-from-model: an earshot .onnx back to train.py's export layout (model.safetensors + arch.json),
 * the starting point of `train.py --init DIR` for fine-tuning a shipped model. The recipe smoke test trains from it;
 * here: the shipped models round-trip through `earshot convert`, and the safetensors layout is train.py's.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseArch } from '../../../src/convert/arch.js';
import { parseSafetensors } from '../../../src/convert/safetensors.js';
import { convertWeightsFile } from '../../../src/node/convert-file.js';
import { weightsFromModel } from '../../../tools/train/weights-from-model.js';
import { tdnnFileLayers } from '../../helpers/metadata.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const shipped = path.join(root, 'models/earshot-en.onnx');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-wfm-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('weights-from-model', () => {
  it('writes the shipped model in train.py\'s tensor layout, and earshot convert gives back the same layers, feature config and labels', async () => {
    const { safetensors, arch } = await weightsFromModel(fs.readFileSync(shipped), shipped);
    const w = parseSafetensors(safetensors, 'model.safetensors');
    expect([...w.tensors.keys()].sort()).toEqual([
      ...[0, 1, 2, 3, 4].flatMap((i) => [`convs.${i}.bias`, `convs.${i}.weight`]), 'out.bias', 'out.weight'].sort());
    expect(w.tensors.get('convs.0.weight')!.shape).toEqual([448, 39, 3]);
    expect(w.tensors.get('out.weight')!.shape).toEqual([29, 448]);
    expect(parseArch(arch, 'arch.json').kind).toBe('tdnn');
    const dir = path.join(work, 'shipped');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensors);
    fs.writeFileSync(path.join(dir, 'arch.json'), JSON.stringify(arch));
    const back = path.join(work, 'back.onnx');
    await convertWeightsFile({ weights: path.join(dir, 'model.safetensors'), arch: path.join(dir, 'arch.json'), out: back });
    const [a, b] = [await tdnnFileLayers(shipped), await tdnnFileLayers(back)];
    expect(b.metadata.featureConfig).toEqual(a.metadata.featureConfig);
    expect(b.metadata.labels).toEqual(a.metadata.labels);
    expect(b.metadata.output).toEqual(a.metadata.output);
    expect(b.metadata.network).toEqual(a.metadata.network);
    for (const [x, y] of [...a.convs.map((c, i) => [c, b.convs[i]!] as const), [a.output, b.output] as const]) {
      expect(Buffer.from(y.weight.buffer, y.weight.byteOffset, y.weight.byteLength).equals(Buffer.from(x.weight.buffer, x.weight.byteOffset, x.weight.byteLength))).toBe(true);
      expect(Array.from(y.bias)).toEqual(Array.from(x.bias));
    }
    const prov = arch.provenance as { exportedFrom: { contentHash: string; weightStorage: string }; training: { steps: number } };
    expect(prov.exportedFrom).toMatchObject({ contentHash: a.metadata.contentHash, weightStorage: 'float32' });
    expect(prov.training.steps).toBe((a.metadata.provenance as unknown as { training: { steps: number } }).training.steps);
  });

  it('exports an int8 model\'s weights as the model computes with them (dequantized)', async () => {
    const int8 = path.join(root, 'models/earshot-en.int8.onnx');
    const { safetensors } = await weightsFromModel(fs.readFileSync(int8), int8);
    const got = parseSafetensors(safetensors, 'int8').tensors.get('convs.2.weight')!.toFloat32();
    const want = (await tdnnFileLayers(int8)).convs[2]!.weight;
    expect(Array.from(got)).toEqual(Array.from(want));
    // and they are not the float32 model's: the export really read the int8 file
    const f32 = (await tdnnFileLayers(shipped)).convs[2]!.weight;
    expect(Array.from(got)).not.toEqual(Array.from(f32));
  });

  it('CLI: refuses to overwrite an existing export without --force and exits non-zero with the file named', () => {
    const dir = path.join(work, 'cli');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'arch.json'), '{}');
    const cli = path.join(root, 'dist/tools/train/weights-from-model.js');
    const r = spawnSync(process.execPath, [cli, '--model', shipped, '--out', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/arch\.json.*refusing to overwrite an existing file; pass --force/);
    expect(fs.readFileSync(path.join(dir, 'arch.json'), 'utf8')).toBe('{}');
    expect(fs.existsSync(path.join(dir, 'model.safetensors'))).toBe(false);
  });

  it('CLI: a file that is not an earshot model gives a typed error naming it, and writes nothing', () => {
    const bad = path.join(work, 'not-a-model.onnx');
    fs.writeFileSync(bad, 'hello');
    const out = path.join(work, 'bad-out');
    const r = spawnSync(process.execPath, [path.join(root, 'dist/tools/train/weights-from-model.js'), '--model', bad, '--out', out], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/not-a-model\.onnx/);
    expect(fs.existsSync(out)).toBe(false);
  });
});
