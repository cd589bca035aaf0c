/**
 * Submitting batch jobs: audio files, or manifests listing them, become one job each (path relative to
 * the shared root, id from the job itself, so submitting twice adds nothing), with retries and
 * exponential backoff; optionally waiting until all are done.
 */
import path from 'node:path';
import { Queue } from 'bullmq';
import type { OutputFormat } from '../format.js';
import { readManifest } from '../node/manifest.js';
import { jobId, redisOptions, relativeUnderRoot, type TranscriptionJob } from './jobs.js';
import { deadLetterQueue, type DeadLetter } from './worker.js';

/**
 * What to submit and how.
 * @example
 * const o: EnqueueOptions = { redis: 'redis://127.0.0.1:6379', root: 'audio', queue: 'earshot', format: 'json', attempts: 5 };
 */
export interface EnqueueOptions {
  redis: string;
  root: string;
  queue: string;
  format: OutputFormat;
  /** Tries per job (the first included). */
  attempts: number;
  /** Wait until every job is completed or failed. */
  wait?: boolean;
  /** With wait: give up after this many seconds. */
  timeoutSec?: number;
  log?: (line: string) => void;
}

/**
 * The outcome of a submission (counts are of this submission's jobs).
 * @example
 * if (summary.failed.length) console.error(summary.failed.map((f) => f.path));
 */
export interface EnqueueSummary {
  jobs: number;
  /** Jobs that were new to the queue (the rest were there already). */
  added: number;
  completed: number;
  failed: { id: string; path: string; reason: string }[];
  /** Jobs still waiting or running when the wait ended (or all, without wait). */
  pending: number;
}

const MANIFEST_EXT = new Set(['.jsonl', '.tsv', '.txt', '.list']);

/**
 * The audio files an input list names: manifests (.jsonl, .tsv, .txt, .list) expanded, other paths taken as audio.
 * @example
 * audioFiles(['dev.jsonl', 'extra/one.wav'])
 */
export function audioFiles(inputs: readonly string[]): string[] {
  return inputs.flatMap((f) => (MANIFEST_EXT.has(path.extname(f).toLowerCase()) ? readManifest(f).map((i) => i.audio) : [path.resolve(f)]));
}

/**
 * Submit the jobs (and wait, with `wait`).
 * @example
 * const s = await enqueue(['dev.jsonl'], { redis: 'redis://127.0.0.1:6379', root: 'data', queue: 'earshot', format: 'json', attempts: 5, wait: true });
 */
export async function enqueue(inputs: readonly string[], o: EnqueueOptions): Promise<EnqueueSummary> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const files = audioFiles(inputs);
  const jobs: TranscriptionJob[] = [];
  const seen = new Set<string>();
  for (const f of files) {
    const job: TranscriptionJob = { path: await relativeUnderRoot(o.root, f), format: o.format };
    if (!seen.has(job.path)) jobs.push(job);
    seen.add(job.path);
  }
  const queue = new Queue(o.queue, { connection: redisOptions(o.redis) });
  try {
    const ids = jobs.map(jobId);
    const before = await Promise.all(ids.map((id) => queue.getJobState(id)));
    await queue.addBulk(jobs.map((data, i) => ({
      name: 'transcribe',
      data,
      opts: { jobId: ids[i]!, attempts: o.attempts, backoff: { type: 'exponential', delay: 1000 }, removeOnComplete: { age: 7 * 24 * 3600 }, removeOnFail: { age: 30 * 24 * 3600 } },
    })));
    const added = before.filter((s) => s === 'unknown').length;
    log(`enqueue: ${jobs.length} jobs on queue ${o.queue} (${added} new, ${jobs.length - added} already there)`);
    const summary: EnqueueSummary = { jobs: jobs.length, added, completed: 0, failed: [], pending: jobs.length };
    if (!o.wait) return summary;

    const until = o.timeoutSec !== undefined ? Date.now() + o.timeoutSec * 1000 : Infinity;
    let pending = ids.map((id, i) => ({ id, path: jobs[i]!.path }));
    const dead = new Queue(deadLetterQueue(o.queue), { connection: redisOptions(o.redis) });
    for (;;) {
      const states = await Promise.all(pending.map((j) => queue.getJobState(j.id)));
      const still: typeof pending = [];
      for (const [i, j] of pending.entries()) {
        const state = states[i];
        if (state === 'completed') summary.completed++;
        else if (state === 'failed') {
          const entry = (await dead.getJob(j.id))?.data as DeadLetter | undefined;
          const reason = entry?.reason ?? (await queue.getJob(j.id))?.failedReason ?? 'failed';
          summary.failed.push({ ...j, reason });
        } else still.push(j);
      }
      pending = still;
      summary.pending = pending.length;
      if (pending.length === 0 || Date.now() > until) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await dead.close();
    log(`enqueue: ${summary.completed} completed, ${summary.failed.length} failed, ${summary.pending} pending`);
    for (const f of summary.failed) log(`  failed: ${f.path}: ${f.reason}`);
    return summary;
  } finally {
    await queue.close();
  }
}
