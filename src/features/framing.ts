/**
 * Framing, pre-emphasis and windowing, streaming and exact: every frame is computed from the
 * continuous signal, so any chunking of the input gives the same frames bit for bit.
 *
 * Rules (all from FeatureConfig):
 * - Frame count ("snip edges"): n >= frameLength samples give 1 + floor((n - frameLength) / frameShift)
 *   frames, fewer give none. Frame f covers samples [f * frameShift, f * frameShift + frameLength).
 * - Scaling and pre-emphasis act on the continuous signal as a causal filter with zero initial state
 *   (scipy's `lfilter([1, -k], 1, x)`): s[n] = inputScale * x[n], y[n] = s[n] - k * s[n - 1], s[-1] = 0.
 *   So the first sample of a frame uses the signal's previous sample, not a per-frame rule.
 * - Window: symmetric (denominator frameLength - 1, as numpy/MATLAB `hamming`/`hanning` and Kaldi),
 *   hamming 0.54 - 0.46 cos(2 pi i / (L - 1)), hann 0.5 - 0.5 cos(2 pi i / (L - 1)), rect 1.
 * - The windowed frame is rounded to float32 (Meyda works on a Float32Array) and zero-padded to fftSize.
 */
import type { FeatureConfig } from './config.js';

/**
 * Number of analysis frames in `numSamples` samples (snip-edges rule).
 * @example
 * frameCount(16000, { frameLength: 400, frameShift: 160 }); // 98
 */
export function frameCount(numSamples: number, c: Pick<FeatureConfig, 'frameLength' | 'frameShift'>): number {
  return numSamples >= c.frameLength ? 1 + Math.floor((numSamples - c.frameLength) / c.frameShift) : 0;
}

/**
 * The analysis window earshot applies (symmetric), as float64 values.
 * @example
 * const w = analysisWindow('hamming', 400); // w[0] = 0.08, w[399] = 0.08
 */
export function analysisWindow(type: FeatureConfig['window'], length: number): Float64Array {
  const w = new Float64Array(length);
  const d = length - 1;
  for (let i = 0; i < length; i++) {
    if (type === 'rect' || d === 0) w[i] = 1;
    else if (type === 'hamming') w[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / d);
    else w[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / d);
  }
  return w;
}

/**
 * Streaming framer: feed any chunks, receive each complete windowed, zero-padded frame (a reused
 * Float32Array of fftSize samples — copy it if you keep it).
 * @example
 * const framer = new Framer(defaultFeatureConfig());
 * framer.accept(chunk, (frame) => mfcc.compute(frame, out));
 */
export class Framer {
  private readonly frameLength: number;
  private readonly frameShift: number;
  private readonly scale: number;
  private readonly preEmphasis: number;
  private readonly window: Float64Array;
  private readonly frame: Float32Array;
  /** Held samples: absolute indices [origin, origin + length). */
  private buf = new Float32Array(0);
  private length = 0;
  private origin = 0;
  /** Samples received so far. */
  private total = 0;
  /** Index of the next frame to emit. */
  private next = 0;

  constructor(c: FeatureConfig) {
    this.frameLength = c.frameLength;
    this.frameShift = c.frameShift;
    this.scale = c.inputScale;
    this.preEmphasis = c.preEmphasis;
    this.window = analysisWindow(c.window, c.frameLength);
    this.frame = new Float32Array(c.fftSize);
    this.buf = new Float32Array(Math.max(c.frameLength + 1, 1024));
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.next;
  }

  /** Samples accepted so far. */
  get samplesAccepted(): number {
    return this.total;
  }

  reset(): void {
    this.length = 0;
    this.origin = 0;
    this.total = 0;
    this.next = 0;
  }

  accept(samples: Float32Array, onFrame: (frame: Float32Array) => void): void {
    const chunkStart = this.total;
    this.total += samples.length;
    // Samples before `origin` are never needed again (a frame hop larger than the frame skips them).
    const skip = Math.max(0, this.origin - chunkStart);
    if (skip < samples.length) this.append(samples, skip);
    const L = this.frameLength;
    for (let start = this.next * this.frameShift; start + L <= this.total; start = ++this.next * this.frameShift) this.emit(start, onFrame);
    // Keep from the sample before the next frame (pre-emphasis needs it).
    const keepFrom = Math.max(0, this.next * this.frameShift - 1);
    const drop = keepFrom - this.origin;
    if (drop >= this.length) {
      this.length = 0;
      this.origin = keepFrom;
    } else if (drop > 0) {
      this.buf.copyWithin(0, drop, this.length);
      this.length -= drop;
      this.origin = keepFrom;
    }
  }

  private append(samples: Float32Array, from: number): void {
    const add = samples.length - from;
    if (this.length + add > this.buf.length) {
      const grown = new Float32Array(Math.max(this.length + add, 2 * this.buf.length));
      grown.set(this.buf.subarray(0, this.length));
      this.buf = grown;
    }
    this.buf.set(from === 0 ? samples : samples.subarray(from), this.length);
    this.length += add;
  }

  private emit(start: number, onFrame: (frame: Float32Array) => void): void {
    const buf = this.buf;
    const w = this.window;
    const k = this.preEmphasis;
    const sc = this.scale;
    const frame = this.frame;
    const base = start - this.origin;
    let prev = start > 0 ? sc * buf[base - 1] : 0;
    for (let i = 0; i < this.frameLength; i++) {
      const cur = sc * buf[base + i];
      frame[i] = w[i] * (cur - k * prev);
      prev = cur;
    }
    onFrame(frame);
  }
}

/**
 * Number of model frames (after subsampling) for `numSamples` samples: ceil(frameCount / subsampling).
 * @example
 * modelFrameCount(16000, { ...defaultFeatureConfig(), subsampling: 3 }); // ceil(98 / 3) = 33
 */
export function modelFrameCount(numSamples: number, c: Pick<FeatureConfig, 'frameLength' | 'frameShift' | 'subsampling'>): number {
  return Math.ceil(frameCount(numSamples, c) / c.subsampling);
}
