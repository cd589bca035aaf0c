/** A one-line progress display on stderr, shown only when stderr is a terminal. */
import type { WriteStream } from 'node:tty';

export class Progress {
  private readonly out: NodeJS.WriteStream | WriteStream;
  private readonly total: number;
  private readonly enabled: boolean;
  private index = 0;
  private file = '';
  private started = 0;
  private lastDraw = 0;

  constructor(out: NodeJS.WriteStream, totalFiles: number) {
    this.out = out;
    this.total = totalFiles;
    this.enabled = Boolean(out.isTTY);
  }

  startFile(index: number, file: string): void {
    this.index = index;
    this.file = file;
    this.started = Date.now();
    this.update(0, true);
  }

  /** Redraw with the seconds of audio done so far (at most every 100 ms). */
  update(audioSec: number, force = false): void {
    if (!this.enabled) return;
    const t = Date.now();
    if (!force && t - this.lastDraw < 100) return;
    this.lastDraw = t;
    const wall = (t - this.started) / 1000;
    const speed = wall > 0 && audioSec > 0 ? ` ${(audioSec / wall).toFixed(0)}x real time` : '';
    const line = `[${this.index + 1}/${this.total}] ${this.file}: ${audioSec.toFixed(1)} s of audio${speed}`;
    this.out.write(`\r\x1b[K${line.slice(0, (this.out.columns ?? 100) - 1)}`);
  }

  endFile(): void {
    if (this.enabled) this.out.write('\r\x1b[K');
  }
}
