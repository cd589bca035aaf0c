/**
 * Batch transcription jobs: what a job carries (a path relative to a shared audio root, never an
 * absolute path), how a worker turns it back into a file without leaving the root (`..`, absolute
 * paths and symlinks out are refused), where its result goes, and its queue id. The id and the result
 * path depend only on the job, so a job delivered twice maps to the same result file, which is written
 * once (create-only): at-least-once delivery, exactly-once results.
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OUTPUT_FORMATS, type OutputFormat } from '../format.js';
import { UsageError } from '../core/errors.js';

/**
 * One job: transcribe `path` (relative to the root, `/`-separated) into `format`.
 * @example
 * const job: TranscriptionJob = { path: 'calls/2024/0001.wav', format: 'json' };
 */
export interface TranscriptionJob {
  path: string;
  format: OutputFormat;
}

/**
 * A job that cannot be run whatever the number of tries (bad data, a path escape, bad audio).
 * @example
 * throw new PermanentJobError('calls/1.wav: not a WAV file');
 */
export class PermanentJobError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PermanentJobError';
  }
}

/**
 * File extension of each result format.
 * @example
 * RESULT_EXT.srt // 'srt'
 */
export const RESULT_EXT: Record<OutputFormat, string> = { text: 'txt', json: 'json', srt: 'srt', vtt: 'vtt', tsv: 'tsv' };

/** What is wrong with a relative job path, or undefined: it must stay under the root lexically. */
function relativePathProblem(rel: string): string | undefined {
  if (rel === '' || rel.includes('\0')) return 'is empty or has a NUL byte';
  if (rel.startsWith('/') || /^[A-Za-z]:/.test(rel) || rel.includes('\\')) return 'must be relative to the root, with / separators';
  if (rel.split('/').some((p) => p === '..' || p === '.' || p === '')) return 'must not contain "..", "." or empty parts';
  return undefined;
}

/**
 * Check a job's data as it comes off the queue (it may have been written by anything).
 * @example
 * const job = parseJob({ path: 'a.wav', format: 'json' });
 */
export function parseJob(data: unknown): TranscriptionJob {
  const d = data as Partial<Record<keyof TranscriptionJob, unknown>> | null;
  if (d === null || typeof d !== 'object' || typeof d.path !== 'string') throw new PermanentJobError(`job data must be {"path": "<relative path>", "format": "json"}, got ${JSON.stringify(data)?.slice(0, 200)}`);
  const problem = relativePathProblem(d.path);
  if (problem) throw new PermanentJobError(`job path ${JSON.stringify(d.path.slice(0, 200))} ${problem}`);
  if (typeof d.format !== 'string' || !(OUTPUT_FORMATS as readonly string[]).includes(d.format)) throw new PermanentJobError(`job format must be one of ${OUTPUT_FORMATS.join(', ')}, got ${JSON.stringify(d.format)}`);
  return { path: d.path, format: d.format as OutputFormat };
}

/**
 * Enqueue side: the root-relative path of `file`, refusing files outside the root (symlinks resolved).
 * @example
 * await relativeUnderRoot('/data/audio', '/data/audio/calls/1.wav') // 'calls/1.wav'
 */
export async function relativeUnderRoot(root: string, file: string): Promise<string> {
  const realRoot = await fs.realpath(root).catch(() => {
    throw new UsageError(`--root ${root}: not an existing directory`);
  });
  const real = await fs.realpath(file).catch((e: NodeJS.ErrnoException) => {
    throw new UsageError(`${file}: cannot read it (${e.code ?? e.message})`);
  });
  const rel = path.relative(realRoot, real);
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) throw new UsageError(`${file}: not under --root ${root}; workers read only files under the root`);
  return rel.split(path.sep).join('/');
}

/**
 * Worker side: the absolute file of a job, which must exist under the root after resolving symlinks.
 * @example
 * const file = await resolveUnderRoot('/data/audio', job.path);
 */
export async function resolveUnderRoot(root: string, rel: string): Promise<string> {
  const problem = relativePathProblem(rel);
  if (problem) throw new PermanentJobError(`job path ${JSON.stringify(rel.slice(0, 200))} ${problem}`);
  const realRoot = await fs.realpath(root);
  let real: string;
  try {
    real = await fs.realpath(path.join(realRoot, ...rel.split('/')));
  } catch (e) {
    throw new PermanentJobError(`${rel}: cannot open it under the root (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
  }
  const back = path.relative(realRoot, real);
  if (back.startsWith('..') || path.isAbsolute(back)) throw new PermanentJobError(`${rel}: leads outside the root (through a symlink); refused`);
  return real;
}

/**
 * Where a job's result goes: the job path under the output folder with the format's extension added
 * (`calls/1.wav` -> `out/calls/1.wav.json`), so two inputs never share a result.
 * @example
 * resultPath('/out', { path: 'calls/1.wav', format: 'srt' }) // '/out/calls/1.wav.srt'
 */
export function resultPath(outputDir: string, job: TranscriptionJob): string {
  return path.join(outputDir, ...job.path.split('/')) + `.${RESULT_EXT[job.format]}`;
}

/**
 * The queue id of a job: the same job always gets the same id, so enqueuing it twice adds it once.
 * @example
 * jobId({ path: 'a.wav', format: 'json' }) // 'j-3f0c…' (32 hex digits)
 */
export function jobId(job: TranscriptionJob): string {
  return `j-${createHash('sha256').update(`${job.format}\0${job.path}`).digest('hex').slice(0, 32)}`;
}

/**
 * A Redis URL as connection options (BullMQ takes ioredis options).
 * @example
 * redisOptions('redis://:secret@10.0.0.5:6380/2') // { host: '10.0.0.5', port: 6380, password: 'secret', db: 2 }
 */
export function redisOptions(url: string): { host: string; port: number; username?: string; password?: string; db?: number; tls?: object } {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UsageError(`--redis must be a URL such as redis://127.0.0.1:6379, got "${url}"`);
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new UsageError(`--redis must start with redis:// or rediss://, got "${url}"`);
  const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : undefined;
  if (db !== undefined && !Number.isInteger(db)) throw new UsageError(`--redis: the path must be a database number (redis://host:port/0), got "${u.pathname}"`);
  return {
    host: u.hostname || '127.0.0.1',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db !== undefined ? { db } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
