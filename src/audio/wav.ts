/**
 * Incremental WAV (RIFF/WAVE, RF64) parser: push byte chunks of any size, get mono float chunks.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 *
 * Reads PCM integer 8-bit (unsigned) / 16 / 24 / 32-bit, IEEE float 32 / 64-bit, G.711 A-law and
 * µ-law, plain or WAVE_FORMAT_EXTENSIBLE (the sub-format GUID decides), any channel count (averaged
 * to mono) and any sample rate. Unknown chunks (LIST, fact, cue, bext...) are skipped without being
 * held in memory, honouring the pad byte after odd-sized chunks. At most one header chunk or one
 * partial sample frame is retained between pushes ({@link WavDecoder.retainedBytes}).
 *
 * Data-size policy:
 * - A data size of 0xFFFFFFFF, or one of 0x7FFF0000 or more that runs past the end of the input
 *   (the placeholder `arecord`, `sox` and `ffmpeg` write when their output is a pipe), means
 *   "audio runs to the end of the input": everything up to EOF is decoded, no warning.
 * - Any other data size larger than what the input holds is a truncated file: an
 *   {@link AudioInputError} "truncated WAV: data chunk declares N bytes ... file holds only M"
 *   (thrown as soon as the header is read when {@link DecoderOptions.totalBytes} is known, otherwise
 *   from `end()`, after the samples that were present have been delivered). With
 *   {@link DecoderOptions.allowTruncated} the present samples are kept and a warning is issued.
 */
import { AudioInputError, UsageError } from '../core/errors.js';
import { InterleavedFrameDecoder, describeBytes, type SampleEncoding } from './samples.js';
import { SyncAudioDecoder, WarningSink, type AudioDecoder, type DecoderOptions } from './types.js';

/**
 * The parsed fmt chunk.
 * @example
 * const dec = new WavDecoder(); dec.pushSync(bytes);
 * if (dec.wavFormat) console.log(dec.wavFormat.encoding, dec.wavFormat.channels);
 */
export interface WavFormat {
  /** Effective format tag (the sub-format of an extensible header): 1 PCM, 3 float, 6 A-law, 7 µ-law. */
  formatTag: number;
  /** Whether the header was WAVE_FORMAT_EXTENSIBLE (0xFFFE). */
  extensible: boolean;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Bytes per interleaved frame. */
  blockAlign: number;
  encoding: SampleEncoding;
}

/** Data sizes at or above this are treated as a streaming placeholder when they run past the input. */
const PLACEHOLDER_MIN = 0x7fff0000;
/** Header chunks (fmt, ds64) larger than this are rejected rather than buffered. */
const MAX_HEADER_CHUNK = 1 << 16;

const SUBFORMAT_GUID_TAIL = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];

const FORMAT_TAG_NAMES: Record<number, string> = {
  0x0000: 'unknown (0)',
  0x0001: 'PCM',
  0x0002: 'Microsoft ADPCM',
  0x0003: 'IEEE float',
  0x0006: 'A-law',
  0x0007: 'µ-law',
  0x0010: 'OKI ADPCM',
  0x0011: 'IMA ADPCM',
  0x0017: 'Dialogic OKI ADPCM',
  0x0020: 'Yamaha ADPCM',
  0x0022: 'DSP Group TrueSpeech',
  0x0031: 'GSM 6.10',
  0x0040: 'G.721 ADPCM',
  0x0045: 'G.726 ADPCM',
  0x0050: 'MPEG audio',
  0x0055: 'MPEG Layer 3 (MP3)',
  0x0064: 'G.726 ADPCM',
  0x0065: 'G.722 ADPCM',
  0x0092: 'Dolby AC-3 SPDIF',
  0x00ff: 'AAC',
  0x0161: 'Windows Media Audio',
  0x0162: 'Windows Media Audio Pro',
  0x0163: 'Windows Media Audio Lossless',
  0x1610: 'HE-AAC',
  0x2000: 'AC-3',
  0x2001: 'DTS',
  0xf1ac: 'FLAC',
  0xfffe: 'extensible',
};

/**
 * Human name of a WAV format tag, for messages.
 * @example
 * wavFormatTagName(0x11); // 'IMA ADPCM'
 */
export function wavFormatTagName(tag: number): string {
  return FORMAT_TAG_NAMES[tag] ?? 'unregistered';
}

const hex4 = (n: number) => `0x${n.toString(16).padStart(4, '0')}`;
const fourcc = (b: Uint8Array, at: number) => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);
const u16 = (b: Uint8Array, at: number) => b[at]! | (b[at + 1]! << 8);
const u32 = (b: Uint8Array, at: number) => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;

type State = 'riff' | 'chunk-header' | 'chunk-body' | 'skip' | 'data' | 'ended';

/**
 * Streaming WAV decoder. Use `push`/`end` (the {@link AudioDecoder} contract) or their synchronous
 * twins `pushSync`/`endSync`. See the module comment for the truncation policy.
 * @example
 * const wav = new WavDecoder({ source: 'talk.wav' });
 * const chunks = [...wav.pushSync(firstBytes), ...wav.pushSync(moreBytes), ...wav.endSync()];
 * console.log(wav.sampleRate, wav.format); // 16000 'WAV PCM 16-bit, 1 ch, 16000 Hz'
 */
export class WavDecoder extends SyncAudioDecoder implements AudioDecoder {
  private readonly source: string;
  private readonly sink: WarningSink;
  private readonly totalBytes: number | undefined;
  private readonly allowTruncated: boolean;

  private state: State = 'riff';
  /** Absolute input offset of the next byte. */
  private offset = 0;
  private head = new Uint8Array(12);
  private headLen = 0;
  private chunkId = '';
  private chunkSize = 0;
  private chunkStart = 0;
  private skipRemaining = 0;
  private rf64 = false;
  private ds64DataSize: number | undefined;
  private fmt: WavFormat | undefined;
  private frames: InterleavedFrameDecoder | undefined;
  private dataStart = -1;
  private dataDeclared = 0;
  private dataRemaining = 0;
  private dataToEof = false;
  private dataDone = false;
  private truncationReported = false;
  private skippingPad = false;

  constructor(options: DecoderOptions = {}) {
    super();
    this.source = options.source ?? '<bytes>';
    this.sink = new WarningSink(options.onWarning);
    this.totalBytes = options.totalBytes;
    this.allowTruncated = options.allowTruncated ?? false;
  }

  /** The parsed fmt chunk, once seen. */
  get wavFormat(): WavFormat | undefined {
    return this.fmt;
  }
  get sampleRate(): number | undefined {
    return this.fmt?.sampleRate;
  }
  get channels(): number | undefined {
    return this.fmt?.channels;
  }
  get samplesDecoded(): number {
    return this.frames?.framesDecoded ?? 0;
  }
  get warnings(): readonly string[] {
    return this.sink.list;
  }
  get format(): string {
    const f = this.fmt;
    const kind = this.rf64 ? 'RF64' : 'WAV';
    if (!f) return kind;
    const enc = f.formatTag === 1 ? 'PCM' : wavFormatTagName(f.formatTag);
    const bits = f.encoding === 'alaw' || f.encoding === 'mulaw' ? '' : ` ${f.bitsPerSample}-bit`;
    return `${kind} ${enc}${bits}${f.extensible ? ' (extensible)' : ''}, ${f.channels} ch, ${f.sampleRate} Hz`;
  }
  /**
   * Input bytes held between pushes (a header chunk being assembled or a partial sample frame).
   * Bounded by the largest header chunk (64 KiB) or one frame; independent of the stream length.
   */
  get retainedBytes(): number {
    return this.head.length + (this.frames?.pendingBytes ?? 0);
  }

  /** Synchronous {@link WavDecoder.push}. */
  pushSync(bytes: Uint8Array): Float32Array[] {
    if (this.state === 'ended') throw new UsageError(`${this.source}: WavDecoder.push() called after end()`);
    const out: Float32Array[] = [];
    const n = bytes.length;
    let pos = 0;
    while (pos < n) {
      switch (this.state) {
        case 'riff':
        case 'chunk-header':
        case 'chunk-body': {
          const take = Math.min(this.head.length - this.headLen, n - pos);
          this.head.set(bytes.subarray(pos, pos + take), this.headLen);
          this.headLen += take;
          pos += take;
          this.offset += take;
          if (this.headLen === this.head.length) this.onHeadComplete();
          break;
        }
        case 'skip': {
          const take = Math.min(this.skipRemaining, n - pos);
          pos += take;
          this.offset += take;
          this.skipRemaining -= take;
          if (this.skipRemaining === 0) this.expectChunkHeader();
          break;
        }
        case 'data': {
          const take = Math.min(this.dataRemaining, n - pos);
          const samples = this.frames!.decode(bytes, pos, pos + take);
          if (samples) out.push(samples);
          pos += take;
          this.offset += take;
          this.dataRemaining -= take;
          if (this.dataRemaining === 0) this.finishData();
          break;
        }
        default:
          pos = n;
          break;
      }
    }
    return out;
  }

  /** Synchronous {@link WavDecoder.end}. */
  endSync(): Float32Array[] {
    if (this.state === 'ended') return [];
    const state = this.state;
    this.state = 'ended';
    if (!this.dataDone) {
      if (state === 'data') this.endInsideData();
      else this.endBeforeData(state);
    } else if (state === 'chunk-header' && this.headLen > 0) {
      this.sink.warn(`${this.headLen} stray byte(s) after the last chunk ignored`);
    } else if (state === 'chunk-body' || (state === 'skip' && !this.skippingPad)) {
      this.sink.warn(`trailing "${this.chunkId}" chunk after the audio is truncated; ignored`);
    }
    if (this.samplesDecoded === 0) {
      throw new AudioInputError(this.source, `contains no audio samples: the WAV data chunk is empty${this.dataDeclared > 0 ? ` (it declares ${this.dataDeclared} bytes, less than one ${this.fmt!.blockAlign}-byte frame)` : ''}`);
    }
    return [];
  }

  private endInsideData(): void {
    const present = this.offset - this.dataStart;
    if (!this.dataToEof && this.dataRemaining > 0) {
      if (!this.allowTruncated) throw this.truncatedError(this.dataDeclared, present);
      if (!this.truncationReported) this.sink.warn(this.truncatedMessage(this.dataDeclared, present) + '; decoded the part that is present');
    }
    const stray = this.frames!.dropPending();
    if (stray > 0) this.sink.warn(`audio ends inside a sample frame: ${stray} stray byte(s) of a ${this.fmt!.blockAlign}-byte frame ignored`);
    this.dataDone = true;
  }

  private endBeforeData(state: State): never {
    if (this.offset === 0) throw new AudioInputError(this.source, 'input is empty (0 bytes)');
    if (state === 'riff') {
      const got = this.head.subarray(0, this.headLen);
      if (!isPrefixOf(got, 'RIFF') && !isPrefixOf(got, 'RF64')) this.checkMagic(got);
      throw new AudioInputError(this.source, `truncated WAV header: input ends after ${this.offset} bytes (a WAV header needs at least 44)`);
    }
    if (state === 'chunk-header' && this.headLen === 0) {
      if (!this.fmt) throw new AudioInputError(this.source, `missing fmt chunk: reached the end of the input after ${this.offset} bytes without a fmt or data chunk; this is not a complete WAV file`);
      throw new AudioInputError(this.source, `contains no audio samples: the WAV has a fmt chunk but no data chunk (input ends after ${this.offset} bytes)`);
    }
    const where = state === 'chunk-header' ? 'inside a chunk header' : `inside the "${this.chunkId}" chunk (${this.chunkSize} bytes declared at byte ${this.chunkStart})`;
    throw new AudioInputError(this.source, `truncated WAV header: input ends after ${this.offset} bytes, ${where}, before any audio data`);
  }

  private expectChunkHeader(): void {
    this.state = 'chunk-header';
    this.head = this.head.length === 8 ? this.head : new Uint8Array(8);
    this.headLen = 0;
  }

  /** Skip `n` bytes; `padOnly` when they are just the pad byte after an odd-sized chunk. */
  private skip(n: number, padOnly = false): void {
    this.skippingPad = padOnly;
    if (n === 0) this.expectChunkHeader();
    else {
      this.state = 'skip';
      this.skipRemaining = n;
    }
  }

  private onHeadComplete(): void {
    const h = this.head;
    switch (this.state) {
      case 'riff':
        this.checkMagic(h);
        this.rf64 = fourcc(h, 0) === 'RF64';
        this.expectChunkHeader();
        return;
      case 'chunk-header':
        this.chunkId = fourcc(h, 0);
        this.chunkSize = u32(h, 4);
        this.chunkStart = this.offset - 8;
        this.onChunkHeader();
        return;
      case 'chunk-body':
        if (this.chunkId === 'fmt ') this.fmt = this.parseFmt(h);
        else if (this.chunkId === 'ds64') this.ds64DataSize = u32(h, 8) + u32(h, 12) * 2 ** 32;
        this.skip(this.chunkSize & 1, true);
        return;
      default:
        return;
    }
  }

  private onChunkHeader(): void {
    const id = this.chunkId;
    const size = this.chunkSize;
    const pad = size & 1;
    if (this.dataDone) {
      if (id === 'data') this.sink.warn(`a second data chunk at byte ${this.chunkStart} is ignored`);
      this.skip(size + pad);
      return;
    }
    if (id === 'fmt ' || id === 'ds64') {
      if (id === 'fmt ' && this.fmt) {
        this.sink.warn(`a second fmt chunk at byte ${this.chunkStart} is ignored`);
        this.skip(size + pad);
        return;
      }
      const min = id === 'fmt ' ? 16 : 28;
      if (size < min) throw new AudioInputError(this.source, `corrupt WAV: the ${id.trim()} chunk is ${size} bytes, it needs at least ${min}`);
      if (size > MAX_HEADER_CHUNK) throw new AudioInputError(this.source, `corrupt WAV: the ${id.trim()} chunk declares ${size} bytes (at most ${MAX_HEADER_CHUNK} expected)`);
      this.state = 'chunk-body';
      this.head = new Uint8Array(size);
      this.headLen = 0;
      return;
    }
    if (id === 'data') {
      this.enterData(size);
      return;
    }
    this.skip(size + pad);
  }

  private enterData(size: number): void {
    const fmt = this.fmt;
    if (!fmt) {
      throw new AudioInputError(this.source, `missing fmt chunk: the data chunk at byte ${this.chunkStart} comes before any fmt chunk, so the sample format is unknown`);
    }
    this.dataStart = this.offset;
    const available = this.totalBytes === undefined ? undefined : this.totalBytes - this.dataStart;
    let declared = size;
    let toEof = false;
    if (this.rf64 && size === 0xffffffff && this.ds64DataSize !== undefined) declared = this.ds64DataSize;
    else if (size === 0xffffffff) toEof = true;
    else if (size >= PLACEHOLDER_MIN && (available === undefined || size > available)) toEof = true;
    this.dataDeclared = toEof ? 0 : declared;
    this.dataToEof = toEof;
    this.dataRemaining = toEof ? Infinity : declared;
    this.frames = new InterleavedFrameDecoder(fmt.encoding, fmt.channels, fmt.sampleRate, this.source);
    this.state = 'data';
    if (!toEof && available !== undefined && declared > available) {
      if (!this.allowTruncated) throw this.truncatedError(declared, available);
      this.sink.warn(this.truncatedMessage(declared, available) + '; decoding the part that is present');
      this.truncationReported = true;
    }
    if (this.dataRemaining === 0) this.finishData();
  }

  private finishData(): void {
    this.dataDone = true;
    const stray = this.frames!.dropPending();
    if (stray > 0) {
      this.sink.warn(`data chunk size ${this.dataDeclared} is not a whole number of ${this.fmt!.blockAlign}-byte frames; the last ${stray} byte(s) are ignored`);
    }
    this.skip(this.dataDeclared & 1, true);
  }

  private truncatedMessage(declared: number, present: number): string {
    const fmt = this.fmt!;
    const secs = (bytes: number) => (bytes / fmt.blockAlign / fmt.sampleRate).toFixed(2);
    return `truncated WAV: data chunk declares ${declared} bytes (${secs(declared)} s of audio) but the file holds only ${present} (${secs(present)} s)`;
  }

  private truncatedError(declared: number, present: number): AudioInputError {
    return new AudioInputError(
      this.source,
      `${this.truncatedMessage(declared, present)}; the file was cut short (interrupted recording, download or copy) — re-create it, or set the allowTruncated option to decode the part that is present`,
    );
  }

  private checkMagic(h: Uint8Array): void {
    const magic = h.length >= 4 ? fourcc(h, 0) : '';
    if (magic === 'RIFX' || magic === 'RIFF' || magic === 'RF64') {
      if (magic === 'RIFX') {
        throw new AudioInputError(this.source, 'big-endian WAV (RIFX) is not supported; convert it, e.g. `sox in.wav -L out.wav`');
      }
      if (h.length >= 12 && fourcc(h, 8) !== 'WAVE') {
        throw new AudioInputError(this.source, `not a WAV file: a RIFF file of type "${fourcc(h, 8)}" (WAVE expected)`);
      }
      return;
    }
    throw new AudioInputError(this.source, `not a WAV file: starts with ${describeBytes(h)}, expected "RIFF....WAVE"`);
  }

  private parseFmt(b: Uint8Array): WavFormat {
    let tag = u16(b, 0);
    const channels = u16(b, 2);
    const sampleRate = u32(b, 4);
    const blockAlign = u16(b, 12);
    const bitsPerSample = u16(b, 14);
    const extensible = tag === 0xfffe;
    const bad = (why: string) => new AudioInputError(this.source, `corrupt WAV fmt chunk: ${why}`);
    if (extensible) {
      if (b.length < 40) throw bad(`WAVE_FORMAT_EXTENSIBLE header is ${b.length} bytes, needs 40`);
      if (u16(b, 16) < 22) throw bad(`WAVE_FORMAT_EXTENSIBLE extension size (cbSize) is ${u16(b, 16)}, needs 22`);
      tag = u16(b, 24);
      const tail = b.subarray(26, 40);
      if (!SUBFORMAT_GUID_TAIL.every((x, i) => tail[i] === x)) {
        const guid = Array.from(b.subarray(24, 40), (x) => x.toString(16).padStart(2, '0')).join('');
        throw new AudioInputError(this.source, `unsupported WAV encoding: WAVE_FORMAT_EXTENSIBLE sub-format GUID ${guid} is not a standard KSDATAFORMAT; earshot reads PCM and IEEE float`);
      }
    }
    if (channels === 0) throw bad('it declares 0 channels');
    if (sampleRate === 0) throw bad('it declares a sample rate of 0 Hz');
    const container = Math.ceil(bitsPerSample / 8);
    let encoding: SampleEncoding;
    const unsupportedDepth = (what: string) =>
      new AudioInputError(this.source, `unsupported WAV encoding: ${what} with ${bitsPerSample} bits per sample`);
    switch (tag) {
      case 1:
        if (bitsPerSample === 0 || container > 4) throw unsupportedDepth('PCM');
        encoding = (['u8', 's16', 's24', 's32'] as const)[container - 1]!;
        break;
      case 3:
        if (bitsPerSample === 32) encoding = 'f32';
        else if (bitsPerSample === 64) encoding = 'f64';
        else throw unsupportedDepth('IEEE float (32 or 64 expected)');
        break;
      case 6:
      case 7:
        if (bitsPerSample !== 8) throw unsupportedDepth(`${wavFormatTagName(tag)} (8 expected)`);
        encoding = tag === 6 ? 'alaw' : 'mulaw';
        break;
      default:
        throw new AudioInputError(
          this.source,
          `unsupported WAV encoding: format tag ${hex4(tag)} (${wavFormatTagName(tag)}); earshot reads PCM (8/16/24/32-bit), IEEE float (32/64-bit), A-law and µ-law — convert it, e.g. \`sox in.wav -e signed-integer -b 16 out.wav\``,
        );
    }
    const expectAlign = channels * container;
    if (blockAlign !== expectAlign) {
      throw bad(`block align is ${blockAlign} bytes but ${channels} channel(s) × ${container} byte(s) = ${expectAlign}`);
    }
    return { formatTag: tag, extensible, channels, sampleRate, bitsPerSample, blockAlign, encoding };
  }
}

function isPrefixOf(got: Uint8Array, magic: string): boolean {
  for (let i = 0; i < got.length && i < magic.length; i++) if (got[i] !== magic.charCodeAt(i)) return false;
  return true;
}
