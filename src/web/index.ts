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
import { loadWith, type LoadOptions, type ModelSource } from '../load.js';
import type { OrtModule } from '../model/runtime.js';
import type { Recognizer } from '../recognizer.js';
import { fetchBytes } from './fetch.js';

export * from '../api.js';

/**
 * Options of `createRecognizer`: the load options both entries share, with the ONNX runtime module passed in
 * and the model required.
 * @example
 * const opts: WebRecognizerOptions = { ort, model: '/models/earshot-en.onnx', executionProviders: ['webgpu', 'wasm'], decoder: { type: 'beam' } };
 */
export interface WebRecognizerOptions extends LoadOptions {
  /** The onnxruntime-web module (or any module with the same API). */
  ort: OrtModule;
  /** The model: a URL to fetch, or the .onnx bytes. */
  model: ModelSource;
}

/**
 * Load a model from a URL or bytes and create a Recognizer (providers default to ['wasm']).
 * @example
 * const rec = await createRecognizer({ ort, model: new Uint8Array(await file.arrayBuffer()), decoder: { type: 'beam' } });
 */
export async function createRecognizer(opts: WebRecognizerOptions): Promise<Recognizer> {
  return loadWith(opts, opts.model, { ort: opts.ort, read: (url) => fetchBytes(url, 'model'), executionProviders: ['wasm'] });
}

// The browser speech frontend: a Worker running onnxruntime-web, AudioWorklet microphone capture.
export { SpeechRecognizer, createSpeechRecognizer } from './speech.js';
export type { SpeechRecognizerOptions, SpeechRecognizerEvents, SpeechResult, SpeechLevel, SpeechRecognizerInfo, SpeechDecoderOptions, MicrophoneOptions } from './speech.js';
// <earshot-mic>, the one-tag speech input, is the subpath 'earshot/web/mic-element' (importing it defines the element).
export { SpeechError } from './errors.js';
export type { SpeechErrorCode } from './errors.js';
