/**
 * Augmented copies of any manifest, for training: real recordings (or synthetic ones) made to sound like other
 * voices, rooms, microphones and channels. Each input entry gets `--copies K` copies `<id>-a<k>`, each with its
 * own seeded chain drawn from: speed perturbation and a small tempo-kept pitch shift (vocal-tract-length-like),
 * room reverberation of three sizes, noise at 5-30 dB SNR on active speech (white/pink/brown from the corpus
 * noise bank, or babble of 3-6 other utterances of the input, other speakers where there are), random gentle
 * microphone EQ, low-bitrate codecs (MP3, Opus, GSM, mu-law, decoded back to 16 kHz), gain, and 0-0.5 s of
 * silence either side (a fifth with none before the speech: the first sound at sample 0). About 13 % stay clean
 * (resampling, gain and padding only). With `--join-share P` that share of copies joins two utterances of the
 * same speaker with 0.3-2.0 s of silence between them. Every choice is written to the entry's `augmentation`.
 *
 * Deterministic (each copy's choices come from `rngFor(seed, 'augment-set', id, k)`, whatever `--jobs`),
 * resumable (a copy whose WAV and line in `.<name>.done.jsonl` exist is skipped), parallel, and the manifest
 * `<out>/<name>.jsonl` is written atomically at the end, sorted by id.
 *
 * CLI: `node dist/tools/corpus/augment-set.js --in M.jsonl [--in M2.jsonl] --out DIR --copies K --seed S
 *   [--jobs 2] [--join-share P] [--name NAME]`
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError, describeError } from '../../src/core/errors.js';
import { jsonlRecords, requireStrings } from '../../src/core/jsonl.js';
import { hash32, rngFor, type Rng } from '../../src/core/rng.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { activePower, NoiseBank, SAMPLE_RATE, trimEdges, wavBytes, type NoiseColor } from './augment.js';
import { codecRoundTrip, decodeFile, micEffects, requireChannelTools, reverbEffects, soxFloat, speedEffects, type Codec, type MicStep, type Reverb } from './channel.js';
import { refuseReserved } from './reserved.js';
import { isMain, nonNegativeInt, readTextFile } from './util.js';

/** Noise mixed into a copy: a color of the noise bank, or babble of other utterances of the input. */
export type SetNoise =
  | { kind: NoiseColor; snr_db: number; offset_s: number }
  | { kind: 'babble'; snr_db: number; talkers: { id: string; offset: number }[] };

/** Everything done to one augmented copy; written to its manifest entry. */
export interface SetAugmentation {
  /** True when nothing but resampling, gain and silence padding was applied. */
  clean: boolean;
  /** sox `speed` factor; 1 = none. */
  speed: number;
  /** sox `pitch` shift with the tempo kept, cents; 0 = none. */
  pitch_cents: number;
  reverb: Reverb | null;
  noise: SetNoise | null;
  /** Microphone frequency response, applied in order; empty = none. */
  mic: MicStep[];
  codec: Codec | null;
  /** Planned gain relative to a -6 dBFS peak (the peak is limited to -0.1 dBFS: see gain_applied_db). */
  gain_db: number;
  /** Gain actually applied, after the peak limit. */
  gain_applied_db: number;
  /** Silence before and after the speech, seconds; a leading 0 means the speech starts at sample 0. */
  pad_s: [number, number];
  /** The second utterance joined after this one: its id, the digital silence between the two trimmed utterances (each keeps 10 ms of its own edge) and where that silence starts, seconds. */
  join: { with: string; gap_s: number; at_s: number } | null;
}

/** One input entry, with its audio resolved to an absolute path. */
export interface SetInput {
  id: string;
  file: string;
  text: string;
  voice: string;
  engine: string;
  source: string;
  licence?: string;
  via_rate?: number;
}

/** One output manifest line. */
export interface AugmentedEntry {
  id: string;
  audio: string;
  text: string;
  voice: string;
  engine: string;
  augmentation: SetAugmentation;
  duration: number;
  source: string;
  licence?: string;
  via_rate?: number;
  /** The input ids the copy was made from (two for a join). */
  from: string[];
}

/** The planned copy: every random choice, drawn before any audio is touched. */
export interface CopyPlan {
  id: string;
  parts: SetInput[];
  gap_s: number;
  augmentation: Omit<SetAugmentation, 'gain_applied_db' | 'join'>;
}

/** Leading silence: none for this share of copies (the shipped model drops first sounds at sample 0). */
export const NO_LEAD_SHARE = 0.2;
/** Copies left clean (resampling, gain and padding only). */
export const CLEAN_SHARE = 0.1;

function round(x: number, d = 3): number {
  const f = 10 ** d;
  return Math.round(x * f) / f;
}

/** Log-uniform in [lo, hi). */
function logUniform(r: Rng, lo: number, hi: number): number {
  return Math.exp(r.uniform(Math.log(lo), Math.log(hi)));
}

/**
 * Room reverberation of a drawn size class.
 * @example
 * planReverb(rngFor(1, 'r'));
 */
export function planReverb(r: Rng): Reverb {
  const room = r.weighted<Reverb['room']>([['small', 0.4], ['medium', 0.35], ['large', 0.25]]);
  const [lo, hi, maxDelay] = room === 'small' ? [5, 35, 10] : room === 'medium' ? [35, 70, 25] : [70, 100, 50];
  return {
    room,
    reverberance: Math.round(r.uniform(20, 85)),
    hf_damping: Math.round(r.uniform(15, 85)),
    room_scale: Math.round(r.uniform(lo, hi)),
    pre_delay_ms: Math.round(r.uniform(0, maxDelay)),
  };
}

/**
 * A gentle microphone response: one to three steps of high/low-pass, a peaking band or a shelf (at most 8 dB).
 * @example
 * planMic(rngFor(1, 'm'));
 */
export function planMic(r: Rng): MicStep[] {
  const n = r.int(1, 3);
  const kinds = r.shuffle(['highpass', 'lowpass', 'equalizer', 'bass', 'treble'] as MicStep['type'][]).slice(0, n);
  return kinds.map((type): MicStep => {
    switch (type) {
      case 'highpass':
        return { type, hz: Math.round(logUniform(r, 60, 300)) };
      case 'lowpass':
        return { type, hz: Math.round(logUniform(r, 3500, 7500)) };
      case 'equalizer':
        return { type, hz: Math.round(logUniform(r, 150, 6000)), q: round(r.uniform(0.7, 2), 2), gain_db: round(r.uniform(-8, 8), 1) };
      case 'bass':
        return { type, hz: Math.round(r.uniform(100, 300)), gain_db: round(r.uniform(-6, 6), 1) };
      case 'treble':
        return { type, hz: Math.round(r.uniform(2500, 6000)), gain_db: round(r.uniform(-6, 6), 1) };
    }
  });
}

/**
 * A low-bitrate codec: MP3 16-32 kbps, Opus 8-24 kbps, GSM or mu-law at 8 kHz.
 * @example
 * planCodec(rngFor(1, 'c'));
 */
export function planCodec(r: Rng): Codec {
  const kind = r.weighted<Codec['kind']>([['mp3', 0.3], ['opus', 0.3], ['gsm', 0.2], ['mulaw', 0.2]]);
  if (kind === 'mp3') return { kind, kbps: r.pick([16, 24, 32]) };
  if (kind === 'opus') return { kind, kbps: r.pick([8, 12, 16, 24]) };
  return { kind };
}

/** What the planner needs to know about the whole input. */
export interface PlanContext {
  seed: number;
  joinShare: number;
  noiseBankSeconds: number;
  /** Every input entry, sorted by id. */
  inputs: SetInput[];
  /** Ids of each voice's entries, sorted. */
  byVoice: Map<string, string[]>;
  byId: Map<string, SetInput>;
  /** The entries babble talkers are drawn from: at most {@link BABBLE_POOL}, picked by a seeded hash of the id. */
  babblePool: SetInput[];
}

/** Babble talkers come from this many entries of the input (each decoded once per run, then cached). */
export const BABBLE_POOL = 256;

/**
 * Index the inputs for planning (sorted by id; duplicates are an error naming the id).
 * @example
 * const ctx = planContext(inputs, 1, 0.1, 300);
 */
export function planContext(inputs: SetInput[], seed: number, joinShare: number, noiseBankSeconds: number): PlanContext {
  const sorted = [...inputs].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const byId = new Map<string, SetInput>();
  const byVoice = new Map<string, string[]>();
  for (const e of sorted) {
    if (byId.has(e.id)) throw new UsageError(`input id "${e.id}" appears twice (in ${byId.get(e.id)!.file} and ${e.file}); ids must be unique across the --in manifests`);
    byId.set(e.id, e);
    const list = byVoice.get(e.voice) ?? [];
    list.push(e.id);
    byVoice.set(e.voice, list);
  }
  const babblePool = sorted
    .map((e) => ({ e, h: hash32(`${seed}\u0000babble\u0000${e.id}`) }))
    .sort((a, b) => a.h - b.h || (a.e.id < b.e.id ? -1 : 1))
    .slice(0, BABBLE_POOL)
    .map((x) => x.e);
  return { seed, joinShare, noiseBankSeconds, inputs: sorted, byVoice, byId, babblePool };
}

/** 3-6 babble talkers of the pool: other speakers' utterances where there are three or more, else any other. */
function planBabble(r: Rng, ctx: PlanContext, exclude: SetInput[]): { id: string; offset: number }[] | null {
  const voices = new Set(exclude.map((e) => e.voice));
  const ids = new Set(exclude.map((e) => e.id));
  const others = ctx.babblePool.filter((e) => !voices.has(e.voice));
  const pool = others.length >= 3 ? others : ctx.babblePool.filter((e) => !ids.has(e.id));
  if (pool.length < 3) return null;
  const n = Math.min(r.int(3, 6), pool.length);
  const chosen = new Set<number>();
  while (chosen.size < n) chosen.add(r.int(0, pool.length - 1));
  return [...chosen].map((i) => ({ id: pool[i]!.id, offset: round(r.next(), 4) }));
}

/**
 * Draw every choice of copy `k` of `entry`.
 * @example
 * const plan = planCopy(ctx.byId.get('joe-0001')!, 1, ctx);
 */
export function planCopy(entry: SetInput, k: number, ctx: PlanContext): CopyPlan {
  const r = rngFor(ctx.seed, 'augment-set', entry.id, k);
  const parts = [entry];
  let gap = 0;
  if (r.chance(ctx.joinShare)) {
    const mates = (ctx.byVoice.get(entry.voice) ?? []).filter((id) => id !== entry.id);
    if (mates.length) {
      parts.push(ctx.byId.get(r.pick(mates))!);
      gap = round(r.uniform(0.3, 2.0));
    }
  }
  const lead = r.chance(NO_LEAD_SHARE) ? 0 : round(r.uniform(0, 0.5));
  const pad: [number, number] = [lead, round(r.uniform(0, 0.5))];
  const gain = round(r.uniform(-10, 6), 2);
  const none = { clean: true, speed: 1, pitch_cents: 0, reverb: null, noise: null, mic: [], codec: null, gain_db: gain, pad_s: pad };
  if (r.chance(CLEAN_SHARE)) return { id: `${entry.id}-a${k}`, parts, gap_s: gap, augmentation: none };
  const speed = r.chance(0.5) ? round(r.uniform(0.9, 1.1)) : 1;
  const pitch = r.chance(0.4) ? Math.round(r.uniform(-200, 200)) : 0;
  const reverb = r.chance(0.35) ? planReverb(r) : null;
  let noise: SetNoise | null = null;
  if (r.chance(0.55)) {
    const snr = round(r.uniform(5, 30), 1);
    const talkers = r.chance(0.45) ? planBabble(r, ctx, parts) : null;
    noise = talkers
      ? { kind: 'babble', snr_db: snr, talkers }
      : { kind: r.weighted<NoiseColor>([['white', 0.3], ['pink', 0.4], ['brown', 0.3]]), snr_db: snr, offset_s: round(r.uniform(0, Math.max(0, ctx.noiseBankSeconds - 30))) };
  }
  const mic = r.chance(0.35) ? planMic(r) : [];
  const codec = r.chance(0.3) ? planCodec(r) : null;
  const clean = speed === 1 && pitch === 0 && !reverb && !noise && !mic.length && !codec;
  return { id: `${entry.id}-a${k}`, parts, gap_s: gap, augmentation: { ...none, clean, speed, pitch_cents: pitch, reverb, noise, mic, codec } };
}


/**
 * A small least-recently-used cache of decoded, trimmed babble talkers (decoding is a sox run; talkers recur).
 * @example
 * const x = await new DecodeCache(64).get('a.wav');
 */
export class DecodeCache {
  private readonly map = new Map<string, Promise<Float32Array>>();
  constructor(private readonly capacity: number) {}

  get(file: string): Promise<Float32Array> {
    const hit = this.map.get(file);
    if (hit) {
      this.map.delete(file);
      this.map.set(file, hit);
      return hit;
    }
    // Babble loops its talkers, so 8 s of each is enough (and bounds the memory of a full cache).
    const p = decodeFile(file).then((x) => trimEdges(x, -50, 160, false).slice(0, 8 * SAMPLE_RATE));
    this.map.set(file, p);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
    return p;
  }
}

/**
 * Babble: the talkers, each at unit active power, looped from their offset to `n` samples, summed.
 * @example
 * const b = babble([talkerA, talkerB, talkerC], [0, 0.3, 0.7], 16000);
 */
export function babble(talkers: readonly Float32Array[], offsets: readonly number[], n: number): Float32Array {
  const out = new Float32Array(n);
  talkers.forEach((t, j) => {
    if (!t.length) return;
    const p = activePower(t);
    if (!(p > 0)) return;
    const k = 1 / Math.sqrt(p);
    let q = Math.floor((offsets[j] ?? 0) * t.length) % t.length;
    for (let i = 0; i < n; i++) {
      out[i]! += k * t[q]!;
      q = q + 1 === t.length ? 0 : q + 1;
    }
  });
  return out;
}

/** Add `noise` to `x` in place so that active speech (`speechPower`) stands `snrDb` above the noise's mean power. */
function mixAtSnr(x: Float32Array, noise: Float32Array, speechPower: number, snrDb: number): void {
  let pn = 0;
  for (const v of noise) pn += v * v;
  pn /= noise.length || 1;
  const k = pn > 0 ? Math.sqrt(speechPower / (pn * 10 ** (snrDb / 10))) : 0;
  for (let i = 0; i < x.length; i++) x[i]! += k * noise[i]!;
}

/** Scale to a peak of 10^(db/20); returns the factor. */
function scalePeak(x: Float32Array, db: number): number {
  let peak = 0;
  for (const v of x) peak = Math.max(peak, Math.abs(v));
  const s = peak > 0 ? 10 ** (db / 20) / peak : 1;
  for (let i = 0; i < x.length; i++) x[i]! *= s;
  return s;
}

/** The I/O a render needs: the noise bank and the talker cache. */
export interface RenderContext {
  bank: NoiseBank;
  plan: PlanContext;
  cache?: DecodeCache;
}

/**
 * Render a planned copy to 16 kHz samples: per part sox (speed, pitch, reverb, resampling), trim, silence
 * padding and join gap, noise, microphone EQ, codec round trip, gain with a -0.1 dBFS peak limit.
 * @example
 * const { samples, augmentation } = await renderCopy(planCopy(entry, 1, ctx), { bank, plan: ctx });
 */
export async function renderCopy(p: CopyPlan, rc: RenderContext): Promise<{ samples: Float32Array; augmentation: SetAugmentation }> {
  const a = p.augmentation;
  const effects = [...speedEffects(a.speed, a.pitch_cents), ...reverbEffects(a.reverb)];
  const noLead = a.pad_s[0] === 0;
  const parts: Float32Array[] = [];
  for (const [i, part] of p.parts.entries()) {
    const x = await decodeFile(part.file, effects);
    const t = trimEdges(x, -50, Math.round(0.01 * SAMPLE_RATE), noLead && i === 0);
    if (!t.length) throw new UsageError(`${part.file} (entry ${part.id}): the audio is silent; remove the entry from the manifest`);
    parts.push(t);
  }
  const lead = Math.round(a.pad_s[0] * SAMPLE_RATE);
  const trail = Math.round(a.pad_s[1] * SAMPLE_RATE);
  const gap = Math.round(p.gap_s * SAMPLE_RATE);
  const speechLen = parts.reduce((s, x) => s + x.length, 0);
  const x = new Float32Array(lead + speechLen + gap * (parts.length - 1) + trail);
  x.set(parts[0]!, lead);
  const at = lead + parts[0]!.length;
  if (parts[1]) x.set(parts[1], at + gap);
  const speech = new Float32Array(speechLen);
  let o = 0;
  for (const part of parts) {
    speech.set(part, o);
    o += part.length;
  }
  if (a.noise) {
    let noise: Float32Array;
    if (a.noise.kind === 'babble') {
      const cache = rc.cache ?? new DecodeCache(8);
      const talkers = await Promise.all(a.noise.talkers.map((t) => {
        const e = rc.plan.byId.get(t.id);
        if (!e) throw new UsageError(`babble talker "${t.id}" is not in the input manifests`);
        return cache.get(e.file);
      }));
      noise = babble(talkers, a.noise.talkers.map((t) => t.offset), x.length);
    } else {
      noise = rc.bank.segment(a.noise.kind, a.noise.offset_s, x.length);
    }
    mixAtSnr(x, noise, activePower(speech), a.noise.snr_db);
  }
  let y: Float32Array = x;
  if (a.mic.length || a.codec) {
    scalePeak(y, -6);
    if (a.mic.length) y = await soxFloat(y, micEffects(a.mic));
    if (a.codec) y = await codecRoundTrip(y, a.codec);
  }
  const targetDb = Math.min(-6 + a.gain_db, -0.1);
  const s = scalePeak(y, targetDb);
  const applied = s === 1 ? a.gain_db : round(targetDb + 6, 2);
  const join = p.parts[1] ? { with: p.parts[1].id, gap_s: p.gap_s, at_s: round(at / SAMPLE_RATE, 4) } : null;
  return { samples: y, augmentation: { ...a, gain_applied_db: applied, join } };
}

/** The output file name of a copy, relative to the output directory: `wav/<2 hex of its hash>/<id>.wav`. */
export function copyAudioPath(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_');
  return `wav/${(hash32(id) & 0xff).toString(16).padStart(2, '0')}/${safe === id ? safe : `${safe}-${hash32(id).toString(16)}`}.wav`;
}

/**
 * The entries of one input manifest, audio resolved against its directory; errors name the line.
 * @example
 * const inputs = readInputs(text, 'real/queen.jsonl');
 */
export function readInputs(text: string, file: string): SetInput[] {
  const dir = path.dirname(path.resolve(file));
  return jsonlRecords(text, file, 'a corpus manifest').map(({ where, record: e }) => {
    requireStrings(e, ['id', 'audio', 'text'], where, 'a corpus manifest');
    const str = (k: string, dflt: string): string => (typeof e[k] === 'string' ? (e[k] as string) : dflt);
    const audio = path.resolve(dir, e.audio as string);
    if (!existsSync(audio)) throw new UsageError(`${where} (${e.id as string}): audio ${audio} does not exist; fix the manifest's "audio" path (relative to the manifest)`);
    return {
      id: e.id as string,
      file: audio,
      text: e.text as string,
      voice: str('voice', 'unknown'),
      engine: str('engine', 'human'),
      source: str('source', path.basename(file)),
      ...(typeof e.licence === 'string' ? { licence: e.licence } : {}),
      ...(typeof e.via_rate === 'number' ? { via_rate: e.via_rate } : {}),
    };
  });
}

/** Options of {@link augmentSet}. */
export interface AugmentSetOptions {
  inputs: string[];
  out: string;
  copies: number;
  seed: number;
  jobs: number;
  joinShare: number;
  name: string;
  /** Length of each noise bank color, seconds (default 300). */
  noiseSeconds?: number;
  log?: (line: string) => void;
}

/** What a run did. */
export interface AugmentSetResult {
  manifest: string;
  entries: AugmentedEntry[];
  /** Copies made by this run. */
  made: number;
  /** Copies found complete from an earlier run. */
  reused: number;
  /** Copies that could not be made (unreadable or silent recordings), left out of the manifest. */
  failed: { id: string; reason: string }[];
  seconds: number;
}

/**
 * Write the augmented copies of the `inputs` manifests and `<out>/<name>.jsonl`.
 * @example
 * await augmentSet({ inputs: ['real/queen.jsonl'], out: 'work-data/aug', copies: 3, seed: 1, jobs: 2, joinShare: 0.1, name: 'queen-aug' });
 */
export async function augmentSet(o: AugmentSetOptions): Promise<AugmentSetResult> {
  const t0 = process.hrtime.bigint();
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  if (!/^[A-Za-z0-9._+-]+$/.test(o.name)) throw new UsageError(`--name "${o.name}": use letters, digits, '.', '_', '+' and '-' only`);
  if (!(o.joinShare >= 0 && o.joinShare <= 1)) throw new UsageError(`--join-share must be a share in [0, 1], got ${o.joinShare}`);
  if (!(o.copies >= 1)) throw new UsageError(`--copies must be at least 1, got ${o.copies}`);
  if (!(o.jobs >= 1)) throw new UsageError(`--jobs must be at least 1, got ${o.jobs}`);
  await requireChannelTools();
  const inputs: SetInput[] = [];
  for (const file of o.inputs) {
    const text = await readTextFile(file, `--in ${file}`);
    inputs.push(...readInputs(text, file));
  }
  if (!inputs.length) throw new UsageError(`--in ${o.inputs.join(', ')}: no entries`);
  refuseReserved(inputs.map((e) => ({ id: e.id, audio: e.file, engine: e.engine, source: e.source })), `augment-set --in ${o.inputs.join(' ')} (augmented copies are training data)`);
  const noiseSeconds = o.noiseSeconds ?? 300;
  const ctx = planContext(inputs, o.seed, o.joinShare, noiseSeconds);
  await fs.mkdir(o.out, { recursive: true });
  const bank = await NoiseBank.open(path.join(o.out, 'noise'), noiseSeconds);
  const manifest = path.join(o.out, `${o.name}.jsonl`);
  const doneFile = path.join(o.out, `.${o.name}.done.jsonl`);

  const plans = ctx.inputs.flatMap((e) => Array.from({ length: o.copies }, (_, i) => planCopy(e, i + 1, ctx)));
  const keyOf = (p: CopyPlan): string => hash32(JSON.stringify([p.augmentation, p.gap_s, p.parts.map((x) => [x.id, x.file, x.text])])).toString(16);
  const done = new Map<string, AugmentedEntry>();
  if (existsSync(doneFile)) {
    for (const line of (await fs.readFile(doneFile, 'utf8')).split('\n')) {
      try {
        const { key, entry } = JSON.parse(line) as { key: string; entry: AugmentedEntry };
        if (existsSync(path.join(o.out, entry.audio))) done.set(`${entry.id}\u0000${key}`, entry);
      } catch {
        // a line cut short by an interruption: that copy is made again
      }
    }
  }
  const entries = new Map<string, AugmentedEntry>();
  const todo: CopyPlan[] = [];
  for (const p of plans) {
    const hit = done.get(`${p.id}\u0000${keyOf(p)}`);
    if (hit) entries.set(p.id, hit);
    else todo.push(p);
  }
  log(`augment-set: ${inputs.length} inputs x ${o.copies} copies = ${plans.length}; ${entries.size} already made, ${todo.length} to make`);
  const rc: RenderContext = { bank, plan: ctx, cache: new DecodeCache(BABBLE_POOL) };
  let next = 0;
  let made = 0;
  const failed: { id: string; reason: string }[] = [];
  const step = Math.max(1, Math.ceil(todo.length / 10));
  const worker = async (): Promise<void> => {
    while (next < todo.length) {
      const p = todo[next++]!;
      let rendered: Awaited<ReturnType<typeof renderCopy>>;
      try {
        rendered = await renderCopy(p, rc);
      } catch (e) {
        // One unreadable or silent recording must not end a run of hours: the copy is left out and reported.
        const reason = `${p.parts.map((x) => x.file).join(' + ')}: ${describeError(e)}`;
        failed.push({ id: p.id, reason });
        log(`augment-set: left out ${p.id}: ${reason}`);
        continue;
      }
      const { samples, augmentation } = rendered;
      const audio = copyAudioPath(p.id);
      const file = path.join(o.out, audio);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await writeFileAtomic(file, wavBytes(samples), { force: true });
      const src = p.parts[0]!;
      const entry: AugmentedEntry = {
        id: p.id,
        audio,
        text: p.parts.map((x) => x.text).join(' '),
        voice: src.voice,
        engine: src.engine,
        augmentation,
        duration: round(samples.length / SAMPLE_RATE),
        source: src.source,
        ...(src.licence ? { licence: src.licence } : {}),
        ...(src.via_rate ? { via_rate: src.via_rate } : {}),
        from: p.parts.map((x) => x.id),
      };
      await fs.appendFile(doneFile, `${JSON.stringify({ key: keyOf(p), entry })}\n`);
      entries.set(p.id, entry);
      made++;
      if (made % step === 0 || made === todo.length) log(`augment-set: ${made}/${todo.length}`);
    }
  };
  await Promise.all(Array.from({ length: Math.min(o.jobs, Math.max(1, todo.length)) }, worker));
  const sorted = [...entries.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await writeFileAtomic(manifest, sorted.map((e) => `${JSON.stringify(e)}\n`).join(''), { force: true });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const hours = sorted.reduce((s, e) => s + e.duration, 0) / 3600;
  const joins = sorted.filter((e) => e.augmentation.join).length;
  const clean = sorted.filter((e) => e.augmentation.clean).length;
  log(`augment-set: ${sorted.length} copies (${hours.toFixed(2)} h; ${clean} clean, ${joins} joined) -> ${manifest}; made ${made} in ${seconds.toFixed(1)} s (${made ? (seconds / made).toFixed(3) : '-'} s per copy)${failed.length ? `; LEFT OUT ${failed.length} copies whose recordings could not be read (listed above)` : ''}`);
  return { manifest, entries: sorted, made, reused: plans.length - todo.length, failed, seconds };
}

/** The default output name: the input manifests' base names joined with '+', then `-aug`. */
export function defaultName(inputs: readonly string[]): string {
  return `${inputs.map((f) => path.basename(f).replace(/\.jsonl$/, '')).join('+')}-aug`;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('augment-set')
    .description('Write augmented 16 kHz copies of manifests (voice, room, noise, microphone, codec, joins) and their manifest.')
    .requiredOption('--in <file>', 'input JSONL manifest (repeat for several)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .requiredOption('--out <dir>', 'output directory: <name>.jsonl and wav/')
    .option('--copies <k>', 'augmented copies per entry', nonNegativeInt('--copies'), 1)
    .option('--seed <n>', 'seed of every random choice', (v: string) => {
      if (!/^-?\d+$/.test(v)) throw new UsageError(`--seed must be an integer, got "${v}"`);
      return Number(v);
    }, 1)
    .option('--jobs <j>', 'copies made at once', nonNegativeInt('--jobs'), 2)
    .option('--join-share <p>', 'share of copies that join two utterances of one speaker', (v: string) => {
      const p = Number(v);
      if (v.trim() === '' || !(p >= 0 && p <= 1)) throw new UsageError(`--join-share must be a share in [0, 1], got "${v}"`);
      return p;
    }, 0)
    .option('--name <name>', 'manifest name (default: the input names joined, then -aug)')
    .parse()
    .opts<{ in: string[]; out: string; copies: number; seed: number; jobs: number; joinShare: number; name?: string }>();
  if (!o.in.length) throw new UsageError('give at least one --in manifest');
  await augmentSet({ inputs: o.in, out: o.out, copies: o.copies, seed: o.seed, jobs: o.jobs, joinShare: o.joinShare, name: o.name ?? defaultName(o.in) });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`augment-set: ${describeError(e)}\n`);
    process.exit(1);
  });
}
