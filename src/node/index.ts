/**
 * earshot for Node.js: the platform-neutral engine with onnxruntime-node and file I/O plugged in.
 * @example
 * import { loadRecognizer, transcribeFile } from 'earshot';
 * const rec = await loadRecognizer();              // the shipped default model
 * const result = await transcribeFile(rec, 'talk.wav');
 * console.log(result.text);
 */
import { promises as fs } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { UsageError } from '../core/errors.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { EndpointConfig } from '../decoder/endpoint.js';
import type { ArpaLanguageModel } from '../lm/arpa.js';
import type { BinaryLanguageModel } from '../lm/binary.js';
import { parseLanguageModel } from '../lm/parse.js';
import { loadWith, type LoadOptions } from '../load.js';
import type { OrtModule } from '../model/runtime.js';
import type { Recognizer, RecognitionResult, PartialResult, SegmentResult } from '../recognizer.js';
import { openAudio, type AudioStream, type RawPcmOptions } from './audio-file.js';
import { defaultLanguageModelPath, defaultModelPath } from './default-model.js';
import { readModelFile } from './model-file.js';

export * from '../api.js';
export { defaultModelPath, defaultLanguageModelPath } from './default-model.js';

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
 * (the LM weight and word bonus its metadata recommends) were tuned with. Nothing loads it
 * unless you call this; the CLI does for `--decoder beam` with the default model and no `--lm`.
 * @example
 * const rec = await loadRecognizer({ decoder: { type: 'beam', lm: await loadDefaultLanguageModel() } });
 */
export async function loadDefaultLanguageModel(): Promise<ArpaLanguageModel | BinaryLanguageModel> {
  return loadLanguageModel(defaultLanguageModelPath());
}

/** A model path, or a file: URL, read from disk. */
async function readModel(where: string | URL): Promise<Uint8Array> {
  if (typeof where === 'string') return readModelFile(where);
  if (where.protocol !== 'file:') throw new UsageError(`model URL ${where.href}: Node reads models from files; pass a path, a file: URL or the bytes`);
  return readModelFile(fileURLToPath(where));
}

/**
 * Load a model (a path, a file: URL or the bytes; default: the shipped model) with onnxruntime-node.
 * @example
 * const rec = await loadRecognizer({ model: 'models/earshot-en.onnx', threads: 1, decoder: { type: 'beam' } });
 */
export async function loadRecognizer(opts: LoadOptions = {}): Promise<Recognizer> {
  return loadWith(opts, opts.model ?? defaultModelPath(), { ort: ort as unknown as OrtModule, read: readModel, executionProviders: ['cpu'] });
}

/**
 * Options of `transcribeFile`.
 * @example
 * const opts: TranscribeFileOptions = { endpoint: true, onSegment: (s) => console.log(s.text) };
 */
export interface TranscribeFileOptions {
  /** Raw PCM input description (for '-' / headerless data). */
  raw?: RawPcmOptions;
  /** Called with the partial result after each chunk (the whole current utterance: use onProgress where only the time matters). */
  onPartial?: (p: PartialResult) => void;
  /** Called after each chunk with the seconds of audio accepted so far; costs nothing, unlike onPartial. */
  onProgress?: (durationSec: number) => void;
  /** Decoder for this file (default: the recognizer's). */
  decoder?: DecoderOptions;
  /** Cut the audio into segments at pauses (`true`: default rules); the result then has `segments`. Default off. */
  endpoint?: boolean | Partial<EndpointConfig>;
  /** With endpoint: called with each segment as soon as it ends. */
  onSegment?: (segment: SegmentResult) => void;
  /** Called with each non-fatal problem the audio decoder found (e.g. an Ogg stream without its end page). */
  onWarning?: (message: string) => void;
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
  const audio = await openAudio(file, { ...(opts.raw ? { raw: opts.raw } : {}), ...(opts.onWarning ? { onWarning: opts.onWarning } : {}) });
  const batchFrames = opts.batchFrames ?? (file === '-' ? rec.batchFrames : rec.wholeInputBatchFrames);
  return transcribeAudio(rec, audio, { ...opts, batchFrames });
}

/**
 * Transcribe an opened audio input (from {@link openAudio}, or `openAudioStream` over any bytes: an
 * upload, a socket) chunk by chunk: what {@link transcribeFile} does once the input is open. An
 * exception thrown by `onPartial` or `onProgress` (a limit a caller enforces) stops the work and closes the input.
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
    if (opts.onPartial) opts.onPartial(await stream.acceptWaveform(chunk, audio.sampleRate));
    else await stream.appendWaveform(chunk, audio.sampleRate);
    opts.onProgress?.(stream.durationSec);
  }
  return stream.inputFinished();
}

