/**
 * Real human speech that Debian packages ship with transcripts. The training corpus is synthetic; these
 * recordings say how the model does on people, and a few small ones can join training. Each source says its
 * role: `evaluation` sources are never given to training, `training` ones may be (mixed with the synthetic
 * corpus, augmented with augment-set.ts). Every entry carries the licence its package's copyright file states.
 * - `alsa` (evaluation): alsa-utils' channel-test phrases ("front center", ...), one speaker, 48 kHz;
 * - `pocketsphinx` (evaluation): pocketsphinx-testdata's read sentences (LibriVox, "Sense and Sensibility") and
 *   card-game phrases, 16 kHz;
 * - `asterisk` (evaluation): asterisk-core-sounds-en(-wav), the Asterisk PBX prompts recorded by Allison Smith
 *   (CC-BY-SA 3.0), 8 kHz telephone audio, with their transcripts from core-sounds-en.txt; spelled single letters
 *   (whose written form is not what a character model should output) and the silence files are left out;
 * - `asterisk16` (evaluation): the same prompts in their 16 kHz G.722 version (asterisk-core-sounds-en-g722),
 *   decoded with ffmpeg to `<out>/asterisk16/*.wav` (neither earshot nor sox reads G.722);
 * - `fillets` (training): Fish Fillets NG's voice clips with English text (fillets.ts: few survive the filters);
 * - `klettres` (training): KLettres' English words, `en` and `en_GB` speakers (klettres.ts).
 *
 * CLI: `node dist/tools/corpus/debian-speech.js --out work-data/real [--sources fillets,klettres]` writes
 * `<out>/<source>.jsonl` for each source whose package is installed and names the packages to install for the
 * others.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Command } from 'commander';
import { UsageError, describeError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { wavBytes } from './augment.js';
import { packageLicence } from './debian-licence.js';
import { filletsRecordings, readWordList } from './fillets.js';
import { type Recording, writeImport } from './import.js';
import { klettresRecordings } from './klettres.js';
import { isMain, run } from './util.js';

/** What a source's reader returns: the recordings, and what it left out (reported, not imported). */
export interface SourceScan {
  recordings: Recording[];
  skipped: { file: string; reason: string }[];
}

/** One source: where its package installs it, and how to read its transcripts. */
export interface SpeechSource {
  name: string;
  /** `evaluation`: never given to training; `training`: may join the training mix. */
  role: 'evaluation' | 'training';
  /** Debian packages the source needs (the first one's copyright file gives the licence). */
  packages: string[];
  /** The file whose presence says the package is installed. */
  probe: string;
  /** Read the recordings; `outDir` is where the manifest goes (and audio that had to be converted). */
  read(outDir: string): Promise<SourceScan>;
}

/**
 * alsa-utils' channel-test recordings: the text is the file name ("Front_Center.wav" -> "front center");
 * `Noise.wav` is not speech.
 * @example
 * await alsaRecordings('/usr/share/sounds/alsa');
 */
export async function alsaRecordings(dir: string): Promise<Recording[]> {
  const names = (await fs.readdir(dir)).filter((n) => /^[A-Z][a-z]+_[A-Z][a-z]+\.wav$/.test(n)).sort();
  return names.map((n) => {
    const id = n.replace(/\.wav$/, '');
    return { id: `alsa-${id}`, file: path.join(dir, n), text: id.replace('_', ' ').toLowerCase(), speaker: 'alsa' };
  });
}

/**
 * A CMU Sphinx transcription file (`<s> text </s> (file-id)` per line) with `<file-id>.wav` beside it.
 * @example
 * await sphinxRecordings('/usr/share/pocketsphinx/test/data/cards/cards.transcription', 'cards');
 */
export async function sphinxRecordings(transcription: string, speaker: string): Promise<Recording[]> {
  const dir = path.dirname(transcription);
  const out: Recording[] = [];
  const lines = (await fs.readFile(transcription, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim()) return;
    const m = /^\s*<s>(.*)<\/s>\s*\(([^)]+)\)\s*$/.exec(line);
    if (!m) throw new UsageError(`${transcription}:${i + 1}: expected "<s> text </s> (file-id)", got "${line.slice(0, 80)}"`);
    const id = m[2]!.trim();
    out.push({ id: `${speaker}-${id}`, file: path.join(dir, `${id}.wav`), text: m[1]!.trim(), speaker });
  });
  return out;
}

/**
 * Asterisk's core sounds: `name: Text.` lines of core-sounds-en.txt(.gz), audio `<soundsDir>/<name>.wav`. Skips
 * comments (`;`), descriptions of non-speech (`[ascending tones]`), spelled letters (`letters/`), the silence
 * files and names without a recording.
 * @example
 * await asteriskRecordings('/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz', '/usr/share/asterisk/sounds/en_US_f_Allison');
 */
export async function asteriskRecordings(textFile: string, soundsDir: string, ext = 'wav'): Promise<Recording[]> {
  const raw = await fs.readFile(textFile);
  const text = (textFile.endsWith('.gz') ? await promisify(gunzip)(raw) : raw).toString('utf8');
  const out: Recording[] = [];
  for (const line of text.split('\n')) {
    const m = /^([^\s:;][^\s:]*):\s*(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, name, said] = m as unknown as [string, string, string];
    if (said.includes('[') || name.startsWith('letters/') || name.startsWith('silence/')) continue;
    const file = path.join(soundsDir, `${name}.${ext}`);
    if (!existsSync(file)) continue;
    out.push({ id: `asterisk-${name.replace(/\//g, '-')}`, file, text: said, speaker: 'asterisk-allison' });
  }
  return out;
}

/**
 * Decode a raw G.722 file (16 kHz) to a 16-bit WAV with ffmpeg, written atomically; an existing WAV is kept.
 * @example
 * await decodeG722('/usr/share/asterisk/sounds/en_US_f_Allison/added.g722', 'work-data/real/asterisk16/added.wav');
 */
export async function decodeG722(file: string, wav: string): Promise<void> {
  if (existsSync(wav)) return;
  const { stdout } = await run('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-f', 'g722', '-i', file, '-f', 'f32le', '-ac', '1', '-ar', '16000', 'pipe:1']).catch((e: unknown) => {
    throw new UsageError(`${file}: ffmpeg could not decode the G.722 file (${describeError(e)}); apt-get install -y ffmpeg`);
  });
  const x = new Float32Array(stdout.length / 4);
  for (let i = 0; i < x.length; i++) x[i] = stdout.readFloatLE(i * 4);
  await fs.mkdir(path.dirname(wav), { recursive: true });
  await writeFileAtomic(wav, wavBytes(x, 16000), { force: true });
}

/**
 * The Asterisk prompts in their 16 kHz G.722 version, decoded to `<outDir>/asterisk16/<name>.wav` (ids
 * `asterisk16-...`, the same transcripts and exclusions as {@link asteriskRecordings}).
 * @example
 * await asterisk16Recordings(ASTERISK_TEXT, ASTERISK_SOUNDS, 'work-data/real');
 */
export async function asterisk16Recordings(textFile: string, soundsDir: string, outDir: string): Promise<Recording[]> {
  const recs = await asteriskRecordings(textFile, soundsDir, 'g722');
  const out: Recording[] = [];
  for (const r of recs) {
    const rel = path.relative(soundsDir, r.file).replace(/\.g722$/, '.wav');
    const wav = path.join(outDir, 'asterisk16', rel);
    await decodeG722(r.file, wav);
    out.push({ ...r, id: r.id.replace(/^asterisk-/, 'asterisk16-'), file: wav });
  }
  return out;
}

const SPHINX = '/usr/share/pocketsphinx/test/data';
const ASTERISK_TEXT = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';
const FILLETS = '/usr/share/games/fillets-ng';
const KLETTRES = '/usr/share/klettres';
const WORDS = '/usr/share/dict/american-english';

const all = async (recs: Promise<Recording[]>): Promise<SourceScan> => ({ recordings: await recs, skipped: [] });

/** The sources at their Debian install paths. */
export const DEBIAN_SOURCES: SpeechSource[] = [
  { name: 'alsa', role: 'evaluation', packages: ['alsa-utils'], probe: '/usr/share/sounds/alsa/Front_Center.wav', read: () => all(alsaRecordings('/usr/share/sounds/alsa')) },
  {
    name: 'pocketsphinx',
    role: 'evaluation',
    packages: ['pocketsphinx-testdata'],
    probe: `${SPHINX}/librivox/transcription`,
    read: async () => ({
      recordings: [
        ...(await sphinxRecordings(`${SPHINX}/librivox/transcription`, 'librivox')),
        ...(await sphinxRecordings(`${SPHINX}/cards/cards.transcription`, 'cards')),
      ],
      skipped: [],
    }),
  },
  {
    name: 'asterisk',
    role: 'evaluation',
    packages: ['asterisk-core-sounds-en', 'asterisk-core-sounds-en-wav'],
    probe: ASTERISK_TEXT,
    read: () => all(asteriskRecordings(ASTERISK_TEXT, ASTERISK_SOUNDS)),
  },
  {
    name: 'asterisk16',
    role: 'evaluation',
    packages: ['asterisk-core-sounds-en-g722', 'asterisk-core-sounds-en', 'ffmpeg'],
    probe: `${ASTERISK_SOUNDS}/auth-thankyou.g722`,
    read: (out) => all(asterisk16Recordings(ASTERISK_TEXT, ASTERISK_SOUNDS, out)),
  },
  {
    name: 'fillets',
    role: 'training',
    packages: ['fillets-ng-data', 'wamerican'],
    probe: `${FILLETS}/script/floppy/dialogs_en.lua`,
    read: async () => filletsRecordings(FILLETS, await readWordList(WORDS)),
  },
  {
    name: 'klettres',
    role: 'evaluation', // the closed-vocabulary (--phrases) check on isolated human words
    packages: ['klettres-data'],
    probe: `${KLETTRES}/en/sounds.xml`,
    read: () => klettresRecordings(KLETTRES, ['en', 'en_GB']),
  },
];

/**
 * Import one source into `<outDir>/<name>.jsonl`, every entry with its package's licence; reports what was left
 * out on stderr.
 * @example
 * await importSource(DEBIAN_SOURCES.find((s) => s.name === 'klettres')!, 'work-data/real');
 */
export async function importSource(src: SpeechSource, outDir: string): Promise<{ entries: number; seconds: number; speakers: number; licence: string; skipped: number }> {
  const licence = await packageLicence(src.packages[0]!);
  const scan = await src.read(outDir);
  const tool = `debian-speech: ${src.name}`;
  const kinds = new Map<string, number>();
  for (const s of scan.skipped) {
    const kind = s.reason.split(/[:(]/)[0]!.trim();
    kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
  }
  for (const [kind, n] of kinds) process.stderr.write(`${tool}: left out ${n}: ${kind}\n`);
  for (const s of scan.skipped.filter((x) => !/sound effect|spelled letter/.test(x.reason)).slice(0, 12)) process.stderr.write(`${tool}:   e.g. ${s.file}: ${s.reason}\n`);
  const { entries } = await writeImport(path.join(outDir, `${src.name}.jsonl`), scan.recordings.map((r) => ({ ...r, licence })), `debian/${src.name}`, tool);
  return { entries: entries.length, seconds: entries.reduce((a, e) => a + e.duration, 0), speakers: new Set(entries.map((e) => e.voice)).size, licence, skipped: scan.skipped.length };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('debian-speech')
    .description('Write manifests of the real human speech that installed Debian packages ship with transcripts (each source evaluation-only or for training, as listed in the source).')
    .requiredOption('--out <dir>', 'directory for <source>.jsonl')
    .option('--sources <list>', `comma-separated sources (default all: ${DEBIAN_SOURCES.map((s) => s.name).join(',')})`)
    .parse()
    .opts<{ out: string; sources?: string }>();
  const names = o.sources ? o.sources.split(',').map((x) => x.trim()).filter(Boolean) : DEBIAN_SOURCES.map((s) => s.name);
  const unknown = names.filter((n) => !DEBIAN_SOURCES.some((s) => s.name === n));
  if (unknown.length) throw new UsageError(`--sources: unknown ${unknown.join(', ')}; choose from ${DEBIAN_SOURCES.map((s) => s.name).join(', ')}`);
  const missing: string[] = [];
  let written = 0;
  for (const src of DEBIAN_SOURCES.filter((s) => names.includes(s.name))) {
    if (!existsSync(src.probe)) {
      missing.push(...src.packages);
      process.stderr.write(`debian-speech: ${src.name}: ${src.probe} not found (package ${src.packages.join(', ')} not installed); skipped\n`);
      continue;
    }
    const r = await importSource(src, o.out);
    process.stderr.write(`debian-speech: ${src.name} (${src.role}): ${r.entries} clips, ${(r.seconds / 60).toFixed(2)} min, ${r.speakers} speakers, licence ${r.licence}, ${r.skipped} left out\n`);
    written += r.entries;
  }
  if (missing.length) process.stderr.write(`debian-speech: for the rest, apt-get install -y ${missing.join(' ')}\n`);
  if (!written) throw new UsageError(`no source installed: apt-get install -y ${missing.join(' ')}`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`debian-speech: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
