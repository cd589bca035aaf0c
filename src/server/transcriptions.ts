/**
 * `POST /v1/audio/transcriptions`, compatible with OpenAI's transcription API: a multipart form with
 * `file` and `model`, optional `language`, `response_format`, `timestamp_granularities[]`, `prompt` and
 * `temperature` (accepted; earshot's decoders do not use them), and earshot's decoder fields. The
 * upload is admitted (or refused with 503) before its body is read, read within the size and time
 * limits, and decoded in the worker pool.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Multipart } from '@fastify/multipart';
import { HttpError, failureToHttp } from './http-error.js';
import { DECODER_FIELDS, decoderSpec, numberField, oneOf, rejectUnknown, single, type Fields } from './request-fields.js';
import { GRANULARITIES, RESPONSE_FORMATS, renderTranscription, type Granularity } from './openai-format.js';
import type { ServerContext } from './context.js';

const KNOWN_FIELDS = ['file', 'model', 'language', 'response_format', 'timestamp_granularities', 'prompt', 'temperature', 'stream', ...DECODER_FIELDS] as const;

interface Upload {
  bytes: Uint8Array;
  name: string;
}

/** Read the multipart body: the fields, and the one `file` in memory (bounded by the upload limit). */
async function readForm(req: FastifyRequest, ctx: ServerContext): Promise<{ fields: Fields; file: Upload | undefined }> {
  const fields: Fields = {};
  let file: Upload | undefined;
  let parts: AsyncIterableIterator<Multipart>;
  try {
    parts = req.parts();
  } catch (e) {
    throw multipartError(e, ctx);
  }
  try {
    for await (const part of parts) {
      const name = part.fieldname.endsWith('[]') ? part.fieldname.slice(0, -2) : part.fieldname;
      if (part.type === 'file') {
        if (name !== 'file') throw new HttpError(400, 'bad_request', `${name}: a file was sent in this field; the audio goes in "file"`, name);
        if (file) throw new HttpError(400, 'bad_request', 'file: sent more than once; send one audio file per request', 'file');
        const bytes = await part.toBuffer();
        file = { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), name: part.filename || 'upload' };
      } else {
        if (part.valueTruncated) throw new HttpError(413, 'too_large', `${name}: the field is longer than the server's limit of 1 MiB`, name);
        (fields[name] ??= []).push(String(part.value));
      }
    }
  } catch (e) {
    throw multipartError(e, ctx);
  }
  return { fields, file };
}

/** A multipart parsing failure as a 4xx naming what was wrong. */
function multipartError(e: unknown, ctx: ServerContext): HttpError {
  if (e instanceof HttpError) return e;
  const err = e as { code?: string; message?: string; statusCode?: number };
  switch (err.code) {
    case 'FST_REQ_FILE_TOO_LARGE':
      return new HttpError(413, 'too_large', `file: larger than this server's upload limit of ${ctx.config.maxUploadBytes} bytes (--max-upload-mb); split the audio or compress it (FLAC, Opus)`, 'file');
    case 'FST_INVALID_MULTIPART_CONTENT_TYPE':
      return new HttpError(400, 'bad_request', 'the body must be multipart/form-data with the audio in a "file" field (and "model")');
    case 'FST_FILES_LIMIT':
      return new HttpError(400, 'bad_request', 'file: more than one file sent; send one audio file per request', 'file');
    case 'FST_FIELDS_LIMIT':
    case 'FST_PARTS_LIMIT':
      return new HttpError(400, 'bad_request', `too many form fields; this endpoint takes ${KNOWN_FIELDS.join(', ')}`);
  }
  const message = err.message ?? String(e);
  if (/unexpected end of (form|multipart)|aborted|premature close/i.test(message)) {
    return new HttpError(400, 'bad_request', `the multipart body ended early (${message}): the upload was truncated; send the whole file`);
  }
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return new HttpError(err.statusCode, 'bad_request', `malformed multipart body: ${message}`);
  return new HttpError(400, 'bad_request', `malformed multipart body: ${message}`);
}

/** Reject after `ms` with a 408, unless the work settles first. */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  work.catch(() => undefined); // once timed out, the work's own failure is nobody's concern
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HttpError(408, 'timeout', `${what} did not arrive within the server's request time limit of ${ms / 1000} s (--request-timeout)`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function handle(req: FastifyRequest, reply: FastifyReply, ctx: ServerContext): Promise<void> {
  const { config, pool } = ctx;
  if (!req.isMultipart()) throw new HttpError(400, 'bad_request', `the body must be multipart/form-data (got ${JSON.stringify(req.headers['content-type'] ?? 'no content type')}), with the audio in a "file" field and "model"`);
  const deadline = Date.now() + config.requestTimeoutSec * 1000;
  // Refused here, before the body is read: Node then reads and drops the body (memory stays flat) so that the
  // client, still sending, gets its 503 rather than a reset connection.
  const ticket = pool.admitUpload();
  try {
    let form;
    try {
      form = await within(readForm(req, ctx), config.requestTimeoutSec * 1000, 'the upload');
    } catch (e) {
      // Close the connection after answering: the rest of a refused or broken body is not worth reading.
      reply.header('connection', 'close');
      throw e;
    }
    const { fields, file } = form;
    // The body is in: from here the request time limit governs, not the idle one (decoding sends nothing for a while).
    req.raw.socket.setTimeout(0);
    rejectUnknown(fields, KNOWN_FIELDS.filter((f) => f !== 'file'), 'POST /v1/audio/transcriptions');
    if (!file) throw new HttpError(400, 'bad_request', 'file: missing; send the audio as a multipart file field named "file"', 'file');
    if (file.bytes.length === 0) throw new HttpError(400, 'bad_request', `file: ${file.name} is empty (0 bytes)`, 'file');
    const model = single(fields, 'model');
    if (model === undefined) throw new HttpError(400, 'bad_request', `model: missing; this server serves "${ctx.modelId}"`, 'model');
    if (model !== ctx.modelId) throw new HttpError(400, 'bad_request', `model: "${model.slice(0, 80)}" is not served here; this server serves "${ctx.modelId}" (GET /v1/models)`, 'model');
    const language = single(fields, 'language');
    if (language !== undefined && language.toLowerCase() !== config.language) throw new HttpError(400, 'bad_request', `language: this server's model recognizes "${config.language}" only, got ${JSON.stringify(language.slice(0, 20))}`, 'language');
    const format = oneOf(fields, 'response_format', RESPONSE_FORMATS, 'json');
    const granularities = (fields.timestamp_granularities ?? []).map((g) => {
      if (!(GRANULARITIES as readonly string[]).includes(g)) throw new HttpError(400, 'bad_request', `timestamp_granularities[]: must be word or segment, got ${JSON.stringify(g.slice(0, 40))}`, 'timestamp_granularities');
      return g as Granularity;
    });
    if (granularities.length && format !== 'verbose_json') throw new HttpError(400, 'bad_request', 'timestamp_granularities[]: needs response_format verbose_json', 'timestamp_granularities');
    numberField(fields, 'temperature', 0, 1);
    if (oneOf(fields, 'stream', ['true', 'false'] as const, 'false') === 'true') throw new HttpError(400, 'bad_request', 'stream: streaming responses are not offered on this endpoint; stream audio over the /v1/stream WebSocket instead', 'stream');
    const decoder = decoderSpec(fields);

    const outcome = await pool.decodeFile({ bytes: file.bytes, source: file.name, decoder, limits: { maxAudioSeconds: config.maxAudioSeconds, deadline } });
    if (!outcome.ok) throw failureToHttp(outcome.kind, outcome.message);
    ctx.metrics.recordWork('transcriptions', outcome.result.durationSec, outcome.processingSec);
    const { body, contentType } = renderTranscription(outcome.result, format, { language: config.language, granularities });
    await reply.type(contentType).send(body);
  } finally {
    ticket.release();
  }
}

/**
 * Register the route.
 * @example
 * registerTranscriptions(app, ctx);
 */
export function registerTranscriptions(app: FastifyInstance, ctx: ServerContext): void {
  app.post('/v1/audio/transcriptions', (req, reply) => handle(req, reply, ctx));
}
