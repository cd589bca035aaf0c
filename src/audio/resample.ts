/**
 * Streaming band-limited resampling with libsamplerate (compiled to WebAssembly by
 * `@alexanderolsen/libsamplerate-js`). Platform-neutral: no `fs`, `node:*` or DOM.
 *
 * How the library is used, and why: its `simple()` call resamples one buffer and forgets it; its
 * `full()` call runs libsamplerate's `src_process` on a persistent `SRC_STATE` with
 * `end_of_input = 0`, so the sinc filter history carries across calls and chunked output is
 * bit-identical to one-shot output. The wrapper never sets `end_of_input`, so the last
 * half-filter of output stays inside the converter: {@link Resampler.flush} pushes zeros through it
 * and cuts the result so that the total output is exactly `ceil(nIn * outRate / inRate)` samples,
 * then resets the converter for a new stream. libsamplerate's output is time-aligned with its input
 * (no added delay), so nothing is trimmed at the start.
 */
import { UsageError } from '../core/errors.js';
import { concatSamples } from './samples.js';

/**
 * libsamplerate converter: `best` (SRC_SINC_BEST_QUALITY, ~15x real time on one core at 44.1 kHz),
 * `medium` (SRC_SINC_MEDIUM_QUALITY, the default, ~65x real time, flat to 0.9 of the output
 * Nyquist, >100 dB stop-band), `fastest` (SRC_SINC_FASTEST).
 * @example
 * const q: ResamplerQuality = 'medium';
 */
export type ResamplerQuality = 'best' | 'medium' | 'fastest';

/**
 * A stateful resampler for one mono stream.
 * @example
 * const rs = await createResampler(48000, 16000);
 * const out = [rs.process(chunk1), rs.process(chunk2), rs.flush()];
 * rs.close();
 */
export interface Resampler {
  readonly inRate: number;
  readonly outRate: number;
  /**
   * Resample the next chunk. Returns the output that is ready (the converter keeps a short
   * look-ahead back until {@link Resampler.flush}). With equal rates the chunk itself is returned.
   */
  process(chunk: Float32Array): Float32Array;
  /** End of stream: returns the held-back tail and resets the resampler for a new stream. */
  flush(): Float32Array;
  /** Release the WebAssembly converter. Idempotent. */
  close(): void;
}

/**
 * Options for {@link createResampler}.
 * @example
 * const rs = await createResampler(44100, 16000, { quality: 'best' } satisfies ResamplerOptions);
 */
export interface ResamplerOptions {
  /** Converter quality; default `medium`. */
  quality?: ResamplerQuality;
}

/** libsamplerate-js's rate limits. */
const MAX_RATE = 192000;
/** libsamplerate's ratio limit. */
const MAX_RATIO = 256;
/** Input fed to the converter per call: bounds the wrapper's transfer buffers whatever the chunk size. */
const MAX_FEED = 1 << 16;

const QUALITY_CODES: Record<ResamplerQuality, 0 | 1 | 2> = { best: 0, medium: 1, fastest: 2 };

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
    throw new UsageError(`${name} must be an integer number of Hz from 1 to ${MAX_RATE}, got ${String(rate)}`);
  }
}

/**
 * Create a streaming resampler from `inRate` to `outRate` Hz (mono). Equal rates give an identity
 * resampler that returns its input unchanged, without copying and without loading WebAssembly.
 * Throws {@link UsageError} for rates that are not integers in 1..192000 or a ratio beyond 256.
 * @example
 * const rs = await createResampler(8000, 16000);
 * const up = concatSamples([rs.process(samples8k), rs.flush()]); // length = 2 * samples8k.length
 */
export async function createResampler(inRate: number, outRate: number, options: ResamplerOptions = {}): Promise<Resampler> {
  checkRate('input sample rate', inRate);
  checkRate('output sample rate', outRate);
  const ratio = outRate / inRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new UsageError(`cannot resample ${inRate} Hz to ${outRate} Hz: the ratio is beyond libsamplerate's limit of ${MAX_RATIO}`);
  }
  const quality = options.quality ?? 'medium';
  if (!(quality in QUALITY_CODES)) {
    throw new UsageError(`resampler quality must be one of ${Object.keys(QUALITY_CODES).join(', ')}, got "${String(quality)}"`);
  }
  if (inRate === outRate) return new IdentityResampler(inRate);
  // A CommonJS (UMD) package: Node puts its exports on `default`, some bundlers on the namespace.
  const mod = await import('@alexanderolsen/libsamplerate-js');
  const lib: typeof mod.default = mod.default ?? mod;
  const src = await lib.create(1, inRate, outRate, { converterType: QUALITY_CODES[quality] });
  return new SincResampler(src, inRate, outRate);
}

class IdentityResampler implements Resampler {
  constructor(readonly inRate: number) {}
  get outRate(): number {
    return this.inRate;
  }
  process(chunk: Float32Array): Float32Array {
    return chunk;
  }
  flush(): Float32Array {
    return new Float32Array(0);
  }
  close(): void {
    /* nothing to release */
  }
}

/** The part of libsamplerate-js's SRC object used here. */
interface SrcHandle {
  full(dataIn: Float32Array): Float32Array;
  destroy(): void;
  converterType: 0 | 1 | 2 | 3 | 4;
}

class SincResampler implements Resampler {
  private consumed = 0;
  private produced = 0;
  private closed = false;

  constructor(
    private readonly src: SrcHandle,
    readonly inRate: number,
    readonly outRate: number,
  ) {}

  process(chunk: Float32Array): Float32Array {
    if (this.closed) throw new UsageError('Resampler.process() called after close()');
    if (chunk.length === 0) return new Float32Array(0);
    const parts: Float32Array[] = [];
    for (let at = 0; at < chunk.length; at += MAX_FEED) parts.push(this.src.full(chunk.subarray(at, at + MAX_FEED)));
    const out = concatSamples(parts);
    this.consumed += chunk.length;
    this.produced += out.length;
    return out;
  }

  flush(): Float32Array {
    if (this.closed) throw new UsageError('Resampler.flush() called after close()');
    // Output owed for the input seen: ceil(consumed * out / in), exact in integers below 2^53.
    const total = Math.floor((this.consumed * this.outRate + this.inRate - 1) / this.inRate);
    let owed = total - this.produced;
    const parts: Float32Array[] = [];
    const zeros = new Float32Array(Math.max(256, Math.ceil(this.inRate / 50)));
    // The look-ahead is at most a few hundred input samples; two seconds of zeros is a hard stop.
    for (let fed = 0; owed > 0 && fed < 2 * this.inRate + zeros.length; fed += zeros.length) {
      const y = this.src.full(zeros);
      const take = Math.min(owed, y.length);
      if (take > 0) parts.push(y.subarray(0, take));
      owed -= take;
    }
    // Re-assigning the converter type makes libsamplerate-js delete and re-create the SRC_STATE.
    this.src.converterType = this.src.converterType;
    this.consumed = 0;
    this.produced = 0;
    return concatSamples(parts.length ? parts : [new Float32Array(0)]);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.src.destroy();
  }
}
