/**
 * Narrow-band training copies: a manifest entry with `via_rate` is featurized exactly as the recognizer would
 * featurize a recording of it made at that rate, and tools/corpus/via-rate writes such entries.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { computeFeatures, defaultFeatureConfig } from '../../../src/features/index.js';
import { readAudioFile } from '../../../src/node/audio-file.js';
import { viaRateCopies, viaShareProblem } from '../../../tools/corpus/via-rate.js';
import { baseShardConfig, featurize } from '../../../tools/featurize/featurize.js';
import { wavBytes } from '../../helpers/e2e.js';
import { readManifest } from '../../../src/node/manifest.js';
import { readShard, shardFrames } from '../../../tools/featurize/shard.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const yes = path.join(root, 'test/fixtures/recipe/yes.wav');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'earshot-via-rate-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('featurize: via_rate', () => {
  it('gives the frames the recognizer computes on the same speech recorded at 8 kHz', async () => {
    const manifest = path.join(tmp, 'm.jsonl');
    fs.writeFileSync(manifest, `${JSON.stringify({ id: 'yes-via8000', audio: yes, text: 'yes', via_rate: 8000 })}\n${JSON.stringify({ id: 'yes', audio: yes, text: 'yes' })}\n`);
    const out = path.join(tmp, 'feats');
    const config = defaultFeatureConfig();
    await featurize({ manifests: [manifest], out, config, workers: 0 });
    const shard = readShard(out);

    // The 8 kHz recording: the file read at 8 kHz, stored exactly (float WAV), then read as the CLI reads files.
    const { samples: at8k } = await readAudioFile(yes, 8000);
    const file8k = path.join(tmp, 'yes-8k.wav');
    fs.writeFileSync(file8k, wavBytes([at8k], 8000, 'f32'));
    const { samples } = await readAudioFile(file8k, config.sampleRate);
    const engine = computeFeatures(samples, baseShardConfig(config));

    const narrow = shardFrames(shard, shard.entries[0]!);
    expect(shard.entries[0]!.frames).toBe(engine.frames);
    expect(Buffer.from(narrow.buffer, narrow.byteOffset, narrow.byteLength).equals(Buffer.from(engine.data.buffer))).toBe(true);
    // And it is not the wide-band entry: the copy really lost the band above 4 kHz.
    const wide = shardFrames(shard, shard.entries[1]!);
    expect(Buffer.from(wide.buffer, wide.byteOffset, wide.byteLength).equals(Buffer.from(narrow.buffer, narrow.byteOffset, narrow.byteLength))).toBe(false);
  });

  it('rejects a via_rate that is not a sample rate, naming the line', () => {
    const manifest = path.join(tmp, 'bad.jsonl');
    fs.writeFileSync(manifest, `${JSON.stringify({ id: 'a', audio: yes, text: 'yes' })}\n${JSON.stringify({ id: 'b', audio: yes, text: 'yes', via_rate: '8k' })}\n`);
    expect(() => readManifest(manifest)).toThrow(/bad\.jsonl:2: "via_rate" must be an integer sample rate in Hz from 1000 to 192000, got "8k"/);
  });
});

describe('tools/corpus/via-rate', () => {
  const text = Array.from({ length: 400 }, (_, i) => JSON.stringify({ id: `train-${String(i).padStart(6, '0')}`, audio: `train/000/train-${i}.wav`, text: 'a b' })).join('\n');

  it('copies a seeded share of the entries with rebased audio, a suffixed id and via_rate', () => {
    const all = viaRateCopies(text, '/c/corpus/train.jsonl', '/c/derived/train_8k.jsonl', 8000, 1, 1).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(all).toHaveLength(400);
    expect(all[3]).toEqual({ id: 'train-000003-via8000', audio: '../corpus/train/000/train-3.wav', text: 'a b', via_rate: 8000 });
    const half = viaRateCopies(text, '/c/corpus/train.jsonl', '/c/derived/train_8k.jsonl', 8000, 0.5, 1);
    expect(half.length).toBeGreaterThan(160);
    expect(half.length).toBeLessThan(240);
    expect(viaRateCopies(text, '/c/corpus/train.jsonl', '/c/derived/train_8k.jsonl', 8000, 0.5, 1)).toEqual(half);
    expect(viaRateCopies(text, '/c/corpus/train.jsonl', '/c/derived/train_8k.jsonl', 8000, 0.5, 2)).not.toEqual(half);
  });

  it('refuses entries that already pass through a rate, and malformed lines', () => {
    expect(() => viaRateCopies(JSON.stringify({ id: 'x', audio: 'x.wav', via_rate: 8000 }), 'in.jsonl', 'out.jsonl', 8000, 1, 1)).toThrow(/in\.jsonl:1 \(x\): already has via_rate 8000/);
    expect(() => viaRateCopies('\n{"id": 1}', 'in.jsonl', 'out.jsonl', 8000, 1, 1)).toThrow(/in\.jsonl:2: expected string fields "id" and "audio", got id: 1, audio: missing/);
    expect(() => viaRateCopies('{"id": "a", "audio": "a.wav"}\n{"id": "b",', 'in.jsonl', 'out.jsonl', 8000, 1, 1)).toThrow(/in\.jsonl:2: not valid JSON \(.+\); expected a corpus manifest/);
  });

  it('takes a share in (0, 1] and says what it got otherwise', () => {
    expect(viaShareProblem(0.2)).toBeUndefined();
    expect(viaShareProblem(1)).toBeUndefined();
    expect(viaShareProblem(0)).toBe('must be a share in (0, 1], got 0');
    expect(viaShareProblem(1.5)).toBe('must be a share in (0, 1], got 1.5');
    expect(viaShareProblem('half')).toBe('must be a share in (0, 1], got "half"');
  });
});
