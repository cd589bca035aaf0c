/**
 * Pure readers for the data formats of "Flight of the Amazon Queen" (the CD talkie, `queen.1c`), as far as the speech
 * importer needs them: the resource table, the dialogue (`.DOG`) and cutaway (`.CUT`) scripts, the object and
 * command tables of `QUEEN.JAS` and the string list `QUEEN2.JAS`, and how the game cuts a sentence into voice clips.
 * Formats learnt from ScummVM's `queen` engine (resource.cpp, talk.cpp, cutaway.cpp, logic.cpp, command.cpp); this
 * is earshot's own code. All multi-byte numbers are big-endian. Nothing here touches the file system.
 */
import { UsageError } from '../../src/core/errors.js';

/** The bytes that precede the data of `.DOG`, `.CUT` and `QUEEN.JAS` resources (a bank header the game skips). */
export const RESOURCE_HEADER_SIZE = 20;

/** One file inside the data file. */
export interface ResourceEntry {
  name: string;
  /** Absolute byte offset in the data file. */
  offset: number;
  size: number;
}

/** The rebuilt resource table at the start of `queen.1c`. */
export interface ResourceTable {
  /** e.g. `CEM10`: C = CD talkie, E = English. */
  version: string;
  /** 0 none, 1 MP3, 2 Ogg Vorbis, 3 FLAC (for the `.SB` speech and sound files). */
  compression: number;
  entries: ResourceEntry[];
}

/** A data file that is not what the reader expects; names the file and what was wrong. */
export class QueenDataError extends UsageError {
  constructor(message: string) {
    super(message);
    this.name = 'QueenDataError';
  }
}

function need(buf: Uint8Array, end: number, what: string): void {
  if (end > buf.length) throw new QueenDataError(`${what}: data ends at byte ${buf.length}, needed ${end}; the file is truncated or not this format`);
}

function u16(b: Uint8Array, o: number): number {
  return (b[o]! << 8) | b[o + 1]!;
}

function i16(b: Uint8Array, o: number): number {
  const v = u16(b, o);
  return v >= 0x8000 ? v - 0x10000 : v;
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o]! << 24) >>> 0) + (b[o + 1]! << 16) + (b[o + 2]! << 8) + b[o + 3]!;
}

/**
 * Parse the resource table of a rebuilt data file: `QTBL`, a 6-byte version string, 2 bytes, a compression byte, a u16
 * entry count, then 21-byte entries (12-byte name, bundle byte, u32 offset, u32 size).
 * @example
 * const table = parseResourceTable(readFileSync('/usr/share/scummvm/flight-of-the-amazon-queen/queen.1c'), 'queen.1c');
 * table.entries.filter((e) => e.name.endsWith('.SB')).length; // 6745
 */
export function parseResourceTable(buf: Uint8Array, file = 'data file'): ResourceTable {
  need(buf, 15, file);
  const magic = String.fromCharCode(...buf.subarray(0, 4));
  if (magic !== 'QTBL') throw new QueenDataError(`${file}: starts with "${magic}", not "QTBL"; give the rebuilt queen.1c of the Debian package flight-of-the-amazon-queen`);
  const version = latin1(buf.subarray(4, 10)).replace(/\0.*$/, '');
  const compression = buf[12]!;
  const count = u16(buf, 13);
  need(buf, 15 + count * 21, `${file} resource table (${count} entries)`);
  const entries: ResourceEntry[] = [];
  for (let i = 0; i < count; i++) {
    const o = 15 + i * 21;
    const name = latin1(buf.subarray(o, o + 12)).replace(/\0.*$/, '');
    const offset = u32(buf, o + 13);
    const size = u32(buf, o + 17);
    if (offset + size > buf.length) throw new QueenDataError(`${file}: resource ${name} (offset ${offset}, size ${size}) lies past the end of the file (${buf.length} bytes)`);
    entries.push({ name, offset, size });
  }
  return { version, compression, entries };
}

function latin1(b: Uint8Array): string {
  let s = '';
  for (const c of b) s += String.fromCharCode(c);
  return s;
}

/**
 * Read a length-prefixed string at `offset` (one length byte, then the bytes); the next offset is rounded up to
 * `align` after a non-empty string and is just past the length byte after an empty one (as the game reads them).
 * @example
 * readString(Uint8Array.from([3, 0x48, 0x69, 0x21, 0]), 0); // { text: 'Hi!', next: 4 }
 */
export function readString(buf: Uint8Array, offset: number, align = 2): { text: string; next: number } {
  need(buf, offset + 1, 'string');
  const len = buf[offset]!;
  const start = offset + 1;
  if (len === 0) return { text: '', next: start };
  need(buf, start + len, 'string');
  return { text: latin1(buf.subarray(start, start + len)), next: Math.ceil((start + len) / align) * align };
}

/** One spoken piece of a sentence: the clip the game plays for it and the text it shows. */
export interface Segment {
  /** 0-based segment number; the clip name ends in its hex value + 1. */
  index: number;
  text: string;
}

/** The `*XX` commands after which the game plays nothing (Joe grabs down / mid). */
const SILENT_COMMANDS = new Set(['GD', 'GM']);

/**
 * Cut a sentence at its `*XX` speak commands as the game does: each command ends a segment (a clip), `*XY00(x,y)`
 * carries coordinates, `*GD`/`*GM` are actions without a clip, and the text after the last command is one more
 * segment. Segment numbers count every command, so they name clips even where one is skipped.
 * @example
 * splitSegments('Hello.*FLHow are you?'); // [{ index: 0, text: 'Hello.' }, { index: 1, text: 'How are you?' }]
 */
export function splitSegments(sentence: string): Segment[] {
  const out: Segment[] = [];
  let index = 0;
  let start = 0;
  let i = 0;
  while (i < sentence.length) {
    if (sentence[i] !== '*') {
      i++;
      continue;
    }
    const text = sentence.slice(start, i);
    const code = sentence.slice(i + 1, i + 3);
    i += 3;
    if (code === 'XY') i += 11;
    if (!SILENT_COMMANDS.has(code)) out.push({ index, text });
    index++;
    start = i;
  }
  if (start < sentence.length) out.push({ index, text: sentence.slice(start) });
  return out;
}

/**
 * The name of the clip the game plays for segment `index` of a sentence whose voice prefix is `prefix`: the prefix
 * with spaces made zeros, one hex digit (index + 1), upper case, `.SB` left off.
 * @example
 * clipName(' 2   6J', 0); // '020006J1'
 */
export function clipName(prefix: string, index: number): string {
  return `${prefix.replace(/ /g, '0')}${(index + 1).toString(16)}`.toUpperCase();
}

/** printf `%2d`. */
function pad2(n: number): string {
  return String(n).padStart(2, ' ');
}

/** printf `%4x` of an int16 (negative numbers as the game's unsigned hex). */
function hex4(n: number): string {
  return (n < 0 ? n + 0x10000 : n).toString(16).padStart(4, ' ');
}

/** A sentence of a script with the voice prefix the game gives it and who says it. */
export interface ScriptLine {
  prefix: string;
  sentence: string;
  /** `joe`, `person` (the character the dialogue is with), or a cutaway object number. */
  speaker: 'joe' | 'person' | number;
  /** The game plays one clip (`<prefix>1`) for the whole sentence instead of one per segment (cutaway text records). */
  single?: boolean;
}

/**
 * The spoken lines of a `.DOG` dialogue (data after the 20-byte header): Joe's options (`%2d%4xJ`), the other
 * person's lines (`%2d%4xP`), Joe's opening line (`%2dSSSSJ`) and the lines for meeting again (`%2dXXXXP`,
 * `%2dXXXXJ`), keyed by the dialogue's talk key.
 * @example
 * dialogueLines(dogBytes.subarray(RESOURCE_HEADER_SIZE), 'SPARKY1.DOG')[0]; // { prefix: ' 8   6J', sentence: '...', speaker: 'joe' }
 */
export function dialogueLines(b: Uint8Array, file = 'dialogue'): ScriptLine[] {
  need(b, 32, file);
  const levels = Math.abs(i16(b, 0));
  const talkKey = i16(b, 4);
  const joeMax = i16(b, 6);
  const personMax = i16(b, 8);
  const person1 = u16(b, 22);
  const person2 = u16(b, 26);
  const joeOff = 32 + levels * 96;
  const out: ScriptLine[] = [];
  const list = (start: number, max: number, who: 'joe' | 'person'): void => {
    let o = start;
    for (let k = 0; k < max; k++) {
      need(b, o + 4, file);
      const id = i16(b, o + 2);
      const s = readString(b, o + 4, 4);
      o = s.next;
      if (s.text) out.push({ prefix: `${pad2(talkKey)}${hex4(id)}${who === 'joe' ? 'J' : 'P'}`, sentence: s.text, speaker: who });
    }
  };
  list(joeOff, joeMax, 'joe');
  list(person1, personMax, 'person');
  need(b, joeOff + 4, file);
  if (u16(b, joeOff + 2) === 0) {
    const first = readString(b, joeOff + 4).text;
    if (first) out.push({ prefix: `${pad2(talkKey)}SSSSJ`, sentence: first, speaker: 'joe' });
  }
  const again = readString(b, person2);
  const joeAgain = readString(b, again.next);
  if (again.text) out.push({ prefix: `${pad2(talkKey)}XXXXP`, sentence: again.text, speaker: 'person' });
  if (joeAgain.text) out.push({ prefix: `${pad2(talkKey)}XXXXJ`, sentence: joeAgain.text, speaker: 'joe' });
  return out;
}

/** What a cutaway script says besides its lines: the dialogue it starts and with whom. */
export interface Cutaway {
  lines: ScriptLine[];
  /** The `.DOG` (or next `.CUT`) the cutaway hands over to, '' if none. */
  talkFile: string;
  /** Global object number of the person the dialogue is with. */
  talkTo: number;
  /** Where the object records ended; the game's state table follows (a consistency check for the parser). */
  end: number;
  stateTable: number;
}

/**
 * The spoken lines of a `.CUT` cutaway (data after the 20-byte header). Each object record is 17 int16s and a list
 * of persons; a sentence follows for every record from the string list. Person records (Joe = 0, or an object that
 * is a person and has no animation list) speak with prefix `<name padded with _ to 5><record number %02d>`; text
 * records (object -2 or -3) speak that prefix + "1"; animation records carry frames up to a -2 marker.
 * `isPerson(obj)` says whether global object `obj` is a person (image -3 or -4 in `QUEEN.JAS`).
 * @example
 * cutawayLines(cutBytes.subarray(RESOURCE_HEADER_SIZE), 'C2A', (o) => objects[o]?.image === -3 || objects[o]?.image === -4);
 */
export function cutawayLines(b: Uint8Array, base: string, isPerson: (obj: number) => boolean): Cutaway {
  const file = `${base}.CUT`;
  need(b, 12, file);
  const count = Math.abs(i16(b, 2));
  const stateTable = u16(b, 6);
  let sentences = u16(b, 8);
  let o = u16(b, 10);
  need(b, o + 2, file);
  const banks = u16(b, o);
  o += 2;
  for (let k = 0; k < banks; k++) o = readString(b, o).next;
  const talk = readString(b, o);
  need(b, talk.next + 2, file);
  const talkTo = i16(b, talk.next);
  sentences = readString(b, sentences).next; // the entry string (Joe's facing)
  const stem = base.toUpperCase().padEnd(5, '_').slice(0, 5); // the record number overwrites from the 6th character
  const lines: ScriptLine[] = [];
  let p = 12;
  for (let k = 0; k < count; k++) {
    need(b, p + 36, file);
    const f = (n: number): number => i16(b, p + 2 * n);
    let obj = f(0);
    const animList = f(4);
    const execute = f(5);
    const fromObject = f(12);
    p += 34;
    const persons = i16(b, p);
    p += 2 + 2 * Math.max(0, persons);
    const s = readString(b, sentences);
    sentences = s.next;
    if (obj === -1) obj = 0; // room fade: Joe
    let type: 'anim' | 'person' | 'none' | 'text' | 'display' = 'anim';
    if (obj > 0 && !animList && isPerson(obj)) type = 'person';
    else if (obj === 0 && !animList) type = 'person';
    if (fromObject > 0) type = 'none';
    if (obj === -2 || obj === -3) type = 'text';
    else if (obj === -4) type = 'display';
    if (type === 'anim' && !execute) type = 'none';
    if (type === 'anim') {
      for (;;) {
        need(b, p + 2, file);
        const header = i16(b, p);
        p += 2;
        if (header === -2) break;
        if (header > 1000) throw new QueenDataError(`${file}: animation frame header ${header} at byte ${p - 2} is out of range; the cutaway is not in the expected format`);
        p += 18;
      }
    }
    const prefix = `${stem}${String(k + 1).padStart(2, '0')}`;
    if (type === 'person' && s.text && s.text !== '*' && !s.text.startsWith('#')) lines.push({ prefix, sentence: s.text, speaker: obj === 0 ? 'joe' : obj });
    // Text records play exactly one clip, "<prefix>1", whatever their `*` commands.
    if (type === 'text' && s.text) lines.push({ prefix, sentence: s.text, speaker: obj, single: true });
  }
  return { lines, talkFile: talk.text, talkTo, end: p, stateTable };
}

/** An object of `QUEEN.JAS`. */
export interface GameObject {
  /** Index into the object names (negative: hidden at start; 0: deleted). */
  name: number;
  description: number;
  room: number;
  /** -3/-4: a person. */
  image: number;
}

/** A command of `QUEEN.JAS`: verb and objects. */
export interface GameCommand {
  verb: number;
  object1: number;
  object2: number;
}

/** A game-state condition of a command; `speak` > 0 names a description (a text, `.DOG` or `.CUT`). */
export interface CommandCondition {
  command: number;
  speak: number;
}

/** An actor: the animated figure the game shows for a person object (bob `bob` of room `room`). */
export interface GameActor {
  room: number;
  /** The person's number among the room's person objects (1-based). */
  bob: number;
  /** Index into the actor names (1-based). */
  name: number;
}

/** What the importer needs from `QUEEN.JAS`. */
export interface GameTables {
  rooms: number;
  names: number;
  descriptions: number;
  /** 1-based: objects[0] is unused. */
  objects: GameObject[];
  /** roomFirst[r] + 1 is the first object of room r (1-based rooms). */
  roomFirst: number[];
  actors: GameActor[];
  /** Counts of the actor animation and actor name strings in `QUEEN2.JAS`. */
  actorAnims: number;
  actorNames: number;
  /** 1-based. */
  commands: GameCommand[];
  conditions: CommandCondition[];
}

/**
 * Read the object, room, command, condition and actor tables of `QUEEN.JAS` (data after the 20-byte header),
 * skipping the item, graphic, area, box, walk-off, description and furniture tables between them.
 * @example
 * const t = parseGameTables(jas.subarray(RESOURCE_HEADER_SIZE)); t.objects[23]; // { name: ..., image: -4, ... }
 */
export function parseGameTables(b: Uint8Array, file = 'QUEEN.JAS'): GameTables {
  need(b, 8, file);
  const rooms = u16(b, 0);
  const names = u16(b, 2);
  const nObjects = u16(b, 4);
  const descriptions = u16(b, 6);
  let p = 8;
  need(b, p + nObjects * 16, file);
  const objects: GameObject[] = [{ name: 0, description: 0, room: 0, image: 0 }];
  for (let k = 0; k < nObjects; k++, p += 16) objects.push({ name: i16(b, p), description: u16(b, p + 6), room: u16(b, p + 10), image: i16(b, p + 14) });
  need(b, p + (rooms + 1) * 2, file);
  const roomFirst = [0];
  for (let r = 1; r <= rooms + 1; r++, p += 2) roomFirst.push(u16(b, p));
  p += rooms * 2; // room sound effects
  const table = (size: number): { n: number; start: number } => {
    need(b, p + 2, file);
    const n = u16(b, p);
    const start = p + 2;
    p = start + Math.max(n, 1) * size; // an empty table still holds one record
    need(b, p, file);
    return { n, start };
  };
  const skip = (size: number): void => {
    need(b, p + 2, file);
    p += 2 + u16(b, p) * size;
  };
  skip(10); // items
  skip(10); // graphics
  for (let r = 0; r < rooms; r++) {
    need(b, p + 4, file);
    p += 4 + Math.max(0, i16(b, p + 2)) * 16; // areas
  }
  p += nObjects * 8; // object boxes
  skip(6); // walk-off points
  skip(8); // object descriptions
  const cl = table(20);
  const commands: GameCommand[] = [{ verb: 0, object1: 0, object2: 0 }];
  for (let k = 0; k < cl.n; k++) {
    const o = cl.start + 20 * k;
    commands.push({ verb: i16(b, o), object1: i16(b, o + 2), object2: i16(b, o + 4) });
  }
  table(6); // areas
  table(6); // objects
  table(6); // inventory
  const gs = table(8);
  const conditions: CommandCondition[] = [];
  for (let k = 0; k < gs.n; k++) {
    const o = gs.start + 8 * k;
    conditions.push({ command: i16(b, o), speak: u16(b, o + 6) });
  }
  p += 2; // entry object
  skip(4); // furniture
  need(b, p + 8, file);
  const nActors = u16(b, p);
  const actorAnims = u16(b, p + 2);
  const actorNames = u16(b, p + 4);
  p += 8;
  need(b, p + nActors * 24, file);
  const actors: GameActor[] = [];
  for (let k = 0; k < nActors; k++, p += 24) actors.push({ room: i16(b, p), bob: i16(b, p + 2), name: u16(b, p + 4) });
  return { rooms, names, descriptions, objects, roomFirst, commands, conditions, actors, actorAnims, actorNames };
}

/** The string sections of `QUEEN2.JAS`, in file order. */
export interface GameStrings {
  descriptions: string[];
  names: string[];
  /** Joe's 40 stock responses ("I can't do that", ...). */
  joeResponses: string[];
  /** Actor names (`SPARKY`, `FAYE-H`, ...). */
  actorNames: string[];
}

/** Joe's stock responses in `QUEEN2.JAS`; his description clips are numbered after them. */
export const JOE_RESPONSES = 40;

/**
 * Split `QUEEN2.JAS` (CRLF text lines) into its sections: object descriptions, object names, room names, 12 verbs,
 * Joe's responses, actor animations, actor names.
 * @example
 * const s = parseGameStrings(text, tables); s.names[s.names.length - 1];
 */
export function parseGameStrings(text: string, t: Pick<GameTables, 'descriptions' | 'names' | 'rooms' | 'actorAnims' | 'actorNames'>, file = 'QUEEN2.JAS'): GameStrings {
  const lines = text.split(/\r?\n/);
  const joeStart = t.descriptions + t.names + t.rooms + 12;
  const actorStart = joeStart + JOE_RESPONSES + t.actorAnims;
  if (lines.length < actorStart + t.actorNames) throw new QueenDataError(`${file}: ${lines.length} lines, expected at least ${actorStart + t.actorNames} (descriptions, names, rooms, verbs, Joe's responses, actor animations and names)`);
  return {
    descriptions: lines.slice(0, t.descriptions),
    names: lines.slice(t.descriptions, t.descriptions + t.names),
    joeResponses: lines.slice(joeStart, joeStart + JOE_RESPONSES),
    actorNames: lines.slice(actorStart, actorStart + t.actorNames),
  };
}
