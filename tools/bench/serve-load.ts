/**
 * Load benchmark of `earshot serve`, bounded in count and time, over loopback only. Three figures, in one run:
 *
 *  1. Real-time streams held: N WebSocket clients each send 16 kHz PCM paced at real time (100 ms chunks);
 *     a partial's latency is the time from sending the chunk that brought the audio to the partial's
 *     `durationSec` to receiving the partial. N grows by --step until p95 latency passes 500 ms (or a
 *     stream fails, or --max-streams); the largest N under 500 ms is reported.
 *  2. Upload throughput: the bench audio uploaded --uploads times, `threads` at a time, in audio seconds
 *     per wall second, against `transcribeFile` of the same file run the same number of times in this
 *     process (the library as `earshot transcribe` uses it) -- the ratio is the figure.
 *  3. Overload: --overload x (threads + queue) clients upload in a loop for --overload-seconds; the
 *     server's RSS (from /metrics) is sampled each second: it must stay flat while the excess gets 503s.
 *
 *   node dist/tools/bench/serve-load.js [--threads 2] [--step 10] [--max-streams 60] [--stream-seconds 15]
 *       [--uploads 6] [--overload 10] [--overload-seconds 15] [--audio file] [--phases streams,uploads,overload]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { readAudioFile } from '../../src/node/audio-file.js';
import { loadRecognizer, transcribeFile } from '../../src/node/index.js';
import { makeBenchAudio, positiveInts } from './common.js';

const { values } = parseArgs({
  options: {
    threads: { type: 'string', default: '2' }, step: { type: 'string', default: '10' }, 'max-streams': { type: 'string', default: '60' },
    'stream-seconds': { type: 'string', default: '15' }, uploads: { type: 'string', default: '6' }, overload: { type: 'string', default: '10' },
    'overload-seconds': { type: 'string', default: '15' }, audio: { type: 'string' }, phases: { type: 'string', default: 'streams,uploads,overload' }, help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log('usage: node dist/tools/bench/serve-load.js [--threads 2] [--step 10] [--max-streams 60] [--stream-seconds 15] [--uploads 6] [--overload 10] [--overload-seconds 15] [--audio file]');
  process.exit(0);
}
const one = (name: string, v: string | undefined): number => positiveInts(name, v ?? '')[0]!;
const threads = one('threads', values.threads);
const step = one('step', values.step);
const maxStreams = one('max-streams', values['max-streams']);
const streamSeconds = one('stream-seconds', values['stream-seconds']);
const uploads = one('uploads', values.uploads);
const overload = one('overload', values.overload);
const overloadSeconds = one('overload-seconds', values['overload-seconds']);
const QUEUE = 2 * threads;
const phases = new Set((values.phases ?? '').split(','));
const CLI = path.resolve(import.meta.dirname, '../../src/cli/main.js');

interface Server {
  url: string;
  proc: ChildProcess;
}

function startServer(): Promise<Server> {
  const proc = spawn(process.execPath, [CLI, 'serve', '--host', '127.0.0.1', '--port', '0', '--threads', String(threads), '--queue-size', String(QUEUE), '--max-streams', String(maxStreams + 10)], { stdio: ['ignore', 'inherit', 'pipe'] });
  let err = '';
  return new Promise((resolve, reject) => {
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) resolve({ url: m[1]!, proc });
    });
    proc.on('exit', (code) => reject(new Error(`server exited (${code}): ${err}`)));
  });
}

async function stopServer(s: Server): Promise<void> {
  s.proc.kill('SIGTERM');
  await new Promise((r) => s.proc.once('exit', r));
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};

/** One paced stream; resolves with its partial latencies (ms) and whether it ended cleanly. */
function pacedStream(url: string, pcm: Int16Array, seconds: number, delayMs: number): Promise<{ latencies: number[]; ok: boolean }> {
  const CHUNK = 1600; // 100 ms at 16 kHz
  const chunks = Math.min(Math.floor(pcm.length / CHUNK), seconds * 10);
  return new Promise((resolve) => {
    const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/stream?rate=16000`);
    const sentAt: number[] = [];
    const latencies: number[] = [];
    let ok = false;
    let timer: NodeJS.Timeout | undefined;
    ws.on('open', () => {
      const t0 = performance.now() + delayMs;
      let k = 0;
      const tick = (): void => {
        if (ws.readyState !== ws.OPEN) return;
        const bytes = new Uint8Array(pcm.buffer, pcm.byteOffset + k * CHUNK * 2, CHUNK * 2);
        sentAt.push(performance.now());
        ws.send(bytes);
        k++;
        if (k >= chunks) {
          ws.send(JSON.stringify({ eof: true }));
          return;
        }
        timer = setTimeout(tick, Math.max(0, t0 + k * 100 - performance.now()));
      };
      timer = setTimeout(tick, delayMs);
    });
    ws.on('message', (d) => {
      const m = JSON.parse(d.toString()) as { type: string; durationSec?: number };
      if (m.type === 'partial' && m.durationSec !== undefined) {
        const idx = Math.round(m.durationSec * 10) - 1;
        const sent = sentAt[idx];
        if (sent !== undefined) latencies.push(performance.now() - sent);
      }
      if (m.type === 'end') ok = true;
    });
    ws.on('close', () => {
      clearTimeout(timer);
      resolve({ latencies, ok });
    });
    ws.on('error', () => undefined);
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

async function upload(url: string, wav: Uint8Array): Promise<number> {
  const f = new FormData();
  f.append('model', 'earshot-en');
  f.append('file', new Blob([wav as Uint8Array<ArrayBuffer>]), 'bench.wav');
  // Bounded: a request the server never answers counts as a failure (status 0) after 2 minutes.
  const r = await fetch(`${url}/v1/audio/transcriptions`, { method: 'POST', body: f, signal: AbortSignal.timeout(120_000) });
  await r.arrayBuffer();
  return r.status;
}

const audio = values.audio ? { file: values.audio, what: values.audio } : makeBenchAudio(60);
const wav = new Uint8Array(readFileSync(audio.file));
const { samples } = await readAudioFile(audio.file, 16000);
const audioSec = samples.length / 16000;
const pcm = Int16Array.from(samples, (x) => Math.max(-32768, Math.min(32767, Math.round(x * 32768))));
console.log(`audio: ${audio.what}, ${audioSec.toFixed(1)} s; server: ${threads} decode threads, queue ${QUEUE}`);

const server = await startServer();
try {
  // 1. Streams.
  let held = 0;
  if (phases.has('streams')) {
  for (let n = step; n <= maxStreams; n += step) {
    const runs = await Promise.all(Array.from({ length: n }, (_, i) => pacedStream(server.url, pcm, streamSeconds, (i * 100) / n)));
    const lat = runs.flatMap((r) => r.latencies);
    const failed = runs.filter((r) => !r.ok).length;
    const p95 = percentile(lat, 0.95);
    console.log(`streams ${n}: p50 ${percentile(lat, 0.5).toFixed(0)} ms, p95 ${p95.toFixed(0)} ms, max ${Math.max(...lat).toFixed(0)} ms over ${lat.length} partials; ${failed} streams failed`);
    if (failed > 0 || !(p95 < 500)) break;
    held = n;
  }
  console.log(`=> real-time streams held with p95 partial latency < 500 ms: ${held} (tested in steps of ${step} up to ${maxStreams})`);
  }

  // 2. Upload throughput against the library in this process.
  if (phases.has('uploads')) {
  let t = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: threads }, async () => {
    while (next++ < uploads) if ((await upload(server.url, wav)) !== 200) throw new Error('upload failed');
  }));
  const serverRate = (uploads * audioSec) / ((performance.now() - t) / 1000);
  const rec = await loadRecognizer();
  t = performance.now();
  for (let i = 0; i < uploads; i++) await transcribeFile(rec, audio.file, { endpoint: {} });
  const localRate = (uploads * audioSec) / ((performance.now() - t) / 1000);
  console.log(`uploads: server ${serverRate.toFixed(1)} audio-s/wall-s (${threads} at a time), transcribe in one process ${localRate.toFixed(1)} audio-s/wall-s => ratio ${(serverRate / localRate).toFixed(2)}x`);
  }

  // 3. Overload.
  if (phases.has('overload')) {
  const clients = overload * (threads + QUEUE);
  const rss0 = await metric(server.url, 'earshot_process_resident_memory_bytes');
  const statuses = new Map<number, number>();
  const rss: number[] = [];
  const end = performance.now() + overloadSeconds * 1000;
  const sampler = setInterval(() => void metric(server.url, 'earshot_process_resident_memory_bytes').then((v) => rss.push(v), () => undefined), 1000);
  await Promise.all(Array.from({ length: clients }, async () => {
    while (performance.now() < end) {
      const s = await upload(server.url, wav).catch(() => 0);
      statuses.set(s, (statuses.get(s) ?? 0) + 1);
      if (s === 503) await new Promise((r) => setTimeout(r, 50));
    }
  }));
  clearInterval(sampler);
  const rss1 = await metric(server.url, 'earshot_process_resident_memory_bytes');
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(`overload ${overload}x (${clients} clients, ${overloadSeconds} s): statuses ${JSON.stringify(Object.fromEntries(statuses))}; server RSS before ${mb(rss0)}, max during ${mb(Math.max(...rss))}, after ${mb(rss1)} (samples: ${rss.map(mb).join(' ')})`);
  }
} finally {
  await stopServer(server);
}
