/**
 * Frame energies for endpointing: the level of each block of `blockSize` samples, in dB re full scale
 * (10 log10 of the mean square; a full-scale square wave is 0 dB, digital silence -Infinity).
 * Streaming: blocks complete as samples arrive, in any chunking; `flush` closes a partial last block.
 */
import { UsageError } from '../core/errors.js';

/**
 * Queue of per-block energies: push samples, take one value per block in order.
 * @example
 * const m = new BlockEnergyMeter(480);      // 30 ms blocks at 16 kHz
 * m.accept(samples);
 * const db = m.take();                       // level of samples 0..479, or undefined if not complete yet
 */
export class BlockEnergyMeter {
  readonly blockSize: number;
  private sum = 0;
  private count = 0;
  private queue: number[] = [];
  private head = 0;

  constructor(blockSize: number) {
    if (!Number.isInteger(blockSize) || blockSize < 1) throw new UsageError(`BlockEnergyMeter: blockSize must be a positive integer, got ${blockSize}`);
    this.blockSize = blockSize;
  }

  /**
   * Add samples (in [-1, 1]).
   * @example
   * m.accept(chunk);
   */
  accept(samples: Float32Array): void {
    const n = this.blockSize;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i]!;
      this.sum += x * x;
      if (++this.count === n) this.close();
    }
  }

  /**
   * Close the partial last block, if any (at the end of the input).
   * @example
   * m.flush();
   */
  flush(): void {
    if (this.count > 0) this.close();
  }

  /**
   * The next block's level in dB, or undefined when no complete block is waiting.
   * @example
   * const db = m.take();
   */
  take(): number | undefined {
    if (this.head >= this.queue.length) return undefined;
    const v = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return v;
  }

  private close(): void {
    const ms = this.sum / this.count;
    this.queue.push(ms > 0 ? 10 * Math.log10(ms) : -Infinity);
    this.sum = 0;
    this.count = 0;
  }
}
