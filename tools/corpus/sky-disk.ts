/**
 * Beneath a Steel Sky's data disk: `sky.dnr` (the table of files) and `sky.dsk` (their bytes).
 *
 * `sky.dnr`: a u32 LE count, then 8 bytes per file: u16 LE file number, a 24-bit LE offset into `sky.dsk`
 * (bit 23 set: the low 23 bits count 16-byte units), 24 bits of flags (low 22 bits: the stored size; bit 22: the
 * unpacked file has no 22-byte header; bit 23: stored uncompressed). A file starts with a 22-byte header of
 * eleven u16 LE words (`flag`, ..., `s_tot_size` at byte 12, ...); when bit 7 of `flag` is set and the file is not
 * marked uncompressed, an RNC method 1 stream follows it ({@link rncUnpack}).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { EarshotError, ExitCode } from '../../src/core/errors.js';
import { RncError, rncHeader, rncUnpack } from './rnc.js';

/** Size of the header every data file starts with. */
export const SKY_HEADER_BYTES = 22;

/**
 * Bad or missing Beneath a Steel Sky data: names the file (or file number) and what was wrong.
 * @example
 * throw new SkyDataError('sky.dsk file 50123', 'stored size 900 runs past the end of sky.dsk');
 */
export class SkyDataError extends EarshotError {
  readonly source: string;
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super(`${source}: ${reason}`, ExitCode.input, options);
    this.source = source;
  }
}

/** One entry of `sky.dnr`. */
export interface SkyFileEntry {
  number: number;
  offset: number;
  size: number;
  /** Unpacked output leaves out the 22-byte header. */
  headerless: boolean;
  /** Stored as is (never RNC-packed). */
  uncompressed: boolean;
}

/**
 * Parse `sky.dnr`.
 * @example
 * const entries = parseDnr(await fs.readFile('/usr/share/scummvm/beneath-a-steel-sky/sky.dnr'), 'sky.dnr');
 */
export function parseDnr(dnr: Uint8Array, name: string): SkyFileEntry[] {
  if (dnr.length < 4) throw new SkyDataError(name, `${dnr.length} bytes: too short for the file count`);
  const v = new DataView(dnr.buffer, dnr.byteOffset, dnr.byteLength);
  const count = v.getUint32(0, true);
  if (dnr.length < 4 + count * 8) throw new SkyDataError(name, `declares ${count} files (${4 + count * 8} bytes), holds ${dnr.length} bytes`);
  const out: SkyFileEntry[] = [];
  for (let i = 0; i < count; i++) {
    const p = 4 + i * 8;
    const rawOffset = dnr[p + 2]! | (dnr[p + 3]! << 8) | (dnr[p + 4]! << 16);
    const flags = dnr[p + 5]! | (dnr[p + 6]! << 8) | (dnr[p + 7]! << 16);
    out.push({
      number: v.getUint16(p, true),
      offset: rawOffset & 0x800000 ? (rawOffset & 0x7fffff) * 16 : rawOffset,
      size: flags & 0x3fffff,
      headerless: (flags & 0x400000) !== 0,
      uncompressed: (flags & 0x800000) !== 0,
    });
  }
  return out;
}

/** The game versions told apart by their file count (as ScummVM's `sky` engine identifies them). */
export const SKY_VERSIONS: Record<number, string> = {
  243: '0.0109 (PC Gamer demo)',
  247: '0.0267 (floppy demo)',
  1404: '0.0288 (floppy)',
  1413: '0.0303 (floppy)',
  1445: '0.0331/0.0348 (floppy)',
  1711: '0.0365 (CD demo)',
  5099: '0.0368 (CD)',
  5097: '0.0372 (CD)',
};

/** An opened data disk. */
export class SkyDisk {
  private readonly byNumber = new Map<number, SkyFileEntry>();
  private constructor(
    readonly entries: SkyFileEntry[],
    private readonly dsk: Uint8Array,
    readonly dir: string,
  ) {
    for (const e of entries) if (!this.byNumber.has(e.number)) this.byNumber.set(e.number, e);
  }

  /**
   * Open `sky.dnr` and `sky.dsk` in `dir` (the whole of `sky.dsk` is read into memory: 72 MB).
   * @example
   * const disk = await SkyDisk.open('/usr/share/scummvm/beneath-a-steel-sky');
   */
  static async open(dir: string): Promise<SkyDisk> {
    const dnrPath = path.join(dir, 'sky.dnr');
    const dskPath = path.join(dir, 'sky.dsk');
    let dnr: Buffer;
    let dsk: Buffer;
    try {
      [dnr, dsk] = await Promise.all([fs.readFile(dnrPath), fs.readFile(dskPath)]);
    } catch (e) {
      throw new SkyDataError(dir, `cannot read sky.dnr and sky.dsk (${e instanceof Error ? e.message : String(e)}); install them with apt-get install -y beneath-a-steel-sky, or pass --data-dir`, { cause: e });
    }
    return new SkyDisk(parseDnr(dnr, dnrPath), dsk, dir);
  }

  /** The game version, from the number of files. */
  get version(): string {
    return SKY_VERSIONS[this.entries.length] ?? `unknown (${this.entries.length} files)`;
  }

  /**
   * Whether file `n` is in the table.
   * @example
   * disk.has(60600); // true
   */
  has(n: number): boolean {
    return this.byNumber.has(n);
  }

  /**
   * The bytes of file `n`, unpacked and checked (RNC checksums) where it is packed; the 22-byte header is kept
   * unless the table marks the file headerless.
   * @example
   * const speech = disk.file(50001); // header + unsigned 8-bit PCM
   */
  file(n: number): Uint8Array {
    const e = this.byNumber.get(n);
    const name = `sky.dsk file ${n}`;
    if (!e) throw new SkyDataError(name, 'not in sky.dnr');
    if (e.offset + e.size > this.dsk.length) throw new SkyDataError(name, `stored at ${e.offset} + ${e.size} bytes, past the end of sky.dsk (${this.dsk.length} bytes)`);
    const stored = this.dsk.subarray(e.offset, e.offset + e.size);
    if (e.uncompressed || stored.length < SKY_HEADER_BYTES || !((stored[0]! >> 7) & 1)) return stored;
    const packed = stored.subarray(SKY_HEADER_BYTES);
    if (!rncHeader(packed)) return stored; // flagged packed but not RNC: the game reads such files as they are
    let body: Uint8Array;
    try {
      body = rncUnpack(packed, name);
    } catch (err) {
      if (err instanceof RncError) throw err;
      throw new SkyDataError(name, `cannot unpack: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    if (e.headerless) return body;
    const out = new Uint8Array(SKY_HEADER_BYTES + body.length);
    out.set(stored.subarray(0, SKY_HEADER_BYTES));
    out.set(body, SKY_HEADER_BYTES);
    return out;
  }
}
