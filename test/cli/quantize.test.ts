/**
 * Weight storage through the CLI: `earshot convert --weight-type`, `earshot quantize` (metadata kept, source
 * recorded, hash updated, deterministic, refusals) and `earshot inspect`, and the shipped model re-encoded
 * to float16 and int8 giving the float32 model's text (the encodings themselves: test/model/quantize.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConversionError } from '../../src/core/errors.js';
import { defaultFeatureConfig, inputDim } from '../../src/features/config.js';
import { describeModel } from '../../src/model/load.js';
import type { ModelMetadata, WeightStorage } from '../../src/model/metadata.js';
import { readModelInfo } from '../../src/model/onnx-reader.js';
import { buildMlpModel } from '../../src/model/build/onnx-writer.js';
import { randomLayers, TINY_LABELS } from '../../src/model/build/tiny.js';
import { quantizeModelFile } from '../../src/node/quantize-file.js';
import { convertWeightsFile } from '../../src/node/convert-file.js';
import { earshot, ROOT } from '../helpers/cli.js';
import { expectError } from '../helpers/expect-error.js';

const SHIPPED = path.join(ROOT, 'models/earshot-en.onnx');
const SAMPLE = path.join(ROOT, 'models/sample.wav');
const LMBIN = path.join(ROOT, 'models/en-3gram.lmbin');

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'earshot-quantize-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const fc = defaultFeatureConfig();
const meta = { featureConfig: fc, output: { type: 'ctc' as const, blankId: 0 }, labels: [...TINY_LABELS], provenance: { producer: 'quantize.test' } };

describe('earshot convert --weight-type', () => {
  const fix = (n: string): string => path.join(import.meta.dirname, '..', 'fixtures', 'convert', n);

  it('writes an int8 model verified against its decoded weights', async () => {
    const out = path.join(dir, 'conv.int8.onnx');
    const r = await convertWeightsFile({ weights: fix('mlp.safetensors'), arch: fix('arch.json'), out, weightStorage: 'int8' });
    expect(r).toMatchObject({ weightStorage: 'int8', provider: 'cpu' });
    expect(r.maxAbsError).toBeLessThanOrEqual(1e-4);
    expect((await describeModel(new Uint8Array(await fs.readFile(out)), out)).metadata.network.weightStorage).toBe('int8');
  });

  it('through the CLI, and a bad value names the option and the allowed values', () => {
    const out = path.join(dir, 'conv.f16.onnx');
    const ok = earshot(['convert', '-w', fix('mlp.safetensors'), '-a', fix('arch.json'), '-o', out, '--weight-type', 'float16']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/float16 weights/);
    const bad = earshot(['convert', '-w', fix('mlp.safetensors'), '-a', fix('arch.json'), '-o', path.join(dir, 'x.onnx'), '--weight-type', 'half']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--weight-type must be one of float32, float16, int8, got "half"/);
    expect(existsSync(path.join(dir, 'x.onnx'))).toBe(false);
  });
});

describe('earshot quantize', () => {
  let src: string;
  let srcMeta: ModelMetadata;
  beforeAll(async () => {
    src = path.join(dir, 'src.onnx');
    const bytes = await buildMlpModel({ layers: randomLayers([inputDim(fc), 32, 29], 21), activation: 'lrelu', alpha: 0.01, metadata: { ...meta, provenance: { producer: 'quantize.test', training: { steps: 3 } } } });
    await fs.writeFile(src, bytes);
    srcMeta = (await describeModel(bytes, src)).metadata;
  });

  it('keeps the metadata, records the storage and the source, updates the hash; deterministic', async () => {
    const a = path.join(dir, 'q-a.onnx');
    const b = path.join(dir, 'q-b.onnx');
    const r = await quantizeModelFile({ input: src, out: a, weightStorage: 'int8' });
    await quantizeModelFile({ input: src, out: b, weightStorage: 'int8' });
    const bytes = new Uint8Array(await fs.readFile(a));
    expect(Buffer.compare(bytes, await fs.readFile(b))).toBe(0);
    expect(r).toMatchObject({ weightStorage: 'int8', bytes: bytes.length, sourceContentHash: srcMeta.contentHash });
    expect(r.maxAbsError).toBeLessThanOrEqual(1e-4);
    const { metadata } = await describeModel(bytes, a);
    expect(metadata.contentHash).toBe(r.contentHash);
    expect(metadata.contentHash).not.toBe(srcMeta.contentHash);
    expect(metadata.featureConfig).toEqual(srcMeta.featureConfig);
    expect(metadata.labels).toEqual(srcMeta.labels);
    expect(metadata.output).toEqual(srcMeta.output);
    expect(metadata.network).toEqual({ ...srcMeta.network, weightStorage: 'int8' });
    expect(metadata.provenance).toEqual({ ...srcMeta.provenance, reencodedFrom: srcMeta.contentHash });
  });

  it('refuses to overwrite without --force, a quantized source, and bad or missing --weight-type', async () => {
    const out = path.join(dir, 'q-cli.onnx');
    const first = earshot(['quantize', src, out, '--weight-type', 'float16']);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/float16 weights/);
    const before = await fs.readFile(out);
    const again = earshot(['quantize', src, out, '--weight-type', 'int8']);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/refusing to overwrite an existing file; pass --force/);
    expect(Buffer.compare(before, await fs.readFile(out))).toBe(0);
    const forced = earshot(['quantize', src, out, '--weight-type', 'int8', '--force']);
    expect(forced.code).toBe(0);
    expect(readModelInfo(new Uint8Array(await fs.readFile(out)), out).opCounts).toHaveProperty('DequantizeLinear');
    const twice = earshot(['quantize', out, path.join(dir, 'q-twice.onnx'), '--weight-type', 'float16']);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/already stored as int8; re-encode from the float32 model/);
    const bad = earshot(['quantize', src, path.join(dir, 'q-bad.onnx'), '--weight-type', 'int4']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--weight-type must be one of float32, float16, int8, got "int4"/);
    const missing = earshot(['quantize', src, path.join(dir, 'q-bad.onnx')]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/--weight-type is required: float16 or int8/);
    expect(existsSync(path.join(dir, 'q-bad.onnx'))).toBe(false);
    await expectError(ConversionError, quantizeModelFile({ input: src, out: path.join(dir, 'no-such-dir', 'x.onnx'), weightStorage: 'int8' }), /does not exist; create it first/);
  });

  it('earshot inspect shows the storage type', async () => {
    const out = path.join(dir, 'q-inspect.onnx');
    await quantizeModelFile({ input: src, out, weightStorage: 'float16' });
    const text = earshot(['inspect', out]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^weights {6}float16 \(IEEE half/m);
    expect(text.stdout).toMatch(/ops {10}Cast x2, MatMul x2/);
    const json = JSON.parse(earshot(['inspect', '--json', out]).stdout) as { metadata: ModelMetadata; initializers: { types: Record<string, number> } };
    expect(json.metadata.network.weightStorage).toBe('float16');
    expect(json.initializers.types).toEqual({ float16: 2, float32: 2 });
    expect(earshot(['inspect', src]).stdout).toMatch(/^weights {6}float32$/m);
  });
});

describe('the shipped model, re-encoded', () => {
  const variants = { float16: 'earshot-en.fp16.onnx', int8: 'earshot-en.int8.onnx' } as const;
  const made: Partial<Record<WeightStorage, string>> = {};
  beforeAll(async () => {
    for (const [storage, name] of Object.entries(variants) as Array<[WeightStorage, string]>) {
      made[storage] = path.join(dir, name);
      const r = earshot(['quantize', SHIPPED, made[storage]!, '--weight-type', storage]);
      expect(r.code, r.stderr).toBe(0);
    }
  }, 120_000);

  it.each(Object.keys(variants))('%s: greedy gives the float32 model\'s text, beam + LM "put the cups on the shelf"', (storage) => {
    const model = made[storage as WeightStorage]!;
    const greedy32 = earshot(['transcribe', '-m', SHIPPED, SAMPLE]);
    const greedy = earshot(['transcribe', '-m', model, SAMPLE]);
    expect(greedy.code, greedy.stderr).toBe(0);
    expect(greedy.stdout).toBe(greedy32.stdout);
    expect(greedy.stdout).toMatch(/^put the/);
    const beam = earshot(['transcribe', '-m', model, '--decoder', 'beam', '--lm', LMBIN, '--lm-weight', '0.5', '--word-bonus', '4', SAMPLE]);
    expect(beam.code, beam.stderr).toBe(0);
    expect(beam.stdout).toBe('put the cups on the shelf\n');
  });

  it.each(Object.entries(variants))('models/%s variant (shipped) is `earshot quantize` of the shipped model (rerun tools/models/variants.sh if not)', (storage, name) => {
    const shipped = path.join(ROOT, 'models', name);
    expect(existsSync(shipped), `${shipped} is missing: the package ships it (tools/models/variants.sh makes it)`).toBe(true);
    expect(Buffer.compare(readFileSync(shipped), readFileSync(made[storage as WeightStorage]!))).toBe(0);
  });
});
