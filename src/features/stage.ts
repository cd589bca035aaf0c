/**
 * Internal plumbing of the streaming frontend: frame-by-frame stages connected push-style, and a
 * ring buffer that gives a stage the frames t - left .. t + right of its input with indices clamped
 * to [0, T - 1] (edge replication). A stage emits frame t as soon as input t + right has arrived, and
 * the rest on finish(), so streaming and whole-file processing perform the same operations.
 */

/** A consumer of frames (rows of `dim` values; the row is only valid during the call). */
export interface FrameSink {
  push(row: Float64Array): void;
  finish(): void;
  reset(): void;
}

/** Collects rows as float32 into a growable buffer and hands them out as blocks. */
export class BlockSink implements FrameSink {
  private data: Float32Array;
  private rows = 0;
  /** Rows handed out by take() before the current block. */
  private taken = 0;

  constructor(readonly dim: number) {
    this.data = new Float32Array(dim * 64);
  }

  push(row: Float64Array): void {
    const dim = this.dim;
    const o = this.rows * dim;
    if (o + dim > this.data.length) {
      const grown = new Float32Array(Math.max(o + dim, 2 * this.data.length));
      grown.set(this.data.subarray(0, o));
      this.data = grown;
    }
    const data = this.data;
    for (let i = 0; i < dim; i++) data[o + i] = row[i];
    this.rows++;
  }

  finish(): void {}

  reset(): void {
    this.rows = 0;
    this.taken = 0;
  }

  /**
   * The rows collected since the last take(), and the index of the first of them: a copy, or with
   * `borrow` a view of the sink's buffer that the next push() may overwrite.
   */
  take(borrow = false): { data: Float32Array; frames: number; firstFrame: number } {
    const n = this.rows * this.dim;
    const block = { data: borrow ? this.data.subarray(0, n) : this.data.slice(0, n), frames: this.rows, firstFrame: this.taken };
    this.taken += this.rows;
    this.rows = 0;
    return block;
  }
}

/**
 * Holds the last `left + right + 1` input rows and computes output t from inputs t-left..t+right
 * (clamped) through `compute`. Subclasses implement compute(t) using row(j), the ring offset of
 * clamped input j.
 */
export abstract class ContextStage implements FrameSink {
  protected readonly ring: Float64Array;
  private readonly capacity: number;
  /** Inputs received and outputs emitted so far. */
  protected received = 0;
  protected emitted = 0;

  constructor(
    protected readonly inDim: number,
    protected readonly left: number,
    protected readonly right: number,
    protected readonly next: FrameSink,
  ) {
    this.capacity = left + right + 1;
    this.ring = new Float64Array(this.capacity * inDim);
  }

  push(row: Float64Array): void {
    const ring = this.ring;
    const dim = this.inDim;
    const o = (this.received % this.capacity) * dim;
    for (let i = 0; i < dim; i++) ring[o + i] = row[i];
    this.received++;
    while (this.emitted + this.right < this.received) this.compute(this.emitted++);
  }

  finish(): void {
    while (this.emitted < this.received) this.compute(this.emitted++);
    this.next.finish();
  }

  reset(): void {
    this.received = 0;
    this.emitted = 0;
    this.next.reset();
  }

  /**
   * Ring offset of input frame j clamped to [0, received - 1]. While streaming, every j <= t + right has
   * arrived; at finish, received = T, so the clamp is the end-edge replication.
   */
  protected row(j: number): number {
    const c = j < 0 ? 0 : j >= this.received ? this.received - 1 : j;
    return (c % this.capacity) * this.inDim;
  }

  protected abstract compute(t: number): void;
}
