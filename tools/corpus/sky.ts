/**
 * Import the human speech of Beneath a Steel Sky (Debian `beneath-a-steel-sky`, the CD version 0.0372) as a
 * corpus: each in-game speech file paired with the text the game shows for it, its speaker from the game's
 * scripts, written as a 16-bit mono WAV at the game's 11,025 Hz.
 *
 * - Files come from `sky.dnr`/`sky.dsk` ({@link SkyDisk}; RNC-packed files are checked against both checksums).
 * - Speech file `50000 + n` speaks text `(section << 12) | index` ({@link speechFileText}); the English text is
 *   decoded from file `60600 + section` ({@link SkyTextSection}). The intro's voices (59500 on) have no text.
 * - Speakers: `sky/<character>` where the scripts' speech calls and `sky.cpt`'s names fix one ({@link textCharacters}),
 *   else `sky/unknown`.
 * - Text hygiene: backticks and ellipses removed, case and digits normalised ({@link normalizeLabel}); clips
 *   whose label is under 5 characters or outside 6-25 characters per second are dropped and counted.
 *
 * CLI: `node dist/tools/corpus/sky.js --out /work/data/real/sky [--data-dir DIR] [--limit N]` writes
 * `<out>/wav/sky-<file>.wav` (resumable: complete files are kept), `<out>/sky.jsonl` and `<out>/speakers.json`.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { pcm16Wav } from './augment.js';
import { type Recording, writeImport } from './import.js';
import { normalizeLabel } from './normalize.js';
import { SKY_HEADER_BYTES, SkyDataError, SkyDisk } from './sky-disk.js';
import { readCpt, talkTable } from './sky-compact.js';
import { allSpeakCalls } from './sky-script.js';
import { textCharacters } from './sky-speakers.js';
import { INTRO_SPEECH_FIRST, SKY_SPEECH_RATE, SPEECH_FILE_BASE, SPEECH_FILE_END, SkyTextSection, TEXT_FILE_BASE, speechFileText } from './sky-text.js';
import { isMain } from './util.js';

/** Where Debian installs the game data. */
export const SKY_DATA_DIR = '/usr/share/scummvm/beneath-a-steel-sky';
/** The package's copyright file, named in every manifest line. */
export const SKY_COPYRIGHT = '/usr/share/doc/beneath-a-steel-sky/copyright';
/** The licence as the manifest states it. */
export const SKY_LICENCE = `Beneath-a-Steel-Sky-License (freeware: free redistribution, modified versions must be marked; (C) Revolution Software Ltd) - ${SKY_COPYRIGHT}`;
/** Manifest `source`. */
export const SKY_SOURCE = 'debian/beneath-a-steel-sky';
/** Hygiene limits. */
export const MIN_LABEL_CHARS = 5;
export const MIN_CPS = 6;
export const MAX_CPS = 25;

/** One speech clip of the game, paired or not. */
export interface SkyClip {
  file: number;
  text: number | null;
  /** The text as the game shows it (null for the intro's voices). */
  raw: string | null;
  speaker: string;
  /** Unsigned 8-bit PCM. */
  pcm: Uint8Array;
}

/**
 * Speaker label of a character (null or undefined: not fixed by the scripts).
 * @example
 * speakerLabel('foster'); // 'sky/foster'
 */
export function speakerLabel(character: string | null | undefined): string {
  return `sky/${character ?? 'unknown'}`;
}

/**
 * The text as a label: backticks and ellipses removed, then {@link normalizeLabel} (case, digits, symbols);
 * null where it cannot be written in the label alphabet.
 * @example
 * skyLabel('...I was LUCKY to get out ALIVE!'); // 'i was lucky to get out alive'
 */
export function skyLabel(raw: string): string | null {
  const cleaned = raw
    .replace(/`/g, '')
    .replace(/\.{2,}|\u2026/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!cleaned) return null;
  return normalizeLabel(cleaned.toLowerCase());
}

/**
 * 16-bit mono WAV bytes of unsigned 8-bit PCM (sample `b` becomes `(b - 128) * 256`: exact, no rescaling).
 * @example
 * await fs.writeFile('a.wav', pcm8ToWav(pcm, 11025));
 */
export function pcm8ToWav(pcm: Uint8Array, rate: number): Buffer {
  return pcm16Wav(pcm.length, rate, (i) => (pcm[i]! - 128) * 256);
}

/**
 * Every speech file of the disk (in file order), with its text and speaker where it has one.
 * @example
 * const clips = await skyClips(await SkyDisk.open(SKY_DATA_DIR));
 */
export async function skyClips(disk: SkyDisk): Promise<SkyClip[]> {
  const cpts = await readCpt(path.join(disk.dir, 'sky.cpt'));
  const speakers = textCharacters(allSpeakCalls(disk), cpts, talkTable(cpts));
  const sections = new Map<number, SkyTextSection>();
  const section = (s: number): SkyTextSection => {
    let sec = sections.get(s);
    if (!sec) {
      sec = new SkyTextSection(disk.file(TEXT_FILE_BASE + s), `sky.dsk file ${TEXT_FILE_BASE + s}`);
      sections.set(s, sec);
    }
    return sec;
  };
  const files = disk.entries.map((e) => e.number).filter((n) => n >= SPEECH_FILE_BASE && n < SPEECH_FILE_END);
  const out: SkyClip[] = [];
  for (const file of [...new Set(files)].sort((a, b) => a - b)) {
    const data = disk.file(file);
    if (data.length < SKY_HEADER_BYTES) throw new SkyDataError(`sky.dsk file ${file}`, `${data.length} bytes: too short for a speech file`);
    const pcm = data.subarray(SKY_HEADER_BYTES);
    const text = speechFileText(file);
    if (text === null) {
      out.push({ file, text: null, raw: null, speaker: 'sky/unknown', pcm });
      continue;
    }
    const sec = section(text >> 12);
    const raw = (text & 0xfff) < sec.capacity ? sec.text(text & 0xfff) : null;
    out.push({ file, text, raw, speaker: speakerLabel(speakers.get(text)), pcm });
  }
  return out;
}

/** Why clips were left out, and how many. */
export type DropCounts = Record<string, number>;

/** What {@link importSky} did. */
export interface SkyImportSummary {
  files: number;
  speechFiles: number;
  paired: number;
  kept: number;
  seconds: number;
  drops: DropCounts;
  speakers: Record<string, { clips: number; seconds: number }>;
  wavWritten: number;
  wavKept: number;
}

async function completeWav(file: string, bytes: number): Promise<boolean> {
  try {
    return (await fs.stat(file)).size === bytes;
  } catch {
    return false;
  }
}

/**
 * Import the game's speech into `out` (WAVs, `sky.jsonl`, `speakers.json`); `limit` keeps only the first N kept
 * clips (for tests).
 * @example
 * const s = await importSky({ dataDir: SKY_DATA_DIR, out: '/work/data/real/sky' });
 */
export async function importSky(o: { dataDir: string; out: string; limit?: number; log?: (line: string) => void }): Promise<SkyImportSummary> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const disk = await SkyDisk.open(o.dataDir);
  const clips = await skyClips(disk);
  const wavDir = path.join(o.out, 'wav');
  await fs.mkdir(wavDir, { recursive: true });
  const drops: DropCounts = {};
  const drop = (why: string): void => {
    drops[why] = (drops[why] ?? 0) + 1;
  };
  const recs: Recording[] = [];
  const speakers: Record<string, { clips: number; seconds: number }> = {};
  let paired = 0;
  let seconds = 0;
  let wavWritten = 0;
  let wavKept = 0;
  for (const c of clips) {
    if (o.limit !== undefined && recs.length >= o.limit) break;
    if (c.text === null) {
      drop(c.file >= INTRO_SPEECH_FIRST ? 'intro voice without text' : 'speech file beyond the last text section');
      continue;
    }
    if (c.raw === null) {
      drop('text number beyond its section');
      continue;
    }
    paired++;
    const label = skyLabel(c.raw);
    const duration = c.pcm.length / SKY_SPEECH_RATE;
    if (label === null) {
      drop('text not writable in the label alphabet');
      continue;
    }
    if (label.length < MIN_LABEL_CHARS) {
      drop(`label under ${MIN_LABEL_CHARS} characters`);
      continue;
    }
    const cps = label.length / duration;
    if (cps < MIN_CPS) {
      drop(`under ${MIN_CPS} characters per second`);
      continue;
    }
    if (cps > MAX_CPS) {
      drop(`over ${MAX_CPS} characters per second`);
      continue;
    }
    const wav = path.join(wavDir, `sky-${c.file}.wav`);
    const bytes = pcm8ToWav(c.pcm, SKY_SPEECH_RATE);
    if (await completeWav(wav, bytes.length)) wavKept++;
    else {
      await writeFileAtomic(wav, bytes, { force: true });
      wavWritten++;
    }
    recs.push({ id: `sky-${c.file}`, file: wav, text: label, speaker: c.speaker, licence: SKY_LICENCE });
    const s = (speakers[c.speaker] ??= { clips: 0, seconds: 0 });
    s.clips++;
    s.seconds += duration;
    seconds += duration;
  }
  const { entries } = await writeImport(path.join(o.out, 'sky.jsonl'), recs, SKY_SOURCE, 'sky');
  if (entries.length !== recs.length) throw new SkyDataError(o.out, `${recs.length - entries.length} of the written WAVs could not be imported (see above)`);
  const sorted = Object.fromEntries(
    Object.entries(speakers)
      .sort(([a, x], [b, y]) => y.seconds - x.seconds || a.localeCompare(b))
      .map(([k, v]) => [k, { clips: v.clips, seconds: Math.round(v.seconds * 1000) / 1000 }]),
  );
  await writeFileAtomic(path.join(o.out, 'speakers.json'), `${JSON.stringify(sorted, null, 2)}\n`, { force: true });
  const summary: SkyImportSummary = {
    files: disk.entries.length,
    speechFiles: clips.length,
    paired,
    kept: recs.length,
    seconds,
    drops,
    speakers: sorted,
    wavWritten,
    wavKept,
  };
  log(`sky: ${disk.version}: ${summary.files} files, ${summary.speechFiles} speech files, ${paired} paired with text, ${summary.kept} kept (${(seconds / 3600).toFixed(2)} h); WAVs written ${wavWritten}, already complete ${wavKept}`);
  for (const [why, n] of Object.entries(drops).sort((a, b) => b[1] - a[1])) log(`  dropped ${n}: ${why}`);
  for (const [who, s] of Object.entries(sorted)) log(`  ${who}: ${s.clips} clips, ${(s.seconds / 60).toFixed(1)} min`);
  return summary;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('sky')
    .description("Import Beneath a Steel Sky's speech (Debian beneath-a-steel-sky) as WAVs plus a JSONL manifest.")
    .requiredOption('--out <dir>', 'output directory (wav/, sky.jsonl, speakers.json)')
    .option('--data-dir <dir>', 'directory holding sky.dnr and sky.dsk', SKY_DATA_DIR)
    .option('--limit <n>', 'keep only the first N clips (for tests)')
    .parse()
    .opts<{ out: string; dataDir: string; limit?: string }>();
  let limit: number | undefined;
  if (o.limit !== undefined) {
    limit = Number(o.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer, got "${o.limit}"`);
  }
  if (!existsSync(path.join(o.dataDir, 'sky.dnr'))) {
    throw new UsageError(`${o.dataDir}/sky.dnr not found: apt-get install -y beneath-a-steel-sky, or pass --data-dir`);
  }
  await importSky({ dataDir: o.dataDir, out: o.out, ...(limit !== undefined ? { limit } : {}) });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`sky: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
