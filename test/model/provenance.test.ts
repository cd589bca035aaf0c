/** No build-machine paths in shipped models, and the tool that takes them out (tools/models/scrub-provenance.ts). */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultFeatureConfig, inputDim } from '../../src/features/config.js';
import { computeContentHash, computeGraphHash } from '../../src/model/hash.js';
import { describeModel } from '../../src/model/load.js';
import { MetadataKeys } from '../../src/model/metadata.js';
import { graphBytes, readModelInfo } from '../../src/model/onnx-reader.js';
import { buildMlpModel } from '../../src/model/build/onnx-writer.js';
import { randomLayers, TINY_LABELS } from '../../src/model/build/tiny.js';
import { isMachinePath, portablePath, scrubJson, scrubProvenance } from '../../tools/models/scrub-provenance.js';

const MODELS = path.resolve(import.meta.dirname, '../..', 'models');
// Written independently of the tool: `work-data` anywhere, or a token that starts an absolute path (POSIX, ~, Windows).
const MACHINE_PATH = /work-data|(?:^|["',\s=])(?:\/|~\/|[A-Za-z]:[\\/])[^"',\s]/;

describe('shipped models', () => {
  const files = readdirSync(MODELS).filter((f) => f.endsWith('.onnx'));

  it('hold no absolute path and no work-data folder in any metadata entry', () => {
    expect(files.length).toBeGreaterThanOrEqual(3);
    const bad: string[] = [];
    for (const f of files) {
      const props = readModelInfo(new Uint8Array(readFileSync(path.join(MODELS, f))), f).metadataProps;
      for (const [k, v] of Object.entries(props)) if (MACHINE_PATH.test(v)) bad.push(`${f} ${k}: ${v.match(MACHINE_PATH)![0]}`);
    }
    expect(bad).toEqual([]);
  });

  it('the pattern catches what it must (so the test above can fail)', () => {
    for (const v of ['{"train_shard":"/work/main/work-data/r13/feats/train"}', '{"out":"work-data/r13/run"}', '{"a":"x,/home/u/d"}', '{"a":"C:\\\\data\\\\x"}', '{"a":"~/corpus"}']) expect(MACHINE_PATH.test(v), v).toBe(true);
    for (const v of ['{"train":"feats/train,feats/dev"}', '["<blank>"," ","a","\'"]', 'sha256:0f']) expect(MACHINE_PATH.test(v), v).toBe(false);
  });
});

describe('scrub-provenance', () => {
  const provenance = {
    producer: 'earshot convert 0.1.0',
    source: 'model.safetensors',
    training: {
      args: { train: 'work-data/r13/feats/train,/abs/ft/feats/train', dev: 'work-data/ft/feats/dev', out: 'work-data/r13/run', init: '', lr: 0.002, min_lr: 2e-5 },
      train_shard: '/work/main/work-data/r13/feats/train',
      note: 'a/b stays',
    },
  };
  const build = (extra: Record<string, unknown> = {}): Promise<Uint8Array> => buildMlpModel({
    layers: randomLayers([inputDim(defaultFeatureConfig()), 8, TINY_LABELS.length], 3),
    activation: 'lrelu',
    alpha: 0.01,
    metadata: { featureConfig: defaultFeatureConfig(), output: { type: 'ctc', blankId: 0 }, labels: [...TINY_LABELS], provenance: { ...provenance, ...extra } },
  });

  it('portablePath keeps the last two components; isMachinePath', () => {
    expect(portablePath('/work/main/work-data/r13/feats/train')).toBe('feats/train');
    expect(portablePath('C:\\data\\r13\\feats\\dev')).toBe('feats/dev');
    expect(portablePath('run')).toBe('run');
    expect(['/x', '~/x', 'D:/x', 'a/work-data/b'].map(isMachinePath)).toEqual([true, true, true, true]);
    expect(['feats/train', 'work-data-2/x', 'model.safetensors', ''].map(isMachinePath)).toEqual([false, false, false, false]);
    expect(scrubJson({ a: ['x', '/p/q/r'] })).toEqual({ value: { a: ['x', 'q/r'] }, changes: [{ at: 'a.1', from: '/p/q/r', to: 'q/r' }] });
  });

  it('rewrites only the paths: same graph hash and graph bytes, same other metadata, a valid new content hash', async () => {
    const bytes = await build();
    const r = await scrubProvenance(bytes, 'm.onnx');
    expect(r.changes.map((c) => [c.at, c.to])).toEqual([
      ['training.args.dev', 'feats/dev'],
      ['training.args.out', 'r13/run'],
      ['training.args.train', 'feats/train,feats/train'],
      ['training.train_shard', 'feats/train'],
    ]);
    // Read back independently of the tool's own checks.
    const { metadata } = await describeModel(r.bytes, 'm.onnx');
    expect(metadata.provenance).toEqual({
      ...provenance,
      training: { ...provenance.training, args: { ...provenance.training.args, train: 'feats/train,feats/train', dev: 'feats/dev', out: 'r13/run' }, train_shard: 'feats/train' },
    });
    expect(await computeGraphHash(r.bytes, 'm.onnx')).toBe(await computeGraphHash(bytes, 'm.onnx'));
    expect(graphBytes(r.bytes, 'm.onnx')).toEqual(graphBytes(bytes, 'm.onnx'));
    const before = readModelInfo(bytes, 'm.onnx').metadataProps;
    const after = readModelInfo(r.bytes, 'm.onnx').metadataProps;
    for (const k of Object.keys(before)) if (k !== MetadataKeys.provenance && k !== MetadataKeys.contentHash) expect(after[k], k).toBe(before[k]);
    expect(after[MetadataKeys.contentHash]).toBe(await computeContentHash(r.bytes, 'm.onnx'));
    expect(after[MetadataKeys.contentHash]).not.toBe(before[MetadataKeys.contentHash]);
    expect(MACHINE_PATH.test(after[MetadataKeys.provenance]!)).toBe(false);
    // A second pass finds nothing and returns the same bytes.
    const again = await scrubProvenance(r.bytes, 'm.onnx');
    expect(again.changes).toEqual([]);
    expect(again.bytes).toBe(r.bytes);
  });

  it('follows a renamed original in reencodedFrom, and refuses a model that is not valid', async () => {
    const bytes = await build({ reencodedFrom: 'sha256:old' });
    const r = await scrubProvenance(bytes, 'm.int8.onnx', new Map([['sha256:old', 'sha256:new']]));
    expect(r.changes.at(-1)).toEqual({ at: 'reencodedFrom', from: 'sha256:old', to: 'sha256:new' });
    expect((await describeModel(r.bytes, 'm.int8.onnx')).metadata.provenance.reencodedFrom).toBe('sha256:new');
    expect((await scrubProvenance(bytes, 'm.int8.onnx')).changes.some((c) => c.at === 'reencodedFrom')).toBe(false);
    const broken = bytes.slice();
    broken[broken.length - 70] ^= 1; // inside the content hash's covered bytes or the hash itself
    await expect(scrubProvenance(broken, 'm.onnx')).rejects.toThrow(/m\.onnx/);
  });
});
