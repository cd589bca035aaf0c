/**
 * Batch transcription on BullMQ with the real parts: Debian's redis-server on a random loopback port, two
 * `earshot worker` processes, a few hundred short jobs, one worker SIGKILLed mid-run. Every job
 * completes, no result is written twice, none is lost; bad audio and path escapes go to the dead-letter
 * queue instead of being retried.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { tools } from '../helpers/requirements.js';
import { CLI, ROOT } from '../helpers/cli.js';
import { earshotAsync, sampleSamples } from '../helpers/server.js';
import { makeWav } from '../fixtures/audio/helpers.js';
import { PermanentJobError, jobId, parseJob, redisOptions, relativeUnderRoot, resolveUnderRoot, resultPath } from '../../src/batch/jobs.js';

const redis = tools(['redis-server']);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** A child process whose stdout is kept, line by line. */
function run(args: string[]): { proc: ChildProcess; out: () => string; exited: Promise<number | null> } {
  const proc = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  return { proc, out: () => out, exited: new Promise((resolve) => proc.on('exit', (code) => resolve(code))) };
}

async function until(what: string, ok: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('job paths stay under the root', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-jobs-'));
    mkdirSync(path.join(dir, 'root/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'root/sub/a.wav'), 'x');
    writeFileSync(path.join(dir, 'secret.wav'), 'x');
    symlinkSync(path.join(dir, 'secret.wav'), path.join(dir, 'root/link.wav'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses escapes on both sides: "..", absolute paths, backslashes and symlinks out', async () => {
    const root = path.join(dir, 'root');
    expect(await relativeUnderRoot(root, path.join(root, 'sub/a.wav'))).toBe('sub/a.wav');
    await expect(relativeUnderRoot(root, path.join(dir, 'secret.wav'))).rejects.toThrow(/not under --root/);
    await expect(relativeUnderRoot(root, path.join(root, 'link.wav'))).rejects.toThrow(/not under --root/);
    expect(await resolveUnderRoot(root, 'sub/a.wav')).toBe(path.join(await import('node:fs').then((f) => f.realpathSync(root)), 'sub/a.wav'));
    for (const bad of ['../secret.wav', 'sub/../../secret.wav', '/etc/passwd', 'sub\\a.wav', 'sub//a.wav', './sub/a.wav', '']) {
      await expect(resolveUnderRoot(root, bad), bad).rejects.toBeInstanceOf(PermanentJobError);
    }
    await expect(resolveUnderRoot(root, 'link.wav')).rejects.toThrow(/leads outside the root/);
    expect(() => parseJob({ path: '../x.wav', format: 'json' })).toThrow(/must not contain/);
    expect(() => parseJob({ path: 'x.wav', format: 'docx' })).toThrow(/format must be one of/);
    expect(() => parseJob('x.wav')).toThrow(/job data must be/);
  });

  it('a job maps to one id and one result path, whatever delivers it', () => {
    const job = { path: 'calls/1.wav', format: 'srt' } as const;
    expect(jobId(job)).toBe(jobId({ ...job }));
    expect(jobId(job)).not.toBe(jobId({ ...job, format: 'json' }));
    expect(resultPath('/out', job)).toBe('/out/calls/1.wav.srt');
    expect(resultPath('/out', { path: 'calls/1.flac', format: 'srt' })).not.toBe(resultPath('/out', job));
    expect(redisOptions('redis://:pw@10.0.0.5:6380/2')).toEqual({ host: '10.0.0.5', port: 6380, password: 'pw', db: 2 });
    expect(() => redisOptions('http://x')).toThrow(/redis:\/\//);
  });
});

describe.skipIf(redis.skip)('earshot worker / enqueue on Redis', () => {
  const JOBS = 240;
  let dir: string;
  let url: string;
  let server: ChildProcess | undefined;
  const workers: ReturnType<typeof run>[] = [];

  beforeAll(async () => {
    redis.assertPresent();
    dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-batch-'));
    const port = await freePort();
    url = `redis://127.0.0.1:${port}`;
    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
    let log = '';
    server.stdout!.on('data', (d: Buffer) => (log += d.toString()));
    await until('redis-server to start', () => log.includes('Ready to accept connections'), 30_000);

    // Short clips: 0.6 s windows of the sample at 20 offsets, so results differ from job to job.
    const samples = await sampleSamples();
    mkdirSync(path.join(dir, 'root/clips'), { recursive: true });
    const lines: string[] = [];
    for (let i = 0; i < JOBS; i++) {
      const off = (i % 20) * 1600;
      const name = `clips/c${String(i).padStart(3, '0')}.wav`;
      writeFileSync(path.join(dir, 'root', name), makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: samples.subarray(off, off + 9600) }));
      lines.push(`${name}\tunused`);
    }
    writeFileSync(path.join(dir, 'root/broken.wav'), 'RIFF\u0000\u0000\u0000\u0000WAVEthis is not audio');
    lines.push('broken.wav\tunused');
    writeFileSync(path.join(dir, 'root/jobs.tsv'), lines.join('\n') + '\n');
  }, 120_000);

  afterAll(async () => {
    for (const w of workers) if (w.proc.exitCode === null) w.proc.kill('SIGKILL');
    server?.kill('SIGTERM');
    if (server && server.exitCode === null) await new Promise((r) => server!.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  });

  it('two workers, one SIGKILLed mid-run: every job completes once, none lost; bad audio and a path escape are dead-lettered', async () => {
    const root = path.join(dir, 'root');
    const out = path.join(dir, 'out');
    for (let i = 0; i < 2; i++) workers.push(run(['worker', '--redis', url, '--root', root, '-o', out, '--lock-seconds', '2', '-t', '1']));
    await Promise.all(workers.map((w) => until('a worker to be ready', () => w.out().includes('worker: ready'))));

    const first = await earshotAsync(['enqueue', '--redis', url, '--root', root, path.join(root, 'jobs.tsv')]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ jobs: JOBS + 1, added: JOBS + 1 });
    // A job written by something other than `enqueue`, reaching outside the root.
    const queue = new Queue('earshot', { connection: redisOptions(url) });
    await queue.add('transcribe', { path: '../escape.wav', format: 'json' }, { jobId: 'escape', attempts: 3 });

    const wrote = (w: ReturnType<typeof run>) => w.out().split('\n').filter((l) => l.startsWith('wrote ')).length;
    await until('the first worker to write 40 results', () => wrote(workers[0]!) >= 40);
    workers[0]!.proc.kill('SIGKILL');
    expect(await workers[0]!.exited).toBe(null);

    // Submitting the same jobs again adds none; --wait sees every job to its end.
    const again = await earshotAsync(['enqueue', '--redis', url, '--root', root, '--wait', '--timeout', '90', path.join(root, 'jobs.tsv')], { timeoutMs: 120_000 });
    const summary = JSON.parse(again.stdout) as { jobs: number; added: number; completed: number; failed: { path: string; reason: string }[]; pending: number };
    expect(summary).toMatchObject({ jobs: JOBS + 1, added: 0, completed: JOBS, pending: 0 });
    expect(summary.failed).toEqual([{ id: expect.any(String), path: 'broken.wav', reason: expect.stringMatching(/broken\.wav/) }]);
    expect(again.code).toBe(2);

    // Results: one per job, each whole.
    const results = readdirSync(path.join(out, 'clips')).filter((f) => f.endsWith('.wav.json'));
    expect(results.length).toBe(JOBS);
    for (const f of results) expect((JSON.parse(readFileSync(path.join(out, 'clips', f), 'utf8')) as { file: string }).file).toBe(`clips/${f.replace(/\.json$/, '')}`);
    // Written once: no job id in two "wrote" lines (a redelivered job finds its result and says "exists").
    const logs = workers.map((w) => w.out()).join('\n').split('\n');
    const wroteIds = logs.filter((l) => l.startsWith('wrote ')).map((l) => l.split(' ')[1]!);
    expect(new Set(wroteIds).size).toBe(wroteIds.length);
    const done = new Set([...wroteIds, ...logs.filter((l) => l.startsWith('exists ')).map((l) => l.split(' ')[1]!)]);
    const expected = Array.from({ length: JOBS }, (_, i) => `clips/c${String(i).padStart(3, '0')}.wav`).map((p) => ({ p, id: jobId({ path: p, format: 'json' }) }));
    // Every job was seen to its result, but for at most the one the killed worker finished as it died: its result
    // file is there and the queue counts it completed (checked above), but its "wrote" line died in the pipe with it.
    const unseen = expected.filter((e) => !done.has(e.id));
    expect(unseen.length).toBeLessThanOrEqual(1);
    for (const e of unseen) expect(existsSync(path.join(out, `${e.p}.json`)), e.p).toBe(true);
    expect(logs.some((l) => l.startsWith('dead escape '))).toBe(true);
    // The killed worker held a job (it takes the next one as it completes one): the survivor took it back.
    expect(workers[1]!.out()).toMatch(/^stalled j-[0-9a-f]{32}: /m);
    if (process.env.EARSHOT_BATCH_REPORT) console.log(JSON.stringify({ wrote: workers.map((w) => wrote(w)), exists: logs.filter((l) => l.startsWith('exists ')), stalled: logs.filter((l) => l.startsWith('stalled ')), results: results.length }));

    const dead = new Queue('earshot-dead', { connection: redisOptions(url) });
    const entries = (await dead.getWaiting()).map((j) => j.data as { path: string; reason: string; attempts: number });
    expect(entries.map((e) => e.path).sort()).toEqual(['../escape.wav', 'broken.wav']);
    expect(entries.every((e) => e.attempts === 1)).toBe(true); // permanent failures are not retried
    expect(await queue.getJobCounts('completed', 'failed', 'wait', 'active', 'delayed')).toEqual({ completed: JOBS, failed: 2, wait: 0, active: 0, delayed: 0 });
    // A second delivery of a finished job (what at-least-once allows) finds its result and leaves it alone.
    const c000 = path.join(out, 'clips/c000.wav.json');
    const before = { text: readFileSync(c000, 'utf8'), mtime: statSync(c000).mtimeMs };
    await queue.add('transcribe', { path: 'clips/c000.wav', format: 'json' }, { jobId: 'redelivery' });
    await until('the redelivered job', () => workers[1]!.out().includes(`exists redelivery ${c000}`));
    expect({ text: readFileSync(c000, 'utf8'), mtime: statSync(c000).mtimeMs }).toEqual(before);
    await Promise.all([queue.close(), dead.close()]);

    workers[1]!.proc.kill('SIGTERM');
    expect(await workers[1]!.exited).toBe(0);
  }, 180_000);
});
