import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wavDuration } from '../../../tools/corpus/import.js';
import {
  cleanText,
  decodeClip,
  importQueen,
  loadQueen,
  pairClips,
  QUEEN_DATA,
  QUEEN_LICENCE,
  type QueenGame,
  rateVerdict,
  soundOnly,
  speakerLabel,
  speechClips,
  textVerdict,
} from '../../../tools/corpus/queen.js';
import {
  clipName,
  cutawayLines,
  dialogueLines,
  parseGameStrings,
  parseGameTables,
  parseResourceTable,
  QueenDataError,
  readString,
  splitSegments,
} from '../../../tools/corpus/queen-data.js';
import { runBuilt } from '../../helpers/cli.js';
import { installed, tools } from '../../helpers/requirements.js';

/** A growable big-endian byte writer for synthetic game files. */
class Bytes {
  private readonly b: number[] = [];
  get length(): number {
    return this.b.length;
  }
  u8(...v: number[]): this {
    this.b.push(...v.map((x) => x & 0xff));
    return this;
  }
  u16(...v: number[]): this {
    for (const x of v) this.u8((x >> 8) & 0xff, x & 0xff);
    return this;
  }
  u32(v: number): this {
    return this.u16((v >>> 16) & 0xffff, v & 0xffff);
  }
  text(s: string): this {
    return this.u8(...[...s].map((c) => c.charCodeAt(0)));
  }
  /** A length-prefixed string padded to `align` (empty: just the length byte). */
  str(s: string, align = 2): this {
    this.u8(s.length).text(s);
    if (s.length) while (this.b.length % align) this.u8(0);
    return this;
  }
  pad(to: number): this {
    while (this.b.length < to) this.u8(0);
    return this;
  }
  set16(at: number, v: number): this {
    this.b[at] = (v >> 8) & 0xff;
    this.b[at + 1] = v & 0xff;
    return this;
  }
  bytes(): Uint8Array {
    return Uint8Array.from(this.b);
  }
}

describe('queen resource table', () => {
  const table = (): Bytes => {
    const w = new Bytes().text('QTBL').text('CEM10').u8(0, 0, 0, 1).u16(2);
    const dataAt = 15 + 2 * 21;
    w.text('A.SB'.padEnd(12, '\0')).u8(1).u32(dataAt).u32(3);
    w.text('B.DOG'.padEnd(12, '\0')).u8(1).u32(dataAt + 3).u32(2);
    return w.u8(7, 8, 9, 10, 11);
  };

  it('reads the header and the 21-byte entries', () => {
    const t = parseResourceTable(table().bytes(), 't');
    expect(t.version).toBe('CEM10');
    expect(t.compression).toBe(1);
    expect(t.entries).toEqual([
      { name: 'A.SB', offset: 57, size: 3 },
      { name: 'B.DOG', offset: 60, size: 2 },
    ]);
  });

  it('rejects other files, truncated tables and entries past the end, naming the file', () => {
    const bad = table().bytes();
    bad[0] = 0x58;
    expect(() => parseResourceTable(bad, 'x.bin')).toThrow(/x\.bin: starts with "XTBL"/);
    expect(() => parseResourceTable(table().bytes().subarray(0, 40), 'short')).toThrow(QueenDataError);
    expect(() => parseResourceTable(table().bytes().subarray(0, 61), 'cut')).toThrow(/B\.DOG .*past the end/);
  });
});

describe('queen scripts', () => {
  it('reads length-prefixed strings with the game alignment', () => {
    const b = new Bytes().str('Hi!', 4).str('').str('Yo').bytes();
    expect(readString(b, 0, 4)).toEqual({ text: 'Hi!', next: 4 });
    expect(readString(b, 4)).toEqual({ text: '', next: 5 });
    expect(readString(b, 5)).toEqual({ text: 'Yo', next: 8 });
    expect(() => readString(Uint8Array.from([5, 65]), 0)).toThrow(QueenDataError);
  });

  it('cuts sentences into clips at *XX commands as the game does', () => {
    expect(splitSegments("Ummm....*FLHi, I'm Joe King.")).toEqual([
      { index: 0, text: 'Ummm....' },
      { index: 1, text: "Hi, I'm Joe King." },
    ]);
    // A trailing command ends the last segment; nothing follows it.
    expect(splitSegments("I don't see anything special*24")).toEqual([{ index: 0, text: "I don't see anything special" }]);
    // *GD / *GM play no clip but still count; *XY carries coordinates.
    expect(splitSegments('Take this.*GDThere.*XY00(237,112)Go on.')).toEqual([
      { index: 1, text: 'There.' },
      { index: 2, text: 'Go on.' },
    ]);
    expect(splitSegments('Plain.')).toEqual([{ index: 0, text: 'Plain.' }]);
    expect(clipName(' 3SSSSJ', 1)).toBe('03SSSSJ2');
    expect(clipName(' 2  1eP', 9)).toBe('02001EPA');
  });

  it('reads the lines of a dialogue file with their voice prefixes', () => {
    const levels = 1;
    const joeOff = 32 + levels * 96;
    const w = new Bytes().u16(levels, 99, 3, 2, 1).pad(32).pad(joeOff);
    w.u16(0, 0).str("Ummm....*FLHi, I'm Joe King.", 4); // opening line: id 0 = "has a string"
    w.u16(0, 6).str('Nice plane.', 4);
    const person1 = w.length;
    w.u16(0, 6).str("It's not a plane.", 4);
    const person2 = w.length;
    w.str('Back again?').str('Hello again.');
    w.set16(22, person1).set16(26, person2);
    const lines = dialogueLines(w.bytes(), 'T.DOG');
    expect(lines).toContainEqual({ prefix: ' 3   6J', sentence: 'Nice plane.', speaker: 'joe' });
    expect(lines).toContainEqual({ prefix: ' 3   6P', sentence: "It's not a plane.", speaker: 'person' });
    expect(lines).toContainEqual({ prefix: ' 3SSSSJ', sentence: "Ummm....*FLHi, I'm Joe King.", speaker: 'joe' });
    expect(lines).toContainEqual({ prefix: ' 3XXXXP', sentence: 'Back again?', speaker: 'person' });
    expect(lines).toContainEqual({ prefix: ' 3XXXXJ', sentence: 'Hello again.', speaker: 'joe' });
    expect(() => dialogueLines(new Uint8Array(10), 'short.DOG')).toThrow(/short\.DOG/);
  });

  it('walks the object records of a cutaway and finds who speaks each line', () => {
    const rec = (obj: number, animList: number, execute: number, persons: number[]): number[] => {
      const r = new Array<number>(17).fill(0);
      r[0] = obj;
      r[4] = animList;
      r[5] = execute;
      return [...r, persons.length, ...persons];
    };
    const w = new Bytes().u16(0, 4, 0, 0, 0, 0); // panel, 4 records, flags, state table, sentences, bank names
    w.u16(...rec(0, 0, 0, [])); // Joe speaks
    w.u16(...rec(5, 1, 1, [7])); // an animation: frames follow
    w.u16(5, 1, 2, 0, 0, 0, 0, 0, 100, 0).u16(-2 & 0xffff);
    w.u16(...rec(-2 & 0xffff, 0, 0, [])); // spoken text record
    w.u16(...rec(7, 0, 0, [])); // person object 7
    const end = w.length;
    w.u16(0); // the game-state table (count 0)
    const banks = w.length;
    w.u16(0).str('T.DOG').u16(7);
    const sentences = w.length;
    w.str('*FL').str('Hello there.*FLBye now.').str('').str('Spoken text.').str("I'm here.");
    w.set16(6, end).set16(8, sentences).set16(10, banks);
    const cut = cutawayLines(w.bytes(), 'C2A', (o) => o === 7);
    expect(cut.end).toBe(cut.stateTable);
    expect(cut.talkFile).toBe('T.DOG');
    expect(cut.talkTo).toBe(7);
    expect(cut.lines).toEqual([
      { prefix: 'C2A__01', sentence: 'Hello there.*FLBye now.', speaker: 'joe' },
      { prefix: 'C2A__03', sentence: 'Spoken text.', speaker: -2, single: true },
      { prefix: 'C2A__04', sentence: "I'm here.", speaker: 7 },
    ]);
    // A base name of five characters is cut where the record number goes.
    expect(cutawayLines(w.bytes(), 'CDINT', (o) => o === 7).lines[0]!.prefix).toBe('CDINT01');
  });

  it('reads objects, commands and conditions of QUEEN.JAS and the string sections of QUEEN2.JAS', () => {
    const w = new Bytes().u16(1, 2, 2, 3); // rooms, names, objects, descriptions
    w.u16(1, 0, 0, 2, 0, 1, 0, 0xfffc); // object 1: name 1, description 2, room 1, image -4 (a person)
    w.u16(0xfffe, 0, 0, 3, 0, 1, 0, 0); // object 2: hidden name 2
    w.u16(0, 2).u16(0); // room data, room sfx
    w.u16(0).u16(0); // items, graphics
    w.u16(2, 1).u16(0, 0, 0, 0, 0, 0, 0, 0); // room 1: 2 objects, 1 area
    w.pad(w.length + 2 * 8); // object boxes
    w.u16(0).u16(0); // walk-offs, object descriptions
    w.u16(1).u16(8, 1, 0, 0, 0, 0, 0, 1, 0, 0); // one command: talk to object 1
    w.u16(0).pad(w.length + 6).u16(0).pad(w.length + 6).u16(0).pad(w.length + 6); // empty tables hold one record
    w.u16(1).u16(1, 5, 1, 3); // condition of command 1: speak description 3
    w.u16(1).u16(0); // entry object, furniture
    w.u16(1, 1, 1, 0).u16(1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0); // one actor: room 1, bob 1, name 1
    const t = parseGameTables(w.bytes());
    expect(t.objects[1]).toEqual({ name: 1, description: 2, room: 1, image: -4 });
    expect(t.objects[2]!.name).toBe(-2);
    expect(t.commands[1]).toEqual({ verb: 8, object1: 1, object2: 0 });
    expect(t.conditions).toEqual([{ command: 1, speak: 3 }]);
    expect(t.roomFirst).toEqual([0, 0, 2]);
    expect(t.actors).toEqual([{ room: 1, bob: 1, name: 1 }]);
    expect(() => parseGameTables(w.bytes().subarray(0, 60), 'J')).toThrow(/J: data ends/);
    const lines = ['Nice.*24', 'Rusty.', 'BOB1.DOG', 'Bob', 'door', 'Hotel', 'open', 'close', 'move', '----', 'give', 'use', 'pick up', 'talk to', 'look at', 'walk to', 'on', 'to'];
    const joe = Array.from({ length: 40 }, (_, k) => `response ${k + 1}`);
    const s = parseGameStrings([...lines, ...joe, 'anim', 'BOB'].join('\r\n'), t);
    expect(s.actorNames).toEqual(['BOB']);
    expect(s.descriptions).toEqual(['Nice.*24', 'Rusty.', 'BOB1.DOG']);
    expect(s.names).toEqual(['Bob', 'door']);
    expect(s.joeResponses[39]).toBe('response 40');
    expect(() => parseGameStrings('a\r\nb', t, 'Q2')).toThrow(/Q2: 2 lines/);
  });
});

describe('queen text hygiene', () => {
  it('removes commands, tags, stage directions, marks and ellipses', () => {
    expect(cleanText('<gulp> Well... (sigh) okay.*24')).toBe('Well, okay.');
    expect(cleanText('(UNGH) ')).toBe('');
    expect(cleanText('@@ I think I\'m in love @@')).toBe("I think I'm in love");
    expect(cleanText('the Super Soldier Treatment^_.')).toBe('the Super Soldier Treatment .');
    expect(cleanText('...back at the crash site')).toBe('back at the crash site');
    expect(cleanText('the Model X7 Atomic Braino Tubes,')).toBe('the Model X 7 Atomic Braino Tubes,');
  });

  it('tells noises from words', () => {
    expect(soundOnly('Grrrrr! WOOF! WOOF!')).toBe(true);
    expect(soundOnly('Ummm....')).toBe(true);
    expect(soundOnly('Ooop eep.')).toBe(true);
    expect(soundOnly("Ummm... Hi, I'm Joe.")).toBe(false);
    expect(soundOnly('Hey!')).toBe(false);
    expect(soundOnly('')).toBe(false);
  });

  it('gives each dropped line its reason and spells numerals out', () => {
    expect(textVerdict('<gulp> ')).toEqual({ reason: 'no text' });
    expect(textVerdict('Whoop, whoop!')).toEqual({ reason: 'sound only' });
    expect(textVerdict('No.')).toEqual({ reason: 'under 5 characters' });
    expect(textVerdict('2B or not 2B')).toEqual({ reason: 'not normalizable' });
    expect(textVerdict('Hmmm, you were born 13th July, 1922, huh?')).toEqual({ label: 'hmmm you were born thirteenth july nineteen twenty two huh' });
    expect(textVerdict('It can reach speeds of up to 100 miles an hour,')).toEqual({ label: 'it can reach speeds of up to one hundred miles an hour' });
    expect(rateVerdict('twelve chars', 1)).toBeNull();
    expect(rateVerdict('twelve chars', 3)).toBe('too slow (< 6 chars/s)');
    expect(rateVerdict('twelve chars', 0.4)).toBe('too fast (> 25 chars/s)');
  });

  it('labels speakers from object names', () => {
    expect(speakerLabel('Princess Azura')).toBe('princess-azura');
    expect(speakerLabel('azura obj')).toBe('princess-azura');
    expect(speakerLabel('Joe King')).toBe('joe');
    expect(speakerLabel('Mary-Lou')).toBe('mary-lou');
    expect(speakerLabel('telephone')).toBe('unknown');
    expect(speakerLabel('')).toBe('unknown');
  });
});

const pkg = installed({ 'flight-of-the-amazon-queen': QUEEN_DATA });
const sox = tools(['sox']);

describe.skipIf(pkg.skip || sox.skip)('queen importer on the Debian package', () => {
  let game: QueenGame;
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-queen-'));
  beforeAll(async () => {
    pkg.assertPresent();
    sox.assertPresent();
    game = await loadQueen(QUEEN_DATA);
  });
  afterAll(() => rmSync(tmp, { recursive: true, force: true }));

  it('parses the resource table and the scripts', () => {
    const t = parseResourceTable(readFileSync(QUEEN_DATA), QUEEN_DATA);
    expect(t.version).toBe('CEM10');
    expect(t.compression).toBe(1);
    expect(t.entries).toHaveLength(7671);
    expect(t.entries.filter((e) => e.name.endsWith('.SB'))).toHaveLength(6745);
    expect(t.entries.filter((e) => e.name.endsWith('.DOG'))).toHaveLength(73);
    expect(speechClips(game)).toHaveLength(6608);
    const { pairs, report } = pairClips(game);
    expect(pairs.length).toBeGreaterThanOrEqual(6580);
    // LARIS.DOG gives two lines the id 0x20: their clips cannot be paired with certainty and are left out.
    expect(report.conflicts).toBe(3);
    expect(pairs.find((p) => p.clip === '290020J1')).toBeUndefined();
    expect(pairs.length).toBeLessThanOrEqual(speechClips(game).length);
  });

  // Known clips: the text is the line the game shows with the clip (by the voice-prefix rules of talk.cpp and
  // cutaway.cpp), the speaker the object the dialogue is opened with; the decoded audio must fit the text at a
  // speaking rate (6-20 label characters per second; the corpus median is about 12).
  const known: { clip: string; raw: string; speaker: string }[] = [
    { clip: '020006J1', raw: "At least I don't look like I need to wear one.", speaker: 'joe' }, // AND1.DOG, Joe's option
    { clip: '020001P2', raw: "You couldn't pilot your way out of a paper bag.", speaker: 'anderson' }, // AND1.DOG, segment 2 of Anderson's line
    { clip: '03SSSSJ2', raw: "Hi, I'm Joe King.", speaker: 'joe' }, // Joe's opening line, after "Ummm....*"
    { clip: '04XXXXP1', raw: "I think you've mistaken me for someone else.", speaker: 'vicious-dinosaur' }, // APE2.DOG, meeting again
    { clip: 'CDINT111', raw: 'Well Rita, how about one for the road?', speaker: 'joe' }, // intro cutaway, object "Joe King"
  ];

  it('pairs known clips with their text and speaker, and the audio fits the text', async () => {
    const byClip = new Map(pairClips(game).pairs.map((p) => [p.clip, p]));
    for (const k of known) {
      const p = byClip.get(k.clip);
      expect(p, k.clip).toBeDefined();
      expect({ clip: k.clip, raw: p!.raw, speaker: p!.speaker }).toEqual({ clip: k.clip, raw: k.raw, speaker: k.speaker });
      await decodeClip(game, k.clip, tmp);
      const d = wavDuration(readFileSync(path.join(tmp, `${k.clip}.wav`)))!;
      const label = (textVerdict(k.raw) as { label: string }).label;
      expect(label.length / d, k.clip).toBeGreaterThan(6);
      expect(label.length / d, k.clip).toBeLessThan(20);
    }
    // Joe's descriptions come after his 40 stock responses.
    expect(byClip.get('JOE00411')).toMatchObject({ raw: "I don't see anything special", speaker: 'joe', from: 'QUEEN2.JAS' });
  });

  it('pairs texts that fit their clips across the game: text length and clip duration correlate', async () => {
    // A segment counted one off, or a wrong voice prefix, pairs clips with unrelated lines and the correlation falls
    // to about 0; the probe measured 0.83 over all clips.
    const sample = pairClips(game).pairs.filter((_, k) => k % 25 === 0);
    const xs: number[] = [];
    const ys: number[] = [];
    const dir = path.join(tmp, 'sample');
    mkdirSync(dir);
    for (const p of sample) {
      const v = textVerdict(p.raw);
      if ('reason' in v) continue;
      await decodeClip(game, p.clip, dir);
      xs.push(v.label.length);
      ys.push(wavDuration(readFileSync(path.join(dir, `${p.clip}.wav`)))!);
    }
    expect(xs.length).toBeGreaterThan(200);
    const mean = (a: number[]): number => a.reduce((s, x) => s + x, 0) / a.length;
    const mx = mean(xs);
    const my = mean(ys);
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    xs.forEach((x, k) => {
      sxy += (x - mx) * (ys[k]! - my);
      sxx += (x - mx) ** 2;
      syy += (ys[k]! - my) ** 2;
    });
    expect(sxy / Math.sqrt(sxx * syy)).toBeGreaterThan(0.75);
  });

  it('writes the same manifest, speakers and audio twice, and resumes without redoing finished clips', async () => {
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const log = (): void => undefined;
    const first = await importQueen({ data: QUEEN_DATA, out: a, limit: 24, log });
    await importQueen({ data: QUEEN_DATA, out: b, limit: 24, log });
    expect(first.kept).toBeGreaterThan(15);
    expect(first.decoded).toBe(first.kept + (first.dropped['too slow (< 6 chars/s)'] ?? 0) + (first.dropped['too fast (> 25 chars/s)'] ?? 0));
    const files = (d: string): Record<string, string> =>
      Object.fromEntries(['queen.jsonl', 'speakers.json', ...readdirSync(path.join(d, 'wav')).map((f) => `wav/${f}`)].map((f) => [f, readFileSync(path.join(d, f)).toString('base64')]));
    expect(files(a)).toEqual(files(b));
    const entries = readFileSync(path.join(a, 'queen.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; voice: string; licence: string; source: string; audio: string });
    expect(entries[0]).toMatchObject({ id: 'queen-020001p2', voice: 'queen/anderson', licence: QUEEN_LICENCE, source: 'debian/flight-of-the-amazon-queen', audio: 'wav/020001P2.wav' });

    const again = await importQueen({ data: QUEEN_DATA, out: a, limit: 24, log });
    expect(again.decoded).toBe(0);
    const wavs = readdirSync(path.join(a, 'wav'));
    unlinkSync(path.join(a, 'wav', wavs[0]!));
    truncateSync(path.join(a, 'wav', wavs[1]!), 1000); // an interrupted copy: header says more data than there is
    const repaired = await importQueen({ data: QUEEN_DATA, out: a, limit: 24, log });
    expect(repaired.decoded).toBe(2);
    expect(files(a)).toEqual(files(b));
  });

});

describe('queen importer CLI', () => {
  it('fails with a clear message and no output when the data file is missing', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-queen-cli-'));
    try {
      const out = path.join(tmp, 'none');
      const r = runBuilt('dist/tools/corpus/queen.js', ['--out', out, '--data', path.join(tmp, 'missing.1c')]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/missing\.1c not found: apt-get install -y flight-of-the-amazon-queen/);
      expect(() => readdirSync(out)).toThrow();
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('rejects a file that is not the game data', () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-queen-cli-'));
    try {
      const fake = path.join(tmp, 'queen.1c');
      writeFileSync(fake, 'not a queen data file at all');
      const r = runBuilt('dist/tools/corpus/queen.js', ['--out', path.join(tmp, 'o'), '--data', fake]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/queen\.1c: starts with "not ", not "QTBL"/);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
