/**
 * Messages between the main thread (speech.ts), the recognition Worker (worker.ts) and the capture
 * AudioWorklet (capture-worklet.ts). Audio always travels as transferred ArrayBuffers.
 */
import type { PartialResult, RecognitionResult, SegmentResult } from '../recognizer.js';
import type { EndpointConfig } from '../decoder/endpoint.js';
import type { ExecutionProviderName } from '../model/runtime.js';
import type { BeamSearchOptions } from '../decoder/beam.js';
import type { GreedyOptions } from '../decoder/select.js';

/**
 * Decoder options that can cross to the worker: the beam decoder's `lm` is the absolute URL of an LM
 * file, .lmbin or ARPA (the worker fetches and parses it), instead of a LanguageModel object.
 */
export type WireDecoderOptions = GreedyOptions | (Omit<BeamSearchOptions, 'lm'> & { lm?: string });

/** What the worker needs to load the model. */
export interface WorkerInit {
  type: 'init';
  /** A URL (absolute) or the model bytes (transferred). */
  model: string | ArrayBuffer;
  /** Providers in order; undefined = webgpu when an adapter exists, then wasm. */
  executionProviders?: ExecutionProviderName[];
  numThreads?: number;
  /** Absolute base URL of onnxruntime-web's dist files (ort*.mjs, *.wasm). */
  wasmPaths: string;
  /** Absolute URL of the onnxruntime-web ES module; default: ort.wasm.min.mjs for wasm only, else ort.min.mjs. */
  ortModuleUrl?: string;
  /** Cache the model in the Cache API (default true). */
  cache: boolean;
  /** Expected SHA-256 (hex) of the model file, checked before use. */
  sha256?: string;
  /** The decoder of every stream; default greedy. */
  decoder?: WireDecoderOptions;
}

export type ToWorker =
  | WorkerInit
  | { type: 'transcribeWav'; id: number; bytes: ArrayBuffer }
  | { type: 'transcribeSamples'; id: number; samples: Float32Array; sampleRate: number }
  /** `endpoint` (already checked): cut the stream into segments, each reported as a 'segment' message. */
  | { type: 'micStart'; sampleRate: number; port: MessagePort; endpoint?: Partial<EndpointConfig> }
  | { type: 'dispose' };

/** What the worker reports once the model is loaded. */
export interface ReadyInfo {
  provider: ExecutionProviderName;
  providerFailures: { provider: ExecutionProviderName; reason: string }[];
  /** wasm threads in use (1 without crossOriginIsolated). */
  numThreads: number;
  crossOriginIsolated: boolean;
  /** Whether a WebGPU adapter was found. */
  webgpuAdapter: string | null;
  /** Milliseconds from init to ready (fetch/cache + session creation). */
  loadMs: number;
  /** SHA-256 (hex) of the model file. */
  sha256: string;
  fromCache: boolean;
  labels: string[];
  sampleRate: number;
}

/** An error as it crosses the worker boundary. */
export interface WireError {
  name: string;
  message: string;
  code: string;
}

export type FromWorker =
  | { type: 'ready'; info: ReadyInfo }
  | { type: 'initError'; error: WireError }
  | { type: 'result'; id: number; result: RecognitionResult; audioSec: number; elapsedMs: number }
  | { type: 'resultError'; id: number; error: WireError }
  | { type: 'partial'; result: PartialResult }
  | { type: 'final'; result: RecognitionResult; audioSec: number; elapsedMs: number }
  /** With endpointing: a segment ended (audioSec and elapsedMs are the stream's so far). */
  | { type: 'segment'; result: SegmentResult; audioSec: number; elapsedMs: number; provider: ExecutionProviderName }
  | { type: 'micError'; error: WireError };

/** Worklet -> worker, over the MessagePort the main thread hands to both. */
export type CaptureMessage = { type: 'audio'; samples: Float32Array } | { type: 'end' };
