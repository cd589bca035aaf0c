/**
 * The batch worker: takes jobs from a BullMQ queue, transcribes each with the library (the CLI's
 * segmentation and formats) and writes the result create-only and atomically. A job that comes back
 * (its worker died after writing, or BullMQ saw it stall) finds its result there and completes without
 * writing again. Bad audio and bad job data are permanent failures: no retry, and an entry in the
 * dead-letter queue `<queue>-dead` (same job id, data {path, reason, attempts, at}; no worker takes
 * from it: it is a list to read and act on); anything else is retried with backoff, and dead-lettered
 * once its tries are spent.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
import { EarshotError, describeError } from '../core/errors.js';
import { formatTranscript } from '../format.js';
import { loadRecognizer, transcribeFile, type Recognizer } from '../node/index.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { CLI_SEGMENTATION } from '../server/segmentation.js';
import { PermanentJobError, parseJob, redisOptions, resolveUnderRoot, resultPath } from './jobs.js';

/**
 * A worker's settings.
 * @example
 * const o: BatchWorkerOptions = { redis: 'redis://127.0.0.1:6379', root: '/data/audio', outputDir: '/data/out', queue: 'earshot' };
 */
export interface BatchWorkerOptions {
  redis: string;
  root: string;
  outputDir: string;
  queue: string;
  model?: string;
  threads?: number;
  /** Jobs at once in this process; default 1. */
  concurrency?: number;
  /** Seconds without a lock renewal after which a job is given to another worker; default 30. */
  lockSeconds?: number;
  /** Stop after this many jobs (completed or failed). */
  maxJobs?: number;
  /** One line per job and event. */
  log?: (line: string) => void;
}

/**
 * What a job resolves to in BullMQ: where its result is and whether this run wrote it.
 * @example
 * const r: JobResult = { result: 'out/a.wav.json', written: true };
 */
export interface JobResult {
  result: string;
  written: boolean;
}

/**
 * The name of a queue's dead-letter queue: a job there has the failed job's id and data {path, reason, attempts, at}.
 * @example
 * const dead = await new Queue(deadLetterQueue('earshot'), { connection }).getWaiting();
 */
export function deadLetterQueue(queue: string): string {
  return `${queue}-dead`;
}

/**
 * A dead-letter entry.
 * @example
 * const entry: DeadLetter = { path: 'a.wav', reason: 'a.wav: not a WAV file', attempts: 1, at: '2026-12-06T20:00:00.000Z' };
 */
export interface DeadLetter {
  path: unknown;
  reason: string;
  attempts: number;
  at: string;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(() => true, () => false);
}

/** Run one job: the processor, apart from BullMQ. */
async function runJob(rec: Recognizer, o: BatchWorkerOptions, data: unknown): Promise<JobResult> {
  const job = parseJob(data);
  const out = resultPath(o.outputDir, job);
  if (await exists(out)) return { result: out, written: false };
  const file = await resolveUnderRoot(o.root, job.path);
  let text: string;
  try {
    const result = await transcribeFile(rec, file, { endpoint: CLI_SEGMENTATION });
    text = formatTranscript(result, job.format, { file: job.path });
  } catch (e) {
    // earshot's own errors are about the input (unreadable, corrupt, unsupported): retrying will not help.
    if (e instanceof EarshotError) throw new PermanentJobError(describeError(e), { cause: e });
    throw e;
  }
  await fs.mkdir(path.dirname(out), { recursive: true });
  try {
    await writeFileAtomic(out, text, { force: false });
    return { result: out, written: true };
  } catch (e) {
    // Another delivery of this job wrote it first: same job, same bytes.
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return { result: out, written: false };
    throw e;
  }
}

/**
 * Run a worker until SIGTERM / SIGINT (finishing its jobs in hand) or `maxJobs`.
 * @example
 * await runBatchWorker({ redis: 'redis://127.0.0.1:6379', root: 'audio', outputDir: 'out', queue: 'earshot' });
 */
export async function runBatchWorker(o: BatchWorkerOptions): Promise<void> {
  const log = o.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const root = await fs.realpath(o.root).catch(() => {
    throw new PermanentJobError(`--root ${o.root}: not an existing directory`);
  });
  await fs.mkdir(o.outputDir, { recursive: true });
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), ...(o.threads ? { threads: o.threads } : {}) });
  const opts = { ...o, root };
  const lockMs = (o.lockSeconds ?? 30) * 1000;
  const connection = { ...redisOptions(o.redis), maxRetriesPerRequest: null };
  const dead = new Queue(deadLetterQueue(o.queue), { connection });
  const worker = new Worker<unknown, JobResult>(
    o.queue,
    async (job: Job<unknown, JobResult>) => {
      try {
        return await runJob(rec, opts, job.data);
      } catch (e) {
        if (e instanceof PermanentJobError) throw new UnrecoverableError(e.message);
        throw e;
      }
    },
    {
      connection,
      concurrency: o.concurrency ?? 1,
      lockDuration: lockMs,
      stalledInterval: Math.max(500, lockMs / 2),
      // A job whose worker died is retried, not failed: dying is the worker's fault, not the job's.
      maxStalledCount: 10,
      autorun: false,
    },
  );
  let handled = 0;
  let closing: Promise<void> | undefined;
  const close = (why: string): Promise<void> => {
    closing ??= (log(`worker: ${why}: finishing the jobs in hand`), worker.close());
    return closing;
  };
  const count = (): void => {
    handled++;
    if (o.maxJobs !== undefined && handled >= o.maxJobs) void close(`${handled} jobs handled (--max-jobs)`);
  };
  worker.on('completed', (job, r) => {
    log(`${r.written ? 'wrote' : 'exists'} ${job.id} ${r.result}`);
    count();
  });
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err instanceof UnrecoverableError || err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    log(`${final ? 'dead' : 'retry'} ${job.id} ${err.message}`);
    if (final) {
      const entry: DeadLetter = { path: (job.data as { path?: unknown }).path, reason: err.message, attempts: job.attemptsMade, at: new Date().toISOString() };
      // The same id as the job: a second report of the same failure adds nothing.
      void dead.add('dead', entry, { jobId: job.id ?? 'unknown' }).catch((e: unknown) => log(`error: cannot write the dead-letter entry of ${job.id}: ${describeError(e)}`));
    }
    count();
  });
  // Another worker died holding this job: it goes back to the queue (and its result, if written, is kept).
  worker.on('stalled', (id) => log(`stalled ${id}: its worker stopped renewing the lock; handed out again`));
  worker.on('error', (e) => log(`error: ${describeError(e)}`));
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  log(`worker: ready on queue ${o.queue} (root ${root}, results in ${o.outputDir})`);
  await worker.run();
  await close('stopped');
  await dead.close();
}
