/**
 * Radix-2 FFT of a real buffer that reproduces Meyda's FFT (fftjs) result bit for bit, without its
 * per-call allocations. fftjs does an in-place decimation-in-time transform on `{ real, imag }` where,
 * because Meyda hands it a Float32Array, `real` is a Float32Array (every stage's real part is rounded
 * to float32) while `imag` is a plain array of doubles. We keep exactly that storage and arithmetic:
 * the same twiddles (`cos/sin(-2*PI*k/len)` per stage), the same butterfly operation order.
 *
 * What is saved versus fftjs: twiddles and bit-reversal are computed once; stage 1 (twiddle 1, imag 0)
 * is done on real parts only; the last stage computes only the bins 0..N/2-1 Meyda keeps; no objects
 * are created per butterfly and nothing is allocated per frame.
 */

/**
 * Precomputed real-input FFT of one power-of-two size, producing Meyda's amplitude spectrum.
 * @example
 * const fft = new MeydaFft(512);
 * const amp = new Float32Array(256);
 * fft.amplitude(windowedFrame, amp); // amp[k] = |X[k]|, k = 0..255, as Meyda's `amplitudeSpectrum`
 */
export class MeydaFft {
  readonly size: number;
  private readonly rev: Uint32Array;
  /** Twiddles of the stage with half-length h live at [h - 1, 2h - 1). */
  private readonly twRe: Float64Array;
  private readonly twIm: Float64Array;
  private readonly re: Float32Array;
  private readonly im: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`MeydaFft: size must be a power of two >= 4, got ${size}`);
    this.size = size;
    const bits = Math.round(Math.log2(size));
    this.rev = new Uint32Array(size);
    for (let i = 0; i < size; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
    this.twRe = new Float64Array(size);
    this.twIm = new Float64Array(size);
    for (let half = 1; half < size; half *= 2) {
      const len = 2 * half;
      for (let k = 0; k < half; k++) {
        const x = (-2 * Math.PI * k) / len; // fftjs utils.euler(k, len), same expression
        this.twRe[half - 1 + k] = Math.cos(x);
        this.twIm[half - 1 + k] = Math.sin(x);
      }
    }
    this.re = new Float32Array(size);
    this.im = new Float64Array(size);
  }

  /**
   * Amplitude spectrum of `input` (length `size`): `out[k] = float32(sqrt(re^2 + im^2))` for k < size/2,
   * exactly as Meyda's `prepareSignalWithSpectrum` (the Nyquist bin is not produced).
   */
  amplitude(input: Float32Array, out: Float32Array): void {
    const n = this.size;
    const re = this.re;
    const im = this.im;
    const rev = this.rev;
    const twRe = this.twRe;
    const twIm = this.twIm;
    // Bit-reversed copy (fftjs: ordered[rev[i]] = x[i]; rev is an involution). Stage 1 (len 2, twiddle
    // (1, -0)) fused in: odd' = odd exactly, imaginary parts stay 0.
    for (let i = 0; i < n; i += 2) {
      const e = input[rev[i]];
      const o = input[rev[i + 1]];
      re[i + 1] = e - o;
      re[i] = o + e;
      im[i] = 0;
      im[i + 1] = 0;
    }
    const last = n >> 1;
    for (let half = 2; half < last; half *= 2) {
      const step = 2 * half;
      const tw = half - 1;
      // Short stages: twiddle loop outside (fewer loop restarts); long stages: block loop outside.
      if (half * half < n) {
        for (let k = 0; k < half; k++) {
          const wr = twRe[tw + k];
          const wi = twIm[tw + k];
          for (let a = k; a < n; a += step) {
            const b = a + half;
            const br = re[b];
            const bi = im[b];
            const or = wr * br - wi * bi;
            const oi = wr * bi + wi * br;
            const ar = re[a];
            const ai = im[a];
            re[b] = ar - or;
            im[b] = ai - oi;
            re[a] = or + ar;
            im[a] = oi + ai;
          }
        }
        continue;
      }
      for (let start = 0; start < n; start += step) {
        for (let k = 0; k < half; k++) {
          const a = start + k;
          const b = a + half;
          const wr = twRe[tw + k];
          const wi = twIm[tw + k];
          const br = re[b];
          const bi = im[b];
          const or = wr * br - wi * bi;
          const oi = wr * bi + wi * br;
          const ar = re[a];
          const ai = im[a];
          re[b] = ar - or;
          im[b] = ai - oi;
          re[a] = or + ar;
          im[a] = oi + ai;
        }
      }
    }
    // Last stage (len n): only the "even" outputs a = k < n/2 are needed; compute the amplitude directly.
    // The real part is rounded to float32 as fftjs's Float32Array store would.
    const tw = last - 1;
    for (let k = 0; k < last; k++) {
      const b = k + last;
      const wr = twRe[tw + k];
      const wi = twIm[tw + k];
      const br = re[b];
      const bi = im[b];
      const xr = Math.fround(wr * br - wi * bi + re[k]);
      const xi = wr * bi + wi * br + im[k];
      out[k] = Math.sqrt(xr * xr + xi * xi);
    }
  }
}
