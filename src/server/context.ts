/** What every route of the server shares: its settings, the decode pool, the metrics and the model's id. */
import type { ServerConfig } from './config.js';
import type { DecodePool } from './pool.js';
import type { ServerMetrics } from './metrics.js';

/**
 * The server's shared state, built once by `createServer`.
 * @example
 * registerTranscriptions(app, { config, pool, metrics, modelId: 'earshot-en' });
 */
export interface ServerContext {
  config: ServerConfig;
  pool: DecodePool;
  metrics: ServerMetrics;
  /** The `model` value requests must name: the model file's name without `.onnx`. */
  modelId: string;
}
