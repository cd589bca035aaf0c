/** `earshot serve`: the HTTP and WebSocket server (src/server), its settings from flags. */
import { UsageError } from '../core/errors.js';
import { defaultServerConfig, type ServerConfig } from '../server/config.js';
import { startServer } from '../server/app.js';
import { parseNumberOption, parsePositiveInt } from './options.js';

/**
 * The flags of `earshot serve`, as commander gives them.
 * @example
 * const o: ServeCliOptions = { host: '127.0.0.1', port: '8080' };
 */
export interface ServeCliOptions {
  host?: string;
  port?: string;
  model?: string;
  threads?: string;
  queueSize?: string;
  maxStreams?: string;
  maxUploadMb?: string;
  maxAudioSeconds?: string;
  requestTimeout?: string;
  idleTimeout?: string;
  token?: string;
  language?: string;
}

/**
 * The server's settings from the flags (and EARSHOT_TOKEN), each checked.
 * @example
 * serveConfigFromCli({ port: '0', threads: '2' }, {}).threads // 2
 */
export function serveConfigFromCli(o: ServeCliOptions, env: NodeJS.ProcessEnv): ServerConfig {
  const d = defaultServerConfig();
  const port = o.port === undefined ? d.port : Number(o.port);
  if (!/^\d+$/.test(o.port ?? '0') || port > 65535) throw new UsageError(`--port must be an integer from 0 to 65535 (0: any free port), got "${o.port}"`);
  const token = o.token ?? env.EARSHOT_TOKEN;
  if (token !== undefined && token.length < 8) throw new UsageError('--token (or EARSHOT_TOKEN) must be at least 8 characters');
  const maxUploadMb = parseNumberOption('--max-upload-mb', o.maxUploadMb, { positive: true, max: 4096, unit: 'MiB' });
  return {
    host: o.host ?? d.host,
    port,
    model: o.model,
    threads: parsePositiveInt('--threads', o.threads) ?? d.threads,
    queueSize: o.queueSize === '0' ? 0 : parsePositiveInt('--queue-size', o.queueSize) ?? d.queueSize,
    maxStreams: parsePositiveInt('--max-streams', o.maxStreams) ?? d.maxStreams,
    maxUploadBytes: maxUploadMb !== undefined ? Math.round(maxUploadMb * 1024 * 1024) : d.maxUploadBytes,
    maxAudioSeconds: parseNumberOption('--max-audio-seconds', o.maxAudioSeconds, { positive: true, unit: 'seconds' }) ?? d.maxAudioSeconds,
    requestTimeoutSec: parseNumberOption('--request-timeout', o.requestTimeout, { positive: true, unit: 'seconds' }) ?? d.requestTimeoutSec,
    idleTimeoutSec: parseNumberOption('--idle-timeout', o.idleTimeout, { positive: true, unit: 'seconds' }) ?? d.idleTimeoutSec,
    token,
    language: o.language ?? d.language,
  };
}

/**
 * Run `earshot serve` until SIGTERM / SIGINT.
 * @example
 * await serveCommand({ port: '8080', threads: '2' });
 */
export async function serveCommand(o: ServeCliOptions): Promise<void> {
  const config = serveConfigFromCli(o, process.env);
  if (config.token === undefined && !['127.0.0.1', '::1', 'localhost'].includes(config.host)) {
    process.stderr.write(`earshot serve: warning: listening on ${config.host} with no bearer token: anyone who can reach it can use it (set EARSHOT_TOKEN or --token)\n`);
  }
  await startServer(config);
}
