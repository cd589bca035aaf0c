import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RncError, rncCrc, rncHeader, rncUnpack } from '../../../tools/corpus/rnc.js';
import { readCpt, talkTable } from '../../../tools/corpus/sky-compact.js';
import { SkyDataError, SkyDisk } from '../../../tools/corpus/sky-disk.js';
import { SKY_HUFF_TREE_00372 } from '../../../tools/corpus/sky-huffman.js';
import { type SpeakCall, allSpeakCalls, speakCalls } from '../../../tools/corpus/sky-script.js';
import { callSpeaker } from '../../../tools/corpus/sky-speakers.js';
import { SkyTextSection, speechFileText, textSpeechFile } from '../../../tools/corpus/sky-text.js';
import { SKY_DATA_DIR, importSky, pcm8ToWav, skyClips, skyLabel } from '../../../tools/corpus/sky.js';
import { installed } from '../../helpers/requirements.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-corpus-sky-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/**
 * An RNC method 1 writer for tests, written from the format description (not from the decoder): bits go LSB-first
 * into 16-bit LE words; a literal run is placed right after the word being filled, and later bits continue in
 * that word before a new one is opened after the run.
 */
class RncWriter {
  private out: number[] = [];
  private word = -1; // byte index of the open word
  private used = 16;

  bits(value: number, n: number): void {
    for (let i = 0; i < n; i++) {
      if (this.used === 16) {
        this.word = this.out.length;
        this.out.push(0, 0);
        this.used = 0;
      }
      if ((value >> i) & 1) this.out[this.word + (this.used >> 3)]! |= 1 << (this.used & 7);
      this.used++;
    }
  }

  /** A Huffman table given as code lengths per symbol; returns each symbol's (bit-reversed) code. */
  table(lengths: number[]): Map<number, [number, number]> {
    this.bits(lengths.length, 5);
    for (const l of lengths) this.bits(l, 4);
    const codes = new Map<number, [number, number]>();
    let code = 0;
    for (let len = 1; len <= 16; len++) {
      lengths.forEach((l, sym) => {
        if (l !== len) return;
        const msb = code >> (16 - len);
        let rev = 0;
        for (let b = 0; b < len; b++) rev |= ((msb >> b) & 1) << (len - 1 - b);
        codes.set(sym, [rev, len]);
        code += 1 << (16 - len);
      });
    }
    return codes;
  }

  /** A value: its symbol's code, then the extra bits for symbols of 2 and up. */
  value(codes: Map<number, [number, number]>, v: number): void {
    const sym = v < 2 ? v : 32 - Math.clz32(v);
    const c = codes.get(sym);
    if (!c) throw new Error(`test table has no code for symbol ${sym}`);
    this.bits(c[0], c[1]);
    if (sym >= 2) this.bits(v & ((1 << (sym - 1)) - 1), sym - 1);
  }

  literal(bytes: number[]): void {
    this.out.push(...bytes);
    // bits continue in the open word; the next word opens after the run
  }

  packed(unpacked: Uint8Array, blocks = 1): Uint8Array {
    const body = Uint8Array.from(this.out);
    const h = Buffer.alloc(18);
    h.writeUInt32BE(0x524e4301, 0);
    h.writeUInt32BE(unpacked.length, 4);
    h.writeUInt32BE(body.length, 8);
    h.writeUInt16BE(rncCrc(unpacked), 12);
    h.writeUInt16BE(rncCrc(body), 14);
    h[17] = blocks;
    return Uint8Array.from([...h, ...body]);
  }
}

/** "abcabcabc" as one literal run of 3 and a match of 6 at distance 3, then an empty last pair. */
function abcStream(): Uint8Array {
  const w = new RncWriter();
  w.bits(0, 2);
  const raw = w.table([1, 0, 1]); // symbols 0 and 2
  const pos = w.table([0, 0, 1]); // symbol 2 (values 2-3)
  const len = w.table([0, 0, 0, 1]); // symbol 3 (values 4-7)
  w.bits(2, 16); // two pairs
  w.value(raw, 3);
  w.literal([...Buffer.from('abc')]);
  w.value(pos, 3 - 1);
  w.value(len, 6 - 2);
  w.value(raw, 0);
  return w.packed(Buffer.from('abcabcabc'));
}

describe('RNC method 1', () => {
  it('computes CRC-16/ARC (the standard check value)', () => {
    expect(rncCrc(Buffer.from('123456789'))).toBe(0xbb3d);
    expect(rncCrc(new Uint8Array(0))).toBe(0);
  });

  it('unpacks literal runs and overlapping matches', () => {
    const s = abcStream();
    expect(rncHeader(s)).toMatchObject({ unpackedLength: 9, blocks: 1 });
    expect(Buffer.from(rncUnpack(s, 'test')).toString()).toBe('abcabcabc');
  });

  it('unpacks a literal run whose preceding bits end exactly on a word boundary', () => {
    const w = new RncWriter();
    w.bits(0, 2);
    const raw = w.table([0, 0, 0, 1, 0, 0, 0]); // 5 + 7 * 4 bits: symbol 3 (values 4-7)
    w.table([]);
    w.table([]);
    w.bits(1, 16); // one pair
    w.value(raw, 5); // 2 + 33 + 5 + 5 + 16 + 3 = 64 bits: four full words
    const data = Buffer.from('hello');
    w.literal([...data]);
    expect(Buffer.from(rncUnpack(w.packed(data), 'test')).toString()).toBe('hello');
  });

  it('rejects a bad signature, truncation and either checksum, naming the source', () => {
    const s = abcStream();
    expect(() => rncUnpack(Buffer.from('nope, not packed at all'), 'file 7')).toThrow(/file 7: not an RNC method 1 stream/);
    expect(() => rncUnpack(s.subarray(0, s.length - 1), 'file 7')).toThrow(/file 7: truncated/);
    const badPacked = Uint8Array.from(s);
    badPacked[20]! ^= 0x40;
    expect(() => rncUnpack(badPacked, 'sky.dsk file 50123')).toThrow(RncError);
    expect(() => rncUnpack(badPacked, 'sky.dsk file 50123')).toThrow(/sky\.dsk file 50123: packed-data CRC/);
    const badUnpacked = Uint8Array.from(s);
    badUnpacked[12]! ^= 0x01; // the header's unpacked CRC
    expect(() => rncUnpack(badUnpacked, 'file 9')).toThrow(/file 9: unpacked-data CRC/);
  });
});

/** The code of each character of the tree, as a bit string, found by walking the table (not the decoder). */
function treeCodes(): Map<number, string> {
  const codes = new Map<number, string>();
  const walk = (i: number, prefix: string): void => {
    const [l, r, v] = SKY_HUFF_TREE_00372[i]!;
    if (l === 0 && r === 0) {
      if (!codes.has(v)) codes.set(v, prefix);
      return;
    }
    walk(l, `${prefix}0`);
    walk(r, `${prefix}1`);
  };
  walk(0, '');
  return codes;
}

/** A one-block text section holding `texts`, each starting on a 2-bit boundary, bits MSB first. */
function sectionOf(texts: string[]): Uint8Array {
  const codes = treeCodes();
  let bits = '';
  const lengths: number[] = [];
  for (const t of texts) {
    const start = bits.length;
    for (const ch of [...t].map((c) => c.charCodeAt(0)).concat(0)) bits += codes.get(ch)!;
    while (bits.length % 2) bits += '0';
    lengths.push((bits.length - start) / 2);
  }
  while (bits.length % 8) bits += '0';
  const stream = Buffer.alloc(bits.length / 8);
  for (let i = 0; i < bits.length; i++) if (bits[i] === '1') stream[i >> 3]! |= 0x80 >> (i & 7);
  const skipAt = 6;
  const streamAt = skipAt + 32;
  const head = Buffer.alloc(streamAt);
  head.writeUInt16LE(skipAt, 0);
  head.writeUInt16LE(streamAt, 2);
  head.writeUInt16LE(lengths.reduce((a, b) => a + b, 0), 4);
  lengths.forEach((n, i) => {
    if (n > 127) throw new Error('test texts must be short');
    head[skipAt + i] = n;
  });
  return Buffer.concat([head, stream]);
}

describe('Huffman texts', () => {
  it('the v0.0372 tree is a full binary tree in pre-order with 123 leaves', () => {
    expect(SKY_HUFF_TREE_00372).toHaveLength(245);
    const seen = new Array<number>(245).fill(0);
    const walk = (i: number): void => {
      seen[i]!++;
      const [l, r] = SKY_HUFF_TREE_00372[i]!;
      if (l || r) {
        expect(l).toBe(i + 1);
        walk(l);
        walk(r);
      }
    };
    walk(0);
    expect(seen.every((n) => n === 1)).toBe(true);
    expect(SKY_HUFF_TREE_00372.filter(([l, r]) => !l && !r)).toHaveLength(123);
    const codes = treeCodes();
    expect(codes.get(32)).toBe('000'); // space: the most frequent character
    expect(codes.get(0)).toBe('100000'); // end of text
  });

  it('decodes texts at every 2-bit alignment of a hand-built section', () => {
    const texts = ['Hello, Joey.', 'What YOU want?', 'I', "It's 9 o'clock...", ''];
    const sec = new SkyTextSection(sectionOf(texts), 'test section');
    texts.forEach((t, i) => expect(sec.text(i)).toBe(t));
    expect(() => sec.text(32)).toThrow(SkyDataError);
  });

  it('maps speech files to text numbers and back with the per-section offsets', () => {
    expect(speechFileText(50013)).toBe(13);
    expect(speechFileText(50600)).toBe(1 << 12);
    expect(speechFileText(55230)).toBe(7 << 12);
    expect(speechFileText(59500)).toBeNull(); // intro voices
    expect(speechFileText(49999)).toBeNull();
    for (const f of [50000, 50599, 51100, 52430, 53380, 54530, 55080]) expect(textSpeechFile(speechFileText(f)!)).toBe(f);
  });
});

describe('labels and audio', () => {
  it('normalises the game text: case, ellipses, backticks, digits', () => {
    expect(skyLabel('...I was LUCKY to get out ALIVE!')).toBe('i was lucky to get out alive');
    expect(skyLabel("Don`t... go!")).toBe('dont go');
    expect(skyLabel('Level 9.')).toBe('level nine');
    expect(skyLabel('...')).toBeNull();
  });

  it('writes unsigned 8-bit PCM as exact 16-bit samples', () => {
    const wav = pcm8ToWav(Uint8Array.from([0, 128, 255]), 11025);
    expect(wav.readUInt32LE(24)).toBe(11025);
    expect([wav.readInt16LE(44), wav.readInt16LE(46), wav.readInt16LE(48)]).toEqual([-32768, 0, 32512]);
  });

  it('reads speech calls from a hand-built script module', () => {
    // table: one script at word 1; push CUR_ID, push 13, push 7, call_mcode 3 args fnSpeakMe; exit
    const words = Uint16Array.from([1, 0, 48, 2, 13, 2, 7, 11, 3, 35 * 4, 19]);
    expect(speakCalls(words, 0)).toEqual([{ module: 0, at: 7, fn: 35, who: { kind: 'current' }, text: 13, anim: 7 }]);
  });
});

describe('speaker decisions', () => {
  const cpt = (name: string) => ({ name, type: 1, words: new Uint16Array(1) });
  const cpts = new Map([
    [3, cpt('foster')],
    [20, cpt('joey')],
    [100, cpt('rad_right')],
    [101, cpt('big_j_up')],
    [102, cpt('big_j_left')],
    [103, cpt('big_j_right')],
    [104, cpt('smlfost_conv')],
    [105, cpt('anita_normal')],
    [106, cpt('mystery_anim')],
  ]);
  const table = new Uint16Array(40);
  table[17] = 100;
  table[18] = 101;
  table[22] = 102;
  table[24] = 103;
  table[7] = 104;
  table[25] = 105;
  table[30] = 106;
  const call = (fn: number, who: SpeakCall['who'], anim: number | null): SpeakCall => ({ module: 0, at: 0, fn, who, text: 1, anim });

  it('takes the animation where it is the only evidence, and only when every facing agrees', () => {
    expect(callSpeaker(call(37, { kind: 'unknown' }, 25), table, cpts)).toBe('anita');
    expect(callSpeaker(call(37, { kind: 'unknown' }, 18), table, cpts)).toBe('joey');
    expect(callSpeaker(call(38, { kind: 'unknown' }, 17), table, cpts)).toBeNull(); // rad_right, then Joey's set-1 facings
    expect(callSpeaker(call(37, { kind: 'unknown' }, 30), table, cpts)).toBeNull(); // an animation nobody is mapped to
    expect(callSpeaker(call(37, { kind: 'unknown' }, null), table, cpts)).toBeNull();
  });

  it('needs an id and its animation to agree', () => {
    expect(callSpeaker(call(37, { kind: 'id', id: 20 }, 18), table, cpts)).toBe('joey');
    expect(callSpeaker(call(37, { kind: 'id', id: 20 }, 25), table, cpts)).toBeNull();
    expect(callSpeaker(call(37, { kind: 'id', id: 20 }, 0), table, cpts)).toBe('joey'); // no animation: the id alone
  });

  it("gives the player's lines to Foster only with one of his animations", () => {
    expect(callSpeaker(call(35, { kind: 'current' }, 7), table, cpts)).toBe('foster');
    expect(callSpeaker(call(70, { kind: 'current' }, 7), table, cpts)).toBe('foster');
    expect(callSpeaker(call(35, { kind: 'current' }, 25), table, cpts)).toBe('anita'); // a script run by Anita
    expect(callSpeaker(call(35, { kind: 'current' }, 0), table, cpts)).toBeNull();
  });
});

const sky = installed({ 'beneath-a-steel-sky': path.join(SKY_DATA_DIR, 'sky.cpt') });

describe.skipIf(sky.skip)('the Debian package (beneath-a-steel-sky)', () => {
  it('unpacks every file, checking both RNC checksums of each packed one', async () => {
    sky.assertPresent();
    const disk = await SkyDisk.open(SKY_DATA_DIR);
    expect(disk.version).toBe('0.0372 (CD)');
    let bytes = 0;
    for (const e of disk.entries) bytes += disk.file(e.number).length;
    expect(bytes).toBeGreaterThan(100e6);
  }, 120_000);

  it('decodes known texts and pairs known clips with speakers', async () => {
    sky.assertPresent();
    const disk = await SkyDisk.open(SKY_DATA_DIR);
    const s0 = new SkyTextSection(disk.file(60600), '60600');
    const s1 = new SkyTextSection(disk.file(60601), '60601');
    expect(s0.text(1)).toBe('Foster');
    expect(s1.text(1)).toBe('What YOU want?');
    const clips = await skyClips(disk);
    const byFile = new Map(clips.map((c) => [c.file, c]));
    expect(byFile.get(50013)).toMatchObject({ text: 13, raw: "I don't know - it's just a piece of metal.", speaker: 'sky/foster' });
    expect(byFile.get(51598)?.raw).toBe("I wish you wouldn't CALL me that! My name is ANITA!");
    expect(byFile.get(51598)?.speaker).toBe('sky/anita');
    expect(byFile.get(50111)?.speaker).toBe('sky/joey');
    expect(byFile.get(50013)!.pcm.length).toBe(Math.round(2.1036 * 11025));
    const cpts = await readCpt(path.join(SKY_DATA_DIR, 'sky.cpt'));
    expect(cpts.get(3)?.name).toBe('foster');
    const calls = allSpeakCalls(disk);
    const anita = calls.find((c) => c.text === 8690);
    expect(anita && callSpeaker(anita, talkTable(cpts), cpts)).toBe('anita');
  }, 120_000);

  it('writes the same files for the same input, and resumes', async () => {
    sky.assertPresent();
    const a = path.join(tmp, 'a');
    const b = path.join(tmp, 'b');
    const sa = await importSky({ dataDir: SKY_DATA_DIR, out: a, limit: 12, log: () => {} });
    await importSky({ dataDir: SKY_DATA_DIR, out: b, limit: 12, log: () => {} });
    expect(sa.kept).toBe(12);
    const digest = (dir: string): string[] =>
      ['sky.jsonl', 'speakers.json', ...readdirSync(path.join(dir, 'wav')).sort().map((f) => `wav/${f}`)].map(
        (f) => `${f} ${createHash('sha256').update(readFileSync(path.join(dir, f))).digest('hex')}`,
      );
    expect(digest(a)).toEqual(digest(b));
    const line = JSON.parse(readFileSync(path.join(a, 'sky.jsonl'), 'utf8').split('\n')[0]!) as Record<string, unknown>;
    expect(line).toMatchObject({ engine: 'human', source: 'debian/beneath-a-steel-sky' });
    expect(String(line.licence)).toContain('/usr/share/doc/beneath-a-steel-sky/copyright');
    // a truncated WAV is rewritten, complete ones are kept
    const wavs = readdirSync(path.join(a, 'wav')).sort();
    const victim = path.join(a, 'wav', wavs[0]!);
    const size = statSync(victim).size;
    writeFileSync(victim, readFileSync(victim).subarray(0, 100));
    const again = await importSky({ dataDir: SKY_DATA_DIR, out: a, limit: 12, log: () => {} });
    expect([again.wavWritten, again.wavKept]).toEqual([1, 11]);
    expect(statSync(victim).size).toBe(size);
    expect(digest(a)).toEqual(digest(b));
  }, 180_000);
});
