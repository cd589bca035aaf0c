/**
 * The inner loop of the polyphase resampler: for `n` outputs, the dot product of `taps` input samples
 * with one phase row of the coefficient table, then a step of the input position by `M / L`.
 *
 * Two implementations with bit-identical results: a WebAssembly SIMD module (four float32 lanes; the
 * module is assembled here from a dozen opcodes, so there is no binary blob and no build step) and a
 * plain-JavaScript one that reproduces the same float32 arithmetic in the same order with
 * `Math.fround` (a float32 sum or product computed in float64 and rounded once is the correctly
 * rounded float32 result). The JavaScript one serves engines without WebAssembly SIMD and is the
 * reference the SIMD one is tested against. Platform-neutral: no `fs`, `node:*` or DOM.
 */

/**
 * Memory a kernel works in: the coefficient table, an input buffer and an output buffer, all float32.
 * For the WebAssembly kernel these are views on its linear memory.
 * @example
 * const k = createFirKernel({ tableFloats: 128, inputFloats: 4096, outputFloats: 4096 }, false);
 * k.table.set(coefs);
 */
export interface FirKernel {
  readonly table: Float32Array;
  readonly input: Float32Array;
  readonly output: Float32Array;
  /** Whether this kernel runs WebAssembly SIMD. */
  readonly simd: boolean;
  /**
   * Compute `n` outputs into `output[0..n)`: output `o` is the dot product of `input[start ..
   * start + taps)` and table row `phase` (`taps` a multiple of 16), after which `phase += M mod L`,
   * `start += floor(M / L)` and one more when `phase` reaches `L`.
   */
  run(start: number, phase: number, n: number, taps: number, L: number, M: number): void;
}

/**
 * Sizes, in float32 values, of a kernel's three buffers.
 * @example
 * const sizes: FirKernelSizes = { tableFloats: 160 * 176, inputFloats: 16560, outputFloats: 6100 };
 */
export interface FirKernelSizes {
  tableFloats: number;
  inputFloats: number;
  outputFloats: number;
}

/** Unsigned LEB128 (the sizes and indices of the module). */
function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

/** Signed LEB128 (i32 constants). */
function sleb(v: number): number[] {
  const out: number[] = [];
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

/**
 * The kernel as a WebAssembly module: one function
 * `run(x, h, taps, L, stepBytes, stepPhase, phase, out, n)` (all i32, byte addresses) over an imported
 * memory `e.m`. Its loop is {@link FirKernel.run}'s with four vector accumulators (16 lanes, so that
 * the additions do not wait on each other): lane `k` sums taps `k, k + 16, ...`; the result is
 * `((a0 + a1) + (a2 + a3))` per lane, then `(l0 + l1) + (l2 + l3)` across lanes.
 */
function moduleBytes(): Uint8Array<ArrayBuffer> {
  const I32 = 0x7f;
  const V128 = 0x7b;
  const [get, set, tee] = [0x20, 0x21, 0x22];
  const [add, sub, mul, ltU, geU] = [0x6a, 0x6b, 0x6c, 0x49, 0x4f];
  const c = (v: number) => [0x41, ...sleb(v)]; // i32.const
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const load = (offset: number) => [...simd(0x00), 0x00, ...uleb(offset)]; // v128.load align=1
  const fmul = simd(0xe6);
  const fadd = simd(0xe4);
  const lane = (k: number) => [...simd(0x1f), k]; // f32x4.extract_lane
  const [x, h, taps, L, stepBytes, stepPhase, phase, out, n] = [0, 1, 2, 3, 4, 5, 6, 7, 8];
  const [a0, a1, a2, a3, xp, rp, rowEnd, tapBytes] = [9, 10, 11, 12, 13, 14, 15, 16];
  const zero = [...simd(0x0c), ...new Array<number>(16).fill(0)]; // v128.const 0
  const mac = (acc: number, offset: number) => [get, acc, get, xp, ...load(offset), get, rp, ...load(offset), ...fmul, ...fadd, set, acc];
  const code = [
    get, taps, ...c(4), mul, set, tapBytes,
    0x03, 0x40, // loop (outputs)
    get, h, get, phase, get, tapBytes, mul, add, tee, rp, get, tapBytes, add, set, rowEnd,
    get, x, set, xp,
    ...zero, set, a0, ...zero, set, a1, ...zero, set, a2, ...zero, set, a3,
    0x03, 0x40, // loop (16 taps at a time)
    ...mac(a0, 0), ...mac(a1, 16), ...mac(a2, 32), ...mac(a3, 48),
    get, xp, ...c(64), add, set, xp,
    get, rp, ...c(64), add, tee, rp, get, rowEnd, ltU, 0x0d, 0x00, // br_if taps loop
    0x0b,
    get, a0, get, a1, ...fadd, get, a2, get, a3, ...fadd, ...fadd, set, a0,
    get, out,
    get, a0, ...lane(0), get, a0, ...lane(1), 0x92, // f32.add
    get, a0, ...lane(2), get, a0, ...lane(3), 0x92,
    0x92,
    0x38, 0x02, 0x00, // f32.store align=4
    get, out, ...c(4), add, set, out,
    get, x, get, stepBytes, add, set, x,
    get, phase, get, stepPhase, add, tee, phase, get, L, geU,
    0x04, 0x40, // if
    get, phase, get, L, sub, set, phase,
    get, x, ...c(4), add, set, x,
    0x0b,
    get, n, ...c(1), sub, tee, n, 0x0d, 0x00, // br_if outputs loop
    0x0b,
    0x0b, // end of function
  ];
  const body = [0x02, 0x04, V128, 0x04, I32, ...code]; // locals: 4 v128 (a0..a3), 4 i32 (xp, rp, rowEnd, tapBytes)
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [0x01, 0x60, 0x09, ...new Array<number>(9).fill(I32), 0x00]),
    ...section(2, [0x01, ...name('e'), ...name('m'), 0x02, 0x00, 0x01]),
    ...section(3, [0x01, 0x00]),
    ...section(7, [0x01, ...name('run'), 0x00, 0x00]),
    ...section(10, [0x01, ...uleb(body.length), ...body]),
  ]);
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where WebAssembly or its SIMD extension is missing. Compiled once. */
function simdModule(): WebAssembly.Module | null {
  if (compiled !== undefined) return compiled;
  compiled = null;
  try {
    const bytes = moduleBytes();
    if (typeof WebAssembly === 'object' && WebAssembly.validate(bytes)) compiled = new WebAssembly.Module(bytes);
  } catch {
    compiled = null;
  }
  return compiled;
}

/**
 * Whether this engine runs the WebAssembly SIMD kernel.
 * @example
 * if (!hasSimdKernel()) console.warn('resampling without WebAssembly SIMD: about 4x slower');
 */
export function hasSimdKernel(): boolean {
  return simdModule() !== null;
}

type RunFn = (x: number, h: number, taps: number, L: number, stepBytes: number, stepPhase: number, phase: number, out: number, n: number) => void;

class SimdKernel implements FirKernel {
  readonly simd = true;
  readonly table: Float32Array;
  readonly input: Float32Array;
  readonly output: Float32Array;
  private readonly fn: RunFn;

  constructor(mod: WebAssembly.Module, sizes: FirKernelSizes) {
    const floats = sizes.tableFloats + sizes.inputFloats + sizes.outputFloats;
    const memory = new WebAssembly.Memory({ initial: Math.ceil((floats * 4) / 65536) || 1 });
    const instance = new WebAssembly.Instance(mod, { e: { m: memory } });
    this.fn = instance.exports['run'] as RunFn;
    this.table = new Float32Array(memory.buffer, 0, sizes.tableFloats);
    this.input = new Float32Array(memory.buffer, this.table.byteOffset + this.table.byteLength, sizes.inputFloats);
    this.output = new Float32Array(memory.buffer, this.input.byteOffset + this.input.byteLength, sizes.outputFloats);
  }

  run(start: number, phase: number, n: number, taps: number, L: number, M: number): void {
    if (n <= 0) return;
    this.fn(this.input.byteOffset + 4 * start, this.table.byteOffset, taps, L, 4 * Math.floor(M / L), M % L, phase, this.output.byteOffset, n);
  }
}

class ScalarKernel implements FirKernel {
  readonly simd = false;
  readonly table: Float32Array;
  readonly input: Float32Array;
  readonly output: Float32Array;

  constructor(sizes: FirKernelSizes) {
    this.table = new Float32Array(sizes.tableFloats);
    this.input = new Float32Array(sizes.inputFloats);
    this.output = new Float32Array(sizes.outputFloats);
  }

  run(start: number, phase: number, n: number, taps: number, L: number, M: number): void {
    const { table: h, input: x, output: out } = this;
    const fr = Math.fround;
    const acc = new Float32Array(16); // storing into it rounds each sum to float32, as the SIMD lanes do
    const stepIn = Math.floor(M / L);
    const stepPhase = M % L;
    for (let o = 0; o < n; o++) {
      const row = phase * taps;
      acc.fill(0);
      for (let j = 0; j < taps; j += 16) {
        for (let k = 0; k < 16; k++) acc[k]! += fr(x[start + j + k]! * h[row + j + k]!);
      }
      const v = (l: number) => fr(fr(acc[l]! + acc[4 + l]!) + fr(acc[8 + l]! + acc[12 + l]!));
      out[o] = fr(fr(v(0) + v(1)) + fr(v(2) + v(3)));
      start += stepIn;
      phase += stepPhase;
      if (phase >= L) {
        phase -= L;
        start++;
      }
    }
  }
}

/**
 * A kernel with buffers of `sizes`: the WebAssembly SIMD one where the engine supports it and
 * `allowSimd` is true, else the JavaScript one (same results, bit for bit).
 * @example
 * const k = createFirKernel({ tableFloats: 2 * 128, inputFloats: 20000, outputFloats: 40000 });
 */
export function createFirKernel(sizes: FirKernelSizes, allowSimd = true): FirKernel {
  const mod = allowSimd ? simdModule() : null;
  return mod ? new SimdKernel(mod, sizes) : new ScalarKernel(sizes);
}
