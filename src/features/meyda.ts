/**
 * The one place the feature frontend talks to Meyda. Meyda is a singleton configured through
 * read/write fields (`bufferSize`, `sampleRate`, `melBands`, ...); this module sets them, reads
 * Meyda's own mel filterbank back for the fast path, and offers `Meyda.extract('mfcc')` as the
 * reference the fast path is tested against.
 *
 * Two Meyda quirks handled here:
 * - `Meyda.extract` rebuilds its cached `melFilterBank` only when `melBands` changes, not when
 *   `sampleRate` or `bufferSize` does; a stale bank would be silently reused. We clear it whenever
 *   the filterbank settings differ from the ones it was built for.
 * - The field `melFilterBank` is not in Meyda's type declarations; it is read through {@link MeydaFields}.
 */
import MeydaModule from 'meyda';
import type { FeatureConfig } from './config.js';

/** The Meyda singleton's fields this module touches (some are undeclared in Meyda's types). */
interface MeydaFields {
  bufferSize: number;
  sampleRate: number;
  melBands: number;
  numberOfMFCCCoefficients: number;
  windowingFunction: string;
  melFilterBank?: number[][];
  barkScale?: Float32Array;
  extract(feature: 'mfcc', signal: Float32Array): unknown;
}

/**
 * Settings that define Meyda's mel filterbank and MFCC (a FeatureConfig is one).
 * @example
 * const s: MeydaMfccSettings = { sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 };
 */
export type MeydaMfccSettings = Pick<FeatureConfig, 'sampleRate' | 'fftSize' | 'melBands' | 'numCeps'>;

// Meyda's package is CommonJS (`module.exports = Meyda`) but declares an ES default export; depending on
// the loader the default import is Meyda itself or `{ default: Meyda }`.
const meyda: MeydaFields = ((MeydaModule as unknown as { default?: MeydaFields }).default ?? MeydaModule) as unknown as MeydaFields;

/** The filterbank settings Meyda's cached `melFilterBank` was last built for by this module, and that bank. */
let builtFor = '';
let builtBank: number[][] | undefined;

function configure(s: MeydaMfccSettings): void {
  const key = `${s.sampleRate}/${s.fftSize}/${s.melBands}/${s.numCeps}`;
  meyda.bufferSize = s.fftSize;
  meyda.sampleRate = s.sampleRate;
  meyda.melBands = s.melBands;
  meyda.numberOfMFCCCoefficients = s.numCeps;
  // We window (and zero-pad) ourselves: Meyda must not window the padded buffer again.
  meyda.windowingFunction = 'rect';
  if (key !== builtFor || meyda.melFilterBank !== builtBank) {
    meyda.melFilterBank = undefined; // force Meyda to rebuild it for these settings
    builtFor = key;
    builtBank = undefined;
  }
}

/**
 * Reference MFCC: `Meyda.extract('mfcc', buffer)` with `bufferSize = fftSize`, the config's sample rate,
 * mel bands and cepstra, and `windowingFunction = 'rect'`. The buffer must already be windowed and
 * zero-padded to `fftSize`. Slow (about 130 us per 512-point frame); used by tests and the benchmark
 * as the definition the fast path must reproduce. Leaves those Meyda fields set.
 * @example
 * const buf = new Float32Array(512); buf[3] = 1000;
 * const ceps = meydaMfcc(buf, { sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 }); // 13 numbers
 */
export function meydaMfcc(buffer: Float32Array, settings: MeydaMfccSettings): number[] {
  configure(settings);
  const out = meyda.extract('mfcc', buffer) as number[];
  builtBank = meyda.melFilterBank;
  return out;
}

/**
 * Meyda's own mel filterbank for these settings (`Meyda.melFilterBank`: melBands rows of fftSize/2 + 1
 * weights, 0 Hz to Nyquist), as a fresh copy. The Meyda fields it sets are restored afterwards, so an
 * application that also uses Meyda directly is not disturbed.
 * @example
 * const bank = meydaMelFilterBank({ sampleRate: 16000, fftSize: 512, melBands: 40, numCeps: 13 });
 * bank.length; // 40
 */
export function meydaMelFilterBank(settings: MeydaMfccSettings): number[][] {
  const saved = {
    bufferSize: meyda.bufferSize,
    sampleRate: meyda.sampleRate,
    melBands: meyda.melBands,
    numberOfMFCCCoefficients: meyda.numberOfMFCCCoefficients,
    windowingFunction: meyda.windowingFunction,
    melFilterBank: meyda.melFilterBank,
    barkScale: meyda.barkScale,
  };
  const savedFor = builtFor;
  const savedBank = builtBank;
  try {
    configure(settings);
    meyda.extract('mfcc', new Float32Array(settings.fftSize));
    const bank = meyda.melFilterBank;
    if (!Array.isArray(bank) || bank.length !== Math.max(settings.melBands, settings.numCeps)) {
      throw new Error(`Meyda did not build a ${settings.melBands}-band mel filterbank (got ${Array.isArray(bank) ? bank.length : typeof bank} rows)`);
    }
    return bank.map((row) => row.slice());
  } finally {
    Object.assign(meyda, saved);
    builtFor = savedFor;
    builtBank = savedBank;
  }
}
