/**
 * earshot for the browser (and any JS runtime without Node's fs): the same engine, with the
 * ONNX runtime module passed in. This entry never imports `fs` or onnxruntime-node.
 * The full browser frontend (worker, microphone, caching, bundled onnxruntime-web) builds on this.
 * @example
 * import * as ort from 'onnxruntime-web';
 * import { createRecognizer } from 'earshot';
 * const rec = await createRecognizer({ ort, model: '/models/earshot-en.onnx', executionProviders: ['wasm'] });
 * const { text } = await rec.transcribe(samples, 16000);
 */
import { Recognizer } from '../recognizer.js';
import { ModelError, UsageError } from '../core/errors.js';
import type { ExecutionProviderName, OrtModule } from '../model/runtime.js';

export interface WebRecognizerOptions {
  /** The onnxruntime-web module (or any module with the same API). */
  ort: OrtModule;
  /** The model: a URL to fetch, or the .onnx bytes. */
  model: string | URL | ArrayBuffer | Uint8Array;
  /** Providers to try in order, e.g. ['webgpu', 'wasm']. Default ['wasm']. */
  executionProviders?: readonly ExecutionProviderName[];
  threads?: number;
}

/**
 * Load a model from a URL or bytes and create a Recognizer.
 * @example
 * const rec = await createRecognizer({ ort, model: new Uint8Array(await file.arrayBuffer()) });
 */
export async function createRecognizer(opts: WebRecognizerOptions): Promise<Recognizer> {
  let bytes: Uint8Array;
  let source = '<model bytes>';
  if (typeof opts.model === 'string' || opts.model instanceof URL) {
    source = String(opts.model);
    let res: Response;
    try {
      res = await fetch(opts.model);
    } catch (e) {
      throw new ModelError(source, `cannot fetch the model: ${(e as Error).message}`, 'check the URL and that it is served from this origin');
    }
    if (!res.ok) throw new ModelError(source, `fetching the model failed: HTTP ${res.status} ${res.statusText}`, 'check the URL');
    bytes = new Uint8Array(await res.arrayBuffer());
  } else if (opts.model instanceof Uint8Array) bytes = opts.model;
  else if (opts.model instanceof ArrayBuffer) bytes = new Uint8Array(opts.model);
  else throw new UsageError('model must be a URL string, a URL, an ArrayBuffer or a Uint8Array');
  return Recognizer.create({
    ort: opts.ort,
    model: bytes,
    source,
    executionProviders: opts.executionProviders ?? ['wasm'],
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
  });
}

export { Recognizer, RecognitionStream, WHOLE_INPUT_BATCH_FRAMES } from '../recognizer.js';
export type { RecognitionResult, PartialResult, SegmentResult, StageTimings, StreamOptions } from '../recognizer.js';
export type { EndpointConfig, EndpointReason } from '../decoder/endpoint.js';
export type { DecoderOptions, GreedyOptions } from '../decoder/select.js';
export type { BeamSearchOptions } from '../decoder/beam.js';
export type { LanguageModel } from '../lm/types.js';
export type { PhraseMatch } from '../decoder/types.js';
export { ArpaLanguageModel } from '../lm/arpa.js';
export { BinaryLanguageModel } from '../lm/binary.js';
export { parseLanguageModel } from '../lm/parse.js';
export type { DecodeResult, TokenResult, WordResult } from '../decoder/types.js';
export type { FeatureConfig } from '../features/config.js';
export type { ModelMetadata, OutputSpec } from '../model/metadata.js';
export type { ExecutionProviderName, OrtModule } from '../model/runtime.js';
export { EarshotError, UsageError, AudioInputError, ModelError } from '../core/errors.js';
export { formatTranscript, toCues } from '../format.js';

// The browser speech frontend: a Worker running onnxruntime-web, AudioWorklet microphone capture.
export { SpeechRecognizer, createSpeechRecognizer } from './speech.js';
export type { SpeechRecognizerOptions, SpeechRecognizerEvents, SpeechResult, SpeechLevel, SpeechRecognizerInfo, SpeechDecoderOptions, MicrophoneOptions } from './speech.js';
// <earshot-mic>, the one-tag speech input, is the subpath 'earshot/web/mic-element' (importing it defines the element).
export { SpeechError } from './errors.js';
export type { SpeechErrorCode } from './errors.js';
