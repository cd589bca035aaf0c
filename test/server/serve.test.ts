/**
 * `earshot serve` over real sockets, as a real process: the official OpenAI client against the
 * transcription route, the WebSocket stream against `earshot stream` / `earshot transcribe`, malformed,
 * oversized, truncated and slow requests, overload (503 + Retry-After), the bearer token, and SIGTERM with
 * work in flight.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import OpenAI, { toFile } from 'openai';
import WebSocket from 'ws';
import { SAMPLE, earshotAsync, s16le, speechWav, startServe, type ServeProcess } from '../helpers/server.js';
import { makeWav } from '../fixtures/audio/helpers.js';

const TOKEN = 'test-token-0123456789';
const auth = { authorization: `Bearer ${TOKEN}` };

interface StreamRun {
  messages: { type: string; [k: string]: unknown }[];
  closeCode: number;
}

/** Open /v1/stream, send the chunks then {"eof":true} (unless `eof` is false), and collect every message until the close. */
function streamOver(url: string, query: string, chunks: readonly Uint8Array[], opts: { eof?: boolean; headers?: Record<string, string>; onOpen?: (ws: WebSocket) => void } = {}): Promise<StreamRun> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${url.replace(/^http/, 'ws')}/v1/stream${query}`, { headers: opts.headers ?? auth });
    const messages: StreamRun['messages'] = [];
    ws.on('open', () => {
      for (const c of chunks) ws.send(c);
      if (opts.eof !== false) ws.send(JSON.stringify({ eof: true }));
      opts.onOpen?.(ws);
    });
    ws.on('message', (d) => messages.push(JSON.parse(d.toString()) as StreamRun['messages'][number]));
    ws.on('close', (code) => resolve({ messages, closeCode: code }));
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    ws.on('error', (e) => reject(e));
  });
}

function withoutConfidence(m: unknown): unknown {
  const f = m as { words: { confidence: number }[] };
  return { ...f, words: f.words.map(({ confidence: _, ...w }) => w) };
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < bytes.length; i += size) out.push(bytes.slice(i, i + size));
  return out;
}

/** Send raw bytes on a TCP connection and resolve with everything the server sends back until it closes. */
function rawHttp(url: string, write: (s: net.Socket) => void, timeoutMs = 30_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const s = net.connect(Number(port), hostname);
    let got = '';
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${got}`));
    }, timeoutMs);
    s.on('connect', () => write(s));
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('error', () => undefined);
  });
}

function multipartBody(boundary: string, parts: { name: string; filename?: string; data: Uint8Array | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${p.filename ? `; filename="${p.filename}"` : ''}\r\n${p.filename ? 'Content-Type: application/octet-stream\r\n' : ''}\r\n`));
    chunks.push(Buffer.from(p.data));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

function form(parts: Record<string, string | Blob>): FormData {
  const f = new FormData();
  for (const [k, v] of Object.entries(parts)) f.append(k, v);
  return f;
}

let tmp: string;
let speech: { wav: Uint8Array; samples: Float32Array };
let speechFile: string;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-serve-'));
  speech = await speechWav(4);
  speechFile = path.join(tmp, 'speech.wav');
  writeFileSync(speechFile, speech.wav);
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('earshot serve (token, 1 thread)', () => {
  let server: ServeProcess;
  let cli: { transcribe: string; srt: string; sampleText: string; streamFinals: unknown[] };

  beforeAll(async () => {
    const [srv, transcribed, srt, sample, streamed] = await Promise.all([
      startServe(['--threads', '1'], { EARSHOT_TOKEN: TOKEN }),
      earshotAsync(['transcribe', '-f', 'json', speechFile]),
      earshotAsync(['transcribe', '-f', 'srt', speechFile]),
      earshotAsync(['transcribe', SAMPLE]),
      earshotAsync(['stream', '--json', '-t', '1', speechFile]), // the server's threads run the model on one thread each
    ]);
    server = srv;
    for (const r of [transcribed, srt, sample, streamed]) expect(r.code, r.stderr).toBe(0);
    cli = {
      transcribe: (JSON.parse(transcribed.stdout) as { text: string }).text,
      srt: srt.stdout,
      sampleText: sample.stdout.trim(),
      streamFinals: streamed.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string }).filter((m) => m.type === 'final'),
    };
    expect(cli.streamFinals.length).toBeGreaterThanOrEqual(2);
  }, 180_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('the official OpenAI client gets what `earshot transcribe` gives, in json, text, srt and verbose_json', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const json = await client.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'earshot-en' });
    expect(json.text).toBe(cli.transcribe);
    const text = await client.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'earshot-en', response_format: 'text' });
    expect(String(text).trim()).toBe(cli.transcribe);
    const srt = await client.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'earshot-en', response_format: 'srt' });
    expect(String(srt)).toBe(cli.srt);
    const verbose = await client.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'earshot-en', language: 'en', response_format: 'verbose_json', timestamp_granularities: ['word', 'segment'] });
    expect(verbose.text).toBe(cli.transcribe);
    expect(verbose.duration).toBeCloseTo(speech.samples.length / 16000, 2);
    expect(verbose.segments!.map((s) => s.text).join(' ')).toBe(cli.transcribe);
    expect(verbose.words!.map((w) => w.word).join(' ')).toBe(cli.transcribe);
    for (const w of verbose.words!) expect(w.end).toBeGreaterThanOrEqual(w.start);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['earshot-en']);
  });

  it('the OpenAI client sees a 400 naming the field for a model the server does not serve, and 401 without the token', async () => {
    const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: TOKEN, maxRetries: 0 });
    const bad = await client.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'whisper-1' }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.BadRequestError>).message).toMatch(/model: "whisper-1" is not served here; this server serves "earshot-en"/);
    const anon = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'wrong-token-123', maxRetries: 0 });
    await expect(anon.audio.transcriptions.create({ file: await toFile(speech.wav, 'speech.wav'), model: 'earshot-en' })).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200); // health stays open for load balancers
  });

  it('earshot extras: boost and a closed phrase list, as fields', async () => {
    const post = (parts: Record<string, string>) => fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: auth, body: form({ file: new Blob([new Uint8Array(speech.wav)]), model: 'earshot-en', ...parts }) });
    const phrase = await post({ phrases: 'put the cups on the shelf\nturn on the light', response_format: 'verbose_json' });
    expect(phrase.status).toBe(200);
    expect(((await phrase.json()) as { segments: { text: string }[] }).segments.every((s) => s.text === '' || s.text === 'put the cups on the shelf')).toBe(true);
    const boosted = await post({ boost: 'shelf', decoder: 'beam' });
    expect(boosted.status).toBe(200);
    expect(((await boosted.json()) as { text: string }).text).toContain('shelf');
  });

  it('a WebSocket stream of PCM gives the segments of `earshot stream --json` and ends with the text of `earshot transcribe`', async () => {
    const run = await streamOver(server.url, '?rate=16000', split(s16le(speech.samples), 3200));
    expect(run.closeCode).toBe(1000);
    const finals = run.messages.filter((m) => m.type === 'final');
    // Tokens and times are exact; confidences agree to float precision (the acoustic model's batches
    // follow the arrival of audio, and its sums round differently in other batch shapes).
    expect(finals.map(withoutConfidence)).toEqual(cli.streamFinals.map(withoutConfidence));
    const conf = (ms: unknown[]) => ms.flatMap((m) => (m as { words: { confidence: number }[] }).words.map((w) => w.confidence));
    conf(finals).forEach((c, i) => expect(c).toBeCloseTo(conf(cli.streamFinals)[i]!, 5));
    const end = run.messages.at(-1)!;
    expect(end).toMatchObject({ type: 'end', text: cli.transcribe, segments: finals.length });
    expect(run.messages.some((m) => m.type === 'partial')).toBe(true);
  });

  it('a WebSocket stream of an encoded file in pieces, and one at another rate, end with the same text', async () => {
    const encoded = await streamOver(server.url, '', split(speech.wav, 5000));
    expect(encoded.messages.at(-1)).toMatchObject({ type: 'end', text: cli.transcribe });
    const { samples } = await import('../../src/node/audio-file.js').then((m) => m.readAudioFile(SAMPLE, 48000));
    const at48k = await streamOver(server.url, '?rate=48000&encoding=f32le', split(new Uint8Array(samples.buffer), 19200));
    expect(at48k.messages.at(-1)).toMatchObject({ type: 'end', text: cli.sampleText });
  });

  it('bad streams: a bad URL is a 400 before the upgrade, a bad text message an error, bad audio a 1007 close', async () => {
    await expect(streamOver(server.url, '?rate=12&encoding=s16le', [])).rejects.toMatchObject({ status: 400, body: expect.stringContaining('rate: must be an integer from 1000 to 384000') });
    await expect(streamOver(server.url, '?sample_rate=16000', [])).rejects.toMatchObject({ status: 400, body: expect.stringContaining('sample_rate: unknown field') });
    await expect(streamOver(server.url, '?rate=16000', [], { headers: {} })).rejects.toMatchObject({ status: 401 });
    const text = await streamOver(server.url, '?rate=16000', [], { eof: false, onOpen: (ws) => ws.send('hello') });
    expect(text.messages[0]).toMatchObject({ type: 'error', kind: 'bad_request' });
    // No audio came before the input ended: as for an empty file, an input error.
    expect(text.messages.at(-1)).toMatchObject({ type: 'error', kind: 'audio', message: expect.stringContaining('input is empty') });
    const junk = await streamOver(server.url, '', [new TextEncoder().encode('this is not audio at all, just text')]);
    expect(junk.closeCode).toBe(1007);
    expect(junk.messages.at(-1)).toMatchObject({ type: 'error', kind: 'audio' });
  });

  it('malformed uploads get a 4xx JSON error naming what was wrong, and the server carries on', async () => {
    const post = async (body: BodyInit, headers: Record<string, string> = {}) => {
      const r = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', headers: { ...auth, ...headers }, body });
      return { status: r.status, error: ((await r.json()) as { error: { message: string; param: string | null } }).error };
    };
    const wav = new Blob([new Uint8Array(speech.wav)]);
    const cases: [BodyInit, Record<string, string>, number, RegExp][] = [
      [form({ model: 'earshot-en' }), {}, 400, /^file: missing/],
      [form({ file: wav }), {}, 400, /^model: missing/],
      [form({ file: wav, model: 'earshot-en', response_format: 'xml' }), {}, 400, /^response_format: must be one of json, text, srt, vtt, verbose_json, got "xml"/],
      [form({ file: wav, model: 'earshot-en', 'timestamp_granularities[]': 'word' }), {}, 400, /needs response_format verbose_json/],
      [form({ file: wav, model: 'earshot-en', language: 'fr' }), {}, 400, /^language: this server's model recognizes "en" only/],
      [form({ file: wav, model: 'earshot-en', temprature: '0' }), {}, 400, /^temprature: unknown field/],
      [form({ file: wav, model: 'earshot-en', decoder: 'greedy', boost: 'x' }), {}, 400, /^decoder: is "greedy", but phrases, boost/],
      [form({ file: wav, model: 'earshot-en', phrases: 'caf\u00e9 \u2603' }), {}, 400, /phrases\[0\]/],
      [form({ file: new Blob([]), model: 'earshot-en' }), {}, 400, /^file: .* is empty/],
      [form({ file: new Blob(['{"not": "audio"}']), model: 'earshot-en' }), {}, 400, /unrecognised audio format/],
      [JSON.stringify({ file: 'x', model: 'earshot-en' }), { 'content-type': 'application/json' }, 400, /must be multipart\/form-data/],
      ['--XYZ\r\nContent-Disposition: form-da', { 'content-type': 'multipart/form-data; boundary=XYZ' }, 400, /multipart body ended early|malformed multipart/],
      ['garbage', { 'content-type': 'multipart/form-data' }, 400, /multipart/],
    ];
    for (const [body, headers, status, message] of cases) {
      const r = await post(body, headers);
      expect([r.status, r.error.message], String(message)).toEqual([status, expect.stringMatching(message)]);
    }
    const notFound = await fetch(`${server.url}/v1/audio/translations`, { method: 'POST', headers: auth });
    expect([notFound.status, ((await notFound.json()) as { error: { message: string } }).error.message]).toEqual([404, expect.stringContaining('no route POST /v1/audio/translations')]);
    const ok = await post(form({ file: new Blob([new Uint8Array(speech.wav)]), model: 'earshot-en' }));
    expect(ok.status).toBe(200);
    const metrics = await (await fetch(`${server.url}/metrics`, { headers: auth })).text();
    expect(metrics).toMatch(/earshot_errors_total\{kind="bad_request"\} \d+/);
    expect(metrics).toMatch(/earshot_errors_total\{kind="audio"\} \d+/);
    expect(metrics).toMatch(/earshot_audio_seconds_total\{route="transcriptions"\} \d+/);
    expect(metrics).toMatch(/earshot_audio_seconds_total\{route="stream"\} \d+/);
    expect(metrics).toMatch(/earshot_real_time_factor_count\{route="transcriptions"\} \d+/);
    expect(metrics).toMatch(/earshot_queue_depth 0/);
    expect(metrics).toMatch(/earshot_process_resident_memory_bytes \d+/);
  });

  it('a truncated upload (the client stops half-way) is a 400, not a crash', async () => {
    const body = multipartBody('B0UNDARY', [{ name: 'model', data: 'earshot-en' }, { name: 'file', filename: 'speech.wav', data: speech.wav }]);
    const reply = await rawHttp(server.url, (s) => {
      s.write(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: multipart/form-data; boundary=B0UNDARY\r\nContent-Length: ${body.length}\r\n\r\n`);
      s.write(body.subarray(0, body.length >> 1));
      s.end();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

describe('earshot serve limits (1 thread, no queue, 1 MiB uploads, 20 s of audio, 3 s per request, 0.3 s idle)', () => {
  let server: ServeProcess;
  beforeAll(async () => {
    server = await startServe(['--threads', '1', '--queue-size', '0', '--max-upload-mb', '1', '--max-audio-seconds', '20', '--request-timeout', '3', '--idle-timeout', '0.3']);
  }, 120_000);
  afterAll(async () => {
    expect(await server?.stop()).toBe(0);
  });

  it('an upload over the size limit is a 413 naming the limit', async () => {
    const big = makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: new Float32Array(800_000) });
    const r = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'earshot-en', file: new Blob([new Uint8Array(big)]) }) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/larger than this server's upload limit of 1048576 bytes/);
  });

  it('audio longer than the limit is a 413 naming it', async () => {
    const long = await speechWav(8, 0.5); // 28 s in 0.9 MB
    const r = await fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'earshot-en', file: new Blob([new Uint8Array(long.wav)]) }) });
    expect(r.status).toBe(413);
    expect(((await r.json()) as { error: { message: string; code: string } }).error).toMatchObject({ code: 'too_long', message: expect.stringMatching(/longer than this server's limit of 20 s \(--max-audio-seconds\)/) });
  });

  it('beyond the threads and the queue: 503 with Retry-After, and the admitted request is answered although decoding outlasts the idle limit', async () => {
    const many = await speechWav(5, 0.5);
    // Beam search with the LM: a decode of well over the 0.3 s idle limit, during which the connection is silent.
    const rs = await Promise.all(Array.from({ length: 4 }, () => fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'earshot-en', decoder: 'beam', file: new Blob([new Uint8Array(many.wav)]) }) })));
    const statuses = rs.map((r) => r.status).sort();
    expect(statuses).toContain(200);
    expect(statuses.filter((s) => s === 503).length).toBeGreaterThanOrEqual(1);
    for (const r of rs) {
      if (r.status === 503) {
        expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(((await r.json()) as { error: { message: string } }).error.message).toMatch(/the server is busy/);
      } else await r.arrayBuffer();
    }
  });

  it('a slow client is answered 408 at the request time limit while others are served', async () => {
    const body = multipartBody('SLOW', [{ name: 'model', data: 'earshot-en' }, { name: 'file', filename: 'speech.wav', data: speech.wav }]);
    let trickle: NodeJS.Timeout | undefined;
    const reply = rawHttp(server.url, (s) => {
      s.write(`POST /v1/audio/transcriptions HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=SLOW\r\nContent-Length: ${body.length}\r\n\r\n`);
      s.write(body.subarray(0, 300));
      let at = 300;
      trickle = setInterval(() => {
        if (!s.destroyed) s.write(body.subarray(at, ++at));
      }, 50);
    });
    // Meanwhile the event loop answers.
    await new Promise((r) => setTimeout(r, 500));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const got = await reply;
    clearInterval(trickle);
    expect(got).toMatch(/^HTTP\/1\.1 408/);
    expect(got).toContain('did not arrive within the server\'s request time limit of 3 s');
  });
});

describe('earshot serve shutdown', () => {
  it('SIGTERM with uploads and a stream in flight: they finish, new connections are refused, exit 0', async () => {
    const server = await startServe(['--threads', '1']);
    const uploads = [0, 1].map(() => fetch(`${server.url}/v1/audio/transcriptions`, { method: 'POST', body: form({ model: 'earshot-en', file: new Blob([new Uint8Array(speech.wav)]) }) }));
    const pcm = split(s16le(speech.samples), 3200);
    const stream = streamOver(server.url, '?rate=16000', pcm.slice(0, pcm.length >> 1), { eof: false });
    // Wait until the server holds both uploads and the stream, then stop it.
    for (let i = 0; i < 200; i++) {
      const h = (await (await fetch(`${server.url}/healthz`)).json()) as { streams: number; queue: number; inFlight: number };
      if (h.streams === 1 && h.queue + h.inFlight === 2) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    server.proc.kill('SIGTERM');
    const [a, b] = await Promise.all(uploads);
    expect([a!.status, b!.status]).toEqual([200, 200]);
    const expected = (JSON.parse((await earshotAsync(['transcribe', '-f', 'json', speechFile])).stdout) as { text: string }).text;
    expect(((await a!.json()) as { text: string }).text).toBe(expected);
    const run = await stream;
    expect(run.messages.at(-1)).toMatchObject({ type: 'end' });
    expect(run.messages.some((m) => m.type === 'notice' && String(m.message).includes('server shutting down'))).toBe(true);
    expect(run.closeCode).toBe(1000);
    expect(await server.exited).toBe(0);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
    expect(server.stderr()).toContain('SIGTERM: no new connections');
  }, 120_000);
});
