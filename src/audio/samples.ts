/**
 * Sample encodings shared by the WAV parser and the raw PCM decoder, the interleaved-frame
 * decoder that turns their bytes into mono float samples, and small helpers on sample arrays.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 */
import { AudioInputError } from '../core/errors.js';

/**
 * How one sample is stored.
 * `u8` is unsigned 8-bit (128 = silence); `s16`/`s24`/`s32` are little-endian two's complement;
 * `f32`/`f64` little-endian IEEE float; `alaw`/`mulaw` are 8-bit G.711 companded.
 * @example
 * const enc: SampleEncoding = 's16';
 */
export type SampleEncoding = 'u8' | 's16' | 's24' | 's32' | 'f32' | 'f64' | 'alaw' | 'mulaw';

/**
 * Bytes one sample of `encoding` occupies.
 * @example
 * bytesPerSample('s24'); // 3
 */
export function bytesPerSample(encoding: SampleEncoding): number {
  switch (encoding) {
    case 'u8':
    case 'alaw':
    case 'mulaw':
      return 1;
    case 's16':
      return 2;
    case 's24':
      return 3;
    case 's32':
    case 'f32':
      return 4;
    case 'f64':
      return 8;
  }
}

const ALAW = buildG711Table(false);
const MULAW = buildG711Table(true);

/** G.711 expansion tables (ITU-T G.711, as in Sun's g711.c), scaled to [-1, 1). */
function buildG711Table(mu: boolean): Float32Array {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    let v: number;
    if (mu) {
      const u = ~i & 0xff;
      const exp = (u >> 4) & 7;
      const mant = u & 0x0f;
      const mag = (((mant << 3) + 0x84) << exp) - 0x84;
      v = u & 0x80 ? -mag : mag;
    } else {
      const a = i ^ 0x55;
      const exp = (a >> 4) & 7;
      const mant = a & 0x0f;
      let mag = (mant << 4) + 8;
      if (exp !== 0) mag = (mag + 0x100) << (exp - 1);
      v = a & 0x80 ? mag : -mag;
    }
    t[i] = v / 32768;
  }
  return t;
}

/**
 * Error for a NaN or infinite sample, naming where it is.
 * @example
 * throw nonFiniteSampleError('talk.wav', NaN, 1234, 0, 2, 16000);
 */
export function nonFiniteSampleError(
  source: string,
  value: number,
  frame: number,
  channel: number,
  channels: number,
  sampleRate: number,
): AudioInputError {
  const what = Number.isNaN(value) ? 'NaN' : value > 0 ? '+Infinity' : '-Infinity';
  const where = channels > 1 ? ` (channel ${channel} of ${channels})` : '';
  const time = sampleRate > 0 ? `, at ${(frame / sampleRate).toFixed(4)} s` : '';
  return new AudioInputError(
    source,
    `sample ${frame}${where}${time} is ${what}; audio samples must be finite numbers — the file is corrupt or was written from a computation that diverged`,
  );
}

/**
 * Throw an {@link AudioInputError} naming the first NaN/±Infinity in `samples`.
 * `firstIndex` is the index of `samples[0]` in the whole stream, so the message points into the file.
 * @example
 * assertFiniteSamples(chunk, 'talk.opus', samplesSoFar, 48000);
 */
export function assertFiniteSamples(samples: Float32Array, source: string, firstIndex = 0, sampleRate = 0): void {
  for (let i = 0; i < samples.length; i++) {
    const v = samples[i]!;
    if (v - v !== 0) throw nonFiniteSampleError(source, v, firstIndex + i, 0, 1, sampleRate);
  }
}

/**
 * Average planar channels into one mono array (the first `length` samples of each).
 * A single channel is returned as a view, not copied.
 * @example
 * const mono = mixToMono([left, right], left.length);
 */
export function mixToMono(channels: readonly Float32Array[], length: number): Float32Array {
  if (channels.length === 1) return channels[0]!.subarray(0, length);
  const out = new Float32Array(length);
  if (channels.length === 0) return out;
  for (const ch of channels) for (let i = 0; i < length; i++) out[i] += ch[i]!;
  const k = 1 / channels.length;
  for (let i = 0; i < length; i++) out[i] *= k;
  return out;
}

/**
 * Concatenate sample chunks into one array.
 * @example
 * concatSamples([new Float32Array([1]), new Float32Array([2, 3])]); // Float32Array [1, 2, 3]
 */
export function concatSamples(chunks: readonly Float32Array[]): Float32Array {
  if (chunks.length === 1) return chunks[0]!;
  let n = 0;
  for (const c of chunks) n += c.length;
  const out = new Float32Array(n);
  let o = 0;
  for (const c of chunks) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}

/**
 * Render the first bytes of an input for an error message: hex plus printable ASCII.
 * @example
 * describeBytes(new TextEncoder().encode('FORM')); // '46 4f 52 4d ("FORM")'
 */
export function describeBytes(bytes: Uint8Array, max = 12): string {
  const head = bytes.subarray(0, max);
  const hex = Array.from(head, (b) => b.toString(16).padStart(2, '0')).join(' ');
  const ascii = Array.from(head, (b) => (b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('');
  return `${hex}${bytes.length > max ? ' …' : ''} ("${ascii}")`;
}

/** Whether typed arrays are little-endian here, as WAV and raw `le` samples are (every current platform). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Decodes interleaved frames of one encoding into mono float samples, carrying a partial frame
 * (fewer than `channels * bytesPerSample` bytes) from one call to the next. Retains at most one
 * frame of bytes, so memory does not grow with the stream. Float input is checked for NaN/±Infinity.
 * @example
 * const r = new InterleavedFrameDecoder('s16', 2, 44100, 'talk.raw');
 * const mono = r.decode(bytes, 0, bytes.length); // null when no whole frame was completed
 */
export class InterleavedFrameDecoder {
  /** Bytes per interleaved frame (all channels of one sample instant). */
  readonly frameBytes: number;
  /** Whole frames decoded so far. */
  framesDecoded = 0;
  private readonly carry: Uint8Array;
  private carryLen = 0;

  constructor(
    readonly encoding: SampleEncoding,
    readonly channels: number,
    readonly sampleRate: number,
    readonly source: string,
  ) {
    this.frameBytes = bytesPerSample(encoding) * channels;
    this.carry = new Uint8Array(this.frameBytes);
  }

  /** Bytes of an incomplete frame held until the next call. */
  get pendingBytes(): number {
    return this.carryLen;
  }

  /**
   * Decode `bytes[start, end)` plus any carried partial frame.
   * Returns the completed frames mixed to mono, or null when none was completed.
   */
  decode(bytes: Uint8Array, start: number, end: number): Float32Array | null {
    const fb = this.frameBytes;
    let pos = start;
    let fromCarry = 0;
    if (this.carryLen > 0) {
      const take = Math.min(fb - this.carryLen, end - pos);
      this.carry.set(bytes.subarray(pos, pos + take), this.carryLen);
      this.carryLen += take;
      pos += take;
      if (this.carryLen === fb) fromCarry = 1;
    }
    const bulk = Math.floor((end - pos) / fb);
    const n = fromCarry + bulk;
    let out: Float32Array | null = null;
    if (n > 0) {
      out = new Float32Array(n);
      if (fromCarry) {
        this.convert(this.carry, 0, 1, out, 0);
        this.carryLen = 0;
      }
      if (bulk > 0) this.convert(bytes, pos, bulk, out, fromCarry);
    }
    pos += bulk * fb;
    if (pos < end) {
      this.carry.set(bytes.subarray(pos, end), this.carryLen);
      this.carryLen += end - pos;
    }
    return out;
  }

  /** Forget a carried partial frame (returns how many bytes were dropped). */
  dropPending(): number {
    const n = this.carryLen;
    this.carryLen = 0;
    return n;
  }

  private convert(src: Uint8Array, offset: number, frames: number, out: Float32Array, outOffset: number): void {
    const ch = this.channels;
    const view = new DataView(src.buffer, src.byteOffset + offset, frames * this.frameBytes);
    const scale = 1 / ch;
    const firstFrame = this.framesDecoded;
    let p = 0;
    switch (this.encoding) {
      case 'u8':
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++) s += view.getUint8(p++) - 128;
          out[outOffset + f] = (s * scale) / 128;
        }
        break;
      case 's16':
        if (LITTLE_ENDIAN && (view.byteOffset & 1) === 0) {
          // The common case (16-bit WAV, an even offset): read the samples as an Int16Array, several times
          // faster than DataView calls on long stereo files; same arithmetic, same results.
          const v = new Int16Array(view.buffer, view.byteOffset, frames * ch);
          if (ch === 1) for (let f = 0; f < frames; f++) out[outOffset + f] = (v[f]! * scale) / 32768;
          else if (ch === 2) for (let f = 0; f < frames; f++) out[outOffset + f] = ((v[2 * f]! + v[2 * f + 1]!) * scale) / 32768;
          else {
            for (let f = 0, q = 0; f < frames; f++) {
              let s = 0;
              for (let c = 0; c < ch; c++) s += v[q++]!;
              out[outOffset + f] = (s * scale) / 32768;
            }
          }
          break;
        }
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++, p += 2) s += view.getInt16(p, true);
          out[outOffset + f] = (s * scale) / 32768;
        }
        break;
      case 's24':
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++, p += 3) {
            s += (view.getInt8(p + 2) << 16) | (view.getUint8(p + 1) << 8) | view.getUint8(p);
          }
          out[outOffset + f] = (s * scale) / 8388608;
        }
        break;
      case 's32':
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++, p += 4) s += view.getInt32(p, true);
          out[outOffset + f] = (s * scale) / 2147483648;
        }
        break;
      case 'f32':
      case 'f64': {
        const f64 = this.encoding === 'f64';
        const step = f64 ? 8 : 4;
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++, p += step) {
            const v = f64 ? view.getFloat64(p, true) : view.getFloat32(p, true);
            if (v - v !== 0) throw nonFiniteSampleError(this.source, v, firstFrame + f, c, ch, this.sampleRate);
            s += v;
          }
          out[outOffset + f] = s * scale;
        }
        break;
      }
      case 'alaw':
      case 'mulaw': {
        const table = this.encoding === 'alaw' ? ALAW : MULAW;
        for (let f = 0; f < frames; f++) {
          let s = 0;
          for (let c = 0; c < ch; c++) s += table[view.getUint8(p++)]!;
          out[outOffset + f] = s * scale;
        }
        break;
      }
    }
    this.framesDecoded += frames;
  }
}
