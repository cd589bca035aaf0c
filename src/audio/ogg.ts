/**
 * A byte-level Ogg page walker that records what the wasm decoders do not tell us: the granule
 * position of the last page (the exact stream length) and whether an end-of-stream page was seen.
 * It holds at most one page header (282 bytes) and skips page bodies without retaining them.
 * Platform-neutral: no `fs`, `node:*` or DOM.
 */

const HEADER_BYTES = 27;

/**
 * Incremental Ogg page tracker.
 * @example
 * const t = new OggPageTracker();
 * t.push(bytes1); t.push(bytes2);
 * if (t.valid && t.lastGranule >= 0) console.log('stream length', t.lastGranule - preSkip);
 */
export class OggPageTracker {
  /** Granule position of the last page of the first logical stream that had one; -1 if none yet. */
  lastGranule = -1;
  /** Whether the first logical stream's end-of-stream page was seen. */
  sawEndOfStream = false;
  /** Beginning-of-stream pages seen (more than one: chained or multiplexed streams). */
  streamsStarted = 0;
  /** False once the input stopped looking like Ogg pages (lost sync); the other fields then stop updating. */
  valid = true;
  /** Complete pages walked so far. */
  pages = 0;

  private readonly header = new Uint8Array(HEADER_BYTES + 255);
  private headerLen = 0;
  private headerNeed = HEADER_BYTES;
  private bodyRemaining = 0;
  private firstSerial: number | undefined;
  /** Header fields of the page whose body is being skipped; applied once the body is complete. */
  private pageFlags = 0;
  private pageGranule = -1;
  private pageSerial = 0;

  /** True when the input so far ends inside a page (its header or body is incomplete). */
  get midPage(): boolean {
    return this.bodyRemaining > 0 || this.headerLen > 0;
  }

  /** Feed the next bytes of the Ogg stream. */
  push(bytes: Uint8Array): void {
    let pos = 0;
    const n = bytes.length;
    while (pos < n && this.valid) {
      if (this.bodyRemaining > 0) {
        const take = Math.min(this.bodyRemaining, n - pos);
        this.bodyRemaining -= take;
        pos += take;
        if (this.bodyRemaining === 0) this.onPageComplete();
        continue;
      }
      const take = Math.min(this.headerNeed - this.headerLen, n - pos);
      this.header.set(bytes.subarray(pos, pos + take), this.headerLen);
      this.headerLen += take;
      pos += take;
      if (this.headerLen < this.headerNeed) continue;
      const h = this.header;
      if (this.headerNeed === HEADER_BYTES) {
        if (h[0] !== 0x4f || h[1] !== 0x67 || h[2] !== 0x67 || h[3] !== 0x53) {
          this.valid = false;
          return;
        }
        this.headerNeed = HEADER_BYTES + h[26]!;
        if (this.headerLen < this.headerNeed) continue;
      }
      this.onPage();
    }
  }

  private onPage(): void {
    const h = this.header;
    const nsegs = h[26]!;
    let body = 0;
    for (let i = 0; i < nsegs; i++) body += h[HEADER_BYTES + i]!;
    const lo = (h[6]! | (h[7]! << 8) | (h[8]! << 16) | (h[9]! << 24)) >>> 0;
    const hi = (h[10]! | (h[11]! << 8) | (h[12]! << 16) | (h[13]! << 24)) >>> 0;
    this.pageFlags = h[5]!;
    this.pageGranule = lo === 0xffffffff && hi === 0xffffffff ? -1 : hi * 2 ** 32 + lo;
    this.pageSerial = (h[14]! | (h[15]! << 8) | (h[16]! << 16) | (h[17]! << 24)) >>> 0;
    this.headerLen = 0;
    this.headerNeed = HEADER_BYTES;
    this.bodyRemaining = body;
    if (body === 0) this.onPageComplete();
  }

  private onPageComplete(): void {
    if (this.pageFlags & 0x02) this.streamsStarted++;
    this.firstSerial ??= this.pageSerial;
    if (this.pageSerial === this.firstSerial && this.streamsStarted <= 1) {
      if (this.pageGranule >= 0) this.lastGranule = this.pageGranule;
      if (this.pageFlags & 0x04) this.sawEndOfStream = true;
    }
    this.pages++;
  }
}
