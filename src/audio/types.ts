/**
 * The contract every earshot audio decoder meets (WAV, raw PCM, FLAC, Ogg Vorbis/Opus, MP3):
 * bytes in, mono float sample chunks out, at the stream's native sample rate.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 */

/**
 * A streaming decoder: push byte chunks of any size, get mono `Float32Array` chunks back.
 * Memory does not grow with the length of the stream. Errors are {@link AudioInputError}s.
 * @example
 * const dec = createAudioDecoder({ source: 'talk.flac' });
 * for await (const bytes of byteChunks) for (const samples of await dec.push(bytes)) consume(samples, dec.sampleRate!);
 * for (const samples of await dec.end()) consume(samples, dec.sampleRate!);
 */
export interface AudioDecoder {
  /** What is being decoded, e.g. `"WAV PCM 16-bit, 2 ch"`; refined once the header is parsed. */
  readonly format: string;
  /** Native sample rate in Hz; `undefined` until the stream header has been parsed. */
  readonly sampleRate: number | undefined;
  /** Channel count of the source before mixdown to mono; `undefined` until known. */
  readonly channels: number | undefined;
  /** Mono samples delivered so far. */
  readonly samplesDecoded: number;
  /** Non-fatal problems met so far (also passed to {@link DecoderOptions.onWarning}). */
  readonly warnings: readonly string[];
  /** Feed the next bytes; resolves to the mono chunks they completed (often one, possibly none). */
  push(bytes: Uint8Array): Promise<Float32Array[]>;
  /**
   * Declare the end of input; resolves to the last chunks. Rejects with an AudioInputError when the
   * stream is empty, truncated or held no samples. Frees the decoder.
   */
  end(): Promise<Float32Array[]>;
  /** Release decoder resources (WebAssembly memory) early, e.g. after an error. Idempotent. */
  free(): void;
}

/**
 * Options shared by all decoders.
 * @example
 * const opts: DecoderOptions = { source: 'talk.wav', totalBytes: 320044, onWarning: (m) => console.warn(m) };
 */
export interface DecoderOptions {
  /** Name used in error messages: a path, `"stdin"`, or the default `"<bytes>"`. */
  source?: string;
  /** Called once per non-fatal problem (a stray trailing byte, a skipped corrupt frame...). */
  onWarning?: (message: string) => void;
  /**
   * Total size of the input in bytes when known (a regular file). Lets the WAV parser report a
   * truncated file as soon as it reads the header instead of at the end.
   */
  totalBytes?: number;
  /**
   * WAV whose data chunk declares more bytes than the input holds: by default an AudioInputError
   * ("truncated WAV: data chunk declares N bytes, file holds M"); with `true`, the samples that are
   * present are delivered and a warning is issued instead.
   */
  allowTruncated?: boolean;
}

/**
 * Collects a decoder's warnings: keeps the first 100, forwards every one to the callback.
 * @example
 * const sink = new WarningSink((m) => console.warn(m));
 * sink.warn('stream ended inside a sample frame; 1 stray byte ignored');
 */
/**
 * Base of the decoders that do all their work synchronously in JavaScript (WAV, raw PCM): the async
 * AudioDecoder methods delegate to pushSync/endSync, and there is nothing outside the JS heap to free.
 * @example
 * class MyDecoder extends SyncAudioDecoder { ... pushSync(b) { ... } endSync() { ... } }
 */
export abstract class SyncAudioDecoder {
  abstract pushSync(bytes: Uint8Array): Float32Array[];
  abstract endSync(): Float32Array[];
  async push(bytes: Uint8Array): Promise<Float32Array[]> {
    return this.pushSync(bytes);
  }
  async end(): Promise<Float32Array[]> {
    return this.endSync();
  }
  free(): void {
    /* nothing outside the JS heap */
  }
}

export class WarningSink {
  readonly list: string[] = [];
  constructor(private readonly callback?: (message: string) => void) {}
  warn(message: string): void {
    if (this.list.length < 100) this.list.push(message);
    this.callback?.(message);
  }
}

/**
 * The sample rates earshot reads, in Hz (the recognizer's range): a header outside it is damaged.
 * @example
 * if (rate < MIN_SAMPLE_RATE || rate > MAX_SAMPLE_RATE) throw new AudioInputError(file, `sample rate ${rate} Hz`);
 */
export const MIN_SAMPLE_RATE = 1000;
/** See {@link MIN_SAMPLE_RATE}. */
export const MAX_SAMPLE_RATE = 384000;
