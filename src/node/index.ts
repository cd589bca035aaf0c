/**
 * earshot for Node.js: the platform-neutral engine with onnxruntime-node and file I/O plugged in.
 * @example
 * import { loadRecognizer, transcribeFile } from 'earshot';
 * const rec = await loadRecognizer();              // the shipped default model
 * const result = await transcribeFile(rec, 'talk.wav');
 * console.log(result.text);
 */
import * as ort from 'onnxruntime-node';
import { Recognizer, type RecognitionResult, type PartialResult, type SegmentResult } from '../recognizer.js';
import type { EndpointConfig } from '../decoder/endpoint.js';
import type { ExecutionProviderName, OrtModule } from '../model/runtime.js';
import { readModelFile } from './model-file.js';
import { defaultLanguageModelPath, defaultModelPath } from './default-model.js';
import { openAudio, type AudioStream, type RawPcmOptions } from './audio-file.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { ArpaLanguageModel } from '../lm/arpa.js';
import type { BinaryLanguageModel } from '../lm/binary.js';
import { parseLanguageModel } from '../lm/parse.js';
import { UsageError } from '../core/errors.js';
import { promises as fs } from 'node:fs';

export interface LoadOptions {
  /** Path of an earshot .onnx model; default: the shipped default model. */
  model?: string;
  /** Execution providers to try in order; default ['cpu']. Node offers 'cpu', 'webgpu', 'cuda'. */
  executionProviders?: readonly ExecutionProviderName[];
  /** Threads for the acoustic model. */
  threads?: number;
  /** Decoder of every stream; default greedy. */
  decoder?: DecoderOptions;
  /** Model frames per acoustic-model call in streams; default 64 (see RecognizerOptions.batchFrames). */
  batchFrames?: number;
}

/**
 * Read a word n-gram LM for `{ type: 'beam', lm }`: earshot's binary form (`.lmbin`, from `earshot lm
 * compile` or `earshot lm build --binary`) or ARPA text, told apart by the file's first bytes.
 * @example
 * const rec = await loadRecognizer({ decoder: { type: 'beam', lm: await loadLanguageModel('en.lmbin') } });
 */
export async function loadLanguageModel(file: string): Promise<ArpaLanguageModel | BinaryLanguageModel> {
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    throw new UsageError(`language model ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return parseLanguageModel(bytes, file);
}

/**
 * Load the shipped English trigram LM (models/en-3gram.lmbin), the one the default model's beam settings
 * (LM weight 0.5, word bonus 4: the beam decoder's defaults with an LM) were tuned with. Nothing loads it
 * unless you call this; the CLI does for `--decoder beam` with the default model and no `--lm`.
 * @example
 * const rec = await loadRecognizer({ decoder: { type: 'beam', lm: await loadDefaultLanguageModel() } });
 */
export async function loadDefaultLanguageModel(): Promise<ArpaLanguageModel | BinaryLanguageModel> {
  return loadLanguageModel(defaultLanguageModelPath());
}

/**
 * Load a model file with onnxruntime-node.
 * @example
 * const rec = await loadRecognizer({ model: 'models/earshot-en.onnx', threads: 1 });
 */
export async function loadRecognizer(opts: LoadOptions = {}): Promise<Recognizer> {
  const file = opts.model ?? defaultModelPath();
  const bytes = await readModelFile(file);
  return Recognizer.create({
    ort: ort as unknown as OrtModule,
    model: bytes,
    source: file,
    ...(opts.executionProviders ? { executionProviders: opts.executionProviders } : {}),
    ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    ...(opts.decoder ? { decoder: opts.decoder } : {}),
    ...(opts.batchFrames !== undefined ? { batchFrames: opts.batchFrames } : {}),
  });
}

export interface TranscribeFileOptions {
  /** Raw PCM input description (for '-' / headerless data). */
  raw?: RawPcmOptions;
  /** Called with the partial result after each chunk. */
  onPartial?: (p: PartialResult) => void;
  /** Decoder for this file (default: the recognizer's). */
  decoder?: DecoderOptions;
  /** Cut the audio into segments at pauses (`true`: default rules); the result then has `segments`. Default off. */
  endpoint?: boolean | Partial<EndpointConfig>;
  /** With endpoint: called with each segment as soon as it ends. */
  onSegment?: (segment: SegmentResult) => void;
  /**
   * Model frames per acoustic-model call. Default for a file, whose audio is all there:
   * `rec.wholeInputBatchFrames`. For stdin, which may be live (a microphone piped in), the
   * recognizer's streaming batch, so that segments come out soon after they are spoken.
   */
  batchFrames?: number;
}

/**
 * Transcribe an audio file (WAV, FLAC, Ogg Vorbis/Opus, MP3) or '-' for stdin, streaming it through
 * the recognizer chunk by chunk so memory does not grow with the file's length.
 * @example
 * const r = await transcribeFile(rec, 'meeting.flac');
 * for (const w of r.words) console.log(w.word, w.start, w.end, w.confidence);
 * const talk = await transcribeFile(rec, 'talk.wav', { endpoint: true });
 * for (const s of talk.segments ?? []) console.log(s.start, s.end, s.text);
 */
export async function transcribeFile(rec: Recognizer, file: string, opts: TranscribeFileOptions = {}): Promise<RecognitionResult> {
  const audio = await openAudio(file, opts.raw ? { raw: opts.raw } : {});
  const batchFrames = opts.batchFrames ?? (file === '-' ? rec.batchFrames : rec.wholeInputBatchFrames);
  return transcribeAudio(rec, audio, { ...opts, batchFrames });
}

/**
 * Transcribe an opened audio input (from {@link openAudio}, or `openAudioStream` over any bytes: an
 * upload, a socket) chunk by chunk: what {@link transcribeFile} does once the input is open. An
 * exception thrown by `onPartial` (a limit a caller enforces) stops the work and closes the input.
 * @example
 * const audio = await openAudioStream(uploadBytes, { source: 'upload.ogg' });
 * const r = await transcribeAudio(rec, audio, { endpoint: true });
 */
export async function transcribeAudio(rec: Recognizer, audio: AudioStream, opts: Omit<TranscribeFileOptions, 'raw'> = {}): Promise<RecognitionResult> {
  const stream = rec.createStream({
    batchFrames: opts.batchFrames ?? rec.wholeInputBatchFrames,
    ...(opts.decoder ? { decoder: opts.decoder } : {}),
    ...(opts.endpoint !== undefined ? { endpoint: opts.endpoint } : {}),
    ...(opts.onSegment ? { onSegment: opts.onSegment } : {}),
  });
  for await (const chunk of audio.chunks()) {
    if (chunk.length === 0) continue;
    const partial = await stream.acceptWaveform(chunk, audio.sampleRate);
    opts.onPartial?.(partial);
  }
  return stream.inputFinished();
}

export { Recognizer, RecognitionStream, WHOLE_INPUT_BATCH_FRAMES } from '../recognizer.js';
export type { RecognitionResult, PartialResult, SegmentResult, StageTimings, RecognizerOptions, StreamOptions } from '../recognizer.js';
export type { EndpointConfig, EndpointReason } from '../decoder/endpoint.js';
export type { DecoderOptions } from '../decoder/select.js';
export type { BeamSearchOptions } from '../decoder/beam.js';
export type { LanguageModel } from '../lm/types.js';
export type { PhraseMatch } from '../decoder/types.js';
export { ArpaLanguageModel } from '../lm/arpa.js';
export { BinaryLanguageModel } from '../lm/binary.js';
export { parseLanguageModel } from '../lm/parse.js';
export type { DecodeResult, TokenResult, WordResult } from '../decoder/types.js';
export type { FeatureConfig, Normalization } from '../features/config.js';
export type { ModelMetadata, OutputSpec, NetworkSummary, Provenance } from '../model/metadata.js';
export type { ExecutionProviderName } from '../model/runtime.js';
export { EarshotError, UsageError, AudioInputError, ModelError, ConversionError, ExitCode } from '../core/errors.js';
export { defaultModelPath, defaultLanguageModelPath } from './default-model.js';
