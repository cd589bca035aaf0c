/**
 * The decode pool: worker threads (piscina), each with the model loaded once, and admission control in
 * front of them. Uploads take a ticket when they arrive: at most `threads` decode at once, at most
 * `queueSize` more wait (reading or queued); beyond that the server answers 503 with Retry-After at
 * once, before reading the body, so memory is bounded by (threads + queueSize) x the upload limit.
 * Streams take one of `maxStreams` tickets and share the threads (a stream is mostly waiting for audio).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { ModelError } from '../core/errors.js';
import { HttpError } from './http-error.js';
import type { DecodeWorkerData } from './decode-worker.js';
import type { FileOutcome, FileTask, LoadOutcome, StreamOutcome, StreamTask } from './protocol.js';

/**
 * How big the pool is and how much it admits.
 * @example
 * const pool = await DecodePool.start({ threads: 2, queueSize: 16, maxStreams: 64 });
 */
export interface DecodePoolOptions {
  /** Model path; default the shipped model. */
  model?: string;
  /** Worker threads (each loads the model). */
  threads: number;
  /** Uploads that may wait beyond the `threads` being decoded. */
  queueSize: number;
  /** WebSocket streams open at once. */
  maxStreams: number;
}

/**
 * A held place in the pool; release it exactly once.
 * @example
 * const t: Ticket = pool.admitStream(); socket.on('close', () => t.release());
 */
export interface Ticket {
  release(): void;
}

/**
 * The pool and its admission control.
 * @example
 * const pool = await DecodePool.start({ threads: 2, queueSize: 16, maxStreams: 64 });
 * const ticket = pool.admitUpload();           // throws HttpError 503 when full
 * try { const outcome = await pool.decodeFile(task); } finally { ticket.release(); }
 */
export class DecodePool {
  private readonly piscina: Piscina;
  private readonly opts: DecodePoolOptions;
  /** Model sample rate (Hz), known after start. */
  readonly sampleRate: number;
  private uploads = 0;
  private decoding = 0;
  private streams = 0;
  private readonly waiters: (() => void)[] = [];
  /** Smoothed seconds an upload takes to decode, for Retry-After. */
  private meanDecodeSec = 1;

  private constructor(piscina: Piscina, opts: DecodePoolOptions, sampleRate: number) {
    this.piscina = piscina;
    this.opts = opts;
    this.sampleRate = sampleRate;
  }

  /**
   * Start the threads and load the model in each; a model that cannot be loaded rejects with its ModelError.
   * @example
   * const pool = await DecodePool.start({ model: 'models/earshot-en.int8.onnx', threads: 4, queueSize: 32, maxStreams: 100 });
   */
  static async start(opts: DecodePoolOptions): Promise<DecodePool> {
    const workerData: DecodeWorkerData = { model: opts.model, threads: 1 };
    const piscina = new Piscina({
      filename: new URL('./decode-worker.js', import.meta.url).href,
      minThreads: opts.threads,
      maxThreads: opts.threads,
      // Streams spend most of their time waiting for audio: many share a thread. Admission bounds the total.
      concurrentTasksPerWorker: opts.maxStreams + opts.threads,
      idleTimeout: 2 ** 31 - 1,
      workerData,
    });
    const loads = (await Promise.all(Array.from({ length: opts.threads }, () => piscina.run({ kind: 'load' }) as Promise<LoadOutcome>)));
    const bad = loads.find((l) => !l.ok);
    if (bad && !bad.ok) {
      await piscina.destroy();
      throw new ModelError(opts.model ?? 'the default model', bad.message);
    }
    return new DecodePool(piscina, opts, (loads[0] as { sampleRate: number }).sampleRate);
  }

  /** Uploads admitted and not yet decoding (reading their body or waiting for a thread). */
  get queueDepth(): number {
    return this.uploads - this.decoding;
  }

  /** Uploads being decoded now. */
  get inFlight(): number {
    return this.decoding;
  }

  /** WebSocket streams open now. */
  get activeStreams(): number {
    return this.streams;
  }

  /** Seconds a refused client should wait: the time for the queue ahead of it to drain. */
  private retryAfter(): number {
    return Math.max(1, Math.ceil((this.meanDecodeSec * (this.queueDepth + 1)) / this.opts.threads));
  }

  /**
   * Take an upload ticket, or throw a 503 HttpError with Retry-After when threads and queue are full.
   * @example
   * const ticket = pool.admitUpload();
   */
  admitUpload(): Ticket {
    if (this.uploads >= this.opts.threads + this.opts.queueSize) {
      throw new HttpError(503, 'overloaded', `the server is busy: ${this.opts.threads} uploads decoding and ${this.opts.queueSize} queued (--queue-size); retry after the Retry-After seconds`, undefined, this.retryAfter());
    }
    this.uploads++;
    return once(() => this.uploads--);
  }

  /**
   * Take a stream ticket, or throw a 503 HttpError when `maxStreams` are open.
   * @example
   * const ticket = pool.admitStream();
   */
  admitStream(): Ticket {
    if (this.streams >= this.opts.maxStreams) {
      throw new HttpError(503, 'overloaded', `the server holds its limit of ${this.opts.maxStreams} streams (--max-streams); retry later or use another server`, undefined, 5);
    }
    this.streams++;
    return once(() => this.streams--);
  }

  /**
   * Decode an uploaded file (call with an upload ticket held): waits for one of the threads, then runs.
   * The bytes are transferred to the worker, not copied.
   * @example
   * const outcome = await pool.decodeFile({ bytes, source: 'a.wav', decoder: { type: 'greedy' }, limits });
   */
  async decodeFile(task: Omit<FileTask, 'kind'>): Promise<FileOutcome> {
    while (this.decoding >= this.opts.threads) await new Promise<void>((resolve) => this.waiters.push(resolve));
    this.decoding++;
    try {
      const bytes = task.bytes.byteOffset === 0 && task.bytes.byteLength === task.bytes.buffer.byteLength ? task.bytes : task.bytes.slice();
      const outcome = (await this.piscina.run({ ...task, bytes, kind: 'file' } satisfies FileTask, { transferList: [bytes.buffer as ArrayBuffer] })) as FileOutcome;
      if (outcome.ok) this.meanDecodeSec = 0.8 * this.meanDecodeSec + 0.2 * outcome.processingSec;
      return outcome;
    } finally {
      this.decoding--;
      this.waiters.shift()?.();
    }
  }

  /**
   * Open a stream in a worker (call with a stream ticket held): returns the port to send
   * {@link StreamInput} on and receive {@link StreamOutput} from, and the task's outcome.
   * @example
   * const { port, done } = pool.openStream({ source: 'ws', decoder: { type: 'greedy' }, raw, maxAudioSeconds: 3600 });
   */
  openStream(task: Omit<StreamTask, 'kind' | 'port'>): { port: MessagePort; done: Promise<StreamOutcome> } {
    const { port1, port2 } = new MessageChannel();
    const done = this.piscina.run({ ...task, port: port2, kind: 'stream' } satisfies StreamTask, { transferList: [port2] }) as Promise<StreamOutcome>;
    return { port: port1, done };
  }

  /**
   * Finish the tasks running and queued, then stop the threads.
   * @example
   * await pool.close();
   */
  async close(): Promise<void> {
    await this.piscina.close();
  }
}

function once(fn: () => void): Ticket {
  let done = false;
  return {
    release() {
      if (done) return;
      done = true;
      fn();
    },
  };
}
