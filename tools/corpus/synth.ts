/**
 * The synthesis driver: turns a plan (one JSON line per utterance: sentence, voice, synthesis
 * parameters, augmentation, all drawn from the seed beforehand) into WAVs and a JSONL manifest.
 *
 * - Deterministic: every random choice is in the plan; noise comes from a repeatable bank.
 * - Parallel: a pool of `jobs` concurrent pipelines (each runs the synthesizer, then sox).
 * - Resumable: an utterance whose WAV and manifest line exist is skipped. A WAV is written to a
 *   temporary name and renamed when complete; its manifest line is written only after that.
 * - Progress on stderr: a live line on a TTY, otherwise one line every `progressEvery` percent.
 *
 * CLI: `node dist/tools/corpus/synth.js --plan P.jsonl --manifest M.jsonl --espeak-path DIR --noise DIR [--jobs J]`
 */
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { finishUtterance, NoiseBank, soxEffects, soxToFloat, wavBytes, SAMPLE_RATE, type Augmentation } from './augment.js';
import type { Rng } from '../../src/core/rng.js';
import { isMain, run } from './util.js';
import { espeakVoiceArg, type Engine, type Voice } from './voices.js';

/** Per-utterance settings of the synthesizer itself. */
export interface SynthParams {
  /** espeak-ng words per minute. */
  rate?: number;
  /** espeak-ng pitch, 0-99. */
  pitch?: number;
  /** espeak-ng extra pause between words, units of 10 ms. */
  gap?: number;
  /** flite duration_stretch (>1 slower). */
  stretch?: number;
  /** flite int_f0_target_mean, Hz (diphone voices only). */
  f0?: number;
  /** gnuspeech tempo (>1 faster). */
  tempo?: number;
}

/** One planned utterance. */
export interface UttPlan {
  id: string;
  /** WAV path relative to the manifest's directory. */
  audio: string;
  /** Label text. */
  text: string;
  /** What the synthesizer is given. */
  spoken: string;
  source: string;
  voice: Voice;
  synth: SynthParams;
  augmentation: Augmentation;
}

/** One manifest line. */
export interface ManifestEntry {
  id: string;
  audio: string;
  text: string;
  voice: string;
  engine: Engine | 'human';
  augmentation: (Augmentation & { synth: SynthParams }) | Record<string, never>;
  duration: number;
  source: string;
  /** Imported recordings: the licence their package states. */
  licence?: string;
}

/**
 * Draw the synthesizer settings for one utterance.
 * @example
 * planSynth(rngFor(1, 'synth', id), { engine: 'espeak-ng', name: 'en-us+f2' });
 */
export function planSynth(r: Rng, voice: Voice): SynthParams {
  switch (voice.engine) {
    case 'espeak-ng':
      return { rate: r.int(140, 225), pitch: r.int(25, 75), gap: r.chance(0.85) ? 0 : r.int(1, 4) };
    case 'flite':
      return voice.name.startsWith('kal')
        ? { stretch: Math.round(r.uniform(0.8, 1.15) * 100) / 100, f0: r.int(85, 135) }
        : { stretch: Math.round(r.uniform(0.8, 1.15) * 100) / 100 };
    case 'gnuspeech':
      return { tempo: Math.round(r.uniform(0.8, 1.25) * 100) / 100 };
    case 'festival':
      return {};
  }
}

type GnuSpeech = typeof import('@echogarden/gnuspeech-wasm');
let gnuspeech: Promise<GnuSpeech> | null = null;
/** One wasm instance serves every call, so calls run one at a time (the tail of this chain). */
let gnuspeechQueue: Promise<unknown> = Promise.resolve();

/** Speak with gnuspeech (in-process wasm), one call at a time; a clear error where the package is missing. */
async function renderGnuspeech(voice: string, tempo: number, spoken: string): Promise<Buffer> {
  gnuspeech ??= import('@echogarden/gnuspeech-wasm').catch((e: unknown) => {
    gnuspeech = null;
    throw new Error(`gnuspeech voices need the @echogarden/gnuspeech-wasm package (npm ci installs it as a dev dependency): ${e instanceof Error ? e.message : String(e)}`);
  });
  const gs = await gnuspeech;
  const call = gnuspeechQueue.then(() => gs.synthesize(spoken, { voice: voice as 'male', tempo }));
  gnuspeechQueue = call.catch(() => undefined);
  const { audioData } = await call;
  return Buffer.from(audioData as Uint8Array);
}

/** Run the synthesizer and return the WAV bytes it wrote. */
export async function render(voice: Voice, p: SynthParams, spoken: string, ctx: { espeakPath: string; tmpDir: string; id: string }): Promise<Buffer> {
  const timeoutMs = 120_000;
  switch (voice.engine) {
    case 'espeak-ng': {
      const args = [`--path=${ctx.espeakPath}`, '-v', espeakVoiceArg(voice.name), '--stdout'];
      if (p.rate) args.push('-s', String(p.rate));
      if (p.pitch !== undefined) args.push('-p', String(p.pitch));
      if (p.gap) args.push('-g', String(p.gap));
      args.push('--', spoken);
      return (await run('espeak-ng', args, { timeoutMs })).stdout;
    }
    case 'flite': {
      const tmp = path.join(ctx.tmpDir, `${ctx.id}.flite.wav`);
      const args = ['-voice', voice.name, '-t', spoken, '-o', tmp];
      if (p.stretch) args.push('--setf', `duration_stretch=${p.stretch}`);
      if (p.f0) args.push('--setf', `int_f0_target_mean=${p.f0}`);
      try {
        await run('flite', args, { timeoutMs });
        return await fs.readFile(tmp);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    }
    case 'gnuspeech':
      return renderGnuspeech(voice.name, p.tempo ?? 1, spoken);
    case 'festival': {
      const tmp = path.join(ctx.tmpDir, `${ctx.id}.festival.wav`);
      try {
        await run('text2wave', ['-eval', `(voice_${voice.name})`, '-o', tmp], { input: `${spoken}\n`, timeoutMs });
        return await fs.readFile(tmp);
      } finally {
        await fs.rm(tmp, { force: true });
      }
    }
  }
}

/** Synthesize, augment and write one utterance; returns its manifest entry. */
export async function synthesizeOne(u: UttPlan, ctx: { manifestDir: string; espeakPath: string; tmpDir: string; bank: NoiseBank | null }): Promise<ManifestEntry> {
  const wav = await render(u.voice, u.synth, u.spoken, { espeakPath: ctx.espeakPath, tmpDir: ctx.tmpDir, id: u.id });
  const speech = await soxToFloat(wav, soxEffects(u.augmentation));
  const { samples, gainDb } = finishUtterance(speech, u.augmentation, ctx.bank);
  const file = path.join(ctx.manifestDir, u.audio);
  await fs.mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, wavBytes(samples));
  await fs.rename(tmp, file);
  return {
    id: u.id,
    audio: u.audio,
    text: u.text,
    voice: u.voice.name,
    engine: u.voice.engine,
    augmentation: { ...u.augmentation, gain_db: gainDb, synth: u.synth },
    duration: Math.round((samples.length / SAMPLE_RATE) * 1000) / 1000,
    source: u.source,
  };
}

/**
 * Whether a manifest entry is what this plan would synthesize (same file, text, voice and synthesizer
 * settings), so that resuming after the plan changed redoes the entries it changed.
 * @example
 * matchesPlan(entry, plan) // false when the plan now speaks another sentence under the same id
 */
export function matchesPlan(e: ManifestEntry, p: UttPlan): boolean {
  const synth = (e.augmentation as { synth?: SynthParams }).synth;
  return e.audio === p.audio && e.text === p.text && e.voice === p.voice.name && e.engine === p.voice.engine
    && JSON.stringify(synth) === JSON.stringify(p.synth);
}

/** Read a JSONL file, skipping blank and malformed lines (a line cut short by a crash). */
export async function readJsonl<T>(file: string): Promise<T[]> {
  if (!existsSync(file)) return [];
  const out: T[] = [];
  for (const line of (await fs.readFile(file, 'utf8')).split('\n')) {
    if (!line.trim()) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // A partial last line from an interrupted run: the utterance is redone.
    }
  }
  return out;
}

export async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/** Progress on stderr: a live line on a TTY, else a line every `everyPercent` percent. */
export class Progress {
  private readonly start = Date.now();
  private lastPct = -1;
  private lastDraw = 0;
  private audioSec = 0;
  done = 0;

  constructor(private readonly label: string, private readonly total: number, private readonly everyPercent = 5, private readonly tty = Boolean(process.stderr.isTTY)) {}

  tick(audioSec: number): void {
    this.done++;
    this.audioSec += audioSec;
    const pct = this.total ? Math.floor((100 * this.done) / this.total) : 100;
    const now = Date.now();
    if (this.tty) {
      if (now - this.lastDraw > 250 || this.done === this.total) {
        this.lastDraw = now;
        process.stderr.write(`\r${this.line()}\x1b[K${this.done === this.total ? '\n' : ''}`);
      }
    } else if (Math.floor(pct / this.everyPercent) > Math.floor(this.lastPct / this.everyPercent) || this.done === this.total) {
      this.lastPct = pct;
      process.stderr.write(`${this.line()}\n`);
    }
  }

  line(): string {
    const el = (Date.now() - this.start) / 1000;
    const rate = this.done / Math.max(el, 1e-3);
    const eta = rate > 0 ? (this.total - this.done) / rate : 0;
    const fmt = (s: number): string => `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
    return `[${this.label}] ${this.done}/${this.total} (${this.total ? ((100 * this.done) / this.total).toFixed(1) : '100'}%) ${rate.toFixed(2)} utt/s, ${(this.audioSec / Math.max(el, 1e-3)).toFixed(1)}x real time, elapsed ${fmt(el)}, ETA ${fmt(eta)}`;
  }
}

export interface SynthRunOptions {
  jobs: number;
  espeakPath: string;
  noiseDir: string;
  noiseSeconds: number;
  label?: string;
  progressEvery?: number;
}

export interface SynthRunResult {
  total: number;
  skipped: number;
  made: number;
  failed: { id: string; error: string }[];
  wallSec: number;
  audioSec: number;
}

/**
 * Synthesize every planned utterance not already in the manifest, then rewrite the manifest
 * sorted by id.
 * @example
 * await synthesizeSet(plans, 'work-data/corpus/dev.jsonl', { jobs: 2, espeakPath, noiseDir, noiseSeconds: 300 });
 */
export async function synthesizeSet(plans: UttPlan[], manifestPath: string, o: SynthRunOptions): Promise<SynthRunResult> {
  const t0 = Date.now();
  const manifestDir = path.dirname(path.resolve(manifestPath));
  await fs.mkdir(manifestDir, { recursive: true });
  const wanted = new Map(plans.map((p) => [p.id, p]));
  // Resume: keep the lines whose WAV exists and that are still in the plan.
  const existing = await readJsonl<ManifestEntry>(manifestPath);
  const kept = new Map<string, ManifestEntry>();
  for (const e of existing) {
    const p = wanted.get(e.id);
    if (p && matchesPlan(e, p) && existsSync(path.join(manifestDir, e.audio))) kept.set(e.id, e);
  }
  await writeAtomic(manifestPath, [...kept.values()].map((e) => `${JSON.stringify(e)}\n`).join(''));
  const todo = plans.filter((p) => !kept.has(p.id));
  // WAVs an interrupted run left half-written (named <wav>.<pid>.tmp).
  for (const dir of new Set(todo.map((p) => path.dirname(path.join(manifestDir, p.audio))))) {
    if (!existsSync(dir)) continue;
    for (const f of await fs.readdir(dir)) if (/\.wav\.\d+\.tmp$/.test(f)) await fs.rm(path.join(dir, f), { force: true });
  }
  // This run's own scratch directory: builds of other sets or rounds into the same directory may run
  // at the same time, and one finishing must not delete another's synthesizer output.
  const tmpDir = path.join(manifestDir, '.tmp', `${process.pid}-${path.basename(manifestPath)}`);
  await fs.mkdir(tmpDir, { recursive: true });
  const needsNoise = todo.some((p) => p.augmentation.noise);
  const bank = needsNoise ? await NoiseBank.open(o.noiseDir, o.noiseSeconds) : null;
  const progress = new Progress(o.label ?? path.basename(manifestPath), todo.length, o.progressEvery ?? 5);
  if (kept.size) process.stderr.write(`[${o.label ?? path.basename(manifestPath)}] resuming: ${kept.size} of ${plans.length} already done\n`);
  const handle = await fs.open(manifestPath, 'a');
  let writeChain: Promise<unknown> = Promise.resolve();
  const failed: { id: string; error: string }[] = [];
  let audioSec = 0;
  let next = 0;
  const worker = async (): Promise<void> => {
    for (;;) {
      const i = next++;
      if (i >= todo.length) return;
      const u = todo[i]!;
      let entry: ManifestEntry | null = null;
      for (let attempt = 0; attempt < 2 && !entry; attempt++) {
        try {
          entry = await synthesizeOne(u, { manifestDir, espeakPath: o.espeakPath, tmpDir, bank });
        } catch (e) {
          if (attempt === 1) failed.push({ id: u.id, error: e instanceof Error ? e.message : String(e) });
        }
      }
      if (entry) {
        const line = `${JSON.stringify(entry)}\n`;
        writeChain = writeChain.then(() => handle.write(line));
        await writeChain;
        kept.set(entry.id, entry);
        audioSec += entry.duration;
      }
      progress.tick(entry?.duration ?? 0);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, () => worker()));
  } finally {
    await writeChain.catch(() => undefined);
    await handle.close();
    await fs.rm(tmpDir, { recursive: true, force: true });
    await fs.rmdir(path.dirname(tmpDir)).catch(() => undefined); // only when no other run is using it
  }
  // Deterministic final order.
  const sorted = [...kept.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  await writeAtomic(manifestPath, sorted.map((e) => `${JSON.stringify(e)}\n`).join(''));
  for (const f of failed) process.stderr.write(`[${o.label ?? ''}] failed ${f.id}: ${f.error}\n`);
  return { total: plans.length, skipped: plans.length - todo.length, made: todo.length - failed.length, failed, wallSec: (Date.now() - t0) / 1000, audioSec };
}

async function main(): Promise<void> {
  const cmd = new Command()
    .name('synth')
    .description('Synthesize a plan (JSONL of UttPlan) into WAVs and a JSONL manifest; resumable.')
    .requiredOption('--plan <file>', 'plan JSONL written by build.js')
    .requiredOption('--manifest <file>', 'manifest JSONL to write (WAV paths are relative to it)')
    .requiredOption('--espeak-path <dir>', 'directory holding the private espeak-ng-data')
    .requiredOption('--noise <dir>', 'noise bank directory')
    .option('--noise-seconds <n>', 'noise bank length', (x) => Number.parseInt(x, 10), 300)
    .option('--jobs <n>', 'parallel pipelines', (x) => Number.parseInt(x, 10), os.availableParallelism())
    .parse();
  const o = cmd.opts<{ plan: string; manifest: string; espeakPath: string; noise: string; noiseSeconds: number; jobs: number }>();
  const plans = await readJsonl<UttPlan>(o.plan);
  const r = await synthesizeSet(plans, o.manifest, { jobs: o.jobs, espeakPath: o.espeakPath, noiseDir: o.noise, noiseSeconds: o.noiseSeconds });
  process.stderr.write(`${JSON.stringify({ ...r, failed: r.failed.length })}\n`);
  if (r.failed.length) process.exit(1);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`synth: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
