#!/usr/bin/env node
/**
 * tools/featurize: manifest(s) -> a feature shard (see shard.ts for the format).
 *
 * Frames are computed by earshot's own frontend in worker threads and written in manifest order, so the output is
 * byte-identical whatever the number of workers. Progress goes to stderr.
 *
 * @example
 * node dist/tools/featurize/featurize.js --manifest work-data/corpus/train.jsonl --out work-data/feats/train --workers 2
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { Command } from 'commander';
import { defaultFeatureConfig, featureConfigProblems, type FeatureConfig } from '../../src/features/config.js';
import { readManifest, type ManifestItem } from '../../src/node/manifest.js';
import { refuseReserved } from '../corpus/reserved.js';
import { ShardWriter } from './shard.js';
import { featurizeFile, type JobRequest, type JobResult } from './job.js';

export interface FeaturizeOptions {
  manifests: string[];
  out: string;
  /** Frontend settings; context, subsampling and normalization are forced to none (the shard holds base frames). */
  config: FeatureConfig;
  /** Worker threads; 0 computes in this thread. */
  workers: number;
  /** Use only the first N utterances (0 = all). */
  limit?: number;
  /** Progress lines on stderr. */
  progress?: boolean;
  /** Label shown in progress lines. */
  label?: string;
  /** Featurize clips reserved for evaluation (tools/corpus/reserved.ts) too: only for evaluation shards. */
  allowReserved?: boolean;
}

export interface FeaturizeSummary {
  utterances: number;
  frames: number;
  audioSeconds: number;
  wallSeconds: number;
  skipped: { id: string; audio: string; error: string }[];
}

/** The shard's config: the frontend fields of `c`, with no normalization, no context and no subsampling. */
export function baseShardConfig(c: FeatureConfig): FeatureConfig {
  return { ...c, normalization: { type: 'none' }, contextLeft: 0, contextRight: 0, subsampling: 1 };
}

function jobFor(index: number, item: ManifestItem): JobRequest {
  return { index, audio: item.audio, ...(item.viaRate ? { viaRate: item.viaRate } : {}) };
}

function fmtTime(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const m = Math.floor(s / 60);
  return m > 0 ? `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${s.toFixed(0)}s`;
}

/**
 * Featurize the manifests' utterances into one shard directory.
 * @example
 * await featurize({ manifests: ['dev.jsonl'], out: 'feats/dev', config: defaultFeatureConfig(), workers: 2 });
 */
export async function featurize(opts: FeaturizeOptions): Promise<FeaturizeSummary> {
  const config = baseShardConfig(opts.config);
  const problems = featureConfigProblems(config);
  if (problems.length) throw new Error(`feature config: ${problems.join('; ')}`);
  let items: ManifestItem[] = opts.manifests.flatMap((m) => readManifest(m));
  if (opts.limit && opts.limit > 0) items = items.slice(0, opts.limit);
  if (!opts.allowReserved) refuseReserved(items, `featurize --manifest ${opts.manifests.join(' ')} (pass --allow-reserved for an evaluation shard)`);
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.id)) throw new Error(`duplicate utterance id "${it.id}" in ${opts.manifests.join(', ')}: ids must be unique within a shard`);
    seen.add(it.id);
  }
  const writer = new ShardWriter(opts.out, config);
  const summary: FeaturizeSummary = { utterances: 0, frames: 0, audioSeconds: 0, wallSeconds: 0, skipped: [] };
  const t0 = Date.now();
  const label = opts.label ?? path.basename(opts.out);
  let lastPrint = 0;
  const tty = process.stderr.isTTY === true;
  const progress = (done: number, final = false): void => {
    if (!opts.progress) return;
    const now = Date.now();
    if (!final && now - lastPrint < (tty ? 500 : 15000)) return;
    lastPrint = now;
    const el = (now - t0) / 1000;
    const rate = done / Math.max(el, 1e-3);
    const line =
      `featurize ${label}: ${done}/${items.length} (${((100 * done) / Math.max(items.length, 1)).toFixed(1)}%) ` +
      `${rate.toFixed(1)} utt/s, ${(summary.audioSeconds / Math.max(el, 1e-3)).toFixed(0)}x real time, ` +
      `elapsed ${fmtTime(el)}, ETA ${fmtTime((items.length - done) / Math.max(rate, 1e-9))}`;
    process.stderr.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };

  // Results arrive out of order; they are written strictly in manifest order.
  const pending = new Map<number, JobResult>();
  let next = 0;
  const consume = (r: JobResult): void => {
    pending.set(r.index, r);
    while (pending.has(next)) {
      const res = pending.get(next)!;
      pending.delete(next);
      const it = items[next]!;
      if (res.ok) {
        writer.add(it.id, it.text, res.data);
        summary.utterances++;
        summary.audioSeconds += res.seconds;
      } else {
        summary.skipped.push({ id: it.id, audio: it.audio, error: res.error });
        process.stderr.write(`${tty ? '\n' : ''}featurize: skipped ${it.id} (${it.audio}): ${res.error}\n`);
      }
      next++;
      progress(next);
    }
  };

  if (opts.workers <= 0) {
    for (let i = 0; i < items.length; i++) consume(await featurizeFile(jobFor(i, items[i]!), config));
  } else {
    const workerUrl = new URL('./worker.js', import.meta.url);
    const workers = Array.from({ length: Math.min(opts.workers, Math.max(items.length, 1)) }, () => new Worker(workerUrl, { workerData: { config } }));
    const maxAhead = 64; // bound the reorder buffer when one file is slow
    const perWorker = 2;
    let dispatched = 0;
    const inflight = new Map<Worker, number>();
    await new Promise<void>((resolve, reject) => {
      const feed = (w: Worker): void => {
        while ((inflight.get(w) ?? 0) < perWorker && dispatched < items.length && dispatched - next < maxAhead) {
          const job: JobRequest = jobFor(dispatched, items[dispatched]!);
          dispatched++;
          inflight.set(w, (inflight.get(w) ?? 0) + 1);
          w.postMessage(job);
        }
      };
      const checkDone = (): void => {
        if (next >= items.length) resolve();
      };
      for (const w of workers) {
        w.on('message', (r: JobResult) => {
          inflight.set(w, (inflight.get(w) ?? 1) - 1);
          try {
            consume(r);
          } catch (e) {
            reject(e as Error);
            return;
          }
          for (const x of workers) feed(x);
          checkDone();
        });
        w.on('error', reject);
        w.on('exit', (code) => {
          if (next < items.length) reject(new Error(`featurize worker exited with code ${code} before the shard was complete`));
        });
        feed(w);
      }
      checkDone();
    }).finally(async () => {
      await Promise.all(workers.map((w) => w.terminate()));
    });
  }
  progress(next, true);
  if (summary.utterances === 0) throw new Error(`featurize ${label}: no utterance could be featurized (${summary.skipped.length} skipped); see the messages above`);
  summary.frames = writer.frames;
  writer.close();
  if (summary.skipped.length) fs.writeFileSync(path.join(opts.out, 'skipped.jsonl'), summary.skipped.map((s) => JSON.stringify(s) + '\n').join(''));
  summary.wallSeconds = (Date.now() - t0) / 1000;
  return summary;
}

async function main(): Promise<void> {
  const program = new Command()
    .name('featurize')
    .description('Compute earshot base features (MFCC + deltas) for manifest(s) into a feature shard directory')
    .requiredOption('-m, --manifest <file...>', 'JSONL manifest(s) ({"id","audio","text",...}) or path<TAB>text lists')
    .requiredOption('-o, --out <dir>', 'shard directory to write (feats.f32, index.jsonl, config.json, stats.json)')
    .option('-c, --config <file>', 'JSON with FeatureConfig fields overriding the defaults')
    .option('-w, --workers <n>', 'worker threads (0 = compute in the main thread)', '2')
    .option('--limit <n>', 'only the first N utterances', '0')
    .option('-q, --quiet', 'no progress lines')
    .option('--allow-reserved', 'also featurize clips reserved for evaluation (festival voices, alsa, Asterisk, ...): evaluation shards only, never for training');
  program.parse();
  const o = program.opts<{ manifest: string[]; out: string; config?: string; workers: string; limit: string; quiet?: boolean; allowReserved?: boolean }>();
  const workers = Number(o.workers);
  const limit = Number(o.limit);
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`--workers must be a non-negative integer, got "${o.workers}"`);
  if (!Number.isInteger(limit) || limit < 0) throw new Error(`--limit must be a non-negative integer, got "${o.limit}"`);
  let config = defaultFeatureConfig();
  if (o.config) config = { ...config, ...(JSON.parse(fs.readFileSync(o.config, 'utf8')) as Partial<FeatureConfig>) };
  const s = await featurize({ manifests: o.manifest, out: o.out, config, workers, limit, progress: !o.quiet, allowReserved: o.allowReserved === true });
  const hours = s.audioSeconds / 3600;
  process.stderr.write(
    `featurize: wrote ${o.out}: ${s.utterances} utterances, ${s.frames} frames, ${hours.toFixed(2)} h of audio in ${s.wallSeconds.toFixed(1)} s ` +
      `(${(s.audioSeconds / Math.max(s.wallSeconds, 1e-3)).toFixed(0)}x real time)${s.skipped.length ? `, ${s.skipped.length} skipped (see skipped.jsonl)` : ''}\n`,
  );
}

const argv1 = process.argv[1];
if (argv1 && fs.existsSync(argv1) && fs.realpathSync(argv1) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  main().catch((e: unknown) => {
    process.stderr.write(`featurize: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
