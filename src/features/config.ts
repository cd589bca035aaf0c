/**
 * FeatureConfig: every parameter of the feature frontend, in one typed object that is stored
 * inside each earshot model (metadata key `earshot.feature_config`). The model, not a flag,
 * says how its input is computed.
 */

/**
 * Per-coefficient normalization of the (MFCC + deltas) frames, before splicing.
 * @example
 * const norm: Normalization = { type: 'sliding', window: 300, normVars: false };
 */
export type Normalization =
  /** No normalization. */
  | { type: 'none' }
  /** Global mean/std from the training data: x' = (x - mean[i]) / std[i]. Lengths equal baseDim. */
  | { type: 'global'; mean: number[]; std: number[] }
  /**
   * Causal sliding-window mean normalization (Kaldi's apply-cmvn-sliding with center=false):
   * the mean of the current frame and up to `window - 1` frames before it is subtracted.
   * Causal, so it works in streaming. With `normVars` the result is also divided by the window std.
   */
  | { type: 'sliding'; window: number; normVars: boolean };

/**
 * Every parameter of the feature frontend (see the file comment).
 * @example
 * const cfg: FeatureConfig = { ...defaultFeatureConfig(), deltaOrder: 1, normalization: { type: 'none' } };
 */
export interface FeatureConfig {
  /** Sample rate the model expects, Hz. Input audio is resampled to it. */
  sampleRate: number;
  /** Analysis window length in samples (400 = 25 ms at 16 kHz). */
  frameLength: number;
  /** Hop between frames in samples (160 = 10 ms at 16 kHz). */
  frameShift: number;
  /** FFT size, a power of two >= frameLength (Meyda requires power-of-two buffers); the frame is zero-padded. */
  fftSize: number;
  /** Window applied to the frameLength samples before zero-padding. */
  window: 'hamming' | 'hann' | 'rect';
  /** Pre-emphasis coefficient (x[n] - k x[n-1]); 0 disables it. Meyda has none: earshot applies it before windowing. */
  preEmphasis: number;
  /**
   * Samples in [-1, 1] are multiplied by this before the spectrum. Meyda takes log(mel + 1), so the scale sets
   * where that log saturates to linear: 32768 (int16 range) makes it behave like a floored log.
   */
  inputScale: number;
  /** Number of mel bands in Meyda's filterbank (0 Hz to Nyquist). */
  melBands: number;
  /** Number of cepstral coefficients kept (Meyda's DCT, scale 2). */
  numCeps: number;
  /** 0: MFCC only; 1: + deltas; 2: + deltas and delta-deltas. */
  deltaOrder: 0 | 1 | 2;
  /** N of the delta regression window: d_t = sum_{n=1..N} n (c_{t+n} - c_{t-n}) / (2 sum n^2). */
  deltaWindow: number;
  normalization: Normalization;
  /** Context splicing: frames to the left and right concatenated to each frame (edges replicate the first/last frame). */
  contextLeft: number;
  contextRight: number;
  /** Frame subsampling: one spliced frame out of every `subsampling` frames is fed to the model (1 = none). */
  subsampling: number;
}

/**
 * Dimension of one un-spliced frame: numCeps * (deltaOrder + 1).
 * @example
 * baseDim(defaultFeatureConfig()); // 39
 */
export function baseDim(c: FeatureConfig): number {
  return c.numCeps * (c.deltaOrder + 1);
}

/**
 * Dimension of one spliced model input frame: baseDim * (contextLeft + 1 + contextRight).
 * @example
 * inputDim(defaultFeatureConfig()); // 39 * 11 = 429
 */
export function inputDim(c: FeatureConfig): number {
  return baseDim(c) * (c.contextLeft + 1 + c.contextRight);
}

/**
 * Seconds between two model output frames.
 * @example
 * outputFrameSeconds({ ...defaultFeatureConfig(), subsampling: 3 }); // 0.03
 */
export function outputFrameSeconds(c: FeatureConfig): number {
  return (c.frameShift * c.subsampling) / c.sampleRate;
}

/**
 * The default frontend: 25 ms / 10 ms frames, 40 mel bands, 13 MFCC + deltas + delta-deltas,
 * +-5 frames of context, no subsampling, no normalization (models store their own).
 * @example
 * const cfg: FeatureConfig = { ...defaultFeatureConfig(), contextLeft: 10, contextRight: 10, subsampling: 3 };
 */
export function defaultFeatureConfig(): FeatureConfig {
  return {
    sampleRate: 16000,
    frameLength: 400,
    frameShift: 160,
    fftSize: 512,
    window: 'hamming',
    preEmphasis: 0.97,
    inputScale: 32768,
    melBands: 40,
    numCeps: 13,
    deltaOrder: 2,
    deltaWindow: 2,
    normalization: { type: 'none' },
    contextLeft: 5,
    contextRight: 5,
    subsampling: 1,
  };
}

const isPow2 = (n: number): boolean => Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;

/**
 * Check a FeatureConfig read from a model or a JSON file. Returns a list of problems, each naming the
 * field, what was expected and what was found; empty when valid.
 * @example
 * const problems = featureConfigProblems(JSON.parse(text));
 * if (problems.length) throw new Error(problems.join('; '));
 */
export function featureConfigProblems(value: unknown): string[] {
  const p: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['feature config: expected an object, got ' + JSON.stringify(value)];
  const c = value as Record<string, unknown>;
  const int = (k: string, min: number, max = Number.MAX_SAFE_INTEGER): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) p.push(`feature config field "${k}": expected an integer in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  const num = (k: string, min: number, max: number): void => {
    const v = c[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) p.push(`feature config field "${k}": expected a number in [${min}, ${max}], got ${JSON.stringify(v)}`);
  };
  int('sampleRate', 1000, 384000);
  int('frameLength', 16, 65536);
  int('frameShift', 1, 65536);
  int('fftSize', 16, 65536);
  if (typeof c.fftSize === 'number' && !isPow2(c.fftSize)) p.push(`feature config field "fftSize": must be a power of two (Meyda), got ${c.fftSize}`);
  if (typeof c.fftSize === 'number' && typeof c.frameLength === 'number' && c.fftSize < c.frameLength) p.push(`feature config field "fftSize": must be >= frameLength (${c.frameLength}), got ${c.fftSize}`);
  if (!['hamming', 'hann', 'rect'].includes(c.window as string)) p.push(`feature config field "window": expected "hamming", "hann" or "rect", got ${JSON.stringify(c.window)}`);
  num('preEmphasis', 0, 1);
  num('inputScale', 1e-6, 1e9);
  int('melBands', 1, 512);
  int('numCeps', 1, 40);
  if (typeof c.numCeps === 'number' && typeof c.melBands === 'number' && c.numCeps > c.melBands) p.push(`feature config field "numCeps": must be <= melBands (${c.melBands}), got ${c.numCeps}`);
  int('deltaOrder', 0, 2);
  int('deltaWindow', 1, 10);
  int('contextLeft', 0, 100);
  int('contextRight', 0, 100);
  int('subsampling', 1, 16);
  const n = c.normalization as Record<string, unknown> | undefined;
  if (typeof n !== 'object' || n === null) p.push(`feature config field "normalization": expected an object, got ${JSON.stringify(n)}`);
  else if (n.type === 'none') { /* ok */ }
  else if (n.type === 'global') {
    const dim = typeof c.numCeps === 'number' && typeof c.deltaOrder === 'number' ? c.numCeps * (c.deltaOrder + 1) : NaN;
    for (const k of ['mean', 'std'] as const) {
      const a = n[k];
      if (!Array.isArray(a) || !a.every((x) => typeof x === 'number' && Number.isFinite(x))) p.push(`feature config field "normalization.${k}": expected an array of finite numbers`);
      else if (a.length !== dim) p.push(`feature config field "normalization.${k}": expected ${dim} values (numCeps * (deltaOrder + 1)), got ${a.length}`);
      else if (k === 'std' && a.some((x) => (x as number) <= 0)) p.push('feature config field "normalization.std": every value must be > 0');
    }
  } else if (n.type === 'sliding') {
    if (typeof n.window !== 'number' || !Number.isInteger(n.window) || n.window < 1) p.push(`feature config field "normalization.window": expected a positive integer, got ${JSON.stringify(n.window)}`);
    if (typeof n.normVars !== 'boolean') p.push(`feature config field "normalization.normVars": expected a boolean, got ${JSON.stringify(n.normVars)}`);
  } else p.push(`feature config field "normalization.type": expected "none", "global" or "sliding", got ${JSON.stringify(n.type)}`);
  const known = new Set(Object.keys(defaultFeatureConfig()));
  for (const k of Object.keys(c)) if (!known.has(k)) p.push(`feature config field "${k}": unknown field`);
  return p;
}
