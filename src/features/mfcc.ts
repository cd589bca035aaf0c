/**
 * Fast MFCC that reproduces `Meyda.extract('mfcc', buffer)` (with `windowingFunction = 'rect'`).
 *
 * Meyda's definition, step by step (meyda 5.6.3):
 * 1. amplitude spectrum of the buffer (fftjs), bins 0..N/2-1, stored as float32;
 * 2. power = amp^2, stored as float32;
 * 3. each mel band j: sum over bins k < N/2 of float32(bank[j][k] * power[k]), accumulated in float32;
 * 4. log(band + 1), stored as float32;
 * 5. DCT-II with scale 2 (`dct` package): c_k = 2 * sum_n band[n] cos(PI/M (n + 0.5) k), first numCeps kept.
 *
 * We do the same arithmetic in the same order (so results are bit-identical), but with a precomputed
 * FFT ({@link MeydaFft}), a sparse filterbank (zero weights add exactly 0 in float32, so skipping them
 * changes nothing), DCT rows for only the numCeps kept outputs, and no allocation per frame.
 */
import { MeydaFft } from './fft.js';
import { meydaMelFilterBank, type MeydaMfccSettings } from './meyda.js';

/** Meyda's filterbank in sparse form: band j has weights[offset[j] .. + len[j]) for bins start[j] .. */
interface SparseFilterBank {
  bands: number;
  start: Int32Array;
  len: Int32Array;
  offset: Int32Array;
  weights: Float64Array;
}

/** Immutable, so shared by every extractor with the same settings (building it runs Meyda once). */
const bankCache = new Map<string, SparseFilterBank>();

function sparseFilterBank(settings: MeydaMfccSettings): SparseFilterBank {
  const key = `${settings.sampleRate}/${settings.fftSize}/${settings.melBands}/${settings.numCeps}`;
  const hit = bankCache.get(key);
  if (hit) return hit;
  const bank = meydaMelFilterBank(settings);
  const m = bank.length; // Meyda uses max(melBands, numCeps) filters
  const half = settings.fftSize / 2; // Meyda's melBands sums bins 0..N/2-1: the Nyquist column is dropped
  const start = new Int32Array(m);
  const len = new Int32Array(m);
  const offset = new Int32Array(m);
  const w: number[] = [];
  for (let j = 0; j < m; j++) {
    const row = bank[j];
    let lo = -1;
    let hi = -1;
    for (let k = 0; k < half; k++) {
      if (row[k] !== 0) {
        if (lo < 0) lo = k;
        hi = k;
      }
    }
    offset[j] = w.length;
    if (lo >= 0) {
      start[j] = lo;
      len[j] = hi - lo + 1;
      for (let k = lo; k <= hi; k++) w.push(row[k]);
    }
  }
  const fb = { bands: m, start, len, offset, weights: Float64Array.from(w) };
  bankCache.set(key, fb);
  return fb;
}

/**
 * MFCC of one windowed, zero-padded buffer of `fftSize` samples, equal to Meyda's.
 * @example
 * const mfcc = new FastMfcc({ sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 });
 * const ceps = new Float64Array(13);
 * mfcc.compute(windowedFrame, ceps); // == Meyda.extract('mfcc', windowedFrame)
 */
export class FastMfcc {
  readonly fftSize: number;
  readonly melBands: number;
  readonly numCeps: number;
  private readonly fft: MeydaFft;
  private readonly amp: Float32Array;
  /** Band j uses bins [bandStart[j], bandStart[j] + bandLen[j]) with weights at weightOffset[j]. */
  private readonly bandStart: Int32Array;
  private readonly bandLen: Int32Array;
  private readonly weightOffset: Int32Array;
  private readonly weights: Float64Array;
  private readonly logMel: Float64Array;
  /** numCeps rows of melBands cosines, `dct` package's memoized values. */
  private readonly dct: Float64Array;

  constructor(settings: MeydaMfccSettings) {
    const { fftSize, numCeps } = settings;
    this.fftSize = fftSize;
    this.numCeps = numCeps;
    this.fft = new MeydaFft(fftSize);
    this.amp = new Float32Array(fftSize / 2);
    const fb = sparseFilterBank(settings);
    const m = fb.bands;
    this.melBands = m;
    this.bandStart = fb.start;
    this.bandLen = fb.len;
    this.weightOffset = fb.offset;
    this.weights = fb.weights;
    this.logMel = new Float64Array(m);
    this.dct = new Float64Array(numCeps * m);
    const piN = Math.PI / m;
    for (let k = 0; k < numCeps; k++) for (let n = 0; n < m; n++) this.dct[k * m + n] = Math.cos(piN * (n + 0.5) * k);
  }

  /** Number of (bin, weight) pairs in the sparse filterbank. */
  get filterbankNonZeros(): number {
    return this.weights.length;
  }

  /**
   * Compute the cepstra of `buffer` (length fftSize) into `out[outOffset .. outOffset + numCeps)`.
   * The buffer is not modified.
   */
  compute(buffer: Float32Array, out: Float64Array | Float32Array, outOffset = 0): void {
    const amp = this.amp;
    this.fft.amplitude(buffer, amp);
    // power = float32(amp^2), in place
    for (let k = 0; k < amp.length; k++) {
      const a = amp[k];
      amp[k] = a * a;
    }
    const m = this.melBands;
    const weights = this.weights;
    const logMel = this.logMel;
    for (let j = 0; j < m; j++) {
      const start = this.bandStart[j];
      const len = this.bandLen[j];
      const off = this.weightOffset[j];
      let acc = 0;
      for (let i = 0; i < len; i++) acc = Math.fround(acc + Math.fround(weights[off + i] * amp[start + i]));
      logMel[j] = Math.fround(Math.log(acc + 1));
    }
    const dct = this.dct;
    for (let k = 0; k < this.numCeps; k++) {
      const row = k * m;
      let s = 0;
      for (let n = 0; n < m; n++) s = s + logMel[n] * dct[row + n];
      out[outOffset + k] = 2 * s;
    }
  }
}
