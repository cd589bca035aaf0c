/**
 * Feature shards: the on-disk form of a featurized split, shared by tools/featurize (writer), tools/train
 * (reader, numpy memmap) and the recipe's parity check.
 *
 * A shard is a directory:
 * - `feats.f32`   every utterance's BASE frames (MFCC + deltas, un-normalized, un-spliced) concatenated,
 *                 float32 little-endian, `baseDim(config)` values per frame, utterances in index order;
 * - `index.jsonl` one `{id, offset, frames, text}` per utterance (`offset` counts frames, not bytes);
 * - `config.json` the FeatureConfig that computed the frames (normalization none, no context, subsampling 1:
 *                 those are the model's choices, made at training time);
 * - `stats.json`  `{frames, utterances, mean, std}` per base dimension, accumulated in float64 (the train
 *                 shard's stats become the model's global normalization; std floored at STD_FLOOR).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { baseDim, type FeatureConfig } from '../../src/features/config.js';
import { NormStatsAccumulator } from '../../src/features/index.js';

export interface ShardEntry {
  id: string;
  /** First frame of the utterance in feats.f32. */
  offset: number;
  frames: number;
  text: string;
}

export interface ShardStats {
  frames: number;
  utterances: number;
  mean: number[];
  std: number[];
}

/** Smallest standard deviation written to stats.json: a constant dimension must not divide by zero. */
export const STD_FLOOR = 1e-6;

export const SHARD_FILES = { feats: 'feats.f32', index: 'index.jsonl', config: 'config.json', stats: 'stats.json' } as const;

function writeJsonAtomic(file: string, value: unknown, pretty = true): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, pretty ? JSON.stringify(value, null, 1) + '\n' : JSON.stringify(value));
  fs.renameSync(tmp, file);
}

/**
 * Writes a shard sequentially: frames are appended in the order `add` is called.
 * Files appear under their final names only when `close` succeeds.
 * @example
 * const w = new ShardWriter('work-data/feats/dev', config);
 * w.add('utt1', 'hello world', frames);   // frames: Float32Array, baseDim values per frame
 * w.close();
 */
export class ShardWriter {
  readonly dim: number;
  private readonly fd: number;
  private readonly entries: ShardEntry[] = [];
  private readonly acc: NormStatsAccumulator;
  private totalFrames = 0;
  private closed = false;

  constructor(
    readonly dir: string,
    readonly config: FeatureConfig,
  ) {
    if (os.endianness() !== 'LE') throw new Error('feature shards are little-endian; this host is big-endian');
    this.dim = baseDim(config);
    fs.mkdirSync(dir, { recursive: true });
    for (const f of Object.values(SHARD_FILES)) fs.rmSync(path.join(dir, f), { force: true });
    this.fd = fs.openSync(path.join(dir, `${SHARD_FILES.feats}.partial`), 'w');
    this.acc = new NormStatsAccumulator(this.dim);
  }

  get utterances(): number {
    return this.entries.length;
  }

  get frames(): number {
    return this.totalFrames;
  }

  /** Append one utterance's base frames (frames * dim values). */
  add(id: string, text: string, data: Float32Array): void {
    if (this.closed) throw new Error('ShardWriter.add after close');
    if (data.length % this.dim !== 0) throw new Error(`utterance ${id}: ${data.length} values is not a multiple of baseDim ${this.dim}`);
    const frames = data.length / this.dim;
    this.acc.add(data); // float64, Chan et al.'s pairwise update; throws on a non-finite value
    fs.writeSync(this.fd, new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    this.entries.push({ id, offset: this.totalFrames, frames, text });
    this.totalFrames += frames;
  }

  /** Statistics of everything added so far. */
  stats(): ShardStats {
    if (this.totalFrames === 0) return { frames: 0, utterances: this.entries.length, mean: new Array<number>(this.dim).fill(0), std: new Array<number>(this.dim).fill(1) };
    const { mean, std } = this.acc.result(STD_FLOOR);
    return { frames: this.totalFrames, utterances: this.entries.length, mean, std };
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    fs.renameSync(path.join(this.dir, `${SHARD_FILES.feats}.partial`), path.join(this.dir, SHARD_FILES.feats));
    const tmp = path.join(this.dir, `${SHARD_FILES.index}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, this.entries.map((e) => JSON.stringify(e) + '\n').join(''));
    fs.renameSync(tmp, path.join(this.dir, SHARD_FILES.index));
    writeJsonAtomic(path.join(this.dir, SHARD_FILES.config), this.config);
    writeJsonAtomic(path.join(this.dir, SHARD_FILES.stats), this.stats());
  }
}

/** A shard read fully into memory (tests, parity checks, small splits). */
export interface Shard {
  dir: string;
  config: FeatureConfig;
  dim: number;
  entries: ShardEntry[];
  feats: Float32Array;
  stats: ShardStats | undefined;
}

/**
 * Read a shard written by ShardWriter.
 * @example
 * const s = readShard('work-data/feats/dev');
 * const first = shardFrames(s, s.entries[0]!);   // Float32Array, s.dim values per frame
 */
export function readShard(dir: string): Shard {
  const need = (f: string): string => {
    const p = path.join(dir, f);
    if (!fs.existsSync(p)) throw new Error(`${dir}: no ${f}; is this a feature shard? (write one with tools/featurize)`);
    return p;
  };
  const config = JSON.parse(fs.readFileSync(need(SHARD_FILES.config), 'utf8')) as FeatureConfig;
  const dim = baseDim(config);
  const bytes = fs.readFileSync(need(SHARD_FILES.feats));
  if (bytes.byteLength % (4 * dim) !== 0) throw new Error(`${dir}/${SHARD_FILES.feats}: ${bytes.byteLength} bytes is not a whole number of ${dim}-value float32 frames`);
  const feats = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const entries = fs
    .readFileSync(need(SHARD_FILES.index), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as ShardEntry);
  for (const e of entries) {
    if ((e.offset + e.frames) * dim > feats.length) throw new Error(`${dir}: utterance ${e.id} ends past the end of ${SHARD_FILES.feats}`);
  }
  const statsPath = path.join(dir, SHARD_FILES.stats);
  const stats = fs.existsSync(statsPath) ? (JSON.parse(fs.readFileSync(statsPath, 'utf8')) as ShardStats) : undefined;
  return { dir, config, dim, entries, feats, stats };
}

/** The base frames of one utterance (a view, not a copy). */
export function shardFrames(shard: Shard, e: ShardEntry): Float32Array {
  return shard.feats.subarray(e.offset * shard.dim, (e.offset + e.frames) * shard.dim);
}
