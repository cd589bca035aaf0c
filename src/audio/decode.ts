/**
 * Format detection by magic bytes, and streaming decoders for FLAC, Ogg Vorbis, Ogg Opus and MP3
 * (eshaz's WebAssembly decoders in their chunked mode) behind the same {@link AudioDecoder}
 * contract as the WAV parser. Platform-neutral: no `fs`, `node:*` or DOM; the wasm decoders are
 * loaded on first use only.
 *
 * Policies:
 * - A corrupt frame inside a compressed stream is skipped with a warning (lossy streams in the wild
 *   carry glitches and the rest is still worth transcribing); a stream from which nothing decodes
 *   is an {@link AudioInputError}.
 * - FLAC: when STREAMINFO declares the total sample count and fewer samples decode, the file is
 *   truncated — the same policy as WAV (error from `end()`, or a warning with `allowTruncated`).
 * - Ogg: a stream that ends inside a page is truncated (same policy); one that ends on a page
 *   boundary without the end-of-stream flag (a recorder that was stopped) only warns. The output is
 *   cut to the length the last page's granule position gives — granule − pre-skip for Opus, which
 *   ogg-opus-decoder 1.7 overshoots by the pre-skip, and the granule for Vorbis, which the decoder
 *   only applies when the end-of-stream flag is present.
 * - FLAC: eshaz's decoder scales n-bit samples by 1/(2^(n−1)−1); they are rescaled by 1/2^(n−1),
 *   the convention of the WAV parser and of libFLAC/sox, so a FLAC and the WAV it was made from
 *   decode to identical samples.
 */
import { AudioInputError, describeError } from '../core/errors.js';
import { OggPageTracker } from './ogg.js';
import { assertFiniteSamples, describeBytes, mixToMono } from './samples.js';
import { WarningSink, type AudioDecoder, type DecoderOptions } from './types.js';
import { WavDecoder } from './wav.js';

/**
 * What {@link detectAudioFormat} found, with any stream parameters readable from the first bytes.
 * @example
 * const f = detectAudioFormat(firstBytes, { final: true });
 * if (f?.kind === 'ogg-opus') console.log(f.preSkip);
 */
export type DetectedFormat =
  | { kind: 'wav' }
  | { kind: 'flac'; sampleRate?: number; channels?: number; totalSamples?: number }
  | { kind: 'ogg-flac' }
  | { kind: 'ogg-vorbis'; sampleRate: number; channels: number }
  | { kind: 'ogg-opus'; channels: number; preSkip: number }
  | { kind: 'mp3' };

/**
 * The formats earshot decodes, as listed in messages.
 * @example
 * console.error(`earshot reads ${SUPPORTED_FORMATS}`);
 */
export const SUPPORTED_FORMATS =
  'WAV (PCM 8/16/24/32-bit, float 32/64-bit, A-law, µ-law), FLAC, Ogg Vorbis, Ogg Opus and MP3';

const ascii = (b: Uint8Array, at: number, len: number) => {
  let s = '';
  for (let i = at; i < at + len && i < b.length; i++) s += String.fromCharCode(b[i]!);
  return s;
};

/**
 * Identify an audio stream from its first bytes.
 * Returns `undefined` when more bytes are needed to decide (never when `final` is true: then the
 * bytes given are all there is). Throws an {@link AudioInputError} naming the first bytes, a guess
 * at what they are, and the supported formats when the input is not one earshot reads.
 * @example
 * detectAudioFormat(new TextEncoder().encode('fLaC'), { final: true }); // { kind: 'flac' }
 * detectAudioFormat(new TextEncoder().encode('OggS'));                    // undefined: need the first packet
 */
export function detectAudioFormat(
  head: Uint8Array,
  options: { final?: boolean; source?: string } = {},
): DetectedFormat | undefined {
  const final = options.final ?? false;
  const source = options.source ?? '<bytes>';
  const m4 = ascii(head, 0, 4);
  if (head.length < 4) {
    if (!final) return undefined;
    if (head.length > 0 && ('RIFF'.startsWith(m4) || 'RF64'.startsWith(m4))) return { kind: 'wav' };
    throw unknownFormat(head, source);
  }
  if (m4 === 'RIFF' || m4 === 'RF64' || m4 === 'RIFX') return { kind: 'wav' };
  if (m4 === 'fLaC') {
    if (head.length < 42 && !final) return undefined;
    if (head.length >= 42 && (head[4]! & 0x7f) === 0) {
      const b = head.subarray(8);
      const sampleRate = (b[10]! << 12) | (b[11]! << 4) | (b[12]! >> 4);
      const channels = ((b[12]! >> 1) & 7) + 1;
      const totalSamples = (b[13]! & 0x0f) * 2 ** 32 + (((b[14]! << 24) | (b[15]! << 16) | (b[16]! << 8) | b[17]!) >>> 0);
      return { kind: 'flac', sampleRate, channels, totalSamples: totalSamples || undefined };
    }
    return { kind: 'flac' };
  }
  if (m4 === 'OggS') {
    if (head.length < 27) return final ? unknownOgg(head, source, 'the first page is truncated') : undefined;
    const packetAt = 27 + head[26]!;
    if (head.length < packetAt + 19 && !final) return undefined;
    const p = head.subarray(packetAt);
    if (ascii(p, 0, 8) === 'OpusHead' && p.length >= 12) {
      return { kind: 'ogg-opus', channels: p[9]!, preSkip: p[10]! | (p[11]! << 8) };
    }
    if (p[0] === 1 && ascii(p, 1, 6) === 'vorbis' && p.length >= 16) {
      return { kind: 'ogg-vorbis', channels: p[11]!, sampleRate: (p[12]! | (p[13]! << 8) | (p[14]! << 16) | (p[15]! << 24)) >>> 0 };
    }
    if (p[0] === 0x7f && ascii(p, 1, 4) === 'FLAC') return { kind: 'ogg-flac' };
    const codec = ascii(p, 0, 8) === 'Speex   ' ? 'Speex' : ascii(p, 1, 6) === 'theora' ? 'Theora video' : undefined;
    return unknownOgg(head, source, codec ? `it carries ${codec}` : 'its codec is not recognised');
  }
  if (ascii(head, 0, 3) === 'ID3') return { kind: 'mp3' };
  if (head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) {
    const version = (head[1]! >> 3) & 3;
    const layer = (head[1]! >> 1) & 3;
    if (layer === 0) throw unknownFormat(head, source, 'AAC in ADTS frames');
    if (version !== 1 && head[2]! >> 4 !== 15 && ((head[2]! >> 2) & 3) !== 3) return { kind: 'mp3' };
  }
  throw unknownFormat(head, source);
}

function unknownOgg(head: Uint8Array, source: string, why: string): never {
  throw new AudioInputError(source, `unsupported Ogg stream: ${why} (first bytes ${describeBytes(head)}); earshot reads Ogg Vorbis, Ogg Opus and Ogg FLAC`);
}

function guessFormat(h: Uint8Array): string | undefined {
  const m4 = ascii(h, 0, 4);
  if (m4 === 'FORM' && /^AIF[FC]$/.test(ascii(h, 8, 4))) return 'AIFF';
  if (m4 === 'caff') return 'Core Audio (CAF)';
  if (ascii(h, 4, 4) === 'ftyp') return 'MP4/M4A (AAC or ALAC)';
  if (h[0] === 0x1a && h[1] === 0x45 && h[2] === 0xdf && h[3] === 0xa3) return 'Matroska/WebM';
  if (m4 === '.snd') return 'Sun/NeXT AU';
  if (ascii(h, 0, 5) === '#!AMR') return 'AMR';
  if (m4 === 'wvpk') return 'WavPack';
  if (m4 === 'MAC ') return "Monkey's Audio";
  if (m4 === 'NIST') return 'NIST SPHERE';
  if (m4 === 'MThd') return 'MIDI (notes, not recorded sound)';
  if (h[0] === 0x30 && h[1] === 0x26 && h[2] === 0xb2 && h[3] === 0x75) return 'ASF/WMA';
  if (m4 === 'PK\u0003\u0004') return 'a ZIP archive';
  if (h[0] === 0x1f && h[1] === 0x8b) return 'gzip-compressed data';
  if (h.length > 0 && h.subarray(0, 16).every((b) => b === 0x09 || b === 0x0a || b === 0x0d || (b >= 0x20 && b < 0x7f))) {
    return 'text, not audio';
  }
  return undefined;
}

function unknownFormat(head: Uint8Array, source: string, guess = guessFormat(head)): AudioInputError {
  return new AudioInputError(
    source,
    `unrecognised audio format: the input starts with ${describeBytes(head)}${guess ? `, which looks like ${guess}` : ''}. ` +
      `earshot reads ${SUPPORTED_FORMATS}, or headerless PCM with the raw option (e.g. --raw s16le --rate 16000); ` +
      'convert other formats first, e.g. `ffmpeg -i in.m4a -ar 16000 -ac 1 out.wav`',
  );
}

/**
 * A decoder that detects the format from the first bytes pushed and then delegates to the WAV
 * parser or the matching wasm decoder. Unknown formats, and empty input at `end()`, are AudioInputErrors.
 * @example
 * const dec = createAudioDecoder({ source: 'talk.mp3' });
 * const out = [...(await dec.push(bytes)), ...(await dec.end())];
 * console.log(dec.format, dec.sampleRate, out.reduce((n, c) => n + c.length, 0));
 */
export function createAudioDecoder(options: DecoderOptions = {}): AudioDecoder {
  return new SniffingDecoder(options);
}

/**
 * Create the decoder for an already detected format.
 * @example
 * const fmt = detectAudioFormat(head, { final: true })!;
 * const dec = await createDecoderFor(fmt, { source: 'talk.ogg' });
 */
export async function createDecoderFor(format: DetectedFormat, options: DecoderOptions = {}): Promise<AudioDecoder> {
  if (format.kind === 'wav') return new WavDecoder(options);
  const codec = await LOAD_CODEC[format.kind]();
  await codec.ready;
  return new WasmCodecDecoder(format, codec, options);
}

/** The wasm decoder of each compressed format, loaded on first use. */
const LOAD_CODEC: Record<Exclude<DetectedFormat['kind'], 'wav'>, () => Promise<WasmCodec & { ready: Promise<void> }>> = {
  flac: async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder(),
  'ogg-flac': async () => new (await import('@wasm-audio-decoders/flac')).FLACDecoder(),
  'ogg-vorbis': async () => new (await import('@wasm-audio-decoders/ogg-vorbis')).OggVorbisDecoder(),
  'ogg-opus': async () => new (await import('ogg-opus-decoder')).OggOpusDecoder(),
  mp3: async () => new (await import('mpg123-decoder')).MPEGDecoder(),
};

class SniffingDecoder implements AudioDecoder {
  private inner: AudioDecoder | undefined;
  private head = new Uint8Array(0);
  private readonly source: string;
  private readonly sink: WarningSink;

  constructor(private readonly options: DecoderOptions) {
    this.source = options.source ?? '<bytes>';
    this.sink = new WarningSink(options.onWarning);
  }

  get format(): string {
    return this.inner?.format ?? 'unknown (no bytes read yet)';
  }
  get sampleRate(): number | undefined {
    return this.inner?.sampleRate;
  }
  get channels(): number | undefined {
    return this.inner?.channels;
  }
  get samplesDecoded(): number {
    return this.inner?.samplesDecoded ?? 0;
  }
  get warnings(): readonly string[] {
    return this.inner?.warnings ?? this.sink.list;
  }

  async push(bytes: Uint8Array): Promise<Float32Array[]> {
    if (this.inner) return this.inner.push(bytes);
    const head = new Uint8Array(this.head.length + bytes.length);
    head.set(this.head);
    head.set(bytes, this.head.length);
    this.head = head;
    const format = detectAudioFormat(head, { source: this.source });
    if (!format) return [];
    this.inner = await createDecoderFor(format, this.options);
    this.head = new Uint8Array(0);
    return this.inner.push(head);
  }

  async end(): Promise<Float32Array[]> {
    if (!this.inner) {
      if (this.head.length === 0) throw new AudioInputError(this.source, 'input is empty (0 bytes)');
      const format = detectAudioFormat(this.head, { source: this.source, final: true })!;
      this.inner = await createDecoderFor(format, this.options);
      const first = await this.inner.push(this.head);
      return [...first, ...(await this.inner.end())];
    }
    return this.inner.end();
  }

  free(): void {
    this.inner?.free();
  }
}

interface DecodedAudio {
  channelData: Float32Array[];
  samplesDecoded: number;
  sampleRate: number;
  bitDepth?: number;
  errors: { message: string; frameNumber: number; inputBytes: number }[];
}

/** The shape shared by eshaz's decoders (FLACDecoder, OggVorbisDecoder, OggOpusDecoder, MPEGDecoder). */
interface WasmCodec {
  decode(bytes: Uint8Array): DecodedAudio | Promise<DecodedAudio>;
  flush?: () => Promise<DecodedAudio>;
  free(): void | Promise<void>;
}

const CODEC_NAMES: Record<DetectedFormat['kind'], string> = {
  wav: 'WAV',
  flac: 'FLAC',
  'ogg-flac': 'Ogg FLAC',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
  mp3: 'MP3',
};

/** Longest Opus frame (120 ms at 48 kHz): how far past the pre-skip the end trim may reach. */
const OPUS_MAX_FRAME = 5760;
/** Longest Vorbis block: bounds how far a Vorbis stream can overshoot its last granule. */
const VORBIS_MAX_BLOCK = 8192;

class WasmCodecDecoder implements AudioDecoder {
  private readonly source: string;
  private readonly sink: WarningSink;
  private readonly name: string;
  private readonly allowTruncated: boolean;
  private rate: number | undefined;
  private nch: number | undefined;
  private delivered = 0;
  private decodedCount = 0;
  private decodeErrors = 0;
  private firstError: string | undefined;
  private freed = false;
  private ended = false;
  private readonly ogg: OggPageTracker | undefined;
  /** Ogg Vorbis/Opus: the newest samples, held back until `end()` can trim them to the granule length. */
  private held: Float32Array[] = [];
  private heldLen = 0;
  private readonly holdBack: number;
  /** MP3: input offset, and where the first frame header may start (after an ID3v2 tag). */
  private inputOffset = 0;
  private mp3FramesFrom = 0;

  constructor(
    private readonly detected: DetectedFormat,
    private readonly codec: WasmCodec,
    options: DecoderOptions,
  ) {
    this.source = options.source ?? '<bytes>';
    this.sink = new WarningSink(options.onWarning);
    this.allowTruncated = options.allowTruncated ?? false;
    this.name = CODEC_NAMES[detected.kind];
    if (detected.kind === 'ogg-vorbis') {
      this.rate = detected.sampleRate;
      this.nch = detected.channels;
    } else if (detected.kind === 'ogg-opus') {
      this.rate = 48000;
      this.nch = detected.channels;
    } else if (detected.kind === 'flac') {
      this.rate = detected.sampleRate;
      this.nch = detected.channels;
    }
    const isOgg = detected.kind.startsWith('ogg-');
    this.ogg = isOgg ? new OggPageTracker() : undefined;
    this.holdBack = detected.kind === 'ogg-opus' ? detected.preSkip + OPUS_MAX_FRAME : detected.kind === 'ogg-vorbis' ? VORBIS_MAX_BLOCK : 0;
  }

  get format(): string {
    const details = [this.nch !== undefined ? `${this.nch} ch` : '', this.rate !== undefined ? `${this.rate} Hz` : ''].filter(Boolean);
    return details.length ? `${this.name}, ${details.join(', ')}` : this.name;
  }
  get sampleRate(): number | undefined {
    return this.rate;
  }
  get channels(): number | undefined {
    return this.nch;
  }
  get samplesDecoded(): number {
    return this.delivered;
  }
  get warnings(): readonly string[] {
    return this.sink.list;
  }

  async push(bytes: Uint8Array): Promise<Float32Array[]> {
    if (this.ended) throw new AudioInputError(this.source, `${this.name} decoder: push() called after end()`);
    this.ogg?.push(bytes);
    if (this.detected.kind === 'mp3' && this.nch === undefined) this.sniffMp3Channels(bytes);
    this.inputOffset += bytes.length;
    return this.accept(await this.run(() => this.codec.decode(bytes)));
  }

  async end(): Promise<Float32Array[]> {
    if (this.ended) return [];
    this.ended = true;
    try {
      const flush = this.codec.flush;
      const out = flush ? this.accept(await this.run(() => flush.call(this.codec))) : [];
      out.push(...this.releaseHeld());
      this.checkComplete();
      return out;
    } finally {
      this.free();
    }
  }

  free(): void {
    if (this.freed) return;
    this.freed = true;
    try {
      void this.codec.free();
    } catch {
      /* already released */
    }
  }

  /** mpg123-decoder always returns two channels; read the channel mode from the first frame header. */
  private sniffMp3Channels(bytes: Uint8Array): void {
    const base = this.inputOffset;
    if (base === 0 && bytes.length >= 10 && ascii(bytes, 0, 3) === 'ID3') {
      const size = ((bytes[6]! & 0x7f) << 21) | ((bytes[7]! & 0x7f) << 14) | ((bytes[8]! & 0x7f) << 7) | (bytes[9]! & 0x7f);
      this.mp3FramesFrom = 10 + size + (bytes[5]! & 0x10 ? 10 : 0);
    }
    for (let i = Math.max(0, this.mp3FramesFrom - base); i + 4 <= bytes.length; i++) {
      if (bytes[i] === 0xff && (bytes[i + 1]! & 0xe0) === 0xe0 && ((bytes[i + 1]! >> 3) & 3) !== 1 && ((bytes[i + 1]! >> 1) & 3) !== 0 &&
        bytes[i + 2]! >> 4 !== 15 && ((bytes[i + 2]! >> 2) & 3) !== 3) {
        this.nch = bytes[i + 3]! >> 6 === 3 ? 1 : 2;
        return;
      }
    }
  }

  private async run(step: () => DecodedAudio | Promise<DecodedAudio>): Promise<DecodedAudio> {
    try {
      return await withoutLibraryNoise(step);
    } catch (e) {
      this.free();
      if (e instanceof AudioInputError) throw e;
      throw new AudioInputError(this.source, `${this.name} decoder failed: ${describeError(e)}`, { cause: e });
    }
  }

  private accept(r: DecodedAudio): Float32Array[] {
    // Damaged frames are counted here and reported once, at the end (checkComplete), like a truncated file.
    for (const e of r.errors) {
      this.decodeErrors++;
      this.firstError ??= `${this.name} decode error at frame ${e.frameNumber} (input byte ${e.inputBytes}): ${e.message}`;
    }
    const n = r.samplesDecoded;
    if (n === 0) return [];
    if (this.rate === undefined) this.rate = r.sampleRate;
    else if (r.sampleRate !== this.rate) {
      throw new AudioInputError(this.source, `${this.name} sample rate changes mid-stream from ${this.rate} Hz to ${r.sampleRate} Hz (at sample ${this.decodedCount}); split the file where it changes`);
    }
    this.nch ??= r.channelData.length;
    if (this.detected.kind === 'flac' || this.detected.kind === 'ogg-flac') {
      for (const ch of r.channelData) rescaleFlac(ch, n, r.bitDepth);
    }
    const mono = mixToMono(r.channelData, n);
    assertFiniteSamples(mono, this.source, this.decodedCount, this.rate);
    this.decodedCount += n;
    if (this.holdBack === 0) {
      this.delivered += n;
      return [mono];
    }
    this.held.push(mono);
    this.heldLen += n;
    const out: Float32Array[] = [];
    while (this.held.length > 0 && this.heldLen - this.held[0]!.length >= this.holdBack) {
      const c = this.held.shift()!;
      this.heldLen -= c.length;
      this.delivered += c.length;
      out.push(c);
    }
    return out;
  }

  /**
   * Ogg Vorbis/Opus: deliver the held-back tail, cut so the total is what the last granule position
   * says (granule − pre-skip for Opus). Not cut when the stream is chained, truncated mid-page, or
   * its granules are inconsistent with the decoded length (more excess than was held back).
   */
  private releaseHeld(): Float32Array[] {
    const d = this.detected;
    const t = this.ogg;
    let excess = 0;
    if (t && t.valid && !t.midPage && t.streamsStarted <= 1 && t.lastGranule >= 0) {
      const length = d.kind === 'ogg-opus' ? t.lastGranule - d.preSkip : t.lastGranule;
      const e = this.delivered + this.heldLen - length;
      if (e > 0 && e <= this.heldLen) excess = e;
    }
    let keep = this.heldLen - excess;
    const out: Float32Array[] = [];
    for (const c of this.held) {
      if (keep <= 0) break;
      const part = c.length <= keep ? c : c.subarray(0, keep);
      keep -= part.length;
      this.delivered += part.length;
      out.push(part);
    }
    this.held = [];
    this.heldLen = 0;
    return out;
  }

  private checkComplete(): void {
    if (this.delivered === 0) {
      const why = this.firstError ? ` (${this.firstError})` : '';
      throw new AudioInputError(this.source, `contains no audio samples: no ${this.name} audio could be decoded${why}`);
    }
    if (this.decodeErrors > 0) {
      const msg = `damaged ${this.name}: ${this.decodeErrors} frame${this.decodeErrors > 1 ? 's' : ''} could not be decoded (first: ${this.firstError})`;
      if (!this.allowTruncated) {
        throw new AudioInputError(this.source, `${msg}; the file is corrupt — re-create it, or set the allowTruncated option to decode the frames that are intact`);
      }
      this.sink.warn(`${msg}; those frames were skipped`);
    }
    const d = this.detected;
    if (d.kind === 'flac' && d.totalSamples !== undefined && this.delivered < d.totalSamples) {
      const rate = this.rate ?? 1;
      const msg = `truncated FLAC: STREAMINFO declares ${d.totalSamples} samples (${(d.totalSamples / rate).toFixed(2)} s) but only ${this.delivered} (${(this.delivered / rate).toFixed(2)} s) could be decoded`;
      if (!this.allowTruncated) {
        throw new AudioInputError(this.source, `${msg}; the file was cut short — re-create it, or set the allowTruncated option to decode the part that is present`);
      }
      this.sink.warn(msg);
    }
    const t = this.ogg;
    if (t && t.valid && t.midPage) {
      const msg = `truncated ${this.name}: the stream ends inside an Ogg page, after ${this.delivered} samples (${(this.delivered / (this.rate ?? 1)).toFixed(2)} s)`;
      if (!this.allowTruncated) {
        throw new AudioInputError(this.source, `${msg}; the file was cut short — re-create it, or set the allowTruncated option to decode the part that is present`);
      }
      this.sink.warn(msg);
    } else if (t && t.valid && t.pages > 0 && !t.sawEndOfStream) {
      this.sink.warn(`${this.name} stream ends without an end-of-stream page; the recording may have been stopped abruptly`);
    }
  }
}

/**
 * What the wasm decoders print with console.error about a frame they also return in `errors` (which
 * checkComplete reports, once, naming the file): these lines are dropped while a decoder runs; any
 * other console.error output passes.
 */
const LIBRARY_NOISE = /^(libopus -?\d+ |mpg123-decoder: |@wasm-audio-decoders\/flac: )/;
let quietDepth = 0;
let realConsoleError: typeof console.error | undefined;

async function withoutLibraryNoise<T>(step: () => T | Promise<T>): Promise<T> {
  if (quietDepth++ === 0) {
    const real = console.error;
    realConsoleError = real;
    console.error = (...args: unknown[]): void => {
      if (typeof args[0] === 'string' && LIBRARY_NOISE.test(args[0])) return;
      real.apply(console, args);
    };
  }
  try {
    return await step();
  } finally {
    if (--quietDepth === 0 && realConsoleError) {
      console.error = realConsoleError;
      realConsoleError = undefined;
    }
  }
}

/** eshaz's FLAC decoder divides n-bit codes by 2^(n−1)−1: recover each code and divide by 2^(n−1), in place. */
function rescaleFlac(x: Float32Array, length: number, bitDepth: number | undefined): void {
  if (!bitDepth || bitDepth < 2 || bitDepth > 32) return;
  const full = 2 ** (bitDepth - 1);
  if (bitDepth <= 24) {
    for (let i = 0; i < length; i++) x[i] = Math.round(x[i]! * (full - 1)) / full;
  } else {
    const k = (full - 1) / full;
    for (let i = 0; i < length; i++) x[i] = x[i]! * k;
  }
}
