/**
 * Endpointing and segmentation: the rules on hand-made posterior sequences (each fires on the frame a hand
 * computation predicts), the energy meter, then the shipped model on models/sample.wav + 2 s of silence +
 * models/sample.wav through the API (greedy and beam, chunked and whole); the CLI side is test/cli/endpoint.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Endpointer, resolveEndpointConfig, trailingSilenceRules, DEFAULT_ENDPOINT_CONFIG } from '../../src/decoder/endpoint.js';
import { BlockEnergyMeter } from '../../src/audio/energy.js';
import { UsageError } from '../../src/core/errors.js';
import { GreedyDecoder } from '../../src/decoder/greedy.js';
import { BeamDecoder, compileBeamOptions } from '../../src/decoder/beam.js';
import { loadLanguageModel, loadRecognizer, transcribeFile, type DecoderOptions, type Recognizer, type SegmentResult } from '../../src/node/index.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { ROOT } from '../helpers/cli.js';
import { wavBytes } from '../helpers/e2e.js';
import { Rng } from '../../src/core/rng.js';

const FS = 0.03; // the shipped model's output frame: 10 ms shift x subsampling 3
const SIL = 0.99; // blank posterior of a silence frame
const SPEECH = 0.02; // blank posterior of a speech frame

/** Feed blank posteriors; return [frame index, reason] for every firing. */
function run(ep: Endpointer, blanks: readonly number[], energies?: readonly number[]): [number, string][] {
  const fired: [number, string][] = [];
  blanks.forEach((b, t) => {
    const r = ep.accept(b, energies?.[t]);
    if (r) fired.push([t, r]);
  });
  return fired;
}
const rep = (n: number, v: number): number[] => Array<number>(n).fill(v);

describe('Endpointer rules', () => {
  it('rule 2 (pause): after speech, fires on the 40th trailing silence frame (1.2 s / 30 ms)', () => {
    // 10 silence, 5 speech (frames 10..14), then silence from frame 15: the 40th silence frame is 15 + 39 = 54.
    const ep = new Endpointer({}, FS);
    const fired = run(ep, [...rep(10, SIL), ...rep(5, SPEECH), ...rep(100, SIL)]);
    // After the pause the new segment has no speech: rule 1 needs 80 frames, from frame 55 -> frame 134 (past the input).
    expect(fired).toEqual([[54, 'pause']]);
    expect(ep.segmentFrames).toBe(115 - 55);
    expect(ep.trailingSilenceFrames).toBe(60);
    expect(ep.hasSpeech).toBe(false);
  });

  it('rule 1 (silence): with no speech, fires every 80 frames (2.4 s), at frames 79 and 159', () => {
    expect(run(new Endpointer({}, FS), rep(200, SIL))).toEqual([[79, 'silence'], [159, 'silence']]);
  });

  it('rule 3 (max-length): continuous speech is cut every 667 frames (ceil(20 / 0.03))', () => {
    expect(run(new Endpointer({}, FS), rep(1400, SPEECH))).toEqual([[666, 'max-length'], [1333, 'max-length']]);
  });

  it('never fires inside speech with pauses shorter than rule 2, shorter than rule 3', () => {
    // 18 s: 10 speech frames, then 39 silence frames (1.17 s, one short of rule 2), repeated.
    const blanks: number[] = [];
    while (blanks.length < 600) blanks.push(...rep(10, SPEECH), ...rep(39, SIL));
    expect(run(new Endpointer({}, FS), blanks.slice(0, 600))).toEqual([]);
    // One more silence frame after the last speech and rule 2 fires.
    expect(run(new Endpointer({}, FS), [...rep(10, SPEECH), ...rep(40, SIL)])).toEqual([[49, 'pause']]);
  });

  it('a speech frame resets the trailing silence: rule 1 is counted from the last speech frame', () => {
    // Rule 2 off: silence 70 frames, 1 speech frame (70), then silence; rule 1 fires 80 frames after frame 70.
    expect(run(new Endpointer({ rule2MinTrailingSilence: Infinity }, FS), [...rep(70, SIL), SPEECH, ...rep(100, SIL)])).toEqual([[150, 'silence']]);
  });

  it('custom rules convert seconds to frames rounding up, robust to float error', () => {
    // 0.3 / 0.01 = 29.999999999999996 -> 30 frames; 0.305 s -> 31 frames.
    expect(run(new Endpointer({ rule2MinTrailingSilence: 0.3 }, 0.01), [SPEECH, ...rep(40, SIL)])).toEqual([[30, 'pause']]);
    expect(run(new Endpointer({ rule2MinTrailingSilence: 0.305 }, 0.01), [SPEECH, ...rep(40, SIL)])).toEqual([[31, 'pause']]);
    expect(run(new Endpointer({ rule3MaxUtteranceLength: 0.9 }, FS), rep(70, SPEECH))).toEqual([[29, 'max-length'], [59, 'max-length']]);
    expect(run(new Endpointer({ rule3MaxUtteranceLength: Infinity }, FS), rep(2000, SPEECH))).toEqual([]);
  });

  it('blankThreshold: a frame is silence when its blank posterior is >= the threshold', () => {
    const ep = new Endpointer({}, FS); // the default, 0.9
    expect(ep.isSilence(0.9)).toBe(true);
    expect(ep.isSilence(0.89)).toBe(false);
    const half = new Endpointer({ blankThreshold: 0.5 }, FS);
    expect(half.isSilence(0.5)).toBe(true);
    expect(half.isSilence(0.49)).toBe(false);
    // With threshold 0.9, frames of blank posterior 0.8 are speech: no rule 1 on them, rule 3 instead.
    expect(run(new Endpointer({ rule3MaxUtteranceLength: 3 }, FS), rep(120, 0.8))).toEqual([[99, 'max-length']]);
    expect(run(new Endpointer({ blankThreshold: 0.5 }, FS), rep(120, 0.8))).toEqual([[79, 'silence']]);
  });

  it('energyFloorDb: quiet frames are silence whatever the model says; without a floor energy is ignored', () => {
    const blanks = [...rep(5, SPEECH), ...rep(60, SPEECH)];
    const energies = [...rep(5, -20), ...rep(60, -75)];
    expect(run(new Endpointer({ energyFloorDb: -60 }, FS), blanks, energies)).toEqual([[44, 'pause']]);
    expect(run(new Endpointer({}, FS), blanks, energies)).toEqual([]);
    expect(new Endpointer({ energyFloorDb: -60 }, FS).isSilence(SPEECH, -Infinity)).toBe(true);
    expect(new Endpointer({ energyFloorDb: -60 }, FS).isSilence(SPEECH)).toBe(false);
  });

  it('defaults are sherpa-onnx\'s rules with a 0.9 blank threshold, and bad values are UsageErrors naming the field', () => {
    expect(resolveEndpointConfig()).toEqual({ ...DEFAULT_ENDPOINT_CONFIG });
    expect(DEFAULT_ENDPOINT_CONFIG).toMatchObject({ rule1MinTrailingSilence: 2.4, rule2MinTrailingSilence: 1.2, rule3MaxUtteranceLength: 20, blankThreshold: 0.9 });
    expect(() => resolveEndpointConfig({ rule2MinTrailingSilence: 0 })).toThrow(/rule2MinTrailingSilence must be a number of seconds > 0/);
    expect(() => resolveEndpointConfig({ rule1MinTrailingSilence: NaN })).toThrow(UsageError);
    expect(() => resolveEndpointConfig({ blankThreshold: 1.5 })).toThrow(/blankThreshold must be a probability/);
    expect(() => resolveEndpointConfig({ energyFloorDb: NaN })).toThrow(/energyFloorDb/);
    expect(() => resolveEndpointConfig({ rule2: 1 } as never)).toThrow(/unknown option "rule2"/);
    expect(() => new Endpointer({}, 0)).toThrow(/frameSeconds/);
  });
});

describe('trailingSilenceRules (the CLI --trailing-silence and <earshot-mic endpoint="s">)', () => {
  it('sets rule 2, and raises rule 1 only for pauses longer than its 2.4 s default', () => {
    expect(trailingSilenceRules(0.8)).toEqual({ rule2MinTrailingSilence: 0.8 });
    expect(trailingSilenceRules(2.4)).toEqual({ rule2MinTrailingSilence: 2.4 });
    expect(trailingSilenceRules(3)).toEqual({ rule2MinTrailingSilence: 3, rule1MinTrailingSilence: 3 });
  });
});

describe('decoder reset(startFrame): a new segment keeps absolute times', () => {
  const labels = ['<blank>', ' ', 'a', 'b'];
  const output = { type: 'ctc' as const, blankId: 0 };
  /** One-hot log-posteriors for a label sequence. */
  const frames = (ids: number[]): Float32Array => {
    const x = new Float32Array(ids.length * labels.length).fill(-20);
    ids.forEach((id, t) => (x[t * labels.length + id] = 0));
    return x;
  };
  it('greedy and beam: after reset(10), a token on the 2nd frame starts at 11 frames', () => {
    const decoders = [new GreedyDecoder({ output, labels, frameSeconds: 0.5 }), new BeamDecoder(compileBeamOptions({ type: 'beam' }, labels, output), 0.5)];
    for (const d of decoders) {
      d.accept(frames([2, 0, 0]), 3);
      d.reset(10);
      expect(d.framesDecoded).toBe(10);
      d.accept(frames([0, 3, 3, 0]), 4);
      expect(d.framesDecoded).toBe(14);
      const tokens = d.result().tokens;
      expect(tokens.map((t) => [t.label, t.start, t.end])).toEqual([['b', 5.5, 6.5]]);
      expect(() => d.reset(-1)).toThrow(UsageError);
    }
  });
});

describe('BlockEnergyMeter', () => {
  it('gives 10 log10(mean square) per block, in any chunking, and flushes a partial last block', () => {
    const x = new Float32Array(1000);
    x.fill(0.5, 0, 480); // block 0: -6.02 dB; block 1: silence; block 2 (40 samples, flushed): 0.1 -> -20 dB
    x.fill(0.1, 960);
    const whole = new BlockEnergyMeter(480);
    whole.accept(x);
    const parts = new BlockEnergyMeter(480);
    for (let i = 0; i < x.length; i += 7) parts.accept(x.subarray(i, i + 7));
    for (const m of [whole, parts]) {
      expect(m.take()).toBeCloseTo(10 * Math.log10(0.25), 5);
      expect(m.take()).toBe(-Infinity);
      expect(m.take()).toBeUndefined();
      m.flush();
      expect(m.take()).toBeCloseTo(-20, 4);
      expect(m.take()).toBeUndefined();
    }
  });
});

describe('segmented recognition with the shipped model', () => {
  const SENTENCE = 'put the cups on the shelf';
  let single: { samples: Float32Array; sampleRate: number };
  let two: Float32Array;
  let offset: number; // where the second copy starts, seconds
  let beam: DecoderOptions;
  let dir: string;
  let twoWav: string;

  beforeAll(async () => {
    single = await readAudioFile(path.join(ROOT, 'models/sample.wav'));
    expect(single.sampleRate).toBe(16000);
    const gap = 2 * single.sampleRate;
    two = new Float32Array(single.samples.length * 2 + gap);
    two.set(single.samples, 0);
    two.set(single.samples, single.samples.length + gap);
    offset = (single.samples.length + gap) / single.sampleRate;
    beam = { type: 'beam', lm: await loadLanguageModel(path.join(ROOT, 'models/en-3gram.lmbin')), lmWeight: 0.5, wordBonus: 4 };
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-endpoint-'));
    twoWav = path.join(dir, 'two.wav');
    writeFileSync(twoWav, wavBytes([two], single.sampleRate));
  });

  async function recognizer(decoder?: DecoderOptions): Promise<Recognizer> {
    return loadRecognizer({ threads: 1, ...(decoder ? { decoder } : {}) });
  }

  it('beam + LM: two segments, each the sentence, at the positions of the two copies', async () => {
    const rec = await recognizer(beam);
    const ref = await rec.transcribe(single.samples, single.sampleRate);
    expect(ref.text).toBe(SENTENCE);
    const seen: SegmentResult[] = [];
    const r = await rec.transcribe(two, single.sampleRate, { endpoint: true, onSegment: (s) => seen.push(s) });
    const segs = r.segments!;
    expect(segs.map((s) => s.text)).toEqual([SENTENCE, SENTENCE]);
    expect(seen).toEqual(segs);
    expect(segs.map((s) => s.segment)).toEqual([0, 1]);
    expect(segs.map((s) => s.reason)).toEqual(['pause', 'end-of-input']);
    expect(r.text).toBe(`${SENTENCE} ${SENTENCE}`);
    expect(r.words).toEqual([...segs[0]!.words, ...segs[1]!.words]);
    // Word times are absolute: the first copy's as in the single file, the second's shifted by the offset.
    const first = ref.words[0]!.start;
    const lastEnd = ref.words.at(-1)!.end;
    expect(Math.abs(segs[0]!.words[0]!.start - first)).toBeLessThan(0.1);
    expect(Math.abs(segs[0]!.words.at(-1)!.end - lastEnd)).toBeLessThan(0.1);
    expect(Math.abs(segs[1]!.words[0]!.start - (offset + first))).toBeLessThan(0.1);
    expect(Math.abs(segs[1]!.words.at(-1)!.end - (offset + lastEnd))).toBeLessThan(0.1);
    expect(first).toBeGreaterThan(0.4); // the sample's leading silence is 0.5 s
    // Segment spans tile the audio: the first ends 1.2 s (40 frames) after its last speech frame, a frame whose blank
    // posterior is under the threshold: the last letter's, or one in the sample's own last second after it (the model
    // that heard noisy real speech is less sure of the blank there: 0.6 s after the last word), never in the gap.
    expect(segs[0]!.start).toBe(0);
    expect(segs[0]!.end).toBeGreaterThanOrEqual(segs[0]!.words.at(-1)!.end + 1.2 - 1e-9);
    expect(segs[0]!.end).toBeLessThan(single.samples.length / single.sampleRate + 1.2 + 1e-9);
    expect(segs[0]!.end).toBeLessThanOrEqual(offset + first - 1.2 + 1e-9);
    expect(segs[1]!.start).toBe(segs[0]!.end);
    expect(segs[1]!.end).toBeCloseTo(two.length / single.sampleRate, 6);
  });

  /**
   * Chunked and whole-file segments: equal text, labels, ids and times; confidences equal to float32 rounding (a TDNN
   * convolves each block of windows as one stream, so the summation order, not the inputs, differs with the chunking).
   */
  const expectSameSegments = (got: unknown, want: unknown): void => {
    const confidences: Array<[number, number]> = [];
    const strip = (a: unknown, b: unknown): unknown => {
      if (Array.isArray(a)) return a.map((x, i) => strip(x, Array.isArray(b) ? b[i] : undefined));
      if (a && typeof a === 'object') {
        return Object.fromEntries(Object.entries(a).map(([k, v]) => {
          const w = (b as Record<string, unknown> | undefined)?.[k];
          if (k === 'confidence' && typeof v === 'number' && typeof w === 'number') { confidences.push([v, w]); return [k, 0]; }
          return [k, strip(v, w)];
        }));
      }
      return a;
    };
    const g = strip(got, want);
    const w = strip(want, got);
    expect(g).toEqual(w);
    for (const [a, b] of confidences) expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-5);
  };

  it('greedy: two segments too; chunked streaming gives the segments of whole-file transcription', async () => {
    const rec = await recognizer();
    const whole = await rec.transcribe(two, single.sampleRate, { endpoint: true });
    expect(whole.segments!.length).toBe(2);
    for (const s of whole.segments!) expect(s.text).toMatch(/^put the /);
    const rng = new Rng(7);
    const seen: SegmentResult[] = [];
    let reportedEarly = false;
    const s = rec.createStream({ endpoint: true, onSegment: (seg) => seen.push(seg) });
    for (let i = 0; i < two.length; ) {
      const n = rng.int(1, 5000);
      const p = await s.acceptWaveform(two.subarray(i, i + n), single.sampleRate);
      expect(p.segment).toBe(seen.length);
      if (seen.length === 1 && i + n < two.length) reportedEarly = true;
      i += n;
    }
    expect(reportedEarly).toBe(true); // the first segment arrives while audio is still coming
    expect(s.segments).toEqual(seen);
    const final = await s.inputFinished();
    expectSameSegments(final.segments, whole.segments);
    expect(final.text).toBe(whole.text);
    expectSameSegments(final.tokens, whole.tokens);
  });

  it('beam: chunked streaming gives the same segments as whole-file transcription', async () => {
    const rec = await recognizer(beam);
    const whole = await rec.transcribe(two, single.sampleRate, { endpoint: true });
    const s = rec.createStream({ endpoint: true });
    for (let i = 0; i < two.length; i += 1234) await s.acceptWaveform(two.subarray(i, i + 1234), single.sampleRate);
    expectSameSegments((await s.inputFinished()).segments, whole.segments);
  });

  it('without endpoint: no segments; greedy cut at silence loses and duplicates nothing', async () => {
    const rec = await recognizer();
    const r = await rec.transcribe(two, single.sampleRate);
    expect(r).not.toHaveProperty('segments');
    const cut = await rec.transcribe(two, single.sampleRate, { endpoint: true });
    expect(cut.segments!.length).toBe(2);
    // The same tokens with the same times and confidences; only the words now break at the segment boundary
    // (one decode over both copies may glue the last word of one to the first of the next: no space is emitted).
    expect(cut.tokens).toEqual(r.tokens);
    expect(cut.words.map((w) => w.word).join('')).toBe(r.words.map((w) => w.word).join(''));
    const s = rec.createStream();
    expect(await s.acceptWaveform(single.samples, single.sampleRate)).not.toHaveProperty('segment');
    expect(s.segments).toEqual([]);
  });

  it('energyFloorDb is applied: a floor above every frame makes every frame silence, so rule 1 cuts every 2.4 s', async () => {
    const rec = await recognizer();
    const quiet = await rec.transcribe(two, single.sampleRate, { endpoint: { energyFloorDb: 0 } });
    // Cuts at 2.4, 4.8 and 7.2 s; the segments 2.4..4.8 and 7.2..end have no text (the speech is at
    // 0.48..2.04 and 5.49..7.05 s) and are not reported.
    expect(quiet.segments!.map((s) => [s.start, s.end, s.reason])).toEqual([
      [0, 80 * FS, 'silence'],
      [160 * FS, 240 * FS, 'silence'],
    ]);
    const low = await rec.transcribe(two, single.sampleRate, { endpoint: { energyFloorDb: -120 } });
    expect(low.segments).toEqual((await rec.transcribe(two, single.sampleRate, { endpoint: true })).segments);
  });

  it('transcribeFile segments a file; bad endpoint options are UsageErrors', async () => {
    const rec = await recognizer();
    const r = await transcribeFile(rec, twoWav, { endpoint: { rule2MinTrailingSilence: 1 } });
    expect(r.segments!.length).toBe(2);
    expect(() => rec.createStream({ onSegment: () => undefined })).toThrow(/onSegment needs endpointing/);
    expect(() => rec.createStream({ endpoint: 'yes' as never })).toThrow(UsageError);
    expect(() => rec.createStream({ endpoint: { rule3MaxUtteranceLength: -1 } })).toThrow(/rule3MaxUtteranceLength/);
  });
});
