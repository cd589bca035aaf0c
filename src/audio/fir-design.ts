/**
 * Kaiser-window design of the low-pass filters the resampler uses, as polyphase tables.
 * Platform-neutral maths, no I/O.
 *
 * A rational resampler from `inRate` to `outRate` (L/M = outRate/inRate reduced by their gcd) computes
 * output `o` at input time `t = o * M / L` (in input samples) as `sum_k x[k] * g(t - k)`, where `g` is
 * a windowed sinc that passes `passHz` and stops `stopHz`. `t` falls at one of L fractions of an input
 * sample, so the coefficients for every fraction (a "phase") are computed once: row `p` holds `g` at
 * `p / L + K - 1 - m` for taps `m = 0 .. 2K-1`, applied to inputs `floor(t) + 1 - K + m`. Each row is
 * scaled to sum to 1 (unit gain at DC whatever the fraction). 2K is Kaiser's length rounded up to a
 * multiple of 16, the SIMD kernel's stride, and the window spans all of it.
 *
 * Kaiser's formulas (Oppenheim & Schafer, Discrete-Time Signal Processing, 7.6): for a stop-band
 * attenuation of A dB, `beta = 0.1102 (A - 8.7)` and a transition of width `df` (cycles per sample)
 * needs `(A - 7.95) / (14.36 df) + 1` taps.
 */

/**
 * What a low-pass stage must do, in Hz at its input rate.
 * @example
 * const spec: LowpassSpec = { passHz: 7000, stopHz: 8000, attenuationDb: 120 };
 */
export interface LowpassSpec {
  /** Upper edge of the pass band (flat within the ripple the attenuation implies). */
  passHz: number;
  /** Lower edge of the stop band (attenuated by at least `attenuationDb`). */
  stopHz: number;
  /** Stop-band attenuation in dB (also sets the pass-band ripple, about 10^(-A/20) of full scale). */
  attenuationDb: number;
}

/**
 * A polyphase filter table for one rational ratio.
 * @example
 * const t = polyphaseTable(160, 0, 22050, { passHz: 7000, stopHz: 8000, attenuationDb: 100 });
 * t.coefs.length === t.phases * t.taps; // true
 */
export interface PolyphaseTable {
  /** Number of phase rows (L, or the interpolation grid size for very large L, plus one). */
  readonly phases: number;
  /** Taps per row (2K), a multiple of 16. */
  readonly taps: number;
  /** Half-width K in input samples: row taps start at input `floor(t) + 1 - K`. */
  readonly half: number;
  /** `phases * taps` coefficients, row-major. */
  readonly coefs: Float32Array;
}

/**
 * Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used).
 * @example
 * besselI0(0); // 1
 */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 200; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * Kaiser's beta for a stop-band attenuation of `attenuationDb` dB.
 * @example
 * kaiserBeta(100); // 10.06
 */
export function kaiserBeta(attenuationDb: number): number {
  if (attenuationDb > 50) return 0.1102 * (attenuationDb - 8.7);
  if (attenuationDb >= 21) return 0.5842 * (attenuationDb - 21) ** 0.4 + 0.07886 * (attenuationDb - 21);
  return 0;
}

/**
 * Half-width (in input samples, not rounded) of the Kaiser filter for `spec` at `inRate`.
 * @example
 * kaiserHalfWidth(22050, { passHz: 7000, stopHz: 8000, attenuationDb: 120 }); // about 86
 */
export function kaiserHalfWidth(inRate: number, spec: LowpassSpec): number {
  const df = (spec.stopHz - spec.passHz) / inRate;
  return (spec.attenuationDb - 7.95) / (14.36 * df) / 2;
}

/** Normalized sinc, sin(pi x) / (pi x). */
function sinc(x: number): number {
  if (x === 0) return 1;
  const px = Math.PI * x;
  return Math.sin(px) / px;
}

/**
 * The coefficient table of a resampler at `inRate` with `rows` phases at fractions `r / rows` of an
 * input sample: `rows = L` (the reduced output/input ratio's numerator) for an exact table, `extraRow = 0`;
 * a table for linear interpolation between phases passes a grid size and `extraRow = 1` for the fraction 1.
 * @example
 * const t = polyphaseTable(2, 0, 8000, { passHz: 3500, stopHz: 4000, attenuationDb: 100 }); // 8 -> 16 kHz
 * t.phases; // 2
 */
export function polyphaseTable(rows: number, extraRow: 0 | 1, inRate: number, spec: LowpassSpec): PolyphaseTable {
  // Rows are a multiple of 16 taps (the SIMD kernel's stride); the window spans all of them, which
  // only narrows the transition band beyond what `spec` asks.
  const taps = Math.ceil((2 * Math.max(1, Math.ceil(kaiserHalfWidth(inRate, spec)))) / 16) * 16;
  const half = taps / 2;
  const halfWidth = half;
  const fc = (spec.passHz + spec.stopHz) / 2 / inRate; // cutoff, cycles per input sample
  const beta = kaiserBeta(spec.attenuationDb);
  const i0Beta = besselI0(beta);
  const phases = rows + extraRow;
  const coefs = new Float32Array(phases * taps);
  const row = new Float64Array(2 * half);
  for (let p = 0; p < phases; p++) {
    const frac = p / rows;
    let sum = 0;
    for (let m = 0; m < 2 * half; m++) {
      const tau = frac + half - 1 - m;
      const u = tau / halfWidth;
      const w = Math.abs(u) < 1 ? besselI0(beta * Math.sqrt(1 - u * u)) / i0Beta : 0;
      row[m] = 2 * fc * sinc(2 * fc * tau) * w;
      sum += row[m]!;
    }
    for (let m = 0; m < 2 * half; m++) coefs[p * taps + m] = row[m]! / sum;
  }
  return { phases, taps, half, coefs };
}
