/**
 * What a room, a microphone and a transmission channel do to speech, as small named functions over 16 kHz mono
 * float samples: sox effect lists for speed / vocal-tract-length-like pitch warping, room reverberation and
 * microphone EQ, and encode-decode round trips through low-bitrate codecs (MP3 and Opus with ffmpeg, GSM and
 * mu-law with sox). Every call is repeatable: sox runs with `-R` (fixed seed) and `-D` (no dither), ffmpeg with
 * `-bitexact` on one thread, so the same samples in give the same samples out.
 */
import { promises as fs, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { EarshotError, ExitCode } from '../../src/core/errors.js';
import { SAMPLE_RATE } from './augment.js';
import { CommandError, run } from './util.js';

/** Room reverberation (sox `reverb`); `room` is the size class `room_scale` was drawn from. */
export interface Reverb {
  room: 'small' | 'medium' | 'large';
  reverberance: number;
  hf_damping: number;
  room_scale: number;
  pre_delay_ms: number;
}

/** One step of a microphone's frequency response. */
export type MicStep =
  | { type: 'highpass'; hz: number }
  | { type: 'lowpass'; hz: number }
  | { type: 'equalizer'; hz: number; q: number; gain_db: number }
  | { type: 'bass'; hz: number; gain_db: number }
  | { type: 'treble'; hz: number; gain_db: number };

/** A low-bitrate channel the audio is encoded into and decoded back from. */
export type Codec = { kind: 'mp3'; kbps: number } | { kind: 'opus'; kbps: number } | { kind: 'gsm' } | { kind: 'mulaw' };

/**
 * A program the augmentation needs is missing or lacks a format; names the Debian package to install.
 * @example
 * throw new MissingToolError('ffmpeg', 'ffmpeg', 'not found on PATH');
 */
export class MissingToolError extends EarshotError {
  constructor(readonly tool: string, readonly debianPackage: string, reason: string) {
    super(`${tool} ${reason}: install it with \`apt-get install -y ${debianPackage}\``, ExitCode.usage);
  }
}

/**
 * Check that sox (with the GSM and mu-law formats) and ffmpeg (with libmp3lame and libopus) are installed.
 * @example
 * await requireChannelTools(); // throws MissingToolError naming the package otherwise
 */
export async function requireChannelTools(): Promise<void> {
  const help = await run('sox', ['-h']).catch((e: unknown) => {
    if (e instanceof CommandError && e.code === null) throw new MissingToolError('sox', 'sox libsox-fmt-all', 'not found on PATH');
    return { stdout: Buffer.from(e instanceof CommandError ? e.stderrText : '') };
  });
  const formats = /AUDIO FILE FORMATS:(.*)/.exec(help.stdout.toString())?.[1]?.split(/\s+/) ?? [];
  for (const f of ['gsm', 'ul', 'wav']) if (!formats.includes(f)) throw new MissingToolError('sox', 'libsox-fmt-all', `cannot write the ${f} format`);
  const enc = await run('ffmpeg', ['-hide_banner', '-encoders']).catch((e: unknown) => {
    if (e instanceof CommandError && e.code === null) throw new MissingToolError('ffmpeg', 'ffmpeg', 'not found on PATH');
    throw e;
  });
  for (const codec of ['libmp3lame', 'libopus']) {
    if (!enc.stdout.toString().includes(codec)) throw new MissingToolError('ffmpeg', 'ffmpeg', `has no ${codec} encoder (Debian's ffmpeg has both)`);
  }
}

function toF32(x: Float32Array): Buffer {
  const b = Buffer.alloc(x.length * 4);
  for (let i = 0; i < x.length; i++) b.writeFloatLE(x[i]!, i * 4);
  return b;
}

function fromF32(b: Buffer): Float32Array {
  const x = new Float32Array(Math.floor(b.length / 4));
  for (let i = 0; i < x.length; i++) x[i] = b.readFloatLE(i * 4);
  return x;
}

/** `x` cut or zero-padded to `n` samples, so that a round trip keeps every sample where it was. */
function fitLength(x: Float32Array, n: number): Float32Array {
  if (x.length === n) return x;
  const out = new Float32Array(n);
  out.set(x.subarray(0, Math.min(n, x.length)));
  return out;
}

/** sox's repeatable, undithered options. */
const SOX = ['-R', '-D', '-V1'];

/**
 * Decode any audio file sox reads to 16 kHz mono float samples, through `effects` (applied before the rate
 * change that sox appends). `-G` lowers the level where an effect would clip.
 * @example
 * const x = await decodeFile('a.wav', speedEffects(1.05, 0));
 */
export async function decodeFile(file: string, effects: readonly string[] = []): Promise<Float32Array> {
  const { stdout } = await run('sox', [...SOX, '-G', file, '-t', 'f32', '-r', String(SAMPLE_RATE), '-c', '1', '-', ...effects]);
  return fromF32(stdout);
}

/**
 * Run 16 kHz float samples through sox `effects` and back, keeping the length.
 * @example
 * const y = await soxFloat(x, micEffects([{ type: 'highpass', hz: 200 }]));
 */
export async function soxFloat(x: Float32Array, effects: readonly string[]): Promise<Float32Array> {
  if (!effects.length) return x;
  const raw = ['-t', 'f32', '-r', String(SAMPLE_RATE), '-c', '1'];
  const { stdout } = await run('sox', [...SOX, '-G', ...raw, '-', ...raw, '-', ...effects], { input: toF32(x) });
  return fitLength(fromF32(stdout), x.length);
}

/**
 * sox effects for speed perturbation (tempo and pitch together, like resampling) and a pitch shift with the
 * tempo kept (sox `pitch`: the vocal-tract-length-like warp); identity values give no effect.
 * @example
 * speedEffects(1.05, -120); // ['speed', '1.05', 'pitch', '-120']
 */
export function speedEffects(speed: number, pitchCents: number): string[] {
  const e: string[] = [];
  if (speed !== 1) e.push('speed', String(speed));
  if (pitchCents !== 0) e.push('pitch', String(pitchCents));
  return e;
}

/**
 * sox `reverb` arguments: reverberance, HF damping, room scale, stereo depth 100, pre-delay.
 * @example
 * reverbEffects({ room: 'small', reverberance: 40, hf_damping: 50, room_scale: 20, pre_delay_ms: 5 });
 */
export function reverbEffects(r: Reverb | null): string[] {
  return r ? ['reverb', String(r.reverberance), String(r.hf_damping), String(r.room_scale), '100', String(r.pre_delay_ms)] : [];
}

/**
 * sox effects of a microphone response (`equalizer` width given as a Q, `bass`/`treble` as shelves).
 * @example
 * micEffects([{ type: 'lowpass', hz: 5000 }, { type: 'bass', hz: 200, gain_db: -4 }]);
 */
export function micEffects(steps: readonly MicStep[]): string[] {
  const e: string[] = [];
  for (const s of steps) {
    switch (s.type) {
      case 'highpass':
      case 'lowpass':
        e.push(s.type, String(s.hz));
        break;
      case 'equalizer':
        e.push('equalizer', String(s.hz), `${s.q}q`, String(s.gain_db));
        break;
      case 'bass':
      case 'treble':
        e.push(s.type, String(s.gain_db), String(s.hz));
        break;
    }
  }
  return e;
}

/** Run ffmpeg to encode the samples into `file` with `codecArgs`, then decode `file` back to 16 kHz float. */
async function ffmpegRoundTrip(x: Float32Array, ext: string, codecArgs: readonly string[]): Promise<Float32Array> {
  // File, not pipe: the MP3 encoder writes its LAME header (encoder delay) and the Ogg muxer its pre-skip only
  // to a seekable output, and the decoder needs them to put every sample back where it was.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'earshot-codec-'));
  const file = path.join(dir, `c.${ext}`);
  try {
    const ff = ['-hide_banner', '-v', 'error', '-nostdin', '-threads', '1'];
    await run('ffmpeg', [...ff, '-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ac', '1', '-i', 'pipe:0', ...codecArgs, '-bitexact', '-y', file], { input: toF32(x) });
    const { stdout } = await run('ffmpeg', [...ff, '-i', file, '-f', 'f32le', '-ar', String(SAMPLE_RATE), '-ac', '1', 'pipe:1']);
    return fitLength(fromF32(stdout), x.length);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/**
 * MP3 at `kbps` (LAME), decoded back.
 * @example
 * const y = await mp3RoundTrip(x, 24);
 */
export function mp3RoundTrip(x: Float32Array, kbps: number): Promise<Float32Array> {
  return ffmpegRoundTrip(x, 'mp3', ['-c:a', 'libmp3lame', '-b:a', `${kbps}k`]);
}

/**
 * Opus at `kbps` (libopus, VoIP mode), decoded back.
 * @example
 * const y = await opusRoundTrip(x, 12);
 */
export function opusRoundTrip(x: Float32Array, kbps: number): Promise<Float32Array> {
  return ffmpegRoundTrip(x, 'ogg', ['-c:a', 'libopus', '-application', 'voip', '-b:a', `${kbps}k`]);
}

/** Through an 8 kHz telephone format of sox (`-t gsm` or `-t ul`) and back to 16 kHz. */
async function soxPhoneRoundTrip(x: Float32Array, type: 'gsm' | 'ul'): Promise<Float32Array> {
  const raw16 = ['-t', 'f32', '-r', String(SAMPLE_RATE), '-c', '1'];
  const phone = ['-t', type, '-r', '8000', '-c', '1'];
  const enc = await run('sox', [...SOX, '-G', ...raw16, '-', ...phone, '-'], { input: toF32(x) });
  const dec = await run('sox', [...SOX, ...phone, '-', ...raw16, '-'], { input: enc.stdout });
  return fitLength(fromF32(dec.stdout), x.length);
}

/**
 * GSM 06.10 full rate at 8 kHz (sox), decoded back to 16 kHz.
 * @example
 * const y = await gsmRoundTrip(x);
 */
export function gsmRoundTrip(x: Float32Array): Promise<Float32Array> {
  return soxPhoneRoundTrip(x, 'gsm');
}

/**
 * G.711 mu-law at 8 kHz (sox), decoded back to 16 kHz.
 * @example
 * const y = await mulawRoundTrip(x);
 */
export function mulawRoundTrip(x: Float32Array): Promise<Float32Array> {
  return soxPhoneRoundTrip(x, 'ul');
}

/**
 * The samples after `codec`'s encode-decode round trip (same length, same alignment).
 * @example
 * const y = await codecRoundTrip(x, { kind: 'opus', kbps: 8 });
 */
export function codecRoundTrip(x: Float32Array, codec: Codec): Promise<Float32Array> {
  switch (codec.kind) {
    case 'mp3':
      return mp3RoundTrip(x, codec.kbps);
    case 'opus':
      return opusRoundTrip(x, codec.kbps);
    case 'gsm':
      return gsmRoundTrip(x);
    case 'mulaw':
      return mulawRoundTrip(x);
  }
}
