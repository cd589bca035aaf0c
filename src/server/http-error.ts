/**
 * Errors the server answers with: a status, a kind (the `errors_total{kind}` metric label) and a message
 * naming what was wrong, sent in the OpenAI error shape (`{"error":{"message","type","param","code"}}`),
 * which the OpenAI client libraries read.
 */
import type { DecodeFailureKind } from './protocol.js';

/**
 * Every kind of error the server counts.
 * @example
 * ERROR_KINDS.includes('too_large') // true
 */
export const ERROR_KINDS = ['bad_request', 'unauthorized', 'not_found', 'too_large', 'audio', 'too_long', 'timeout', 'overloaded', 'shutting_down', 'internal'] as const;
/**
 * @example
 * const kind: ErrorKind = 'overloaded';
 */
export type ErrorKind = (typeof ERROR_KINDS)[number];

/**
 * An error with its HTTP status: thrown by route code, rendered by the app's error handler.
 * @example
 * throw new HttpError(400, 'bad_request', 'response_format must be one of json, text, srt, vtt, verbose_json, got "xml"', 'response_format');
 */
export class HttpError extends Error {
  readonly status: number;
  readonly kind: ErrorKind;
  /** The request field at fault, when one is. */
  readonly param: string | undefined;
  /** Seconds a client should wait before retrying (503). */
  readonly retryAfter: number | undefined;
  constructor(status: number, kind: ErrorKind, message: string, param?: string, retryAfter?: number) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.kind = kind;
    this.param = param;
    this.retryAfter = retryAfter;
  }

  /**
   * The JSON body: OpenAI's error object.
   * @example
   * reply.code(e.status).send(e.body());
   */
  body(): { error: { message: string; type: string; param: string | null; code: ErrorKind } } {
    const type = this.status >= 500 ? 'server_error' : 'invalid_request_error';
    return { error: { message: this.message, type, param: this.param ?? null, code: this.kind } };
  }
}

const FAILURE_STATUS: Record<DecodeFailureKind, [number, ErrorKind]> = {
  usage: [400, 'bad_request'],
  audio: [400, 'audio'],
  too_long: [413, 'too_long'],
  timeout: [503, 'timeout'],
  internal: [500, 'internal'],
};

/**
 * The HTTP error for a worker's decode failure.
 * @example
 * if (!outcome.ok) throw failureToHttp(outcome.kind, outcome.message);
 */
export function failureToHttp(kind: DecodeFailureKind, message: string): HttpError {
  const [status, errorKind] = FAILURE_STATUS[kind];
  return new HttpError(status, errorKind, kind === 'internal' ? `internal error while decoding (${message}); please report it` : message, kind === 'audio' ? 'file' : undefined);
}
