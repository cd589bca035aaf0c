/**
 * The voices ("speakers") of the corpus and how they are split between training and evaluation.
 *
 * - espeak-ng: every installed English accent of espeak-ng itself (not the mbrola ones),
 *   crossed with the stock variants and with seeded, randomly generated variant files (formants,
 *   pitch, tone, flutter, roughness, breath, voicing, echo, klatt) written into a private copy of
 *   espeak-ng-data. One accent (default `en-gb-scotland`), a few stock variants and a set of
 *   generated variants are held out: they speak only the `heldout_voice` set.
 * - flite: kal, kal16, awb, rms, slt (whichever `flite -lv` lists).
 * - gnuspeech (`@echogarden/gnuspeech-wasm`, an articulatory synthesizer, in-process wasm): male,
 *   female, large_child and small_child, only where a build asks for a share of them
 *   (`--gnuspeech-share`), so the plans of rounds built without it stay as they were.
 * - festival: `cmu_us_slt_arctic_hts` and `kal_diphone`, for evaluation only, never training.
 */
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Rng, rngFor } from '../../src/core/rng.js';
import { run } from './util.js';

export type Engine = 'espeak-ng' | 'flite' | 'gnuspeech' | 'festival';

/** flite's share of training utterances unless a build says otherwise (`--flite-share`). */
export const DEFAULT_FLITE_SHARE = 0.22;

/** The gnuspeech voices training uses (its `baby` voice is left out: it is not speech-like). */
export const GNUSPEECH_VOICES = ['male', 'female', 'large_child', 'small_child'] as const;

/** A speaker: an engine and a voice name (for espeak-ng, `accent+variant`). */
export interface Voice {
  engine: Engine;
  /** espeak-ng `-v` argument, flite `-voice` name, or festival voice name. */
  name: string;
}

/** `engine:name`, unique per speaker. */
export function voiceKey(v: Voice): string {
  return `${v.engine}:${v.name}`;
}

/** Where the voices live and which ones each set uses. */
export interface VoiceInventory {
  /** Directory passed to `espeak-ng --path` (holds `espeak-ng-data`). */
  espeakPath: string;
  trainAccents: string[];
  heldoutAccent: string;
  trainVariants: string[];
  heldoutVariants: string[];
  flite: string[];
  festival: string[];
  /** gnuspeech voices for training, and the share of training utterances they speak (0: none, and no draw). */
  gnuspeech?: string[];
  gnuspeechShare?: number;
  /**
   * Share (0-1) of the training pool's other utterances (those gnuspeech does not speak) that flite
   * speaks; default {@link DEFAULT_FLITE_SHARE}. The draw is made either way, so the default gives the
   * plans that inventories without this field gave.
   */
  fliteShare?: number;
  /** Variants dropped: they sound exactly like no variant, are silent, or make espeak-ng fail. */
  droppedVariants: string[];
}

export interface VoiceOptions {
  seed: number;
  /** Directory that will hold the private `espeak-ng-data`. */
  dataRoot: string;
  generatedTrain: number;
  generatedHeldout: number;
  heldoutStock: number;
  heldoutAccent: string;
  festivalVoices: string[];
  /** Extra training round (> 0): generate this round's own training variants (`gen_t<r>_NNN`). */
  round?: number;
}

export const DEFAULT_VOICE_OPTIONS: Omit<VoiceOptions, 'dataRoot'> = {
  seed: 1,
  generatedTrain: 300,
  generatedHeldout: 30,
  heldoutStock: 10,
  heldoutAccent: 'en-gb-scotland',
  festivalVoices: ['cmu_us_slt_arctic_hts', 'kal_diphone'],
};

const FLITE_WANTED = ['kal', 'kal16', 'awb', 'rms', 'slt'];

/** Parse `espeak-ng --voices=...` output into [language, file] rows. */
export function parseEspeakVoiceList(text: string): { language: string; file: string }[] {
  const rows: { language: string; file: string }[] = [];
  for (const line of text.split('\n').slice(1)) {
    // Pty Language Age/Gender VoiceName File [Other languages]; names never hold spaces.
    const cols = line.trim().split(/\s+/);
    if (cols.length >= 5 && /^\d+$/.test(cols[0]!)) rows.push({ language: cols[1]!, file: cols[4]! });
  }
  return rows;
}

async function espeakList(arg: string, espeakPath: string): Promise<{ language: string; file: string }[]> {
  const { stdout } = await run('espeak-ng', [`--path=${espeakPath}`, `--voices=${arg}`]);
  return parseEspeakVoiceList(stdout.toString('utf8'));
}

/**
 * One random espeak-ng variant file. Formants move together by a vocal-tract factor (lower for
 * "male", higher for "female") with per-formant jitter; voice quality settings are drawn so most
 * variants stay intelligible.
 * @example
 * randomVariant(new Rng(3), 'gen_t001');
 */
export function randomVariant(r: Rng, name: string): string {
  const female = r.chance(0.5);
  const lines = ['language variant', `name ${name}`, `gender ${female ? 'female' : 'male'}`];
  const base = female ? r.int(140, 235) : r.int(65, 135);
  lines.push(`pitch ${base} ${Math.round(base * r.uniform(1.08, 1.8))}`);
  const vtl = female ? r.uniform(1.0, 1.16) : r.uniform(0.88, 1.03);
  for (let k = 0; k <= 8; k++) {
    const jitter = k <= 3 ? 0.05 : 0.1;
    const freq = Math.round(100 * (k === 0 ? r.uniform(0.8, 1.2) : vtl * r.uniform(1 - jitter, 1 + jitter)));
    const strength = Math.round(k === 0 ? r.uniform(0, 150) : r.uniform(70, 130));
    const width = Math.round(r.uniform(70, 150));
    lines.push(`formant ${k} ${freq} ${strength} ${width}`);
  }
  if (r.chance(0.4)) {
    const f1 = r.int(350, 800);
    const f2 = r.int(1000, 1700);
    const f3 = r.int(1900, 3200);
    lines.push(`tone ${f1} ${r.int(120, 230)} ${f2} ${r.int(90, 200)} ${f3} ${r.int(60, 180)}`);
  }
  lines.push(`flutter ${r.weighted([[r.int(0, 10), 3], [r.int(10, 30), 2], [r.int(30, 60), 0.5]])}`);
  lines.push(`roughness ${r.weighted([[0, 4], [r.int(1, 3), 3], [r.int(4, 6), 1]])}`);
  const whisper = r.chance(0.03);
  if (whisper) {
    lines.push(`voicing ${r.int(12, 35)}`, 'breath 75 75 60 40 15 10', 'breathw 150 150 200 200 400 400');
  } else {
    lines.push(`voicing ${r.int(80, 120)}`);
    if (r.chance(0.25)) lines.push(`breath ${Array.from({ length: 8 }, () => r.int(0, 30)).join(' ')}`);
  }
  lines.push(`consonants ${r.int(70, 130)} ${r.int(70, 130)}`);
  if (r.chance(0.2)) lines.push(`echo ${r.int(10, 140)} ${r.int(4, 22)}`);
  if (r.chance(0.15)) lines.push(`klatt ${r.int(1, 6)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * Folder of the private espeak-ng-data that holds the generated variants. Keep it short:
 * espeak-ng 1.51 copies "!v/<variant>" into a 40-byte buffer and aborts on longer names.
 */
export const GENERATED_DIR = 'gv';

/**
 * The `-v` argument for an espeak-ng voice name: generated variants (`+gen_...`) are loaded by a
 * path relative to `voices/!v/`, since espeak-ng joins the variant name onto that folder.
 * @example
 * espeakVoiceArg('en-us+gen_t001'); // 'en-us+../../gv/gen_t001'
 */
export function espeakVoiceArg(name: string): string {
  return name.replace(/\+gen_/, `+../../${GENERATED_DIR}/gen_`);
}

async function trimToEnglish(data: string): Promise<void> {
  const walk = async (dir: string): Promise<string[]> => {
    const out: string[] = [];
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) out.push(...(await walk(p)));
      else out.push(p);
    }
    return out;
  };
  for (const f of await walk(path.join(data, 'lang'))) {
    if (!/[\\/]gmw[\\/]en/.test(f)) await fs.rm(f);
  }
  await fs.rm(path.join(data, 'voices', 'mb'), { recursive: true, force: true });
  // Generated variants of older layouts.
  for (const f of await fs.readdir(path.join(data, 'voices', '!v'))) {
    if (f.startsWith('gen_')) await fs.rm(path.join(data, 'voices', '!v', f));
  }
}

async function copyDir(src: string, dst: string): Promise<void> {
  await fs.cp(src, dst, { recursive: true, dereference: true, force: true });
}

async function espeakDataDir(): Promise<string> {
  const { stdout } = await run('espeak-ng', ['--version']);
  const m = /Data at:\s*(\S+)/.exec(stdout.toString('utf8'));
  if (!m) throw new Error('cannot find espeak-ng-data: "espeak-ng --version" did not say "Data at: ..."; is espeak-ng installed?');
  return m[1]!;
}

/**
 * A fingerprint of what a voice says for a probe sentence, or 'silent' when its output has no
 * audible samples (peak below -50 dBFS) or is shorter than 0.3 s.
 */
async function fingerprint(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args);
  const data = stdout.subarray(44);
  let peak = 0;
  for (let i = 0; i + 1 < data.length; i += 2) peak = Math.max(peak, Math.abs(data.readInt16LE(i)));
  const rate = stdout.length >= 28 ? stdout.readUInt32LE(24) : 22050;
  if (peak < 32768 * 10 ** (-50 / 20) || data.length / 2 / rate < 0.3) return 'silent';
  return createHash('sha1').update(stdout).digest('hex');
}

/** The voices flite has (`flite -lv`), intersected with the ones the recipe wants. */
export async function fliteVoices(): Promise<string[]> {
  const { stdout, stderr } = await run('flite', ['-lv']);
  const listed = `${stdout.toString('utf8')} ${stderr}`.replace(/^.*?:/s, '').split(/\s+/).filter(Boolean);
  return FLITE_WANTED.filter((v) => listed.includes(v));
}

/** The festival voices among `wanted` that are installed. */
export async function festivalVoices(wanted: string[]): Promise<string[]> {
  const roots = ['/usr/share/festival/voices', '/usr/lib/festival/voices'];
  const found: string[] = [];
  for (const name of wanted) {
    for (const root of roots) {
      if (!existsSync(root)) continue;
      for (const lang of await fs.readdir(root)) {
        if (existsSync(path.join(root, lang, name))) found.push(name);
      }
    }
  }
  return [...new Set(found)];
}

/**
 * Prepare the private espeak-ng-data (stock data plus generated variants), discover every voice,
 * drop variants that do not change the sound, and split voices into training and held-out.
 * @example
 * const inv = await prepareVoices({ ...DEFAULT_VOICE_OPTIONS, dataRoot: 'work-data/corpus' });
 */
export async function prepareVoices(opts: VoiceOptions): Promise<VoiceInventory> {
  const espeakPath = path.resolve(opts.dataRoot);
  const data = path.join(espeakPath, 'espeak-ng-data');
  if (!existsSync(path.join(data, 'phontab'))) {
    await fs.mkdir(espeakPath, { recursive: true });
    await copyDir(await espeakDataDir(), data);
  }
  // espeak-ng lists at most 349 voice files; keep only English languages in the private copy and
  // put generated variants outside voices/ (see espeakVoiceArg), so the list never overflows.
  await trimToEnglish(data);
  const vdir = path.join(data, GENERATED_DIR);
  await fs.mkdir(vdir, { recursive: true });
  // mbrola voices (mb/) need the mbrola program and its voice data; only espeak-ng's own are used.
  const accents = [...new Set((await espeakList('en', espeakPath))
    .filter((r) => r.language.startsWith('en') && r.file.startsWith('gmw/'))
    .map((r) => r.language))].sort();
  if (!accents.includes(opts.heldoutAccent)) {
    throw new Error(`held-out accent "${opts.heldoutAccent}" is not an installed espeak-ng English voice; choose one of: ${accents.join(', ')}`);
  }
  const stock = (await espeakList('variant', espeakPath))
    .map((r) => r.file.replace(/^!v\//, ''))
    .filter((f) => !f.includes(' ') && !f.startsWith('gen_'))
    .sort();
  // Generated variants: train and held-out from separate seeded streams.
  const gen = async (prefix: string, n: number): Promise<string[]> => {
    const names: string[] = [];
    for (let i = 0; i < n; i++) {
      const name = `gen_${prefix}${String(i).padStart(3, '0')}`;
      await fs.writeFile(path.join(vdir, name), randomVariant(rngFor(opts.seed, 'variant', prefix, i), name));
      names.push(name);
    }
    return names;
  };
  const genTrain = await gen(opts.round ? `t${opts.round}_` : 't', opts.generatedTrain);
  const genHeld = await gen('h', opts.generatedHeldout);
  // Drop variants that espeak-ng ignores (same sound as no variant), that are silent, or that crash it.
  const probe = 'Testing the voice, one two three.';
  const plain = await fingerprint('espeak-ng', [`--path=${espeakPath}`, '-v', 'en-us', '--stdout', probe]);
  const dropped: string[] = [];
  const keep = async (vs: string[]): Promise<string[]> => {
    const out: string[] = [];
    for (const v of vs) {
      const h = await fingerprint('espeak-ng', [`--path=${espeakPath}`, '-v', espeakVoiceArg(`en-us+${v}`), '--stdout', probe]).catch(() => 'failed');
      if (h === plain || h === 'silent' || h === 'failed') dropped.push(v);
      else out.push(v);
    }
    return out;
  };
  const stockOk = await keep(stock);
  const shuffled = rngFor(opts.seed, 'heldout-stock').shuffle([...stockOk]);
  const heldStock = shuffled.slice(0, opts.heldoutStock).sort();
  const trainStock = shuffled.slice(opts.heldoutStock).sort();
  return {
    espeakPath,
    trainAccents: accents.filter((a) => a !== opts.heldoutAccent),
    heldoutAccent: opts.heldoutAccent,
    trainVariants: [...trainStock, ...(await keep(genTrain))],
    heldoutVariants: [...heldStock, ...(await keep(genHeld))],
    flite: await fliteVoices(),
    festival: await festivalVoices(opts.festivalVoices),
    droppedVariants: dropped,
  };
}

/** How a set picks a voice for each utterance. */
export type VoicePool = 'train' | 'heldout' | 'festival';

/**
 * Choose the voice of one utterance from a pool. Training mixes espeak-ng (accent x variant) and
 * flite; the held-out pool is the held-out accent with held-out variants; festival alternates.
 * @example
 * pickVoice(inv, 'train', rngFor(1, 'voice', 'train-000001'));
 */
export function pickVoice(inv: VoiceInventory, pool: VoicePool, r: Rng, index = 0): Voice {
  if (pool === 'festival') {
    if (!inv.festival.length) throw new Error('no festival voices installed: apt-get install festival festvox-kallpc16k festvox-us-slt-hts');
    return { engine: 'festival', name: inv.festival[index % inv.festival.length]! };
  }
  if (pool === 'heldout') {
    const k = r.next();
    const variant = k < 0.08 ? '' : r.pick(inv.heldoutVariants);
    return { engine: 'espeak-ng', name: variant ? `${inv.heldoutAccent}+${variant}` : inv.heldoutAccent };
  }
  if (inv.gnuspeech?.length && inv.gnuspeechShare && r.chance(inv.gnuspeechShare)) return { engine: 'gnuspeech', name: r.pick(inv.gnuspeech) };
  if (inv.flite.length && r.chance(inv.fliteShare ?? DEFAULT_FLITE_SHARE)) return { engine: 'flite', name: r.pick(inv.flite) };
  const accent = r.pick(inv.trainAccents);
  const k = r.next();
  const stockVariants = inv.trainVariants.filter((v) => !v.startsWith('gen_'));
  const genVariants = inv.trainVariants.filter((v) => v.startsWith('gen_'));
  const variant = k < 0.05 ? '' : k < 0.4 || !genVariants.length ? r.pick(stockVariants) : r.pick(genVariants);
  return { engine: 'espeak-ng', name: variant ? `${accent}+${variant}` : accent };
}
