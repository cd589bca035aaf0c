/**
 * Streaming band-limited resampling: earshot's own polyphase windowed-sinc FIR (Kaiser window),
 * exact for every rational ratio. Platform-neutral: no `fs`, `node:*` or DOM; runs as WebAssembly SIMD
 * where the engine has it (Node 20, current browsers) and as plain JavaScript with identical results
 * elsewhere (see `fir-kernel.ts`).
 *
 * Design. The ratio `outRate / inRate` is reduced by the rates' gcd to L/M; output `o` lies at input
 * time `o * M / L` and is the dot product of the inputs around it with one of L precomputed phase rows
 * (`fir-design.ts`), so the input position advances by whole integers and a remainder: no drift, no
 * floating-point time. The low-pass passes 0 .. `pass` x the lower Nyquist frequency flat (default
 * 0.875: 0 - 7 kHz at 16 kHz) and stops everything from that Nyquist frequency up, so no tone above
 * 8 kHz aliases into a 16 kHz output. A filter's length grows with its input rate, so a downsampling
 * by more than 2.5 first halves the rate with short filters (44.1 kHz -> 22.05 kHz, 48 kHz -> 24 kHz,
 * whose wide transition only has to keep aliases out of the final band) and then runs the sharp filter
 * at the lower rate. Ratios whose reduced L would need a table of over 2^20 coefficients (e.g.
 * 44100 -> 16001 Hz) interpolate linearly between 1024 phase rows instead, on a slower path.
 *
 * Streaming. Output is time-aligned with the input (no added delay): input before the stream is
 * taken as zeros, and each output is computed once the half-filter of input after it has arrived.
 * {@link Resampler.flush} takes the input after the stream as zeros, returns the held-back tail so
 * that the total output is exactly `ceil(nIn * outRate / inRate)` samples, and resets the resampler.
 * Chunked output is bit-identical to one-shot output.
 */
import { UsageError } from '../core/errors.js';
import { polyphaseTable, type LowpassSpec } from './fir-design.js';
import { createFirKernel, type FirKernel } from './fir-kernel.js';
import { concatSamples } from './samples.js';

/**
 * Filter quality: `best` (flat to 0.91 of the lower Nyquist frequency, 140 dB stop band), `medium`
 * (the default: flat to 0.875, i.e. 0 - 7 kHz at 16 kHz, 120 dB), `fastest` (flat to 0.8, 80 dB).
 * Every preset stops the band from the lower Nyquist frequency up. Measured 44.1 kHz -> 16 kHz
 * (tools/bench/resample-quality.ts): pass-band ripple under 0.0001 dB for best and medium, 0.003 dB for
 * fastest; worst alias -144, -121 and -83 dB. libsamplerate's medium converter, used before, measured
 * 0.28 dB and -120.6 dB; sox's `rate` (-h) 0.0002 dB and -138 dB.
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
   * Resample the next chunk. Returns the output that is ready (the filter keeps a short
   * look-ahead back until {@link Resampler.flush}). With equal rates the chunk itself is returned.
   */
  process(chunk: Float32Array): Float32Array;
  /** End of stream: returns the held-back tail and resets the resampler for a new stream. */
  flush(): Float32Array;
  /** Release the resampler's buffers. Idempotent. */
  close(): void;
}

/**
 * Options for {@link createResampler}.
 * @example
 * const rs = await createResampler(44100, 16000, { quality: 'best' } satisfies ResamplerOptions);
 */
export interface ResamplerOptions {
  /** Filter quality; default `medium`. */
  quality?: ResamplerQuality;
  /** Use the WebAssembly SIMD kernel where available (default true); false forces the JavaScript one. */
  simd?: boolean;
}

/** Highest sample rate accepted. */
const MAX_RATE = 192000;
/** Highest up- or downsampling ratio accepted. */
const MAX_RATIO = 256;
/** Input fed to a filter stage per kernel call: bounds the stage's buffers whatever the chunk size. */
const MAX_FEED = 1 << 14;
/** Largest exact phase table, in coefficients (4 MiB of float32); beyond it phases are interpolated. */
const MAX_TABLE = 1 << 20;
/** Phase rows of an interpolated table. */
const INTERP_ROWS = 1024;

const PRESETS: Record<ResamplerQuality, { pass: number; attenuationDb: number }> = {
  best: { pass: 0.91, attenuationDb: 140 },
  medium: { pass: 0.875, attenuationDb: 120 },
  fastest: { pass: 0.8, attenuationDb: 80 },
};

function checkRate(name: string, rate: number): void {
  if (!Number.isInteger(rate) || rate < 1 || rate > MAX_RATE) {
    throw new UsageError(`${name} must be an integer number of Hz from 1 to ${MAX_RATE}, got ${String(rate)}`);
  }
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/**
 * One filter stage of a resampling plan: from `inRate` to `outRate` with the low-pass `spec`.
 * @example
 * const stages: StagePlan[] = planStages(44100, 16000, 'medium'); // 44100 -> 22050 -> 16000
 */
export interface StagePlan {
  inRate: number;
  outRate: number;
  spec: LowpassSpec;
}

/**
 * The stages that take `inRate` to `outRate` at `quality`: halvings while the rate stays above 2.5x
 * the output rate, then one rational stage. Exported for the tests and the benchmark.
 * @example
 * planStages(48000, 16000, 'medium').map((s) => s.outRate); // [24000, 16000]
 */
export function planStages(inRate: number, outRate: number, quality: ResamplerQuality): StagePlan[] {
  const { pass, attenuationDb } = PRESETS[quality];
  const nyquist = Math.min(inRate, outRate) / 2;
  const passHz = pass * nyquist;
  const stopHz = nyquist;
  const stages: StagePlan[] = [];
  let rate = inRate;
  // Halving from `rate`: what lands at or above `stopHz` after it is removed by the final stage, so its
  // stop band need only start at rate/2 - stopHz.
  while (rate % 2 === 0 && rate / 2 >= 1.25 * outRate) {
    stages.push({ inRate: rate, outRate: rate / 2, spec: { passHz, stopHz: rate / 2 - stopHz, attenuationDb } });
    rate /= 2;
  }
  stages.push({ inRate: rate, outRate, spec: { passHz, stopHz, attenuationDb } });
  return stages;
}

/**
 * Create a streaming resampler from `inRate` to `outRate` Hz (mono). Equal rates give an identity
 * resampler that returns its input unchanged, without copying. Throws {@link UsageError} for rates
 * that are not integers in 1..192000, a ratio beyond 256 or an unknown quality.
 * @example
 * const rs = await createResampler(8000, 16000);
 * const up = concatSamples([rs.process(samples8k), rs.flush()]); // length = 2 * samples8k.length
 */
export async function createResampler(inRate: number, outRate: number, options: ResamplerOptions = {}): Promise<Resampler> {
  checkRate('input sample rate', inRate);
  checkRate('output sample rate', outRate);
  const ratio = outRate / inRate;
  if (ratio > MAX_RATIO || ratio < 1 / MAX_RATIO) {
    throw new UsageError(`cannot resample ${inRate} Hz to ${outRate} Hz: the ratio is beyond the resampler's limit of ${MAX_RATIO}`);
  }
  const quality = options.quality ?? 'medium';
  if (!Object.hasOwn(PRESETS, quality)) {
    throw new UsageError(`resampler quality must be one of ${Object.keys(PRESETS).join(', ')}, got "${String(quality)}"`);
  }
  if (inRate === outRate) return new IdentityResampler(inRate);
  const stages = planStages(inRate, outRate, quality).map((s) => new FilterStage(s, options.simd ?? true));
  return new CascadeResampler(stages, inRate, outRate);
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

/**
 * One streaming polyphase stage. Its input buffer holds the samples from the next output's first tap
 * on (`input[0]` is input index `next window start`), `len` of them valid, followed by zeros.
 */
class FilterStage {
  private readonly L: number;
  private readonly M: number;
  private readonly half: number;
  private readonly taps: number;
  /** Rows of an interpolated table (0 for an exact one); its scratch row is the one after them. */
  private readonly interpRows: number;
  private readonly kernel: FirKernel;
  private len = 0;
  /** Phase (0..L-1) of the next output. */
  private phase = 0;
  private consumed = 0;
  private produced = 0;

  constructor(plan: StagePlan, simd: boolean) {
    const g = gcd(plan.inRate, plan.outRate);
    this.L = plan.outRate / g;
    this.M = plan.inRate / g;
    let table = polyphaseTable(this.L, 0, plan.inRate, plan.spec);
    this.interpRows = 0;
    if (table.coefs.length > MAX_TABLE) {
      table = polyphaseTable(INTERP_ROWS, 1, plan.inRate, plan.spec);
      this.interpRows = INTERP_ROWS;
    }
    this.half = table.half;
    this.taps = table.taps;
    const inputFloats = MAX_FEED + this.taps + this.half + 8;
    const outputFloats = Math.ceil((inputFloats * this.L) / this.M) + 2;
    const scratch = this.interpRows ? this.taps : 0;
    this.kernel = createFirKernel({ tableFloats: table.coefs.length + scratch, inputFloats, outputFloats }, simd);
    this.kernel.table.set(table.coefs);
    this.reset();
  }

  /** Start a new stream: K - 1 zeros stand for the input before it. */
  reset(): void {
    this.kernel.input.fill(0);
    this.len = this.half - 1;
    this.phase = 0;
    this.consumed = 0;
    this.produced = 0;
  }

  process(x: Float32Array): Float32Array {
    const parts: Float32Array[] = [];
    for (let at = 0; at < x.length; at += MAX_FEED) {
      const piece = x.subarray(at, at + MAX_FEED);
      this.kernel.input.set(piece, this.len);
      this.len += piece.length;
      this.consumed += piece.length;
      const out = this.produce(Infinity);
      if (out.length) parts.push(out);
    }
    return parts.length === 1 ? parts[0]! : concatSamples(parts);
  }

  /** The outputs still owed (the input after the stream taken as zeros); then a reset. */
  flush(): Float32Array {
    const total = Math.floor((this.consumed * this.L + this.M - 1) / this.M);
    // Zeros after the stream: the buffer past `len` is already zero; count K of them as input.
    this.len += this.half;
    const out = this.produce(total - this.produced);
    this.reset();
    return out;
  }

  /** Compute up to `limit` outputs whose taps are all in the buffer; keep the input the next one needs. */
  private produce(limit: number): Float32Array {
    const { L, M, taps, half, kernel } = this;
    // Output windows start at 0, then advance by M/L; the last one that fits starts at len - 2K.
    const last = this.len - 2 * half;
    let n = last < 0 ? 0 : Math.ceil(((last + 1) * L - this.phase) / M);
    n = Math.max(0, Math.min(n, limit));
    if (n === 0) return new Float32Array(0);
    if (this.interpRows) this.runInterpolated(n);
    else kernel.run(0, this.phase, n, taps, L, M);
    const out = kernel.output.slice(0, n);
    const advance = this.phase + n * M;
    const start = Math.floor(advance / L);
    this.phase = advance % L;
    // Keep the input from the next window on, and zeros after it.
    kernel.input.copyWithin(0, start, this.len + 4);
    kernel.input.fill(0, Math.max(0, this.len - start), this.len + 4);
    this.len -= start;
    this.produced += n;
    return out;
  }

  /** Outputs of a ratio with a very large L: each one's row interpolated between two of the table's rows. */
  private runInterpolated(n: number): void {
    const { L, M, taps, kernel, interpRows } = this;
    const h = kernel.table;
    const scratch = (interpRows + 1) * taps;
    const result = new Float32Array(n);
    let start = 0;
    let phase = this.phase;
    for (let o = 0; o < n; o++) {
      const pos = (phase * interpRows) / L;
      const r = Math.floor(pos);
      const f = pos - r;
      for (let m = 0; m < taps; m++) h[scratch + m] = h[r * taps + m]! + f * (h[(r + 1) * taps + m]! - h[r * taps + m]!);
      kernel.run(start, interpRows + 1, 1, taps, L, M);
      result[o] = kernel.output[0]!;
      phase += M;
      start += Math.floor(phase / L);
      phase %= L;
    }
    kernel.output.set(result);
  }
}

class CascadeResampler implements Resampler {
  private consumed = 0;
  private produced = 0;
  private closed = false;

  constructor(
    private readonly stages: FilterStage[],
    readonly inRate: number,
    readonly outRate: number,
  ) {}

  process(chunk: Float32Array): Float32Array {
    if (this.closed) throw new UsageError('Resampler.process() called after close()');
    if (chunk.length === 0) return new Float32Array(0);
    let y = chunk;
    for (const s of this.stages) y = s.process(y);
    this.consumed += chunk.length;
    this.produced += y.length;
    return y;
  }

  flush(): Float32Array {
    if (this.closed) throw new UsageError('Resampler.flush() called after close()');
    let y = this.stages[0]!.flush();
    for (const s of this.stages.slice(1)) y = concatSamples([s.process(y), s.flush()]);
    // Output owed for the input seen: ceil(consumed * out / in), exact in integers below 2^53. Each stage
    // rounds its own length up, so a cascade can end a sample long: cut it.
    const total = Math.floor((this.consumed * this.outRate + this.inRate - 1) / this.inRate);
    const owed = total - this.produced;
    const out = y.length === owed ? y : y.length > owed ? y.slice(0, owed) : concatSamples([y, new Float32Array(owed - y.length)]);
    this.consumed = 0;
    this.produced = 0;
    return out;
  }

  close(): void {
    this.closed = true;
  }
}
