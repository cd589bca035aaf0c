/**
 * Loading a recognizer, the part both platform entries share: one options type, and the step from model
 * bytes to a Recognizer. The entries supply only what differs: the ONNX runtime module, how a model named
 * by a string or URL is read (a file in Node, a fetch in the browser) and the default execution providers.
 * Platform-neutral.
 */
import { UsageError } from './core/errors.js';
import type { DecoderOptions } from './decoder/select.js';
import type { ExecutionProviderName, OrtModule } from './model/runtime.js';
import { Recognizer } from './recognizer.js';

/**
 * A model: a path (Node) or URL (browser) to read, or the .onnx file's bytes.
 * @example
 * const m: ModelSource = new Uint8Array(await file.arrayBuffer());
 */
export type ModelSource = string | URL | ArrayBuffer | Uint8Array;

/**
 * Options of Node's `loadRecognizer` and the browser's `createRecognizer` (which also takes `ort`).
 * @example
 * const opts: LoadOptions = { model: 'models/earshot-en.onnx', threads: 1, decoder: { type: 'beam', beam: 8 } };
 */
export interface LoadOptions {
  /** The model. Node: a file path, a file: URL or bytes (default: the shipped model); browser: a URL or bytes. */
  model?: ModelSource;
  /** Execution providers to try in order. Default: ['cpu'] in Node, ['wasm'] in the browser. */
  executionProviders?: readonly ExecutionProviderName[];
  /** Intra-op threads for the acoustic model. */
  threads?: number;
  /** Decoder of every stream; default greedy. */
  decoder?: DecoderOptions;
  /** Model frames per acoustic-model call in streams; default 64 (see RecognizerOptions.batchFrames). */
  batchFrames?: number;
  /** Seconds of digital silence run before each stream's first sample; default 0.24 (see RecognizerOptions.leadingSilence). */
  leadingSilence?: number;
}

/**
 * What a platform entry supplies to `loadWith`.
 * @example
 * const platform: Platform = { ort, read: readModelFile, executionProviders: ['cpu'] };
 */
export interface Platform {
  ort: OrtModule;
  /** Read a model named by a path or URL; the result's `source` names it in errors. */
  read(where: string | URL): Promise<Uint8Array>;
  /** Providers used when the options name none. */
  executionProviders: readonly ExecutionProviderName[];
}

/**
 * The model's bytes and the name errors use for it.
 * @example
 * const { bytes, source } = await modelBytes('m.onnx', readModelFile);
 */
export async function modelBytes(model: ModelSource, read: Platform['read']): Promise<{ bytes: Uint8Array; source: string }> {
  if (typeof model === 'string' || model instanceof URL) return { bytes: await read(model), source: String(model) };
  if (model instanceof Uint8Array) return { bytes: model, source: '<model bytes>' };
  if (model instanceof ArrayBuffer) return { bytes: new Uint8Array(model), source: '<model bytes>' };
  throw new UsageError(`model must be a path or URL string, a URL, an ArrayBuffer or a Uint8Array, got ${model === null ? 'null' : typeof model}`);
}

/**
 * Create a Recognizer from load options on one platform.
 * @example
 * const rec = await loadWith({ model: bytes, threads: 1 }, bytes, { ort, read, executionProviders: ['wasm'] });
 */
export async function loadWith(opts: LoadOptions, model: ModelSource, platform: Platform): Promise<Recognizer> {
  const { bytes, source } = await modelBytes(model, platform.read);
  return Recognizer.create({
    ort: platform.ort,
    model: bytes,
    source,
    executionProviders: opts.executionProviders ?? platform.executionProviders,
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.decoder ? { decoder: opts.decoder } : {}),
    ...(opts.batchFrames !== undefined ? { batchFrames: opts.batchFrames } : {}),
    ...(opts.leadingSilence !== undefined ? { leadingSilence: opts.leadingSilence } : {}),
  });
}
