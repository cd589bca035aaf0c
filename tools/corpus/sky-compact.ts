/**
 * `sky.cpt`: the game's compacts (objects, characters, animation lists) with their names, as ScummVM stores them
 * beside the data disk (Debian ships it in `beneath-a-steel-sky`).
 *
 * Layout (all little-endian): u16 version (0), u16 number of lists, one u16 length per list, u32 total words of
 * compact data, u32 words of the source block, then the source block: per list, per entry, a u16 size in words
 * (0: no compact) and, where non-zero, a u16 type and that many words. Then a u32 byte count and the names,
 * NUL-terminated, one per non-empty compact in the same order, then u16 count of links (id, target id) whose
 * names follow the compacts' names. A compact id is `(list << 12) | entry`.
 */
import { promises as fs } from 'node:fs';
import { SkyDataError } from './sky-disk.js';

/** The compact holding the talk-animation table that speech calls index (ScummVM `CPT_TALK_TABLE_LIST`). */
export const TALK_TABLE_ID = 0xbc;

/** One compact. */
export interface SkyCompact {
  name: string;
  type: number;
  words: Uint16Array;
}

/**
 * Parse `sky.cpt` into compacts by id (links resolve to their target's data under their own name).
 * @example
 * const cpts = parseCpt(await fs.readFile('/usr/share/scummvm/beneath-a-steel-sky/sky.cpt'), 'sky.cpt');
 * cpts.get(3)?.name; // 'foster'
 */
export function parseCpt(b: Uint8Array, source: string): Map<number, SkyCompact> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 0;
  const need = (n: number): void => {
    if (p + n > b.length) throw new SkyDataError(source, `truncated at byte ${p} (needs ${n} more bytes, file has ${b.length})`);
  };
  const u16 = (): number => {
    need(2);
    const x = v.getUint16(p, true);
    p += 2;
    return x;
  };
  const u32 = (): number => {
    need(4);
    const x = v.getUint32(p, true);
    p += 4;
    return x;
  };
  const version = u16();
  if (version !== 0) throw new SkyDataError(source, `version ${version}, expected 0`);
  const lists = u16();
  const lens: number[] = [];
  for (let i = 0; i < lists; i++) lens.push(u16());
  u32(); // total compact words
  const srcWords = u32();
  const srcStart = p;
  need(srcWords * 2);
  p += srcWords * 2;
  const asciiSize = u32();
  need(asciiSize);
  const ascii = b.subarray(p, p + asciiSize);
  p += asciiSize;
  let a = 0;
  const nextName = (): string => {
    const end = ascii.indexOf(0, a);
    if (end < 0) throw new SkyDataError(source, 'names run past their block');
    const s = Buffer.from(ascii.subarray(a, end)).toString('latin1');
    a = end + 1;
    return s;
  };
  const out = new Map<number, SkyCompact>();
  let q = srcStart;
  const end = srcStart + srcWords * 2;
  for (let l = 0; l < lists; l++) {
    for (let e = 0; e < lens[l]!; e++) {
      if (q + 2 > end) throw new SkyDataError(source, `compact data ends before list ${l} entry ${e}`);
      const size = v.getUint16(q, true);
      q += 2;
      if (!size) continue;
      if (q + 2 + size * 2 > end) throw new SkyDataError(source, `compact ${(l << 12) | e} runs past the data block`);
      const type = v.getUint16(q, true);
      q += 2;
      const words = new Uint16Array(size);
      for (let k = 0; k < size; k++) words[k] = v.getUint16(q + 2 * k, true);
      q += size * 2;
      out.set((l << 12) | e, { name: nextName(), type, words });
    }
  }
  const links = u16();
  const pairs: [number, number][] = [];
  for (let i = 0; i < links; i++) pairs.push([u16(), u16()]);
  for (const [id, target] of pairs) {
    const t = out.get(target);
    const name = nextName();
    if (t) out.set(id, { ...t, name });
  }
  return out;
}

/**
 * Read and parse `sky.cpt`.
 * @example
 * const cpts = await readCpt('/usr/share/scummvm/beneath-a-steel-sky/sky.cpt');
 */
export async function readCpt(file: string): Promise<Map<number, SkyCompact>> {
  let b: Buffer;
  try {
    b = await fs.readFile(file);
  } catch (e) {
    throw new SkyDataError(file, `cannot read (${e instanceof Error ? e.message : String(e)}); it comes with apt-get install -y beneath-a-steel-sky`, { cause: e });
  }
  return parseCpt(b, file);
}

/**
 * The talk-animation table: entry `i` is the compact id of the animation a speech call with animation `i` plays.
 * @example
 * talkTable(cpts)[7]; // the id of 'smlfost_conv'
 */
export function talkTable(cpts: Map<number, SkyCompact>): Uint16Array {
  const t = cpts.get(TALK_TABLE_ID);
  if (!t) throw new SkyDataError('sky.cpt', `no talk table (compact ${TALK_TABLE_ID})`);
  return t.words;
}
