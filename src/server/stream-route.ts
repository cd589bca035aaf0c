/**
 * `GET /v1/stream`: a WebSocket over which a client sends audio as it is captured and receives results
 * as they are decoded, segmented at pauses exactly as `earshot stream` is.
 *
 * Client -> server: binary messages of audio: headerless PCM when the URL gives `rate` (with `encoding`,
 * default s16le, and `channels`, default 1), else the bytes of an encoded file (WAV, FLAC, Ogg, MP3) in
 * pieces; then the text message `{"eof":true}`. Decoder fields (`decoder`, `beam`, `phrases`, `boost`,
 * `phrase_threshold`) go in the URL too.
 * Server -> client (JSON text): `partial` (the current segment's text, when it changes), `final` (one per
 * segment, the object `earshot stream --json` prints), then `end` (the whole transcript, as `earshot
 * transcribe` gives it) and a normal close; or `error` and a close with code 1007 (bad audio), 1008 (bad
 * message), 1009 (too long) or 1011 (internal). A client that closes first, or is idle longer than the
 * idle limit, ends its input the same way as `{"eof":true}`: its audio is decoded to the end.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket, RawData } from 'ws';
import { HttpError } from './http-error.js';
import { DECODER_FIELDS, RAW_FIELDS, decoderSpec, fieldsFromQuery, rawSpec, rejectUnknown } from './request-fields.js';
import { endMessage, finalMessage, partialMessage, type DecodeFailureKind, type DecoderSpec, type StreamOutput } from './protocol.js';
import type { RawPcmSpec } from '../audio/pcm.js';
import type { ServerContext } from './context.js';
import type { Ticket } from './pool.js';

/** Bytes sent to a worker and not yet taken by it above which the socket stops reading (backpressure). */
const HIGH_WATER_BYTES = 1 << 20;
const LOW_WATER_BYTES = 256 << 10;

const CLOSE_CODES: Record<DecodeFailureKind, number> = { usage: 1008, audio: 1007, too_long: 1009, timeout: 1011, internal: 1011 };

interface StreamRequestState {
  decoder: DecoderSpec;
  raw: RawPcmSpec | undefined;
  ticket: Ticket;
  /** The socket was upgraded and handed to serve(), which releases the ticket when the stream is done. */
  served: boolean;
}

const states = new WeakMap<FastifyRequest, StreamRequestState>();

/**
 * The open streams of a server, so that shutdown can end each one's input and wait for its results.
 * @example
 * const streams = new StreamRegistry(); await streams.drain();
 */
export class StreamRegistry {
  private readonly open = new Map<object, { endInput(reason: string): void; done: Promise<void> }>();

  /** Add a stream; it removes itself when done. */
  add(key: object, endInput: (reason: string) => void, done: Promise<void>): void {
    this.open.set(key, { endInput, done });
    void done.finally(() => this.open.delete(key));
  }

  /**
   * End every open stream's input (as if it had sent eof) and wait until each has sent its results.
   * @example
   * await streams.drain();
   */
  async drain(): Promise<void> {
    const all = [...this.open.values()];
    for (const s of all) s.endInput('server shutting down');
    await Promise.all(all.map((s) => s.done));
  }
}

function toBytes(data: RawData): Uint8Array {
  // A fresh copy: it is transferred to the worker, and ws may hand out views of a shared buffer.
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  if (data instanceof ArrayBuffer) return new Uint8Array(data.slice(0));
  return new Uint8Array(data);
}

function serve(socket: WebSocket, req: FastifyRequest, ctx: ServerContext, registry: StreamRegistry): void {
  const state = states.get(req)!;
  state.served = true;
  const { port, done } = ctx.pool.openStream({ source: 'websocket stream', decoder: state.decoder, ...(state.raw ? { raw: state.raw } : {}), maxAudioSeconds: ctx.config.maxAudioSeconds });
  let outstanding = 0;
  let inputEnded = false;
  let idle: NodeJS.Timeout | undefined;
  const send = (m: object): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(m));
  };
  const endInput = (reason: string): void => {
    clearTimeout(idle);
    if (inputEnded) return;
    inputEnded = true;
    if (reason !== 'eof' && reason !== 'client closed') send({ type: 'notice', message: `input ended: ${reason}; decoding what was received` });
    if (socket.isPaused) socket.resume();
    port.postMessage({ type: 'eof' });
  };
  const armIdle = (): void => {
    clearTimeout(idle);
    idle = setTimeout(() => endInput(`nothing received for ${ctx.config.idleTimeoutSec} s (--idle-timeout)`), ctx.config.idleTimeoutSec * 1000);
  };
  armIdle();

  // The task's outcome can arrive before the port's last messages (another channel): the results are sent and the
  // socket closed only once the worker's 'end' marker (or the port's close) says every segment has been delivered.
  let portDrained!: () => void;
  const drained = new Promise<void>((resolve) => (portDrained = resolve));
  port.on('close', () => portDrained());
  port.on('message', (m: StreamOutput) => {
    if (m.type === 'end') {
      portDrained();
    } else if (m.type === 'consumed') {
      outstanding -= m.bytes;
      if (socket.isPaused && outstanding < LOW_WATER_BYTES) socket.resume();
    } else if (m.type === 'partial') {
      send(partialMessage(m.partial));
    } else {
      send(finalMessage(m.segment));
    }
  });

  socket.on('message', (data, isBinary) => {
    if (inputEnded) return;
    armIdle();
    if (isBinary) {
      const bytes = toBytes(data);
      outstanding += bytes.length;
      port.postMessage({ type: 'audio', bytes }, [bytes.buffer as ArrayBuffer]);
      if (outstanding > HIGH_WATER_BYTES) socket.pause();
      return;
    }
    let msg: unknown;
    try {
      msg = JSON.parse(toBytes(data).toString());
    } catch {
      msg = undefined;
    }
    if (msg !== null && typeof msg === 'object' && (msg as { eof?: unknown }).eof === true) return endInput('eof');
    send({ type: 'error', kind: 'bad_request', message: 'text messages must be {"eof":true}; send audio as binary messages' });
    ctx.metrics.recordError('bad_request');
    endInput('bad message');
  });
  socket.on('close', () => endInput('client closed'));
  socket.on('error', () => endInput('client closed'));

  const finished = Promise.all([done, drained]).then(
    ([outcome]) => {
      if (outcome.ok) {
        ctx.metrics.recordWork('stream', outcome.result.durationSec, outcome.processingSec);
        ctx.metrics.recordRequest('/v1/stream', 200);
        send(endMessage(outcome.result));
        socket.close(1000, 'done');
      } else {
        const kind = outcome.kind === 'usage' ? 'bad_request' : outcome.kind;
        ctx.metrics.recordError(kind);
        ctx.metrics.recordRequest('/v1/stream', kind === 'internal' ? 500 : 400);
        send({ type: 'error', kind, message: outcome.message });
        socket.close(CLOSE_CODES[outcome.kind], outcome.kind);
      }
    },
    (e: unknown) => {
      ctx.metrics.recordError('internal');
      send({ type: 'error', kind: 'internal', message: `internal error: ${String(e)}` });
      socket.close(1011, 'internal');
    },
  ).finally(() => {
    clearTimeout(idle);
    state.ticket.release();
  });
  registry.add(socket, endInput, finished);
}

/**
 * Register the route. Fields are checked and a stream place is taken before the upgrade, so a bad URL or a
 * full server gets a plain HTTP 4xx / 503 JSON answer.
 * @example
 * registerStream(app, ctx, registry);
 */
export function registerStream(app: FastifyInstance, ctx: ServerContext, registry: StreamRegistry): void {
  app.get('/v1/stream', {
    websocket: true,
    preValidation: async (req) => {
      if (req.headers.upgrade?.toLowerCase() !== 'websocket') throw new HttpError(400, 'bad_request', 'GET /v1/stream is a WebSocket: connect with a WebSocket client (Upgrade: websocket)');
      const fields = fieldsFromQuery(req.query);
      rejectUnknown(fields, [...RAW_FIELDS, ...DECODER_FIELDS], 'GET /v1/stream');
      const decoder = decoderSpec(fields);
      const raw = rawSpec(fields);
      const state: StreamRequestState = { decoder, raw, ticket: ctx.pool.admitStream(), served: false };
      states.set(req, state);
      // A client gone before the upgrade completes must not keep its place.
      req.raw.socket.once('close', () => {
        if (!state.served) state.ticket.release();
      });
    },
  }, (socket, req) => serve(socket, req, ctx, registry));
}
