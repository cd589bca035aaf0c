/**
 * Recipe smoke test: a tiny corpus (four fixture WAVs) through featurize -> 2 training steps (PyTorch) ->
 * export -> earshot convert -> parity (onnxruntime-node vs PyTorch on the same features) -> transcribe,
 * for the spliced MLP and (train, convert, parity) for a small TDNN.
 *
 * Needs Debian's python3-torch (`/usr/bin/python3`, or $EARSHOT_PYTHON). Without it the test is skipped
 * locally, and FAILS under CI=true: CI must install python3-torch.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeFeatures, defaultFeatureConfig, normalizeFrames, spliceFrames, type FeatureConfig } from '../../../src/features/index.js';
import { readAudioFile } from '../../../src/node/audio-file.js';
import { convertWeightsFile } from '../../../src/node/convert-file.js';
import { loadRecognizer, transcribeFile } from '../../../src/node/index.js';
import { featurize } from '../../../tools/featurize/featurize.js';
import { readManifest } from '../../../src/node/manifest.js';
import { readShard, shardFrames } from '../../../tools/featurize/shard.js';
import { checkParity } from '../../../tools/recipe/parity.js';
import { weightsFromModel } from '../../../tools/train/weights-from-model.js';
import { encodeSafetensors, parseSafetensors } from '../../../src/convert/safetensors.js';
import { tdnnFileLayers } from '../../helpers/metadata.js';
import { PYTHON, torchRequirement } from '../../helpers/requirements.js';
import { runBuilt } from '../../helpers/cli.js';

const torch = torchRequirement();
const root = fileURLToPath(new URL('../../..', import.meta.url));
const fixtures = path.join(root, 'test/fixtures/recipe');
const manifest = path.join(fixtures, 'manifest.jsonl');
function runPython(args: string[]): string {
  const r = spawnSync(PYTHON, args, { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  if (r.status !== 0) throw new Error(`${PYTHON} ${args.join(' ')} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout + r.stderr;
}

describe.skipIf(torch.skip)('recipe smoke: featurize -> train -> export -> convert -> parity -> transcribe', () => {
  let work = '';
  const feats = (): string => path.join(work, 'feats');
  const run = (): string => path.join(work, 'run');
  const onnx = (): string => path.join(work, 'model.onnx');
  const config: FeatureConfig = defaultFeatureConfig();

  beforeAll(() => {
    torch.assertPresent();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-recipe-'));
  });
  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('featurizes the fixture manifest into a shard in manifest order', async () => {
    const s = await featurize({ manifests: [manifest], out: feats(), config, workers: 0 });
    expect(s.utterances).toBe(4);
    expect(s.skipped).toEqual([]);
    const shard = readShard(feats());
    expect(shard.entries.map((e) => e.id)).toEqual(['fx-yes', 'fx-no', 'fx-stop', 'fx-go-on']);
    expect(shard.dim).toBe(39);
    let offset = 0;
    for (const e of shard.entries) {
      expect(e.offset).toBe(offset);
      expect(e.frames).toBeGreaterThan(30);
      offset += e.frames;
    }
    expect(shard.feats.length).toBe(offset * 39);
    expect(shard.stats?.frames).toBe(offset);
    expect(shard.stats?.mean).toHaveLength(39);
    expect(shard.stats?.std.every((v) => v > 0)).toBe(true);
    expect(shard.config).toEqual({ ...config, normalization: { type: 'none' }, contextLeft: 0, contextRight: 0, subsampling: 1 });
  });

  it('writes byte-identical shards with worker threads (compiled featurize CLI)', () => {
    const out = path.join(work, 'feats-workers');
    const r = runBuilt('dist/tools/featurize/featurize.js', ['--manifest', manifest, '--out', out, '--workers', '2', '--quiet']);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['feats.f32', 'index.jsonl', 'config.json', 'stats.json']) {
      expect(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(feats(), f))), f).toBe(true);
    }
  });

  it('stores base frames that, normalized and spliced, equal the engine features at inference', async () => {
    const shard = readShard(feats());
    const model: FeatureConfig = {
      ...config,
      normalization: { type: 'global', mean: shard.stats!.mean, std: shard.stats!.std },
      contextLeft: 3,
      contextRight: 3,
      subsampling: 2,
    };
    const items = readManifest(manifest);
    for (const [i, e] of shard.entries.entries()) {
      const { samples } = await readAudioFile(items[i]!.audio, config.sampleRate);
      const engine = computeFeatures(samples, model);
      const fromShard = spliceFrames(normalizeFrames(shardFrames(shard, e), e.frames, model), e.frames, model);
      expect(fromShard.frames).toBe(engine.frames);
      expect(Buffer.from(fromShard.data.buffer).equals(Buffer.from(engine.data.buffer))).toBe(true);
    }
  });

  it('trains 2 steps and exports model.safetensors + arch.json', () => {
    const log = runPython([
      'tools/train/train.py', '--train', feats(), '--dev', feats(), '--out', run(),
      '--layers', '2', '--width', '32', '--context-left', '3', '--context-right', '3', '--subsampling', '2',
      '--max-steps', '2', '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1',
    ]);
    expect(log).toMatch(/stopped at step 2/);
    const arch = JSON.parse(fs.readFileSync(path.join(run(), 'arch.json'), 'utf8')) as Record<string, unknown>;
    expect(arch.kind).toBe('mlp');
    expect(arch.activation).toBe('lrelu');
    expect(arch.alpha).toBe(0.01);
    expect(arch.output).toEqual({ type: 'ctc', blankId: 0 });
    expect((arch.labels as string[]).length).toBe(29);
    const fc = arch.featureConfig as FeatureConfig;
    expect(fc.normalization.type).toBe('global');
    expect([fc.contextLeft, fc.contextRight, fc.subsampling]).toEqual([3, 3, 2]);
    const csv = fs.readFileSync(path.join(run(), 'train_log.csv'), 'utf8').trim().split('\n');
    expect(csv[0]).toMatch(/^step,epoch,wall_s,loss/);
    expect(csv).toHaveLength(3);
  });

  it('resumes from last.pt exactly: 2 steps then --resume to 4 give the losses and weights of 4 steps in one go, and the wall time adds up', () => {
    // No --dev: the export is then the last step's weights (with one, the best-evaluated checkpoint's, and the split
    // run evaluates at step 2 as well).
    const args = (out: string, steps: number, extra: string[] = []): string[] => ['tools/train/train.py', '--train', feats(),
      '--out', out, '--layers', '2', '--width', '32', '--context-left', '3', '--context-right', '3', '--subsampling', '2',
      '--max-steps', String(steps), '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--threads', '1', '--log-every', '1', ...extra];
    const [whole, split] = [path.join(work, 'run-whole'), path.join(work, 'run-split')];
    runPython(args(whole, 4));
    runPython(args(split, 2));
    const first = JSON.parse(fs.readFileSync(path.join(split, 'arch.json'), 'utf8')) as { provenance: { training: { wall_s: number; overhead_s: number } } };
    const log = runPython(args(split, 4, ['--resume']));
    expect(log).toMatch(/resumed from .*last\.pt at step 2/);
    expect(log).toMatch(/stopped at step 4 after \d+ s of training steps \(\d+ s with loading, evaluation and checkpoints\)/);
    const losses = (out: string): string[] => fs.readFileSync(path.join(out, 'train_log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split(',')[3]!);
    expect(losses(split)).toEqual(losses(whole));
    expect(losses(whole)).toHaveLength(4);
    expect(fs.readFileSync(path.join(split, 'model.safetensors')).equals(fs.readFileSync(path.join(whole, 'model.safetensors')))).toBe(true);
    const t = (JSON.parse(fs.readFileSync(path.join(split, 'arch.json'), 'utf8')) as typeof first).provenance.training;
    // Both processes' loading and evaluation are counted, and the steps' time goes on from where it stopped.
    expect(t.overhead_s).toBeGreaterThan(first.provenance.training.overhead_s);
    expect(t.wall_s).toBeGreaterThanOrEqual(first.provenance.training.wall_s);
  });

  it('trains on several shards as one (--train A,B): all their utterances, with the statistics of all their frames', async () => {
    const lines = fs.readFileSync(manifest, 'utf8').trim().split('\n').map((l) => {
      const e = JSON.parse(l) as { audio: string };
      return JSON.stringify({ ...e, audio: path.join(fixtures, e.audio) }); // absolute: the halves are written elsewhere
    });
    const half = async (name: string, part: string[], cfg: FeatureConfig): Promise<string> => {
      fs.writeFileSync(path.join(work, `${name}.jsonl`), part.join('\n') + '\n');
      await featurize({ manifests: [path.join(work, `${name}.jsonl`)], out: path.join(work, name), config: cfg, workers: 0 });
      return path.join(work, name);
    };
    const a = await half('feats-a', lines.slice(0, 1), config);
    const b = await half('feats-b', lines.slice(1), config);
    const out = path.join(work, 'run-ab');
    const log = runPython(['tools/train/train.py', '--train', `${a},${b}`, '--out', out, '--layers', '1', '--width', '8',
      '--context-left', '1', '--context-right', '1', '--max-steps', '1', '--batch-size', '2', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1']);
    expect(log).toMatch(/train: 4 utterances/);
    const whole = readShard(feats()).stats!; // the same four utterances featurized as one shard
    const norm = (JSON.parse(fs.readFileSync(path.join(out, 'arch.json'), 'utf8')) as { featureConfig: FeatureConfig }).featureConfig.normalization;
    if (norm.type !== 'global') throw new Error(`expected global normalization, got ${norm.type}`);
    norm.mean.forEach((v, i) => expect(Math.abs(v - whole.mean[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(whole.mean[i]!))));
    norm.std.forEach((v, i) => expect(Math.abs(v - whole.std[i]!)).toBeLessThan(1e-9 * Math.max(1, whole.std[i]!)));

    const c = await half('feats-c', lines.slice(1), { ...config, preEmphasis: 0.9 });
    const r = spawnSync(PYTHON, ['tools/train/train.py', '--train', `${a},${c}`, '--out', path.join(work, 'run-ac'), '--max-steps', '1'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/feats-c\/config.json differs from .*feats-a\/config.json in preEmphasis: featurize all train shards with the same config/);
  });

  it('--exclude-ids leaves those utterances out of training, and refuses a list that names none of them', () => {
    const ids = fs.readFileSync(path.join(feats(), 'index.jsonl'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id);
    const list = path.join(work, 'exclude.txt');
    fs.writeFileSync(list, `${ids[0]}\n\n${ids[2]}\n`);
    const base = ['tools/train/train.py', '--train', feats(), '--layers', '1', '--width', '8', '--context-left', '1', '--context-right', '1',
      '--max-steps', '1', '--batch-size', '2', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1'];
    const log = runPython([...base, '--out', path.join(work, 'run-excl'), '--exclude-ids', list]);
    expect(log).toMatch(new RegExp(`train: ${ids.length - 2} utterances`));
    fs.writeFileSync(list, 'no-such-utterance\n');
    const r = spawnSync(PYTHON, [...base, '--out', path.join(work, 'run-excl-bad'), '--exclude-ids', list],
      { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/none of the 1 excluded ids is in .*: is it the id list of these shards\?/);
  });

  it('converts the export into an earshot model', async () => {
    const r = await convertWeightsFile({ weights: path.join(run(), 'model.safetensors'), arch: path.join(run(), 'arch.json'), out: onnx(), force: true });
    expect(r.parameters).toBe(273 * 32 + 32 + 32 * 32 + 32 + 32 * 29 + 29);
    expect(fs.existsSync(onnx())).toBe(true);
  });

  it('gives the same outputs in onnxruntime-node as in PyTorch on the same features (1e-4)', async () => {
    const dump = path.join(work, 'parity');
    runPython(['tools/train/parity.py', '--run', run(), '--shard', feats(), '--count', '4', '--out', dump, '--threads', '1']);
    const r = await checkParity({ model: onnx(), dump, shard: feats(), tolerance: 1e-4, inputTolerance: 1e-6 });
    expect(r.utterances).toBe(4);
    expect(r.maxInputDiff).toBeLessThanOrEqual(1e-6);
    expect(r.maxOutputDiff).toBeLessThanOrEqual(1e-4);
    expect(r.ok).toBe(true);
  });

  it('trains an early-subsampling TDNN with BatchNorm 2 steps, exports it (folded), converts it and matches PyTorch on the same features (1e-4)', async () => {
    const runT = path.join(work, 'run-tdnn');
    const log = runPython([
      'tools/train/train.py', '--train', feats(), '--dev', feats(), '--out', runT, '--model', 'tdnn',
      '--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling', '--batchnorm',
      '--max-steps', '2', '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1',
    ]);
    expect(log).toMatch(/stopped at step 2/);
    expect(log).toMatch(/folded 2 BatchNorm layers into the next layers/);
    const arch = JSON.parse(fs.readFileSync(path.join(runT, 'arch.json'), 'utf8')) as { kind: string; featureConfig: FeatureConfig; layers: Array<{ stride?: number }> };
    expect(arch.kind).toBe('tdnn');
    expect(arch.layers.map((l) => l.stride ?? 1)).toEqual([2, 1]);
    // Receptive field: 1 (first layer, base rate) + 2 (dilation) x 2 (its stride) = 5 base frames each side.
    expect([arch.featureConfig.contextLeft, arch.featureConfig.contextRight, arch.featureConfig.subsampling]).toEqual([5, 5, 2]);
    const model = path.join(work, 'tdnn.onnx');
    const r = await convertWeightsFile({ weights: path.join(runT, 'model.safetensors'), arch: path.join(runT, 'arch.json'), out: model, force: true });
    expect(r.parameters).toBe(16 * 39 * 3 + 16 + 16 * 16 * 3 + 16 + 16 * 29 + 29);
    const dump = path.join(work, 'parity-tdnn');
    runPython(['tools/train/parity.py', '--run', runT, '--shard', feats(), '--count', '4', '--out', dump, '--threads', '1']);
    const p = await checkParity({ model, dump, shard: feats(), tolerance: 1e-4, inputTolerance: 1e-6 });
    expect(p.utterances).toBe(4);
    expect(p.maxOutputDiff).toBeLessThanOrEqual(1e-4);
    expect(p.ok).toBe(true);
  });

  it('trains with --bf16 (bfloat16 matrix products under autocast): the losses follow float32\'s on the same batches, and the export is float32', () => {
    const args = (out: string, extra: string[]): string[] => ['tools/train/train.py', '--train', feats(), '--out', out, '--model', 'tdnn',
      '--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling', '--batchnorm',
      '--max-steps', '3', '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1', ...extra];
    const losses = (out: string): number[] => fs.readFileSync(path.join(out, 'train_log.csv'), 'utf8').trim().split('\n').slice(1).map((l) => Number(l.split(',')[3]));
    const [f32, b16] = [path.join(work, 'run-f32'), path.join(work, 'run-bf16')];
    expect(runPython(args(f32, []))).toMatch(/precision: float32 \(--bf16 off\)/);
    expect(runPython(args(b16, ['--bf16']))).toMatch(/precision: bfloat16 autocast \(--bf16 on\)/);
    const [a, b] = [losses(f32), losses(b16)];
    expect(a).toHaveLength(3);
    // Same seed, same batches: bfloat16 keeps 8 bits of mantissa, so the CTC losses agree to about 1 %, and
    // differ at all only because autocast really ran the products in bfloat16.
    a.forEach((x, i) => expect(Math.abs(b[i]! - x) / x).toBeLessThan(0.02));
    expect(b).not.toEqual(a);
    const header = (file: string): Record<string, { dtype?: string }> => {
      const bytes = fs.readFileSync(file);
      return JSON.parse(bytes.subarray(8, 8 + Number(bytes.readBigUInt64LE(0))).toString('utf8')) as Record<string, { dtype?: string }>;
    };
    const dtypes = Object.entries(header(path.join(b16, 'model.safetensors'))).filter(([k]) => k !== '__metadata__').map(([, v]) => v.dtype);
    expect(dtypes.length).toBeGreaterThan(0);
    expect(new Set(dtypes)).toEqual(new Set(['F32']));
    expect((JSON.parse(fs.readFileSync(path.join(b16, 'args.json'), 'utf8')) as { bf16: boolean }).bf16).toBe(true);
  });

  it('--bf16 auto turns bfloat16 on only where the CPU has it natively (AVX512-BF16 or AMX-BF16)', () => {
    const out = runPython(['-c', [
      'import json, sys, torch', "sys.path.insert(0, 'tools/train')", 'import train', "cpu = torch.device('cpu')",
      "cases = [('auto', {'avx2', 'avx512_bf16'}), ('auto', {'avx2', 'amx_bf16'}), ('auto', {'avx2', 'avx512f'}), ('auto', set()), ('on', set()), ('off', {'avx512_bf16'})]",
      'print(json.dumps([train.bf16_choice(r, cpu, f) for r, f in cases]))'].join('\n')]);
    expect(JSON.parse(out)).toEqual([
      [true, '--bf16 auto: the CPU has avx512_bf16'],
      [true, '--bf16 auto: the CPU has amx_bf16'],
      [false, '--bf16 auto: the CPU has neither avx512_bf16 nor amx_bf16 (bfloat16 would be emulated, slower)'],
      [false, '--bf16 auto: the CPU has neither avx512_bf16 nor amx_bf16 (bfloat16 would be emulated, slower)'],
      [true, '--bf16 on'],
      [false, '--bf16 off'],
    ]);
  });

  it('trains a TDNN on sliding-window mean normalization, exports it with the input scale folded into the first layer, and matches PyTorch on the engine\'s own normalization (1e-4)', async () => {
    const runS = path.join(work, 'run-sliding');
    // Window 20 < every fixture utterance (> 30 frames): the window slides, so the running sums' drop-out path is checked.
    const log = runPython([
      'tools/train/train.py', '--train', feats(), '--dev', feats(), '--out', runS, '--model', 'tdnn',
      '--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling', '--batchnorm',
      '--norm', 'sliding', '--norm-window', '20',
      '--max-steps', '2', '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1',
    ]);
    expect(log).toMatch(/folded 2 BatchNorm layers into the next layers and the input scale into the first layer/);
    const arch = JSON.parse(fs.readFileSync(path.join(runS, 'arch.json'), 'utf8')) as { featureConfig: FeatureConfig };
    expect(arch.featureConfig.normalization).toEqual({ type: 'sliding', window: 20, normVars: false });
    const model = path.join(work, 'tdnn-sliding.onnx');
    await convertWeightsFile({ weights: path.join(runS, 'model.safetensors'), arch: path.join(runS, 'arch.json'), out: model, force: true });
    const dump = path.join(work, 'parity-sliding');
    runPython(['tools/train/parity.py', '--run', runS, '--shard', feats(), '--count', '4', '--out', dump, '--threads', '1']);
    const p = await checkParity({ model, dump, shard: feats(), tolerance: 1e-4, inputTolerance: 1e-6 });
    expect(p.utterances).toBe(4);
    expect(p.maxInputDiff).toBeLessThanOrEqual(1e-6);
    expect(p.maxOutputDiff).toBeLessThanOrEqual(1e-4);
    expect(p.ok).toBe(true);
  });

  // Fine-tuning a shipped model: the .onnx back to train.py's export layout (weights-from-model), then train.py --init
  // DIR. With a learning rate of 0 the fine-tuned export must be the model itself: same weights (the sliding model's
  // first layer goes through the input-scale unfold and refold), the normalization the model carries (not the shard's).
  async function fineTuneAtZeroLr(model: string, name: string, args: string[], editArch?: (arch: Record<string, any>) => void): Promise<{ dir: string; out: string }> {
    const dir = path.join(work, `${name}-export`);
    const { safetensors, arch } = await weightsFromModel(fs.readFileSync(model), model);
    editArch?.(arch);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'model.safetensors'), safetensors);
    fs.writeFileSync(path.join(dir, 'arch.json'), JSON.stringify(arch));
    const out = path.join(work, `${name}-ft`);
    const log = runPython([
      'tools/train/train.py', '--train', feats(), '--out', out, '--model', 'tdnn', '--init', dir, ...args,
      '--lr', '0', '--min-lr', '0', '--max-steps', '1', '--batch-size', '2', '--warmup-steps', '1', '--eval-every', '0', '--ckpt-every', '0', '--threads', '1',
    ]);
    expect(log).toMatch(/initialised from the export/);
    return { dir, out };
  }

  async function expectSameLayers(a: string, b: string, tol: number): Promise<void> {
    const [x, y] = [await tdnnFileLayers(a), await tdnnFileLayers(b)];
    const pairs = [...x.convs.map((c, i) => [c, y.convs[i]!] as const), [x.output, y.output] as const];
    for (const [p, q] of pairs) {
      for (const k of ['weight', 'bias'] as const) {
        expect(q[k].length).toBe(p[k].length);
        let d = 0;
        for (let i = 0; i < p[k].length; i++) d = Math.max(d, Math.abs(p[k][i]! - q[k][i]!));
        expect(d).toBeLessThanOrEqual(tol);
      }
    }
  }

  it('fine-tunes a converted global-CMVN TDNN from its .onnx: the export converts back to the same layers, and --init keeps the model\'s own normalization statistics', async () => {
    const model = path.join(work, 'tdnn.onnx');
    // A shifted mean tells the model's statistics apart from the train shard's (here the same data).
    const { out } = await fineTuneAtZeroLr(model, 'global', ['--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling'],
      (arch) => { arch.featureConfig.normalization.mean = arch.featureConfig.normalization.mean.map((m: number) => m + 1); });
    const { metadata } = await tdnnFileLayers(model);
    const orig = metadata.featureConfig.normalization as { mean: number[]; std: number[] };
    const arch = JSON.parse(fs.readFileSync(path.join(out, 'arch.json'), 'utf8')) as { featureConfig: { normalization: { mean: number[]; std: number[] } }; provenance: { training: { init_from?: { contentHash: string } } } };
    expect(arch.featureConfig.normalization.mean.map((m, i) => m - orig.mean[i]!).every((d) => Math.abs(d - 1) < 1e-9)).toBe(true);
    expect(arch.featureConfig.normalization.std).toEqual(orig.std);
    expect(arch.provenance.training.init_from?.contentHash).toBe(metadata.contentHash);
    const back = path.join(work, 'global-ft.onnx');
    await convertWeightsFile({ weights: path.join(out, 'model.safetensors'), arch: path.join(out, 'arch.json'), out: back, force: true });
    await expectSameLayers(model, back, 0);
  });

  it('fine-tunes a sliding-normalization TDNN from its .onnx: the first layer is unfolded and refolded to the same weights', async () => {
    const model = path.join(work, 'tdnn-sliding.onnx');
    const { out } = await fineTuneAtZeroLr(model, 'sliding', ['--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling', '--norm', 'sliding', '--norm-window', '20']);
    const back = path.join(work, 'sliding-ft.onnx');
    await convertWeightsFile({ weights: path.join(out, 'model.safetensors'), arch: path.join(out, 'arch.json'), out: back, force: true });
    await expectSameLayers(model, back, 1e-6);
  });

  it('fine-tunes a global-CMVN TDNN with --norm sliding: the first layer starts as the model\'s, read on mean-removed input (its std unfolded)', async () => {
    const model = path.join(work, 'tdnn.onnx');
    const { dir, out } = await fineTuneAtZeroLr(model, 'switch', ['--hidden', '16,16', '--tdnn-dilations', '1,2', '--subsampling', '2', '--tdnn-early-subsampling', '--norm', 'sliding', '--norm-window', '20']);
    const archIn = JSON.parse(fs.readFileSync(path.join(dir, 'arch.json'), 'utf8')) as { featureConfig: { normalization: { std: number[] } } };
    const archOut = JSON.parse(fs.readFileSync(path.join(out, 'arch.json'), 'utf8')) as { featureConfig: { normalization: { type: string } } };
    expect(archOut.featureConfig.normalization.type).toBe('sliding');
    const first = (d: string): { shape: number[]; data: Float32Array } => {
      const t = [...parseSafetensors(fs.readFileSync(path.join(d, 'model.safetensors')), d).tensors.values()].find((x) => x.name === 'convs.0.weight')!;
      return { shape: t.shape, data: t.toFloat32() };
    };
    const a = first(dir);
    const b = first(out); // the sliding export folds 1/(this run's scale) back in: W / std of the global model
    const [outC, inC, k] = a.shape as [number, number, number];
    const std = archIn.featureConfig.normalization.std;
    expect(std).toHaveLength(inC);
    let worst = 0;
    for (let o = 0; o < outC; o++) for (let i = 0; i < inC; i++) for (let j = 0; j < k; j++) {
      const at = (o * inC + i) * k + j;
      worst = Math.max(worst, Math.abs(b.data[at]! - a.data[at]! / std[i]!) / Math.max(1e-6, Math.abs(a.data[at]! / std[i]!)));
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('interpolates two exports in weight space: (1 - alpha) A + alpha B per tensor, alpha 0 gives A bit for bit, and different networks are refused', () => {
    const a = path.join(work, 'global-export');
    const ta = parseSafetensors(fs.readFileSync(path.join(a, 'model.safetensors')), 'a');
    const b = path.join(work, 'interp-b');
    fs.mkdirSync(b, { recursive: true });
    // B = A + 1 everywhere (exactly representable offsets are not needed: the check allows float32 rounding)
    fs.writeFileSync(path.join(b, 'model.safetensors'), encodeSafetensors([...ta.tensors.values()].map((t) => ({ name: t.name, shape: t.shape, data: t.toFloat32().map((v) => v + 1) }))));
    fs.copyFileSync(path.join(a, 'arch.json'), path.join(b, 'arch.json'));
    const mixed = (alpha: string): Map<string, Float32Array> => {
      const out = path.join(work, `interp-${alpha}`);
      runPython(['tools/train/interpolate.py', '--a', a, '--b', b, '--alpha', alpha, '--out', out]);
      const w = parseSafetensors(fs.readFileSync(path.join(out, 'model.safetensors')), out);
      return new Map([...w.tensors.values()].map((t) => [t.name, t.toFloat32()]));
    };
    const q = mixed('0.25');
    const z = mixed('0');
    for (const t of ta.tensors.values()) {
      const x = t.toFloat32();
      const y = q.get(t.name)!;
      expect(y.length).toBe(x.length);
      for (let i = 0; i < x.length; i++) expect(Math.abs(y[i]! - (x[i]! + 0.25))).toBeLessThanOrEqual(1e-6 * Math.max(1, Math.abs(x[i]!)));
      expect(Buffer.from(z.get(t.name)!.buffer).equals(Buffer.from(x.buffer))).toBe(true);
    }
    const arch = JSON.parse(fs.readFileSync(path.join(b, 'arch.json'), 'utf8')) as Record<string, unknown>;
    fs.writeFileSync(path.join(b, 'arch.json'), JSON.stringify({ ...arch, alpha: 0.2 }));
    const r = spawnSync(PYTHON, ['tools/train/interpolate.py', '--a', a, '--b', b, '--alpha', '0.5', '--out', path.join(work, 'interp-bad')], { cwd: root, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/differ in alpha: only exports of the same network/);
    expect(fs.existsSync(path.join(work, 'interp-bad'))).toBe(false);
  });

  it('refuses to fine-tune an export into a run that builds something else, and names each difference', async () => {
    const model = path.join(work, 'tdnn.onnx');
    const dir = path.join(work, 'global-export');
    const r = spawnSync(PYTHON, ['tools/train/train.py', '--train', feats(), '--out', path.join(work, 'run-bad-init'), '--model', 'tdnn', '--init', dir,
      '--hidden', '16,16', '--tdnn-dilations', '1,3', '--subsampling', '2', '--tdnn-early-subsampling', '--batchnorm', '--max-steps', '1'],
    { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(fs.existsSync(model)).toBe(true);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/dilations \(--tdnn-dilations\): the export has \[1, 2\], this run \[1, 3\]/);
    expect(r.stderr).toMatch(/--batchnorm: an export has its BatchNorm folded/);
  });

  it('refuses an --init path that does not exist before reading any data, and says what to pass', () => {
    const missing = path.join(work, 'no-such-run', 'best.pt');
    const r = spawnSync(PYTHON, ['tools/train/train.py', '--train', path.join(work, 'no-such-shard'), '--out', path.join(work, 'run-missing-init'), '--init', missing, '--max-steps', '1'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`--init ${missing}: no such file or directory; pass a .pt checkpoint, an export directory`);
    expect(r.stderr).not.toMatch(/Traceback/);
    expect(fs.existsSync(path.join(work, 'run-missing-init'))).toBe(false);
  });

  it('refuses --norm sliding for the MLP, whose export cannot fold the input scale, and says what to use', () => {
    const r = spawnSync(PYTHON, ['tools/train/train.py', '--train', feats(), '--out', path.join(work, 'run-bad'), '--norm', 'sliding', '--max-steps', '1'],
      { cwd: root, encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--norm sliding is for --model tdnn .*use --norm global/);
  });

  it('transcribes a fixture with the converted model', async () => {
    const rec = await loadRecognizer({ model: onnx(), threads: 1 });
    const result = await transcribeFile(rec, path.join(fixtures, 'yes.wav'));
    expect(typeof result.text).toBe('string');
    expect(result.text).toMatch(/^[a-z' ]*$/);
  });
});
