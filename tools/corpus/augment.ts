/**
 * Seeded augmentation of one utterance. sox does the signal effects (speed or tempo
 * perturbation, pitch shift, reverberation, conversion to 16 kHz mono float); this module then
 * trims the synthesizer's own edge silence, adds leading/trailing silence, mixes noise from a
 * bank made once with `sox synth` (white/pink/brown) at a target SNR measured on active speech,
 * applies an optional telephone band-pass (300-3400 Hz) and a gain without clipping, and writes
 * a 16-bit WAV.
 */
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import type { Rng } from '../../src/core/rng.js';
import { run } from './util.js';

export const SAMPLE_RATE = 16000;
export const NOISE_COLORS = ['white', 'pink', 'brown'] as const;
export type NoiseColor = (typeof NOISE_COLORS)[number];

/** Everything done to one utterance after synthesis; recorded in the manifest. */
export interface Augmentation {
  /** True when nothing but format conversion, gain and silence padding was applied. */
  clean: boolean;
  /** sox `speed` factor (changes tempo and pitch together, like resampling); 1 = none. */
  speed: number;
  /** sox `tempo` factor (tempo only); 1 = none. */
  tempo: number;
  /** sox `pitch` shift in cents; 0 = none. */
  pitch_cents: number;
  reverb: { reverberance: number; hf_damping: number; room_scale: number; pre_delay_ms: number } | null;
  noise: { color: NoiseColor; snr_db: number; offset_s: number } | null;
  /** 300-3400 Hz band-pass after the noise, like a phone line. */
  telephone: boolean;
  /** Gain relative to a peak of -6 dBFS; a peak never exceeds -0.1 dBFS. */
  gain_db: number;
  /** Silence before and after the speech, seconds. */
  pad_s: [number, number];
}

export type AugmentMode = 'train' | 'clean';

/**
 * Training silence before/after speech: 0.1-0.8 s, skewed towards short (0.1 + 0.7 u^2,
 * mean 0.33 s), so the corpus keeps its hours for speech.
 */
function trainPad(r: Rng): number {
  const u = r.next();
  return 0.1 + 0.7 * u * u;
}

/** Mean total padding (both sides) of a training utterance, seconds; used to estimate hours. */
export const TRAIN_PAD_MEAN_TOTAL = 2 * (0.1 + 0.7 / 3);

function round(x: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/**
 * Draw the augmentation of one utterance. `train`: about 20% stay clean, the rest get a random
 * subset of speed/tempo, pitch, reverb, noise (SNR 5-30 dB), telephone band and gain.
 * `clean`: only a mild gain and short padding, for evaluation sets.
 * @example
 * planAugmentation(rngFor(1, 'aug', 'train-000001'), 'train', 300);
 */
export function planAugmentation(r: Rng, mode: AugmentMode, noiseBankSeconds: number, opts: { pitchShiftBias?: boolean } = {}): Augmentation {
  if (mode === 'clean') {
    return {
      clean: true, speed: 1, tempo: 1, pitch_cents: 0, reverb: null, noise: null, telephone: false,
      gain_db: round(r.uniform(-4, 2), 2), pad_s: [round(r.uniform(0.1, 0.4)), round(r.uniform(0.1, 0.4))],
    };
  }
  const pad: [number, number] = [round(trainPad(r)), round(trainPad(r))];
  const gain = round(r.uniform(-10, 6), 2);
  if (r.chance(0.2)) {
    return { clean: true, speed: 1, tempo: 1, pitch_cents: 0, reverb: null, noise: null, telephone: false, gain_db: gain, pad_s: pad };
  }
  const speed = r.chance(0.5) ? round(r.uniform(0.9, 1.1)) : 1;
  const tempo = speed === 1 && r.chance(0.4) ? round(r.uniform(0.9, 1.1)) : 1;
  const pitch = r.chance(opts.pitchShiftBias ? 0.7 : 0.4) ? Math.round(r.uniform(-300, 300)) : 0;
  const reverb = r.chance(0.35)
    ? { reverberance: Math.round(r.uniform(10, 80)), hf_damping: Math.round(r.uniform(10, 90)), room_scale: Math.round(r.uniform(10, 100)), pre_delay_ms: Math.round(r.uniform(0, 40)) }
    : null;
  const noise = r.chance(0.65)
    ? { color: r.weighted<NoiseColor>([['white', 0.3], ['pink', 0.4], ['brown', 0.3]]), snr_db: round(r.uniform(5, 30), 1), offset_s: round(r.uniform(0, noiseBankSeconds - 30), 3) }
    : null;
  const telephone = r.chance(0.1);
  return { clean: false, speed, tempo, pitch_cents: pitch, reverb, noise, telephone, gain_db: gain, pad_s: pad };
}

/**
 * The sox effect arguments for the signal effects (after reading the synthesizer's WAV).
 * @example
 * soxEffects({ ...aug, speed: 1.05 }); // ['speed', '1.05', ...]
 */
export function soxEffects(a: Augmentation): string[] {
  const e: string[] = [];
  if (a.speed !== 1) e.push('speed', String(a.speed));
  if (a.tempo !== 1) e.push('tempo', '-s', String(a.tempo));
  if (a.pitch_cents !== 0) e.push('pitch', String(a.pitch_cents));
  if (a.reverb) e.push('reverb', String(a.reverb.reverberance), String(a.reverb.hf_damping), String(a.reverb.room_scale), '100', String(a.reverb.pre_delay_ms));
  return e;
}

/**
 * Convert any WAV the synthesizers write to 16 kHz mono float samples, with the effects.
 * @example
 * const x = await soxToFloat(wavBytes, soxEffects(aug));
 */
export async function soxToFloat(wav: Buffer, effects: string[]): Promise<Float32Array> {
  const { stdout } = await run('sox', ['-V1', '-G', '-t', 'wav', '-', '-t', 'f32', '-r', String(SAMPLE_RATE), '-c', '1', '-', ...effects], { input: wav });
  const out = new Float32Array(stdout.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = stdout.readFloatLE(i * 4);
  return out;
}

/**
 * The span of `x` between the first and last sample within `relDb` of the peak, with `margin` samples kept
 * either side (none before the speech when `startAtOnset`: the first sound is then sample 0).
 * @example
 * const speech = trimEdges(x, -45, 160, false);
 */
export function trimEdges(x: Float32Array, relDb: number, margin: number, startAtOnset: boolean): Float32Array {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  if (peak === 0) return x.subarray(0, 0);
  const th = peak * 10 ** (relDb / 20);
  let a = 0;
  while (a < x.length && Math.abs(x[a]!) < th) a++;
  let b = x.length;
  while (b > a && Math.abs(x[b - 1]!) < th) b--;
  return x.subarray(startAtOnset ? a : Math.max(0, a - margin), Math.min(x.length, b + margin));
}

/**
 * `x` from its first sample within `relDb` of its peak on, the end kept whole: speech that starts at sample 0.
 * @example
 * const onset = trimToOnset(samples); // onset[0] is already speech
 */
export function trimToOnset(x: Float32Array, relDb = -50): Float32Array {
  return trimEdges(x, relDb, Infinity, true);
}

/** Remove leading and trailing samples quieter than `relDb` below the peak, keeping 10 ms either side so onsets and releases are not cut. */
export function trimSilence(x: Float32Array, relDb = -55): Float32Array {
  return trimEdges(x, relDb, Math.round(0.01 * SAMPLE_RATE), false);
}

/** Mean power of the frames within 35 dB of the loudest 20 ms frame (active speech). */
export function activePower(x: Float32Array): number {
  const n = Math.round(0.02 * SAMPLE_RATE);
  const frames: number[] = [];
  for (let s = 0; s + n <= x.length; s += n) {
    let e = 0;
    for (let i = s; i < s + n; i++) e += x[i]! * x[i]!;
    frames.push(e / n);
  }
  if (!frames.length) {
    let e = 0;
    for (const v of x) e += v * v;
    return x.length ? e / x.length : 0;
  }
  const max = Math.max(...frames);
  const act = frames.filter((f) => f >= max * 10 ** (-35 / 10));
  return act.reduce((s, f) => s + f, 0) / act.length;
}

/** A biquad section (RBJ cookbook), run in place. */
function biquad(x: Float32Array, type: 'highpass' | 'lowpass', f0: number, q = Math.SQRT1_2): void {
  const w = (2 * Math.PI * f0) / SAMPLE_RATE;
  const cos = Math.cos(w);
  const alpha = Math.sin(w) / (2 * q);
  const a0 = 1 + alpha;
  const b0 = type === 'lowpass' ? (1 - cos) / 2 : (1 + cos) / 2;
  const b1 = type === 'lowpass' ? 1 - cos : -(1 + cos);
  const b2 = b0;
  const a1 = -2 * cos;
  const a2 = 1 - alpha;
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let i = 0; i < x.length; i++) {
    const x0 = x[i]!;
    const y0 = (b0 * x0 + b1 * x1 + b2 * x2 - a1 * y1 - a2 * y2) / a0;
    x2 = x1; x1 = x0; y2 = y1; y1 = y0;
    x[i] = y0;
  }
}

/** 300-3400 Hz band-pass, 4th order each side (two cascaded Butterworth biquads). */
export function telephoneBand(x: Float32Array): void {
  biquad(x, 'highpass', 300, 0.5412);
  biquad(x, 'highpass', 300, 1.3066);
  biquad(x, 'lowpass', 3400, 0.5412);
  biquad(x, 'lowpass', 3400, 1.3066);
}

/** Noise made once per corpus with `sox synth`, read as float samples. */
export class NoiseBank {
  private constructor(readonly seconds: number, private readonly banks: Map<NoiseColor, Float32Array>) {}

  /**
   * Load (making them first if missing) `<dir>/noise-<color>.f32`, `seconds` long each.
   * @example
   * const bank = await NoiseBank.open('work-data/corpus/noise', 300);
   */
  static async open(dir: string, seconds: number): Promise<NoiseBank> {
    await fs.mkdir(dir, { recursive: true });
    const banks = new Map<NoiseColor, Float32Array>();
    for (const color of NOISE_COLORS) {
      const file = path.join(dir, `noise-${color}-${seconds}s.f32`);
      if (!existsSync(file)) {
        const tmp = `${file}.tmp`;
        // -R: repeatable, so the same seed gives the same bank on every machine.
        await run('sox', ['-R', '-V1', '-n', '-r', String(SAMPLE_RATE), '-c', '1', '-t', 'f32', tmp, 'synth', String(seconds), `${color}noise`]);
        await fs.rename(tmp, file);
      }
      const buf = await fs.readFile(file);
      const x = new Float32Array(buf.length / 4);
      for (let i = 0; i < x.length; i++) x[i] = buf.readFloatLE(i * 4);
      banks.set(color, x);
    }
    return new NoiseBank(seconds, banks);
  }

  /** `n` samples of one color from `offsetSec` on (wrapping round the end). */
  segment(color: NoiseColor, offsetSec: number, n: number): Float32Array {
    const bank = this.banks.get(color)!;
    const out = new Float32Array(n);
    let p = Math.floor(offsetSec * SAMPLE_RATE) % bank.length;
    for (let i = 0; i < n; i++) {
      out[i] = bank[p]!;
      p = p + 1 === bank.length ? 0 : p + 1;
    }
    return out;
  }
}

/**
 * Everything after sox: trim, pad, mix noise at the SNR, telephone band, gain with a peak limit.
 * Returns the final samples and the gain actually applied (lower than planned if it would clip).
 * @example
 * const { samples } = finishUtterance(speech, aug, bank);
 */
export function finishUtterance(speech: Float32Array, a: Augmentation, bank: NoiseBank | null): { samples: Float32Array; gainDb: number } {
  const trimmed = trimSilence(speech);
  if (trimmed.length === 0) throw new Error('the synthesizer produced silence');
  const lead = Math.round(a.pad_s[0] * SAMPLE_RATE);
  const trail = Math.round(a.pad_s[1] * SAMPLE_RATE);
  const x = new Float32Array(lead + trimmed.length + trail);
  x.set(trimmed, lead);
  if (a.noise) {
    if (!bank) throw new Error('noise augmentation needs a NoiseBank');
    const ps = activePower(trimmed);
    const noise = bank.segment(a.noise.color, a.noise.offset_s, x.length);
    let pn = 0;
    for (const v of noise) pn += v * v;
    pn /= noise.length;
    const k = pn > 0 ? Math.sqrt(ps / (pn * 10 ** (a.noise.snr_db / 10))) : 0;
    for (let i = 0; i < x.length; i++) x[i]! += k * noise[i]!;
  }
  if (a.telephone) telephoneBand(x);
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  // Reference: peak at -6 dBFS, then the planned gain, limited to a -0.1 dBFS peak.
  const targetPeak = Math.min(10 ** ((-6 + a.gain_db) / 20), 10 ** (-0.1 / 20));
  const scale = peak > 0 ? targetPeak / peak : 1;
  const gainDb = peak > 0 ? 20 * Math.log10(targetPeak) + 6 : a.gain_db;
  for (let i = 0; i < x.length; i++) x[i]! *= scale;
  return { samples: x, gainDb: round(gainDb, 2) };
}

/**
 * 16-bit PCM mono WAV bytes (values clamped to the 16-bit range).
 * @example
 * await fs.writeFile('a.wav', wavBytes(samples));
 */
export function wavBytes(x: Float32Array, sampleRate = SAMPLE_RATE): Buffer {
  return pcm16Wav(x.length, sampleRate, (i) => Math.max(-32768, Math.min(32767, Math.round(x[i]! * 32767))));
}

/**
 * A 16-bit mono PCM WAV of `n` samples at `sampleRate`, sample i being `sample(i)` (an integer in -32768..32767).
 * @example
 * pcm16Wav(pcm.length, 11025, (i) => (pcm[i]! - 128) * 256); // 8-bit unsigned PCM, exactly
 */
export function pcm16Wav(n: number, sampleRate: number, sample: (i: number) => number): Buffer {
  const buf = Buffer.alloc(44 + n * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + n * 2, 4);
  buf.write('WAVE', 8, 'ascii');
  buf.write('fmt ', 12, 'ascii');
  buf.writeUInt32LE(16, 16);
  buf.writeUInt16LE(1, 20);
  buf.writeUInt16LE(1, 22);
  buf.writeUInt32LE(sampleRate, 24);
  buf.writeUInt32LE(sampleRate * 2, 28);
  buf.writeUInt16LE(2, 32);
  buf.writeUInt16LE(16, 34);
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(n * 2, 40);
  for (let i = 0; i < n; i++) buf.writeInt16LE(sample(i), 44 + i * 2);
  return buf;
}
