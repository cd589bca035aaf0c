/**
 * Beneath a Steel Sky's texts and how they map to speech files.
 *
 * A text number is `(section << 12) | index`. Section `s` of language `l` is file `60600 + 8 * l + s` (English
 * is language 0). Such a file starts with three u16 LE words: the offset of the skip table, the offset of the bit
 * stream, then one u16 per block of 32 texts (the length of the block in 2-bit units). The skip table has one
 * byte per text (bit 7 set: the low 7 bits times 8) giving the length of each text in the block, also in 2-bit
 * units. A text starts at a 2-bit boundary of the stream and is read most-significant bit first down the
 * Huffman tree ({@link SKY_HUFF_TREE_00372}) until the character 0.
 *
 * Speech for text `(s, i)` is file `50000 + SPEECH_SECTION_BASE[s] + i`: unsigned 8-bit mono PCM at 11,025 Hz
 * after a 22-byte header.
 */
import { type HuffNode, SKY_HUFF_TREE_00372 } from './sky-huffman.js';
import { SkyDataError } from './sky-disk.js';

/** First file of the English text sections. */
export const TEXT_FILE_BASE = 60600;
/** First speech file. */
export const SPEECH_FILE_BASE = 50000;
/** Speech files are numbered below this. */
export const SPEECH_FILE_END = 60000;
/** The intro's voices (no text) are files from this number on. */
export const INTRO_SPEECH_FIRST = 59500;
/** Speech file offset of each text section. */
export const SPEECH_SECTION_BASE: readonly number[] = [0, 600, 1100, 2430, 3380, 4530, 5080, 5230];
/** Sample rate of the game's speech. */
export const SKY_SPEECH_RATE = 11025;
/** The longest text the game can display (10 lines); a longer decode means a wrong tree or offset. */
const MAX_TEXT_CHARS = 1000;

/**
 * The text number a speech file speaks, or null for files outside the in-game speech range.
 * @example
 * speechFileText(50600); // 4096: section 1, index 0
 */
export function speechFileText(file: number): number | null {
  const n = file - SPEECH_FILE_BASE;
  if (n < 0 || file >= INTRO_SPEECH_FIRST) return null;
  let s = SPEECH_SECTION_BASE.length - 1;
  while (s > 0 && SPEECH_SECTION_BASE[s]! > n) s--;
  const index = n - SPEECH_SECTION_BASE[s]!;
  if (index > 0xfff) return null;
  return (s << 12) | index;
}

/**
 * The speech file of a text number.
 * @example
 * textSpeechFile(4096); // 50600
 */
export function textSpeechFile(text: number): number {
  const s = text >> 12;
  const base = SPEECH_SECTION_BASE[s];
  if (base === undefined) throw new RangeError(`text ${text}: section ${s} has no speech (sections 0-${SPEECH_SECTION_BASE.length - 1})`);
  return SPEECH_FILE_BASE + base + (text & 0xfff);
}

/**
 * Decode the text that starts `start` 2-bit units into `stream` (byte offset `streamAt` of `data`).
 * @example
 * huffDecode(sectionBytes, 603, 0, SKY_HUFF_TREE_00372, 'sky.dsk file 60600');
 */
export function huffDecode(data: Uint8Array, streamAt: number, start: number, tree: readonly HuffNode[], source: string): string {
  let p = streamAt + (start >> 2);
  // Bits left to read in data[p] before it: text starts at bit 7, 5, 3 or 1 for 2-bit units 0..3.
  let bit = 8 - 2 * (start & 3);
  let out = '';
  for (;;) {
    let node = 0;
    for (;;) {
      if (bit === 0) {
        p++;
        bit = 8;
      }
      bit--;
      if (p >= data.length) throw new SkyDataError(source, `text at 2-bit unit ${start} runs past the end of the file`);
      const b = (data[p]! >> bit) & 1;
      node = tree[node]![b ? 1 : 0];
      const n = tree[node];
      if (!n) throw new SkyDataError(source, `Huffman tree has no node ${node}`);
      if (n[0] === 0 && n[1] === 0) break;
    }
    const c = tree[node]![2];
    if (c === 0) return out;
    out += String.fromCharCode(c);
    if (out.length > MAX_TEXT_CHARS) throw new SkyDataError(source, `text at 2-bit unit ${start} has no end within ${MAX_TEXT_CHARS} characters (wrong game version or damaged file)`);
  }
}

/** One decoded text section file. */
export class SkyTextSection {
  constructor(
    readonly data: Uint8Array,
    readonly source: string,
    private readonly tree: readonly HuffNode[] = SKY_HUFF_TREE_00372,
  ) {
    if (data.length < 6) throw new SkyDataError(source, `${data.length} bytes: too short for a text section`);
  }

  private u16(p: number): number {
    if (p + 1 >= this.data.length) throw new SkyDataError(this.source, `offset ${p} is past the end (${this.data.length} bytes)`);
    return this.data[p]! | (this.data[p + 1]! << 8);
  }

  /** How many texts the skip table has room for (32 per block). */
  get capacity(): number {
    return this.u16(2) - this.u16(0);
  }

  /**
   * Text `index` (0-4095) of this section.
   * @example
   * section.text(3); // 'Hello, Joey.' (say)
   */
  text(index: number): string {
    if (!Number.isInteger(index) || index < 0 || index >= this.capacity) {
      throw new SkyDataError(this.source, `text index ${index} is outside the section's ${this.capacity} texts`);
    }
    const block = index >> 5;
    let units = 0;
    for (let k = 0; k < block; k++) units += this.u16(4 + 2 * k);
    const skip = this.u16(0) + block * 32;
    for (let k = 0; k < (index & 31); k++) {
      const b = this.data[skip + k]!;
      units += b & 0x80 ? (b & 0x7f) << 3 : b;
    }
    return huffDecode(this.data, this.u16(2), units, this.tree, this.source);
  }
}
