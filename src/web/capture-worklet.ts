/**
 * The microphone capture AudioWorklet. Its code runs in the AudioWorkletGlobalScope, so it is kept
 * self-contained and loaded from a same-origin Blob URL (no bundler plugin needed, works under COEP).
 * It gathers 128-sample render quanta into chunks of about 100 ms, transfers each chunk's buffer to
 * the recognition worker through a MessagePort (no copy), and posts the RMS level to the main thread.
 * Messages on node.port: in {port} (the worker's port), {type:'flush'}; out {type:'level', rms, peak}.
 */

/** The processor's registered name. */
export const CAPTURE_PROCESSOR = 'earshot-capture';

/* The body below is stringified: it must not reference anything outside itself. */
function defineCaptureProcessor(): void {
  interface Port {
    postMessage(m: unknown, transfer?: Transferable[]): void;
    onmessage: ((ev: MessageEvent) => void) | null;
  }
  const g = globalThis as unknown as {
    AudioWorkletProcessor: new () => { port: Port };
    registerProcessor(name: string, ctor: unknown): void;
    sampleRate: number;
  };
  class Capture extends g.AudioWorkletProcessor {
    private out: Port | undefined;
    private buf: Float32Array;
    private n = 0;
    private done = false;
    private sumSq = 0;
    private peak = 0;
    private levelN = 0;
    private readonly levelEvery: number;
    private readonly size: number;
    constructor() {
      super();
      this.size = Math.round(g.sampleRate / 10);
      this.buf = new Float32Array(this.size);
      this.levelEvery = Math.round(g.sampleRate / 20);
      this.port.onmessage = (ev: MessageEvent) => {
        const d = ev.data as { port?: Port; type?: string };
        if (d.port) this.out = d.port;
        if (d.type === 'flush') {
          this.send();
          this.out?.postMessage({ type: 'end' });
          this.done = true;
        }
      };
    }
    private send(): void {
      if (!this.out) {
        this.n = 0; // no consumer yet: drop rather than stall the audio thread
        return;
      }
      if (this.n === 0) return;
      const chunk = this.n === this.buf.length ? this.buf : this.buf.slice(0, this.n);
      this.out.postMessage({ type: 'audio', samples: chunk }, [chunk.buffer]);
      this.buf = new Float32Array(this.size); // the old buffer is detached (length 0) now
      this.n = 0;
    }
    process(inputs: Float32Array[][]): boolean {
      if (this.done) return false;
      const ch = inputs[0]?.[0];
      if (!ch) return true;
      let i = 0;
      while (i < ch.length) {
        const k = Math.min(ch.length - i, this.buf.length - this.n);
        this.buf.set(ch.subarray(i, i + k), this.n);
        this.n += k;
        i += k;
        if (this.n === this.buf.length) this.send();
      }
      for (let j = 0; j < ch.length; j++) {
        const x = ch[j]!;
        this.sumSq += x * x;
        if (Math.abs(x) > this.peak) this.peak = Math.abs(x);
      }
      this.levelN += ch.length;
      if (this.levelN >= this.levelEvery) {
        this.port.postMessage({ type: 'level', rms: Math.sqrt(this.sumSq / this.levelN), peak: this.peak });
        this.sumSq = 0;
        this.peak = 0;
        this.levelN = 0;
      }
      return true;
    }
  }
  g.registerProcessor('earshot-capture', Capture);
}

/**
 * The worklet module's source text (for `audioWorklet.addModule` via a Blob URL).
 * @example
 * const url = URL.createObjectURL(new Blob([captureWorkletSource()], { type: 'text/javascript' }));
 * await ctx.audioWorklet.addModule(url);
 */
export function captureWorkletSource(): string {
  return `(${defineCaptureProcessor.toString()})();`;
}
