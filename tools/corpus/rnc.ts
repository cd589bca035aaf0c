/**
 * Rob Northen Compression (RNC) method 1, the packer of Revolution's games (Beneath a Steel Sky's `sky.dsk`).
 *
 * A packed stream: `"RNC" 0x01`, the unpacked and packed lengths (u32 BE), the CRC-16 of the unpacked and of the
 * packed bytes (u16 BE), a leeway byte, the number of blocks, then the packed bytes. Each block holds three
 * Huffman tables (literal-run lengths, match offsets, match lengths) and a count of (literal run, match) pairs;
 * bits are read least-significant first from little-endian 16-bit words, and literal runs sit byte-aligned in
 * the same stream. Both checksums are verified: a file that fails either is an {@link RncError}.
 *
 * Written from the format as ScummVM's `engines/sky/rnc_deco.cpp` and the public RNC descriptions use it;
 * no code is taken from them.
 */
import { EarshotError, ExitCode } from '../../src/core/errors.js';

/** The RNC method 1 signature, "RNC\x01". */
export const RNC_SIGNATURE = 0x524e4301;
/** Bytes before the packed data. */
export const RNC_HEADER_BYTES = 18;

/**
 * A packed stream that cannot be unpacked: bad signature, truncated, a checksum mismatch or an invalid code.
 * @example
 * throw new RncError('sky.dsk file 50123', 'packed-data CRC is 0x1234, header says 0xabcd');
 */
export class RncError extends EarshotError {
  /** What was being unpacked (e.g. "sky.dsk file 50123"). */
  readonly source: string;
  constructor(source: string, reason: string) {
    super(`${source}: ${reason} (the game data is damaged: reinstall the package that ships it)`, ExitCode.input);
    this.source = source;
  }
}

let crcTable: Uint16Array | null = null;

/**
 * CRC-16 as RNC uses it (reflected polynomial 0xA001, initial value 0: CRC-16/ARC).
 * @example
 * rncCrc(Buffer.from('123456789')); // 0xbb3d
 */
export function rncCrc(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint16Array(256);
    for (let i = 0; i < 256; i++) {
      let v = i;
      for (let k = 0; k < 8; k++) v = v & 1 ? (v >>> 1) ^ 0xa001 : v >>> 1;
      crcTable[i] = v;
    }
  }
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = crcTable[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return crc;
}

/** The header fields of a packed stream. */
export interface RncHeader {
  unpackedLength: number;
  packedLength: number;
  unpackedCrc: number;
  packedCrc: number;
  blocks: number;
}

/**
 * The header of an RNC method 1 stream, or null when `data` does not start with the signature.
 * @example
 * rncHeader(bytes)?.unpackedLength;
 */
export function rncHeader(data: Uint8Array): RncHeader | null {
  if (data.length < RNC_HEADER_BYTES) return null;
  const v = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (v.getUint32(0) !== RNC_SIGNATURE) return null;
  return {
    unpackedLength: v.getUint32(4),
    packedLength: v.getUint32(8),
    unpackedCrc: v.getUint16(12),
    packedCrc: v.getUint16(14),
    blocks: data[17]!,
  };
}

/** One Huffman table: codes (bit-reversed, as read LSB-first), their lengths and symbols. */
interface HuffTable {
  codes: number[];
  lengths: number[];
  symbols: number[];
}

/**
 * Bit reader over the packed bytes. `buf` holds `count` unread bits (16 <= count < 32 between reads); the top
 * 16 of them are the word at `pos`, which has not been touched yet: a literal run starts there.
 */
class BitReader {
  private buf = 0;
  private count = 16;
  pos: number;
  constructor(
    private readonly data: Uint8Array,
    start: number,
    private readonly source: string,
  ) {
    this.pos = start;
    this.buf = this.word(start);
  }

  private word(p: number): number {
    return (this.data[p] ?? 0) | ((this.data[p + 1] ?? 0) << 8);
  }

  peek(): number {
    return this.buf & 0xffff;
  }

  skip(n: number): void {
    this.buf >>>= n;
    this.count -= n;
    if (this.count < 16) {
      this.pos += 2;
      this.buf = (this.buf | (this.word(this.pos) << this.count)) >>> 0;
      this.count += 16;
    }
  }

  bits(n: number): number {
    const v = this.buf & ((1 << n) - 1);
    this.skip(n);
    return v;
  }

  /** Copy `n` literal bytes starting at the untouched word, then refill the bits that followed them. */
  literal(out: Uint8Array, at: number, n: number): void {
    if (this.pos + n > this.data.length) throw new RncError(this.source, `literal run of ${n} bytes runs past the end of the packed data`);
    if (at + n > out.length) throw new RncError(this.source, `literal run of ${n} bytes overflows the ${out.length}-byte output`);
    out.set(this.data.subarray(this.pos, this.pos + n), at);
    this.pos += n;
    const below = this.count - 16;
    this.buf = ((this.buf & ((1 << below) - 1)) | (this.word(this.pos) << below)) >>> 0;
  }

  table(): HuffTable {
    const n = this.bits(5);
    const lens: number[] = [];
    for (let i = 0; i < n; i++) lens.push(this.bits(4));
    const t: HuffTable = { codes: [], lengths: [], symbols: [] };
    let code = 0; // canonical code, left-aligned in 16 bits
    for (let len = 1; len <= 16; len++) {
      for (let i = 0; i < n; i++) {
        if (lens[i] !== len) continue;
        const msb = code >>> (16 - len);
        let rev = 0;
        for (let b = 0; b < len; b++) rev |= ((msb >>> b) & 1) << (len - 1 - b);
        t.codes.push(rev);
        t.lengths.push(len);
        t.symbols.push(i);
        code += 1 << (16 - len);
      }
    }
    return t;
  }

  value(t: HuffTable): number {
    const v = this.peek();
    for (let i = 0; i < t.codes.length; i++) {
      const len = t.lengths[i]!;
      if ((v & ((1 << len) - 1)) === t.codes[i]) {
        this.skip(len);
        const sym = t.symbols[i]!;
        if (sym < 2) return sym;
        return this.bits(sym - 1) | (1 << (sym - 1));
      }
    }
    throw new RncError(this.source, `invalid Huffman code at packed byte ${this.pos}`);
  }
}

/**
 * Unpack an RNC method 1 stream, verifying both checksums. `source` names it in errors.
 * @example
 * const plain = rncUnpack(packed, 'sky.dsk file 60600');
 */
export function rncUnpack(data: Uint8Array, source: string): Uint8Array {
  const h = rncHeader(data);
  if (!h) throw new RncError(source, 'not an RNC method 1 stream (no "RNC\\x01" signature)');
  if (RNC_HEADER_BYTES + h.packedLength > data.length) {
    throw new RncError(source, `truncated: header says ${h.packedLength} packed bytes, ${data.length - RNC_HEADER_BYTES} present`);
  }
  const packed = data.subarray(RNC_HEADER_BYTES, RNC_HEADER_BYTES + h.packedLength);
  const packedCrc = rncCrc(packed);
  if (packedCrc !== h.packedCrc) {
    throw new RncError(source, `packed-data CRC is 0x${packedCrc.toString(16)}, header says 0x${h.packedCrc.toString(16)}`);
  }
  const out = new Uint8Array(h.unpackedLength);
  const r = new BitReader(packed, 0, source);
  r.bits(2); // lock and key flags: unused by method 1 as the game packs it
  let o = 0;
  for (let block = 0; block < h.blocks; block++) {
    const raw = r.table();
    const pos = r.table();
    const len = r.table();
    let pairs = r.bits(16);
    while (pairs > 0) {
      const run = r.value(raw);
      if (run) {
        r.literal(out, o, run);
        o += run;
      }
      if (pairs > 1) {
        const offset = r.value(pos) + 1;
        const n = r.value(len) + 2;
        if (offset > o) throw new RncError(source, `match offset ${offset} reaches before the start of the output (at ${o})`);
        if (o + n > out.length) throw new RncError(source, `match of ${n} bytes overflows the ${out.length}-byte output`);
        for (let k = 0; k < n; k++, o++) out[o] = out[o - offset]!;
      }
      pairs--;
    }
  }
  if (o !== out.length) throw new RncError(source, `unpacked ${o} bytes, header says ${out.length}`);
  const crc = rncCrc(out);
  if (crc !== h.unpackedCrc) throw new RncError(source, `unpacked-data CRC is 0x${crc.toString(16)}, header says 0x${h.unpackedCrc.toString(16)}`);
  return out;
}
