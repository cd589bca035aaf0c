/**
 * The real human speech of "Flight of the Amazon Queen" (Debian package flight-of-the-amazon-queen, the CD talkie in
 * `queen.1c`) as a training manifest: every voice clip (`.SB`, a bare MP3 stream, 11,025 Hz mono) paired with the
 * exact text the game shows while it plays, and labelled with the character who says it.
 *
 * Where the text comes from (see queen-data.ts for the formats):
 * - dialogues (`.DOG`): Joe's options and the other person's lines; the other person is the object the game's
 *   "talk to" command (or the cutaway that starts the dialogue) opens the dialogue with;
 * - cutaways (`.CUT`): lines of Joe and of person objects (a prop used as an off-screen voice is resolved through
 *   the actor the game shows for it), and spoken text records (speaker unknown);
 * - `QUEEN2.JAS`: Joe's stock responses (`JOE0001`..`JOE0040`) and object descriptions (`JOE0041`..).
 * Sentences are cut into clips at their `*XX` commands as the game does. Clips are decoded with sox to 16-bit mono
 * WAV at their native rate under `<out>/wav/` (resumable, atomic, deterministic), texts cleaned (stage directions,
 * tags, sound-only lines), normalised to the label alphabet and filtered by length and characters per second.
 *
 * CLI: `node dist/tools/corpus/queen.js --out /work/data/real/queen [--data queen.1c] [--limit N] [--jobs 2]`
 * writes `<out>/queen.jsonl`, `<out>/speakers.json` and prints a summary.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { type Recording, wavDuration, writeImport } from './import.js';
import { normalizeLabel } from './normalize.js';
import {
  clipName,
  cutawayLines,
  dialogueLines,
  type GameStrings,
  type GameTables,
  JOE_RESPONSES,
  parseGameStrings,
  parseGameTables,
  parseResourceTable,
  QueenDataError,
  RESOURCE_HEADER_SIZE,
  type ResourceEntry,
  type ScriptLine,
  splitSegments,
} from './queen-data.js';
import { isMain, nonNegativeInt, run } from './util.js';

/** Where the Debian package installs the data file. */
export const QUEEN_DATA = '/usr/share/scummvm/flight-of-the-amazon-queen/queen.1c';
/** The package's licence, short form (the full text is in its copyright file). */
export const QUEEN_LICENCE = 'freeware, redistributable (see /usr/share/doc/flight-of-the-amazon-queen/copyright)';
export const QUEEN_SOURCE = 'debian/flight-of-the-amazon-queen';
/** The clip rate (MPEG-2.5 layer III, mono). */
export const QUEEN_RATE = 11025;

/** The "talk to" verb in the game's command table. */
const VERB_TALK_TO = 8;

/** A clip with the text the game shows while it plays, and who speaks it. */
export interface PairedClip {
  /** Resource name without `.SB`, e.g. `020006J1`. */
  clip: string;
  /** The segment text as stored in the game data. */
  raw: string;
  /** Character label (`joe`, `sparky`, ... or `unknown`). */
  speaker: string;
  /** The script it came from (`SPARKY1.DOG`, `C2A.CUT`, `QUEEN2.JAS`). */
  from: string;
}

/**
 * Person objects whose names are props the game reuses as an off-screen voice (the real speaker is set up at run
 * time), so the name says nothing about who speaks: their lines are `unknown`.
 */
const PROP_NAMES = new Set(['note', 'path', 'smoke', 'telephone', 'buttons', 'torch', 'door', 'rock', 'lily pad']);
/** Object names that are another name of a character who also has a dialogue. */
const NAME_ALIASES: Record<string, string> = { 'joe king': 'joe', 'azura obj': 'princess azura' };

/**
 * A speaker label from a game object name: lower case, words joined by `-`; aliases merged; props `unknown`.
 * @example
 * speakerLabel('Princess Azura'); // 'princess-azura'
 * speakerLabel('azura obj'); // 'princess-azura'
 */
export function speakerLabel(objectName: string): string {
  let n = objectName.trim().toLowerCase();
  if (!n || PROP_NAMES.has(n)) return 'unknown';
  n = NAME_ALIASES[n] ?? n;
  return n.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'unknown';
}

/** The game data file, read once. */
export interface QueenGame {
  file: string;
  data: Buffer;
  entries: Map<string, ResourceEntry>;
  tables: GameTables;
  strings: GameStrings;
}

/**
 * Read and index `queen.1c`.
 * @example
 * const game = await loadQueen('/usr/share/scummvm/flight-of-the-amazon-queen/queen.1c');
 */
export async function loadQueen(file: string): Promise<QueenGame> {
  let data: Buffer;
  try {
    data = await fs.readFile(file);
  } catch (e) {
    throw new UsageError(`cannot read ${file} (${e instanceof Error ? e.message : String(e)}): install the Debian package flight-of-the-amazon-queen or give --data`);
  }
  const table = parseResourceTable(data, file);
  if (!table.version.startsWith('C') || table.version[1] !== 'E') throw new QueenDataError(`${file}: version ${table.version} is not the English CD talkie (CEM10) this importer reads`);
  if (table.compression !== 1) throw new QueenDataError(`${file}: speech compression ${table.compression}, expected 1 (MP3)`);
  const entries = new Map(table.entries.map((e) => [e.name, e]));
  const partial: QueenGame = {
    file,
    data,
    entries,
    tables: { rooms: 0, names: 0, descriptions: 0, objects: [], roomFirst: [], commands: [], conditions: [], actors: [], actorAnims: 0, actorNames: 0 },
    strings: { descriptions: [], names: [], joeResponses: [], actorNames: [] },
  };
  const tables = parseGameTables(resource(partial, 'QUEEN.JAS', RESOURCE_HEADER_SIZE), `${file}:QUEEN.JAS`);
  const strings = parseGameStrings(resource(partial, 'QUEEN2.JAS').toString('latin1'), tables, `${file}:QUEEN2.JAS`);
  return { ...partial, tables, strings };
}

/**
 * The bytes of one resource, `skip` header bytes left off.
 * @example
 * resource(game, 'SPARKY1.DOG', RESOURCE_HEADER_SIZE);
 */
export function resource(game: QueenGame, name: string, skip = 0): Buffer {
  const e = game.entries.get(name);
  if (!e) throw new QueenDataError(`${game.file}: no resource named ${name}`);
  if (e.size < skip) throw new QueenDataError(`${game.file}: resource ${name} has ${e.size} bytes, fewer than its ${skip}-byte header`);
  return game.data.subarray(e.offset + skip, e.offset + e.size);
}

/** Object name of global object `obj` ('' if none). */
function objectName(game: QueenGame, obj: number): string {
  const o = game.tables.objects[obj];
  if (!o || o.name === 0) return '';
  return game.strings.names[Math.abs(o.name) - 1] ?? '';
}

/**
 * Every `.SB` clip that is speech: all but the sound effects (names ending in `SSSS` that are not Joe's opening
 * dialogue lines `NNSSSSJk`) and the blank clip.
 * @example
 * speechClips(game).length; // 6609
 */
export function speechClips(game: QueenGame): string[] {
  return [...game.entries.keys()]
    .filter((n) => n.endsWith('.SB'))
    .map((n) => n.slice(0, -3))
    .filter((n) => /^\d\dSSSSJ[0-9A-F]$/.test(n) || !(/SSSS/.test(n) || n === 'BLANK000'))
    .sort();
}

/**
 * Who each dialogue is with: the objects the game's "talk to" commands open it with, and the objects cutaways hand
 * it to; a dialogue whose objects carry different names is `unknown`.
 * @example
 * dialoguePartners(game).get('SPARKY1.DOG'); // 'sparky'
 */
export function dialoguePartners(game: QueenGame): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  const add = (file: string, obj: number): void => {
    const key = file.toUpperCase();
    if (!seen.has(key)) seen.set(key, new Set());
    seen.get(key)!.add(speakerLabel(objectName(game, obj)));
  };
  const { commands, conditions } = game.tables;
  const desc = game.strings.descriptions;
  for (const c of conditions) {
    const text = desc[c.speak - 1];
    const cmd = commands[c.command];
    if (c.speak > 0 && text && /\.DOG$/i.test(text) && cmd && cmd.verb === VERB_TALK_TO && cmd.object1 > 0) add(text, cmd.object1);
  }
  for (const name of [...game.entries.keys()].filter((n) => n.endsWith('.CUT')).sort()) {
    const cut = cutawayLines(resource(game, name, RESOURCE_HEADER_SIZE), name.slice(0, -4), (o) => isPerson(game, o));
    if (/\.DOG$/i.test(cut.talkFile) && cut.talkTo > 0) add(cut.talkFile, cut.talkTo);
  }
  const out = new Map<string, string>();
  for (const [file, names] of seen) out.set(file, names.size === 1 ? [...names][0]! : 'unknown');
  return out;
}

/**
 * The actor names the game may show for person object `obj`: the actors of its room with its person number.
 * @example
 * objectActors(game, 298); // ['FAYE']
 */
export function objectActors(game: QueenGame, obj: number): string[] {
  const { objects, roomFirst, actors } = game.tables;
  const room = objects[obj]?.room ?? 0;
  if (!isPerson(game, obj) || room < 1 || room >= roomFirst.length) return [];
  let bob = 0;
  for (let i = roomFirst[room]! + 1; i <= obj; i++) if (isPerson(game, i)) bob++;
  const names = actors.filter((a) => a.room === room && a.bob === bob).map((a) => game.strings.actorNames[a.name - 1] ?? '');
  return [...new Set(names)].filter(Boolean).sort();
}

/**
 * The character label of each actor name, learnt from the person objects that name their character and show only
 * that actor; an actor shown for objects of two different names is left out.
 * @example
 * actorLabels(game).get('FAYE'); // 'faye'
 */
export function actorLabels(game: QueenGame): Map<string, string> {
  const seen = new Map<string, Set<string>>();
  for (let obj = 1; obj < game.tables.objects.length; obj++) {
    const label = speakerLabel(objectName(game, obj));
    const actors = objectActors(game, obj);
    if (label === 'unknown' || actors.length !== 1) continue;
    if (!seen.has(actors[0]!)) seen.set(actors[0]!, new Set());
    seen.get(actors[0]!)!.add(label);
  }
  return new Map([...seen].filter(([, l]) => l.size === 1).map(([a, l]) => [a, [...l][0]!]));
}

/**
 * Who speaks the lines of cutaway person object `obj`: its name, or for a prop the game reuses as a voice (a note,
 * a torch) the character of the one actor it shows; `unknown` where that is not one character.
 * @example
 * cutawaySpeaker(game, actorLabels(game), 298); // 'faye' (the "note" of room 41)
 */
export function cutawaySpeaker(game: QueenGame, labels: Map<string, string>, obj: number): string {
  const label = speakerLabel(objectName(game, obj));
  if (label !== 'unknown') return label;
  const actors = objectActors(game, obj);
  return actors.length === 1 ? (labels.get(actors[0]!) ?? 'unknown') : 'unknown';
}

function isPerson(game: QueenGame, obj: number): boolean {
  const im = game.tables.objects[obj]?.image;
  return im === -3 || im === -4;
}

/** Pairing counts. */
export interface PairReport {
  /** Clips named by two lines with different texts (LARIS.DOG gives id 0x20 to two lines): left out, as it cannot
   * be told which text was recorded. */
  conflicts: number;
  /** Script segments whose clip is not in the data (the game plays nothing). */
  missingClips: number;
}

/**
 * Pair every speech clip the scripts name with its segment text and speaker, sorted by clip name; a clip named
 * with two different texts is left out (counted in `report.conflicts`).
 * @example
 * const { pairs } = pairClips(game); pairs.find((p) => p.clip === '020006J1');
 */
export function pairClips(game: QueenGame): { pairs: PairedClip[]; report: PairReport } {
  const byClip = new Map<string, PairedClip>();
  const conflicting = new Set<string>();
  const report: PairReport = { conflicts: 0, missingClips: 0 };
  const put = (clip: string, raw: string, speaker: string, from: string): void => {
    if (!game.entries.has(`${clip}.SB`)) {
      report.missingClips++;
      return;
    }
    const had = byClip.get(clip);
    if (had) {
      if (had.raw !== raw) conflicting.add(clip);
      return;
    }
    byClip.set(clip, { clip, raw, speaker, from });
  };
  const addLines = (lines: ScriptLine[], from: string, who: (l: ScriptLine) => string): void => {
    for (const l of lines) {
      if (l.single) put(clipName(l.prefix, 0), l.sentence, who(l), from);
      else for (const s of splitSegments(l.sentence)) put(clipName(l.prefix, s.index), s.text, who(l), from);
    }
  };
  const partners = dialoguePartners(game);
  const names = [...game.entries.keys()].sort();
  for (const name of names.filter((n) => n.endsWith('.DOG'))) {
    const partner = partners.get(name) ?? 'unknown';
    addLines(dialogueLines(resource(game, name, RESOURCE_HEADER_SIZE), name), name, (l) => (l.speaker === 'joe' ? 'joe' : partner));
  }
  const labels = actorLabels(game);
  for (const name of names.filter((n) => n.endsWith('.CUT'))) {
    const cut = cutawayLines(resource(game, name, RESOURCE_HEADER_SIZE), name.slice(0, -4), (o) => isPerson(game, o));
    addLines(cut.lines, name, (l) => (l.speaker === 'joe' ? 'joe' : l.single || typeof l.speaker !== 'number' ? 'unknown' : cutawaySpeaker(game, labels, l.speaker)));
  }
  const joe: ScriptLine[] = [];
  game.strings.joeResponses.forEach((t, k) => joe.push({ prefix: `JOE${String(k + 1).padStart(4, '0')}`, sentence: t, speaker: 'joe' }));
  game.strings.descriptions.forEach((t, k) => joe.push({ prefix: `JOE${String(k + 1 + JOE_RESPONSES).padStart(4, '0')}`, sentence: t, speaker: 'joe' }));
  addLines(joe, 'QUEEN2.JAS', () => 'joe');
  for (const c of conflicting) byClip.delete(c);
  report.conflicts = conflicting.size;
  return { pairs: [...byClip.values()].sort((a, b) => (a.clip < b.clip ? -1 : a.clip > b.clip ? 1 : 0)), report };
}

/** Interjections and noises that are not words of a transcript ("Ummm", "Grrrrr!", "SQWAWK!"). */
const SOUND_WORD = /^(?:u+h*m+|e+r+m*|h+m+|a+h+|o+h+|o+o+h*|g+r+|u+h+|u+g+h+|s+h+|w+o+f+|r+u+f+|a*r+o+o+f+|s+q+w+a+w+k+|o+o+p+|u+n+g+[ah]*|a+r+g+h+|e+e+p+|e+k+|z+|(?:ha)+h?|(?:he)+h?|(?:ho)+|o+o+t+|b+r+|p+s+t+|t+s+k+|w+h+o+o+p+|c+h+u+n+g+a+|a+c+h+o+o+|g+u+l+p+|h+u+h+|m+m+h*|y+a+w+n+|p+h+e+w+|w+h+e+w+|a+a+r*g*h*|o+w+|o+u+c+h+|y+i+k+e+s+|g+a+s+p+|s+i+g+h+|c+o+u+g+h+|a+h+e+m+|t+u+t+)$/;

/**
 * True when every word of `text` is a noise or interjection (or a letter repeated three times, "Eeeeeep").
 * @example
 * soundOnly('Grrrrr! WOOF!'); // true
 * soundOnly('Ummm... Hi.'); // false
 */
export function soundOnly(text: string): boolean {
  const words = text.toLowerCase().replace(/[^a-z' ]+/g, ' ').split(/\s+/).filter(Boolean);
  return words.length > 0 && words.every((w) => SOUND_WORD.test(w.replace(/'/g, '')) || /([a-z])\1\1/.test(w));
}

/**
 * The spoken text of a segment: `*XX` commands, `<tags>`, `(stage directions)`, the `@@` and `^_` marks of the
 * game's text and ellipses removed, a digit after a letter split off ("X7" -> "X 7"), whitespace tidied.
 * @example
 * cleanText('<gulp> Well... (sigh) okay.*24'); // 'Well, okay.'
 */
export function cleanText(raw: string): string {
  return raw
    .replace(/\*XY\d\d\(\d+,\d+\)/g, ' ')
    .replace(/\*[A-Z0-9]{2}/g, ' ')
    .replace(/\*/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\([^()]*\)/g, ' ')
    .replace(/[@^_]+/g, ' ')
    .replace(/([A-Za-z])(\d)/g, '$1 $2')
    .replace(/\s*(?:\.\s*){2,}(?=\S)/g, ', ')
    .replace(/\s*(?:\.\s*){2,}$/g, '.')
    .replace(/^[\s,.]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Why a clip is left out. */
export type DropReason = 'no text' | 'sound only' | 'not normalizable' | 'under 5 characters' | 'too slow (< 6 chars/s)' | 'too fast (> 25 chars/s)';

/** The rules that keep a clip: at least 5 label characters, 6 to 25 of them per second. */
export const KEEP = { minChars: 5, minRate: 6, maxRate: 25 } as const;

/**
 * Decide on the text alone: the label, or why there is none.
 * @example
 * textVerdict('Grrrrr!'); // { reason: 'sound only' }
 * textVerdict('You got some nerve Anderson.'); // { label: 'you got some nerve anderson' }
 */
export function textVerdict(raw: string): { label: string } | { reason: DropReason } {
  const text = cleanText(raw);
  if (!/[A-Za-z0-9]/.test(text)) return { reason: 'no text' };
  if (soundOnly(text)) return { reason: 'sound only' };
  const label = normalizeLabel(text);
  if (!label) return { reason: 'not normalizable' };
  if (label.length < KEEP.minChars) return { reason: 'under 5 characters' };
  return { label };
}

/**
 * Decide on the rate: `null` to keep, else why not.
 * @example
 * rateVerdict('you got some nerve anderson', 2.1); // null (12.9 characters per second)
 */
export function rateVerdict(label: string, seconds: number): DropReason | null {
  const rate = label.length / seconds;
  if (!(rate >= KEEP.minRate)) return 'too slow (< 6 chars/s)';
  if (rate > KEEP.maxRate) return 'too fast (> 25 chars/s)';
  return null;
}

/** True when `file` is a complete WAV (its data chunk ends where the file ends). */
async function completeWav(file: string): Promise<boolean> {
  try {
    const st = await fs.stat(file);
    const h = await fs.open(file, 'r');
    try {
      const head = Buffer.alloc(Math.min(4096, st.size));
      await h.read(head, 0, head.length, 0);
      if (wavDuration(head) === null) return false;
      let p = 12;
      while (p + 8 <= head.length) {
        const size = head.readUInt32LE(p + 4);
        if (head.toString('ascii', p, p + 4) === 'data') return p + 8 + size === st.size;
        p += 8 + size + (size % 2);
      }
      return false;
    } finally {
      await h.close();
    }
  } catch {
    return false;
  }
}

/**
 * Decode one clip to `<wavDir>/<clip>.wav` (16-bit mono, native rate) unless a complete file is there; written to a
 * temporary file and renamed, so an interrupted run leaves no partial WAV. Returns false when it was already there.
 * @example
 * await decodeClip(game, '020006J1', '/work/data/real/queen/wav');
 */
export async function decodeClip(game: QueenGame, clip: string, wavDir: string): Promise<boolean> {
  const out = path.join(wavDir, `${clip}.wav`);
  if (await completeWav(out)) return false;
  const tmp = path.join(wavDir, `.${clip}.${process.pid}.tmp.wav`);
  try {
    // -R: repeatable (fixed seeds, no time stamps); -D: no dither, so the output is a pure function of the input.
    await run('sox', ['-R', '-D', '-V1', '-t', 'mp3', '-', '-t', 'wav', '-e', 'signed-integer', '-b', '16', '-c', '1', '-r', String(QUEEN_RATE), tmp], { input: resource(game, `${clip}.SB`), timeoutMs: 60_000 });
    await fs.rename(tmp, out);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  return true;
}

async function pool<T>(items: readonly T[], jobs: number, work: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, worker));
}

/** The figures the importer reports. */
export interface QueenSummary {
  tableEntries: number;
  speechClips: number;
  paired: number;
  /** Speech clips no line names (never played by the game). */
  unpaired: number;
  /** Clips named with two different texts, left out. */
  conflicts: number;
  kept: number;
  decoded: number;
  hours: number;
  dropped: Partial<Record<DropReason | 'decode failed', number>>;
  speakers: Record<string, { clips: number; seconds: number }>;
}

/** Options of {@link importQueen}. */
export interface QueenOptions {
  data: string;
  out: string;
  /** Only the first N paired clips (by clip name), for tests. */
  limit?: number;
  jobs?: number;
  log?: (line: string) => void;
}

/**
 * Import the game's speech into `<out>/queen.jsonl` (+ `<out>/wav/`, `<out>/speakers.json`).
 * @example
 * const summary = await importQueen({ data: QUEEN_DATA, out: '/work/data/real/queen' });
 */
export async function importQueen(o: QueenOptions): Promise<QueenSummary> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const game = await loadQueen(o.data);
  const speech = speechClips(game);
  const { pairs: allPairs, report } = pairClips(game);
  const pairs = o.limit !== undefined ? allPairs.slice(0, o.limit) : allPairs;
  const wavDir = path.join(o.out, 'wav');
  await fs.mkdir(wavDir, { recursive: true });
  const dropped: QueenSummary['dropped'] = {};
  const drop = (r: DropReason | 'decode failed'): void => {
    dropped[r] = (dropped[r] ?? 0) + 1;
  };
  const candidates: { pair: PairedClip; label: string; text: string }[] = [];
  for (const pair of pairs) {
    const v = textVerdict(pair.raw);
    if ('reason' in v) drop(v.reason);
    else candidates.push({ pair, label: v.label, text: cleanText(pair.raw) });
  }
  let decoded = 0;
  let done = 0;
  const failed = new Set<string>();
  await pool(candidates, o.jobs ?? 2, async (c) => {
    try {
      if (await decodeClip(game, c.pair.clip, wavDir)) decoded++;
    } catch (e) {
      failed.add(c.pair.clip);
      log(`queen: ${c.pair.clip}: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (++done % 500 === 0) log(`queen: ${done}/${candidates.length} clips decoded or found`);
  });
  const recs: Recording[] = [];
  const speakers: QueenSummary['speakers'] = {};
  let seconds = 0;
  for (const c of candidates) {
    if (failed.has(c.pair.clip)) {
      drop('decode failed');
      continue;
    }
    const file = path.join(wavDir, `${c.pair.clip}.wav`);
    const head = await fs.readFile(file);
    const d = wavDuration(head);
    if (d === null) throw new QueenDataError(`${file}: not a WAV after decoding; delete it and run again`);
    const why = rateVerdict(c.label, d);
    if (why) {
      drop(why);
      continue;
    }
    const voice = `queen/${c.pair.speaker}`;
    recs.push({ id: `queen-${c.pair.clip.toLowerCase()}`, file, text: c.text, speaker: voice, licence: QUEEN_LICENCE });
    const s = (speakers[voice] ??= { clips: 0, seconds: 0 });
    s.clips++;
    s.seconds += d;
    seconds += d;
  }
  for (const s of Object.values(speakers)) s.seconds = Math.round(s.seconds * 1000) / 1000;
  const { entries, skipped } = await writeImport(path.join(o.out, 'queen.jsonl'), recs, QUEEN_SOURCE, 'queen');
  if (skipped.length) throw new QueenDataError(`writeImport skipped ${skipped.length} clips that passed the checks (first: ${skipped[0]!.id}: ${skipped[0]!.reason}); this is a bug in the importer`);
  const sorted = Object.fromEntries(Object.entries(speakers).sort(([a, x], [b, y]) => y.seconds - x.seconds || (a < b ? -1 : 1)));
  await writeFileAtomic(path.join(o.out, 'speakers.json'), `${JSON.stringify(sorted, null, 1)}\n`, { force: true });
  const pairedSet = new Set(allPairs.map((p) => p.clip));
  return {
    tableEntries: game.entries.size,
    speechClips: speech.length,
    paired: pairs.length,
    unpaired: speech.filter((c) => !pairedSet.has(c)).length - report.conflicts,
    conflicts: report.conflicts,
    kept: entries.length,
    decoded,
    hours: seconds / 3600,
    dropped,
    speakers: sorted,
  };
}

/**
 * The summary as printed by the CLI.
 * @example
 * process.stdout.write(formatSummary(await importQueen(opts)));
 */
export function formatSummary(s: QueenSummary): string {
  const lines = [
    `resource table entries: ${s.tableEntries}`,
    `speech clips: ${s.speechClips} (never named by the scripts: ${s.unpaired}; named with two different texts, left out: ${s.conflicts})`,
    `paired: ${s.paired}`,
    `kept: ${s.kept} (${s.hours.toFixed(2)} h; newly decoded this run: ${s.decoded})`,
    `dropped: ${Object.entries(s.dropped).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}`,
    `speakers: ${Object.keys(s.speakers).length}`,
    ...Object.entries(s.speakers).map(([k, v]) => `  ${k.padEnd(30)} ${String(v.clips).padStart(5)} clips ${(v.seconds / 60).toFixed(1).padStart(6)} min`),
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('queen')
    .description("Import the speech of Flight of the Amazon Queen (Debian flight-of-the-amazon-queen) with its texts and speakers.")
    .requiredOption('--out <dir>', 'output directory (queen.jsonl, speakers.json, wav/)')
    .option('--data <file>', 'the game data file', QUEEN_DATA)
    .option('--limit <n>', 'only the first N paired clips (by clip name)', nonNegativeInt('--limit'))
    .option('--jobs <n>', 'parallel sox decoders', nonNegativeInt('--jobs'), 2)
    .parse()
    .opts<{ out: string; data: string; limit?: number; jobs: number }>();
  if (!existsSync(o.data)) throw new UsageError(`${o.data} not found: apt-get install -y flight-of-the-amazon-queen, or give --data <queen.1c>`);
  const summary = await importQueen({ data: o.data, out: o.out, jobs: o.jobs, ...(o.limit !== undefined ? { limit: o.limit } : {}) });
  process.stdout.write(formatSummary(summary));
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`queen: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
