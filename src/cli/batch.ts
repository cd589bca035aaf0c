/** `earshot worker` and `earshot enqueue`: batch transcription on a BullMQ queue (src/batch), their flags checked. */
import { UsageError } from '../core/errors.js';
import { runBatchWorker } from '../batch/worker.js';
import { enqueue } from '../batch/enqueue.js';
import { PermanentJobError } from '../batch/jobs.js';
import { parseFormat, parseNumberOption, parsePositiveInt } from './options.js';

/**
 * Flags of `earshot worker`.
 * @example
 * const o: WorkerCliOptions = { redis: 'redis://127.0.0.1:6379', root: 'audio', outputDir: 'out' };
 */
export interface WorkerCliOptions {
  redis: string;
  root: string;
  outputDir: string;
  queue?: string;
  model?: string;
  threads?: string;
  concurrency?: string;
  lockSeconds?: string;
  maxJobs?: string;
}

/**
 * Flags of `earshot enqueue`.
 * @example
 * const o: EnqueueCliOptions = { redis: 'redis://127.0.0.1:6379', root: 'audio', format: 'json', wait: true };
 */
export interface EnqueueCliOptions {
  redis: string;
  root: string;
  queue?: string;
  format: string;
  attempts?: string;
  wait: boolean;
  timeout?: string;
}

/**
 * Run `earshot worker` until SIGTERM.
 * @example
 * await workerCommand({ redis: 'redis://127.0.0.1:6379', root: 'audio', outputDir: 'out' });
 */
export async function workerCommand(o: WorkerCliOptions): Promise<void> {
  const threads = parsePositiveInt('--threads', o.threads);
  const concurrency = parsePositiveInt('--concurrency', o.concurrency);
  const lockSeconds = parseNumberOption('--lock-seconds', o.lockSeconds, { positive: true, unit: 'seconds' });
  const maxJobs = parsePositiveInt('--max-jobs', o.maxJobs);
  try {
    await runBatchWorker({
      redis: o.redis,
      root: o.root,
      outputDir: o.outputDir,
      queue: o.queue ?? 'earshot',
      ...(o.model ? { model: o.model } : {}),
      ...(threads ? { threads } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(lockSeconds ? { lockSeconds } : {}),
      ...(maxJobs ? { maxJobs } : {}),
    });
  } catch (e) {
    if (e instanceof PermanentJobError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * Run `earshot enqueue`; with --wait, exit 2 when any job failed or is still pending at --timeout.
 * @example
 * await enqueueCommand(['dev.jsonl'], { redis: 'redis://127.0.0.1:6379', root: 'data', format: 'json', wait: true });
 */
export async function enqueueCommand(inputs: string[], o: EnqueueCliOptions): Promise<void> {
  const format = parseFormat(o.format);
  const attempts = parsePositiveInt('--attempts', o.attempts) ?? 5;
  const timeoutSec = parseNumberOption('--timeout', o.timeout, { positive: true, unit: 'seconds' });
  if (timeoutSec !== undefined && !o.wait) throw new UsageError('--timeout is the longest --wait: give --wait with it');
  const s = await enqueue(inputs, { redis: o.redis, root: o.root, queue: o.queue ?? 'earshot', format, attempts, wait: o.wait, ...(timeoutSec !== undefined ? { timeoutSec } : {}) });
  process.stdout.write(JSON.stringify({ jobs: s.jobs, added: s.added, completed: s.completed, failed: s.failed, pending: s.pending }) + '\n');
  if (o.wait && (s.failed.length > 0 || s.pending > 0)) process.exitCode = 2;
}
