/**
 * Real human speech that Debian packages ship with transcripts, as evaluation manifests. The training corpus is
 * synthetic; these recordings say how the model does on people. They are few and narrow (three sources, a handful
 * of speakers), so they are for evaluation only: the recipe never trains on them.
 * - `alsa`: alsa-utils' channel-test phrases ("front center", ...), one speaker, 48 kHz;
 * - `pocketsphinx`: pocketsphinx-testdata's read sentences (LibriVox, "Sense and Sensibility") and card-game
 *   phrases, 16 kHz;
 * - `asterisk`: asterisk-core-sounds-en(-wav), the Asterisk PBX prompts recorded by Allison Smith (CC-BY-SA 3.0),
 *   8 kHz telephone audio, with their transcripts from core-sounds-en.txt; spelled single letters (whose written
 *   form is not what a character model should output) and the silence files are left out.
 *
 * CLI: `node dist/tools/corpus/debian-speech.js --out work-data/real` writes `<out>/<source>.jsonl` for each
 * source whose package is installed and names the packages to install for the others.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { type Recording, writeImport } from './import.js';
import { isMain } from './util.js';

/** One source: where its package installs it, and how to read its transcripts. */
export interface SpeechSource {
  name: string;
  packages: string[];
  /** The file whose presence says the package is installed. */
  probe: string;
  read(): Promise<Recording[]>;
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
export async function asteriskRecordings(textFile: string, soundsDir: string): Promise<Recording[]> {
  const raw = await fs.readFile(textFile);
  const text = (textFile.endsWith('.gz') ? await promisify(gunzip)(raw) : raw).toString('utf8');
  const out: Recording[] = [];
  for (const line of text.split('\n')) {
    const m = /^([^\s:;][^\s:]*):\s*(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, name, said] = m as unknown as [string, string, string];
    if (said.includes('[') || name.startsWith('letters/') || name.startsWith('silence/')) continue;
    const file = path.join(soundsDir, `${name}.wav`);
    if (!existsSync(file)) continue;
    out.push({ id: `asterisk-${name.replace(/\//g, '-')}`, file, text: said, speaker: 'asterisk-allison' });
  }
  return out;
}

const SPHINX = '/usr/share/pocketsphinx/test/data';
const ASTERISK_TEXT = '/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz';
const ASTERISK_SOUNDS = '/usr/share/asterisk/sounds/en_US_f_Allison';

/** The sources at their Debian install paths. */
export const DEBIAN_SOURCES: SpeechSource[] = [
  { name: 'alsa', packages: ['alsa-utils'], probe: '/usr/share/sounds/alsa/Front_Center.wav', read: () => alsaRecordings('/usr/share/sounds/alsa') },
  {
    name: 'pocketsphinx',
    packages: ['pocketsphinx-testdata'],
    probe: `${SPHINX}/librivox/transcription`,
    read: async () => [
      ...(await sphinxRecordings(`${SPHINX}/librivox/transcription`, 'librivox')),
      ...(await sphinxRecordings(`${SPHINX}/cards/cards.transcription`, 'cards')),
    ],
  },
  {
    name: 'asterisk',
    packages: ['asterisk-core-sounds-en', 'asterisk-core-sounds-en-wav'],
    probe: ASTERISK_TEXT,
    read: () => asteriskRecordings(ASTERISK_TEXT, ASTERISK_SOUNDS),
  },
];

async function main(): Promise<void> {
  const o = new Command()
    .name('debian-speech')
    .description('Write evaluation manifests of the real human speech that installed Debian packages ship with transcripts.')
    .requiredOption('--out <dir>', 'directory for <source>.jsonl')
    .parse()
    .opts<{ out: string }>();
  const missing: string[] = [];
  let written = 0;
  for (const src of DEBIAN_SOURCES) {
    if (!existsSync(src.probe)) {
      missing.push(...src.packages);
      process.stderr.write(`debian-speech: ${src.name}: ${src.probe} not found (package ${src.packages.join(', ')} not installed); skipped\n`);
      continue;
    }
    const { entries } = await writeImport(path.join(o.out, `${src.name}.jsonl`), await src.read(), `debian/${src.name}`, `debian-speech: ${src.name}`);
    written += entries.length;
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
