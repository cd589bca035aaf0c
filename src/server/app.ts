/**
 * The earshot server: a fastify app with the OpenAI-compatible transcription route, the streaming
 * WebSocket, health and metrics, over a pool of decode threads. `startServer` listens and handles
 * SIGTERM; `createServer` builds the app without listening (tests, embedding).
 */
import http from 'node:http';
import path from 'node:path';
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import websocket from '@fastify/websocket';
import { defaultModelPath } from '../node/default-model.js';
import { UsageError } from '../core/errors.js';
import type { ServerConfig } from './config.js';
import type { ServerContext } from './context.js';
import { HttpError } from './http-error.js';
import { ServerMetrics } from './metrics.js';
import { DecodePool } from './pool.js';
import { registerTranscriptions } from './transcriptions.js';
import { StreamRegistry, registerStream } from './stream-route.js';

/** Largest non-upload body (JSON, form fields), and largest WebSocket message. */
const SMALL_BODY_BYTES = 1 << 20;

/**
 * A built server: the fastify app (not yet listening) and what it runs on.
 * @example
 * const server = await createServer({ ...defaultServerConfig(), port: 0 });
 * await server.app.listen({ host: '127.0.0.1', port: 0 });
 */
export interface EarshotServer {
  app: FastifyInstance;
  context: ServerContext;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** Any error a route or fastify raised, as an HttpError. */
function toHttpError(err: FastifyError | HttpError | Error): HttpError {
  if (err instanceof HttpError) return err;
  const fe = err as FastifyError;
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return new HttpError(413, 'too_large', `the request body is larger than ${SMALL_BODY_BYTES} bytes; audio goes to POST /v1/audio/transcriptions as multipart/form-data`);
  if (status >= 400 && status < 500) return new HttpError(status, status === 404 ? 'not_found' : 'bad_request', err.message);
  return new HttpError(500, 'internal', `internal error (${err.message}); please report it`);
}

/**
 * Build the server: start the decode threads (loading the model in each), then the app and its routes.
 * @example
 * const { app } = await createServer({ ...defaultServerConfig(), threads: 2 });
 */
export async function createServer(config: ServerConfig): Promise<EarshotServer> {
  if (!/^[a-z]{2,3}$/.test(config.language)) throw new UsageError(`--language must be an ISO 639 code such as "en", got "${config.language}"`);
  const pool = await DecodePool.start({ ...(config.model !== undefined ? { model: config.model } : {}), threads: config.threads, queueSize: config.queueSize, maxStreams: config.maxStreams });
  const metrics = new ServerMetrics(() => pool.queueDepth, () => pool.activeStreams, () => pool.inFlight);
  const modelId = path.basename(config.model ?? defaultModelPath()).replace(/\.onnx$/i, '');
  const context: ServerContext = { config, pool, metrics, modelId };
  const registry = new StreamRegistry();

  const app = Fastify({
    logger: false,
    bodyLimit: SMALL_BODY_BYTES,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    serverFactory: (handler) => {
      const server = http.createServer({
        // Node's own backstop behind the route's 408: a request whose body never completes is dropped.
        requestTimeout: (config.requestTimeoutSec + 5) * 1000,
        headersTimeout: Math.min(60, config.requestTimeoutSec) * 1000,
        connectionsCheckingInterval: 1000,
        keepAliveTimeout: Math.min(5, config.idleTimeoutSec) * 1000,
      }, handler);
      // A socket silent this long is closed (WebSockets have their own idle rule).
      server.timeout = config.idleTimeoutSec * 1000;
      return server;
    },
  });

  await app.register(multipart, { limits: { fileSize: config.maxUploadBytes, files: 1, fields: 64, parts: 80, fieldSize: SMALL_BODY_BYTES, headerPairs: 100 } });
  await app.register(websocket, {
    options: { maxPayload: SMALL_BODY_BYTES },
    // On shutdown every stream's input ends as if it had sent eof: it gets its results, then a normal close.
    preClose: async function (this: FastifyInstance) {
      await registry.drain();
      for (const client of this.websocketServer.clients) client.terminate();
      await new Promise<void>((resolve) => this.websocketServer.close(() => resolve()));
    },
  });

  if (config.token !== undefined) {
    const expected = digest(`Bearer ${config.token}`);
    app.addHook('onRequest', async (req) => {
      if (req.url === '/healthz') return;
      if (!timingSafeEqual(digest(req.headers.authorization ?? ''), expected)) {
        throw new HttpError(401, 'unauthorized', 'missing or wrong bearer token: send "Authorization: Bearer <token>" with the token the server was started with');
      }
    });
  }
  app.addHook('onResponse', async (req, reply) => {
    metrics.recordRequest(req.routeOptions.url ?? 'unmatched', reply.statusCode);
  });
  app.setErrorHandler((err: FastifyError | HttpError, req, reply) => {
    const e = toHttpError(err);
    metrics.recordError(e.kind);
    if (e.kind === 'internal') process.stderr.write(`earshot serve: internal error on ${req.method} ${req.url}: ${err.stack ?? err.message}\n`);
    if (e.retryAfter !== undefined) void reply.header('retry-after', String(e.retryAfter));
    void reply.code(e.status).type('application/json; charset=utf-8').send(e.body());
  });
  app.setNotFoundHandler((req) => {
    throw new HttpError(404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}; the server offers POST /v1/audio/transcriptions, GET /v1/stream (WebSocket), GET /v1/models, GET /healthz, GET /metrics`);
  });

  app.get('/healthz', async () => ({ status: 'ok', model: modelId, threads: config.threads, streams: pool.activeStreams, queue: pool.queueDepth, inFlight: pool.inFlight }));
  app.get('/metrics', async (_req, reply) => reply.type(metrics.contentType).send(await metrics.render()));
  app.get('/v1/models', async () => ({ object: 'list', data: [{ id: modelId, object: 'model', owned_by: 'earshot' }] }));
  registerTranscriptions(app, context);
  registerStream(app, context, registry);
  app.addHook('onClose', async () => pool.close());
  return { app, context };
}

/**
 * Build the server and listen; on SIGTERM or SIGINT stop accepting, finish the requests and streams in
 * flight, stop the threads and resolve. Prints `earshot serve: listening on http://HOST:PORT` on stderr.
 * @example
 * await startServer({ ...defaultServerConfig(), port: 8080 });
 */
export async function startServer(config: ServerConfig, log: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): Promise<void> {
  const { app, context } = await createServer(config);
  let stopping: Promise<void> | undefined;
  const stopped = new Promise<void>((resolve, reject) => {
    const stop = (signal: string): void => {
      if (stopping) {
        log(`earshot serve: ${signal} again: exiting now`);
        process.exit(1);
      }
      log(`earshot serve: ${signal}: no new connections; finishing ${context.pool.inFlight + context.pool.queueDepth} uploads and ${context.pool.activeStreams} streams`);
      stopping = app.close().then(resolve, reject);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (e) {
    await app.close();
    const code = (e as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot listen on ${config.host}:${config.port}: ${code === 'EADDRINUSE' ? 'the port is in use; pick another with --port' : (e as Error).message}`);
  }
  const addr = app.server.address();
  const where = addr !== null && typeof addr === 'object' ? `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}` : String(addr);
  log(`earshot serve: listening on ${where} (model ${context.modelId}, ${config.threads} decode threads${config.token !== undefined ? ', bearer token required' : ''})`);
  await stopped;
  log('earshot serve: stopped');
}
