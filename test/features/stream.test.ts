/**
 * Streaming: any chunking (sizes 0, 1, odd, large) gives exactly the whole-file features; accept()
 * holds back only what still needs right context; errors are typed and leave the stream usable.
 */
import { describe, expect, it } from 'vitest';
import { AudioInputError, UsageError } from '../../src/core/errors.js';
import { BaseFeatureExtractor, computeBaseFeatures, computeFeatures, FeatureExtractor, frameCount, inputDim, modelFrameCount, type FeatureBlock, type FeatureConfig } from '../../src/features/index.js';
import { cfg, rng, speechLike } from '../fixtures/features/signals.js';

const CONFIGS: Array<[string, FeatureConfig]> = [
  ['default (deltas 2, context 5/5)', cfg()],
  ['subsampling 3, context 10/10, sliding normVars', cfg({ subsampling: 3, contextLeft: 10, contextRight: 10, normalization: { type: 'sliding', window: 30, normVars: true } })],
  ['deltas 1 (N 3), global norm, context 0/2, subsampling 2', cfg({ deltaOrder: 1, deltaWindow: 3, contextLeft: 0, contextRight: 2, subsampling: 2, normalization: { type: 'global', mean: Array(26).fill(3), std: Array(26).fill(2) } })],
  ['no deltas, hop > frame (skipped samples), hann, no pre-emphasis, sliding mean only', cfg({ deltaOrder: 0, frameLength: 200, frameShift: 300, fftSize: 256, window: 'hann', preEmphasis: 0, numCeps: 20, melBands: 23, normalization: { type: 'sliding', window: 5, normVars: false } })],
  ['rect, 8 kHz, 1024-point, subsampling 4, context 0/0', cfg({ sampleRate: 8000, window: 'rect', frameLength: 1000, frameShift: 333, fftSize: 1024, subsampling: 4, contextLeft: 0, contextRight: 0 })],
];

function chunks(x: Float32Array, seed: number): Float32Array[] {
  const r = rng(seed);
  const out: Float32Array[] = [];
  for (let i = 0; i < x.length; ) {
    const kind = r();
    const n = kind < 0.15 ? 0 : kind < 0.35 ? 1 : kind < 0.7 ? Math.floor(r() * 200) : Math.floor(r() * 5000);
    out.push(x.slice(i, i + n)); // copies: the extractor must not depend on the caller's buffer
    i += n;
  }
  return out;
}

function concat(blocks: FeatureBlock[], dim: number): { data: Float32Array; frames: number } {
  let frames = 0;
  for (const b of blocks) {
    expect(b.firstFrame).toBe(frames); // blocks are contiguous
    expect(b.data.length).toBe(b.frames * dim);
    frames += b.frames;
  }
  const data = new Float32Array(frames * dim);
  let o = 0;
  for (const b of blocks) {
    data.set(b.data, o);
    o += b.data.length;
  }
  return { data, frames };
}

describe('streaming == whole file, bit for bit', () => {
  const x = speechLike(21000, 16000, 99);
  for (const [name, c] of CONFIGS) {
    it(name, () => {
      const whole = computeFeatures(x, c);
      expect(whole.frames).toBe(modelFrameCount(x.length, c));
      const fx = new FeatureExtractor(c);
      expect(fx.inputDim).toBe(inputDim(c));
      for (const seed of [1, 2, 3]) {
        const blocks = chunks(x, seed).map((ch) => fx.accept(ch));
        blocks.push(fx.finish());
        const got = concat(blocks, fx.inputDim);
        expect(got.frames).toBe(whole.frames);
        expect(got.data).toEqual(whole.data);
        fx.reset();
      }
      // base features too
      const bx = new BaseFeatureExtractor(c);
      const bw = computeBaseFeatures(x, c);
      expect(bw.frames).toBe(frameCount(x.length, c));
      const bb = chunks(x, 7).map((ch) => bx.accept(ch));
      bb.push(bx.finish());
      expect(concat(bb, bx.baseDim).data).toEqual(bw.data);
    });
  }

  it('one sample at a time', () => {
    const c = CONFIGS[1][1];
    const short = x.subarray(0, 4000);
    const fx = new FeatureExtractor(c);
    const blocks: FeatureBlock[] = [];
    for (let i = 0; i < short.length; i++) blocks.push(fx.accept(short.subarray(i, i + 1)));
    blocks.push(fx.finish());
    expect(concat(blocks, fx.inputDim).data).toEqual(computeFeatures(short, c).data);
  });
});

describe('latency: accept() returns every frame that is already determined', () => {
  for (const [name, c] of CONFIGS) {
    it(name, () => {
      const x = speechLike(12000, c.sampleRate, 4);
      const fx = new FeatureExtractor(c);
      const right = c.deltaOrder * c.deltaWindow + c.contextRight; // base frames of look-ahead
      let emitted = 0;
      for (let n = 0; n < x.length; n += 777) {
        emitted += fx.accept(x.subarray(n, Math.min(n + 777, x.length))).frames;
        const known = frameCount(Math.min(n + 777, x.length), c);
        const ready = Math.max(0, known - right); // base frames t with t + right < known
        expect(emitted).toBe(Math.ceil(ready / c.subsampling));
      }
      emitted += fx.finish().frames;
      expect(emitted).toBe(modelFrameCount(x.length, c));
    });
  }
});

describe('edges', () => {
  const c = cfg();
  it('fewer samples than a frame: no frames; exactly one frame: one', () => {
    expect(computeFeatures(new Float32Array(0), c).frames).toBe(0);
    expect(computeFeatures(new Float32Array(399), c).frames).toBe(0);
    const one = computeFeatures(speechLike(400, 16000, 1), c);
    expect(one.frames).toBe(1);
    // single frame replicated across the whole context
    const d = 39;
    for (let j = 1; j < 11; j++) expect(Array.from(one.data.subarray(j * d, (j + 1) * d))).toEqual(Array.from(one.data.subarray(0, d)));
  });
  it('silence gives finite features', () => {
    const f = computeFeatures(new Float32Array(16000), c);
    expect(f.frames).toBe(98);
    expect(f.data.every((v) => Number.isFinite(v))).toBe(true);
  });
  it('reset() starts a new stream', () => {
    const x = speechLike(5000, 16000, 2);
    const fx = new FeatureExtractor(c);
    fx.accept(speechLike(3000, 16000, 8));
    fx.reset();
    const a = fx.accept(x);
    const b = fx.finish();
    expect(a.firstFrame).toBe(0);
    expect(new Float32Array([...a.data, ...b.data])).toEqual(computeFeatures(x, c).data);
  });
});

describe('errors', () => {
  const c = cfg();
  it('invalid config -> UsageError naming the field', () => {
    expect(() => new FeatureExtractor({ ...c, fftSize: 500 })).toThrow(UsageError);
    expect(() => new FeatureExtractor({ ...c, fftSize: 500 })).toThrow(/fftSize/);
    expect(() => new BaseFeatureExtractor({ ...c, numCeps: 41 })).toThrow(/numCeps/);
    expect(() => computeFeatures(new Float32Array(10), null as unknown as FeatureConfig)).toThrow(UsageError);
  });
  it('non-Float32Array samples -> UsageError saying what to pass', () => {
    const fx = new FeatureExtractor(c);
    expect(() => fx.accept([0, 1] as unknown as Float32Array)).toThrow(UsageError);
    expect(() => fx.accept(new Float64Array(4) as unknown as Float32Array)).toThrow(/Float32Array.*got Float64Array/);
    expect(() => computeFeatures(undefined as unknown as Float32Array, c)).toThrow(UsageError);
  });
  it('NaN / Infinity -> AudioInputError("<samples>") naming the sample index; the stream stays usable', () => {
    const x = speechLike(6000, 16000, 3);
    const fx = new FeatureExtractor(c);
    const a = fx.accept(x.subarray(0, 2500));
    const bad = x.slice(2500, 3000);
    bad[17] = NaN;
    let err: unknown;
    try {
      fx.accept(bad);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AudioInputError);
    expect((err as AudioInputError).source).toBe('<samples>');
    expect((err as Error).message).toMatch(/sample 2517 .*index 17 of this chunk.* NaN/);
    const b = fx.accept(x.subarray(2500));
    const f = fx.finish();
    expect(new Float32Array([...a.data, ...b.data, ...f.data])).toEqual(computeFeatures(x, c).data);
    const inf = new Float32Array(10);
    inf[3] = -Infinity;
    expect(() => computeFeatures(inf, c)).toThrow(/sample 3 is -Infinity/);
  });
  it('accept or finish after finish -> UsageError pointing to reset()', () => {
    const fx = new FeatureExtractor(c);
    fx.finish();
    expect(() => fx.accept(new Float32Array(10))).toThrow(/reset\(\)/);
    expect(() => fx.finish()).toThrow(UsageError);
    fx.reset();
    expect(fx.accept(new Float32Array(1000)).frames).toBe(0);
  });
  it('the config is copied: mutating it afterwards changes nothing', () => {
    const mine = cfg({ normalization: { type: 'global', mean: Array(39).fill(1), std: Array(39).fill(2) } });
    const fx = new FeatureExtractor(mine);
    const x = speechLike(4000, 16000, 6);
    const before = computeFeatures(x, mine).data;
    (mine.normalization as { mean: number[] }).mean[0] = 1000;
    mine.inputScale = 1;
    const a = fx.accept(x);
    const b = fx.finish();
    expect(new Float32Array([...a.data, ...b.data])).toEqual(before);
  });
});
