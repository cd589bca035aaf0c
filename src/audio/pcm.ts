/**
 * Raw (headerless) PCM decoder for piped input, e.g. `arecord -f S16_LE -r 16000 -t raw | earshot --raw s16le --rate 16000 -`.
 * A partial sample frame at the end of one chunk is carried to the next.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 */
import { AudioInputError, UsageError } from '../core/errors.js';
import { InterleavedFrameDecoder, type SampleEncoding } from './samples.js';
import { SyncAudioDecoder, WarningSink, type AudioDecoder, type DecoderOptions } from './types.js';

/**
 * Raw sample encodings: signed 16/32-bit little-endian, 32-bit float little-endian, unsigned 8-bit.
 * @example
 * const enc: RawEncoding = 's16le';
 */
export type RawEncoding = 's16le' | 's32le' | 'f32le' | 'u8';

/**
 * The raw encodings accepted, in the order they are listed in messages.
 * @example
 * program.option('--raw <enc>', `headerless PCM: ${RAW_ENCODINGS.join(', ')}`);
 */
export const RAW_ENCODINGS: readonly RawEncoding[] = ['s16le', 's32le', 'f32le', 'u8'];

/**
 * How to interpret headerless input.
 * @example
 * const spec: RawPcmSpec = { encoding: 's16le', rate: 16000, channels: 1 };
 */
export interface RawPcmSpec {
  encoding: RawEncoding;
  /** Sample rate in Hz (positive integer). */
  rate: number;
  /** Interleaved channels, averaged to mono; default 1. */
  channels?: number;
}

const TO_SAMPLE_ENCODING: Record<RawEncoding, SampleEncoding> = { s16le: 's16', s32le: 's32', f32le: 'f32', u8: 'u8' };

/**
 * Check a raw PCM spec; throws {@link UsageError} naming the bad field.
 * @example
 * validateRawPcmSpec({ encoding: 's16le', rate: 16000 }); // ok
 * validateRawPcmSpec({ encoding: 's24le' as RawEncoding, rate: 16000 }); // throws UsageError
 */
export function validateRawPcmSpec(spec: RawPcmSpec): Required<RawPcmSpec> {
  const channels = spec.channels ?? 1;
  if (!RAW_ENCODINGS.includes(spec.encoding)) {
    throw new UsageError(`raw encoding must be one of ${RAW_ENCODINGS.join(', ')}, got "${String(spec.encoding)}"`);
  }
  if (!Number.isInteger(spec.rate) || spec.rate <= 0 || spec.rate > 1_000_000) {
    throw new UsageError(`raw sample rate must be a positive integer number of Hz (e.g. 16000), got ${String(spec.rate)}`);
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 256) {
    throw new UsageError(`raw channel count must be an integer from 1 to 256, got ${String(channels)}`);
  }
  return { encoding: spec.encoding, rate: spec.rate, channels };
}

/**
 * Streaming raw PCM decoder with the {@link AudioDecoder} contract (plus synchronous twins).
 * Float input is checked for NaN/±Infinity. A stray partial frame at the very end is dropped with a warning.
 * @example
 * const pcm = new RawPcmDecoder({ encoding: 's16le', rate: 16000 }, { source: 'stdin' });
 * const a = pcm.pushSync(new Uint8Array([0x00, 0x40, 0x00])); // one sample (0.5), one byte carried
 * const b = pcm.pushSync(new Uint8Array([0xc0]));              // completes -0.5
 * pcm.endSync();
 */
export class RawPcmDecoder extends SyncAudioDecoder implements AudioDecoder {
  readonly sampleRate: number;
  readonly channels: number;
  readonly format: string;
  private readonly frames: InterleavedFrameDecoder;
  private readonly source: string;
  private readonly sink: WarningSink;
  private bytesIn = 0;
  private ended = false;

  constructor(spec: RawPcmSpec, options: DecoderOptions = {}) {
    super();
    const s = validateRawPcmSpec(spec);
    this.sampleRate = s.rate;
    this.channels = s.channels;
    this.source = options.source ?? '<bytes>';
    this.sink = new WarningSink(options.onWarning);
    this.format = `raw ${s.encoding}, ${s.channels} ch, ${s.rate} Hz`;
    this.frames = new InterleavedFrameDecoder(TO_SAMPLE_ENCODING[s.encoding], s.channels, s.rate, this.source);
  }

  get samplesDecoded(): number {
    return this.frames.framesDecoded;
  }
  get warnings(): readonly string[] {
    return this.sink.list;
  }
  /** Bytes of an incomplete frame held until the next push (less than one frame). */
  get retainedBytes(): number {
    return this.frames.pendingBytes;
  }

  /** Synchronous {@link RawPcmDecoder.push}. */
  pushSync(bytes: Uint8Array): Float32Array[] {
    if (this.ended) throw new UsageError(`${this.source}: RawPcmDecoder.push() called after end()`);
    this.bytesIn += bytes.length;
    const samples = this.frames.decode(bytes, 0, bytes.length);
    return samples ? [samples] : [];
  }

  /** Synchronous {@link RawPcmDecoder.end}. */
  endSync(): Float32Array[] {
    if (this.ended) return [];
    this.ended = true;
    if (this.bytesIn === 0) throw new AudioInputError(this.source, 'input is empty (0 bytes)');
    const stray = this.frames.dropPending();
    if (stray > 0) {
      this.sink.warn(
        `raw input ends with ${stray} stray byte(s), not a whole ${this.frames.frameBytes}-byte frame of ${this.format}; they are ignored (is the encoding or channel count right?)`,
      );
    }
    if (this.frames.framesDecoded === 0) {
      throw new AudioInputError(this.source, `contains no audio samples: ${this.bytesIn} byte(s) is less than one ${this.frames.frameBytes}-byte frame of ${this.format}`);
    }
    return [];
  }
}
