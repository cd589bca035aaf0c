/**
 * The server's Prometheus metrics (prom-client), in one registry per server: requests, audio seconds,
 * real-time factor, queue depth, active streams, errors by kind, and the process's own metrics (RSS, CPU,
 * event-loop lag).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ErrorKind } from './http-error.js';

/**
 * Which part of the service did the work: an upload or a WebSocket stream.
 * @example
 * metrics.recordWork('stream' satisfies WorkRoute, 12.5, 0.4);
 */
export type WorkRoute = 'transcriptions' | 'stream';

/**
 * The metrics of one server.
 * @example
 * const m = new ServerMetrics(() => pool.queueDepth, () => pool.activeStreams);
 * m.recordWork('transcriptions', 4.2, 0.3);
 * reply.type(m.contentType).send(await m.render());
 */
export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'status'>;
  private readonly audioSeconds: Counter<'route'>;
  private readonly rtf: Histogram<'route'>;
  private readonly errors: Counter<'kind'>;

  constructor(queueDepth: () => number, activeStreams: () => number, inFlight: () => number) {
    const registers = [this.registry];
    this.requests = new Counter({ name: 'earshot_requests_total', help: 'HTTP requests and WebSocket streams answered, by route and status', labelNames: ['route', 'status'], registers });
    this.audioSeconds = new Counter({ name: 'earshot_audio_seconds_total', help: 'Seconds of audio transcribed', labelNames: ['route'], registers });
    this.rtf = new Histogram({
      name: 'earshot_real_time_factor',
      help: 'Decode time over audio duration per request or stream (below 1: faster than real time)',
      labelNames: ['route'],
      buckets: [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers,
    });
    this.errors = new Counter({ name: 'earshot_errors_total', help: 'Requests that ended in an error, by kind', labelNames: ['kind'], registers });
    new Gauge({ name: 'earshot_queue_depth', help: 'Uploads admitted and waiting for a decode thread', registers, collect() { this.set(queueDepth()); } });
    new Gauge({ name: 'earshot_in_flight', help: 'Uploads being decoded now', registers, collect() { this.set(inFlight()); } });
    new Gauge({ name: 'earshot_active_streams', help: 'WebSocket streams open now', registers, collect() { this.set(activeStreams()); } });
    collectDefaultMetrics({ register: this.registry, prefix: 'earshot_' });
  }

  /** The Content-Type of {@link render}'s text. */
  get contentType(): string {
    return this.registry.contentType;
  }

  /**
   * Count an answered request (or a closed stream) by route and status.
   * @example
   * metrics.recordRequest('/v1/audio/transcriptions', 200);
   */
  recordRequest(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }

  /**
   * Count decoded audio and its real-time factor.
   * @example
   * metrics.recordWork('stream', result.durationSec, outcome.processingSec);
   */
  recordWork(route: WorkRoute, audioSec: number, processingSec: number): void {
    this.audioSeconds.inc({ route }, audioSec);
    if (audioSec > 0) this.rtf.observe({ route }, processingSec / audioSec);
  }

  /**
   * Count an error by kind.
   * @example
   * metrics.recordError('too_large');
   */
  recordError(kind: ErrorKind): void {
    this.errors.inc({ kind });
  }

  /**
   * The Prometheus text exposition of every metric.
   * @example
   * const text = await metrics.render();
   */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}
