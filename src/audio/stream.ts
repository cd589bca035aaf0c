/**
 * Byte stream in, mono sample stream out: runs any async iterable of byte chunks (a file read
 * stream, stdin, a `fetch` response body) through the matching decoder.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 */
import { AudioInputError, UsageError } from '../core/errors.js';
import { createAudioDecoder } from './decode.js';
import { RawPcmDecoder, type RawPcmSpec } from './pcm.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE, type AudioDecoder, type DecoderOptions } from './types.js';

/**
 * An opened audio input: its native rate and format are known, the samples are read lazily.
 * @example
 * const audio = await openAudio('talk.flac');
 * for await (const chunk of audio.chunks()) stream.acceptWaveform(chunk, audio.sampleRate);
 */
export interface AudioStream {
  /** The path, `"stdin"` or other name used in messages. */
  source: string;
  /** Native sample rate in Hz (known once the header was parsed; no resampling is done). */
  sampleRate: number;
  /** Description, e.g. `"WAV PCM 16-bit, 2 ch, 44100 Hz"` or `"Ogg Opus, 1 ch, 48000 Hz"`. */
  format: string;
  /** Channels in the source; `chunks()` yields their average. */
  channels: number;
  /** Non-fatal problems met so far (grows while `chunks()` runs). */
  warnings: readonly string[];
  /**
   * The mono samples at the native rate, in chunks of a few thousand to a few hundred thousand
   * samples. May be iterated once; errors (truncation, corrupt data) surface here as AudioInputErrors.
   */
  chunks(): AsyncIterable<Float32Array>;
  /** Stop reading and release the input and decoder (also done when `chunks()` ends or is broken off). */
  close(): Promise<void>;
}

/**
 * Options for {@link openAudioStream}: the decoder options plus headerless input.
 * @example
 * const opts: OpenAudioStreamOptions = { source: 'stdin', raw: { encoding: 's16le', rate: 16000 } };
 */
export interface OpenAudioStreamOptions extends DecoderOptions {
  /** Treat the input as headerless PCM of this layout instead of detecting the format. */
  raw?: RawPcmSpec;
}

/**
 * Start decoding `bytes`: reads just far enough to know the sample rate and format, then returns.
 * `onClose` runs once when the stream is finished, broken off or closed (e.g. to close a file).
 * @example
 * const res = await fetch('/talk.ogg');
 * const audio = await openAudioStream(res.body as AsyncIterable<Uint8Array>, { source: 'talk.ogg' });
 * console.log(audio.sampleRate, audio.format);
 */
export async function openAudioStream(
  bytes: AsyncIterable<Uint8Array>,
  options: OpenAudioStreamOptions = {},
  onClose?: () => Promise<void> | void,
): Promise<AudioStream> {
  const source = options.source ?? '<bytes>';
  const it = bytes[Symbol.asyncIterator]();
  const decoder: AudioDecoder = options.raw ? new RawPcmDecoder(options.raw, options) : createAudioDecoder(options);
  const pending: Float32Array[] = [];
  let inputDone = false;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    decoder.free();
    try {
      if (!inputDone) await it.return?.();
    } finally {
      await onClose?.();
    }
  };

  try {
    let readAny = false;
    while (!readAny || decoder.sampleRate === undefined) {
      const r = await it.next();
      if (r.done) {
        inputDone = true;
        pending.push(...(await decoder.end()));
        break;
      }
      readAny = true;
      pending.push(...(await decoder.push(r.value)));
    }
    const rate = decoder.sampleRate;
    if (rate !== undefined && !(rate >= MIN_SAMPLE_RATE && rate <= MAX_SAMPLE_RATE)) {
      throw new AudioInputError(source, `the header gives a sample rate of ${rate} Hz; earshot reads ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, so the header is damaged or this is not audio`);
    }
  } catch (e) {
    await close();
    throw e;
  }

  let iterated = false;
  async function* chunks(): AsyncGenerator<Float32Array> {
    if (iterated) throw new UsageError(`${source}: AudioStream.chunks() can be iterated only once`);
    iterated = true;
    try {
      while (pending.length > 0) yield pending.shift()!;
      if (!inputDone) {
        for (;;) {
          const r = await it.next();
          if (r.done) break;
          for (const c of await decoder.push(r.value)) yield c;
        }
        inputDone = true;
        for (const c of await decoder.end()) yield c;
      }
    } finally {
      await close();
    }
  }

  return {
    source,
    sampleRate: decoder.sampleRate!,
    get format() {
      return decoder.format;
    },
    get channels() {
      return decoder.channels ?? 1;
    },
    get warnings() {
      return decoder.warnings;
    },
    chunks,
    close,
  };
}
