/**
 * The server's settings: where it listens, how big the pool is, and every limit, each with a default
 * that is safe on a small machine. `earshot serve` sets them from flags (src/cli/serve.ts).
 */
import os from 'node:os';

/**
 * Everything `earshot serve` can be told.
 * @example
 * const config: ServerConfig = { ...defaultServerConfig(), port: 0, token: process.env.EARSHOT_TOKEN };
 */
export interface ServerConfig {
  /** Address to bind; default 127.0.0.1 (this machine only). */
  host: string;
  /** TCP port; 0 picks a free one (printed at start). */
  port: number;
  /** Model path; undefined: the shipped default model. */
  model: string | undefined;
  /** Decode worker threads; default: the CPU cores. */
  threads: number;
  /** Uploads that may wait beyond those decoding; more get 503 + Retry-After. */
  queueSize: number;
  /** WebSocket streams open at once; more get 503. */
  maxStreams: number;
  /** Largest upload, bytes (413 beyond). */
  maxUploadBytes: number;
  /** Longest audio in one upload or stream, seconds (413 / stream error beyond). */
  maxAudioSeconds: number;
  /** Longest time for a whole upload request, receiving and decoding, seconds (408 / 503 beyond). */
  requestTimeoutSec: number;
  /** Idle time after which a connection (or a stream that sends nothing) is closed, seconds. */
  idleTimeoutSec: number;
  /** Bearer token every request but /healthz must carry; undefined: none. */
  token: string | undefined;
  /** The language the model recognizes (ISO 639-1), checked against a request's `language`. */
  language: string;
}

/**
 * The defaults: loopback only, a thread per core, a queue of 4 uploads per thread, 64 streams, 64 MiB
 * uploads, an hour of audio, 5 minutes per request, 30 s idle.
 * @example
 * const config = { ...defaultServerConfig(), port: 9000 };
 */
export function defaultServerConfig(): ServerConfig {
  const threads = Math.max(1, os.availableParallelism());
  return {
    host: '127.0.0.1',
    port: 8080,
    model: undefined,
    threads,
    queueSize: 4 * threads,
    maxStreams: 64,
    maxUploadBytes: 64 * 1024 * 1024,
    maxAudioSeconds: 3600,
    requestTimeoutSec: 300,
    idleTimeoutSec: 30,
    token: undefined,
    language: 'en',
  };
}
