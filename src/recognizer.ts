/**
 * Recognizer and RecognitionStream: the platform-neutral engine. A Recognizer holds one loaded
 * model (its metadata says how to featurize and decode); each stream carries the per-utterance
 * state (resampler, feature extractor, decoder). Offline transcription is a stream run to the end,
 * so streaming and offline results are the same machinery and give the same text.
 *
 * Endpointing (opt-in, `endpoint` in StreamOptions) cuts a stream into segments (utterances) at
 * pauses: when a rule of src/decoder/endpoint.ts fires, the decoder's result becomes the segment's
 * final result and the decoder starts afresh, while the frontend and the acoustic model run on
 * without a break, so no audio is lost or decoded twice and times stay measured from the stream start.
 *
 * Leading silence: before the first sample of every stream the model runs over a short lead of digital
 * silence (DEFAULT_LEADING_SILENCE_SECONDS, `leadingSilence` to change it), because a CTC model emits a word's
 * first letters up to a few frames before the sound itself and the shipped model's training audio always gave
 * it silence to emit them in: without the lead, speech at the first sample lost its first letters. The lead
 * frames are decoded but not endpointed, and every reported time is moved back onto the input (>= 0). Input
 * that starts with QUIET_START_SECONDS of quiet gets no lead: it has its own (the first samples are held back
 * until that is known, so the result does not depend on the chunking).
 */
import { AudioInputError, UsageError } from './core/errors.js';
import { FeatureExtractor } from './features/index.js';
import { inputDim, outputFrameSeconds } from './features/config.js';
import type { ModelMetadata } from './model/metadata.js';
import type { ModelInfo } from './model/onnx-reader.js';
import { describeModel } from './model/load.js';
import { createAcousticSession, runAcoustic, type AcousticSession, type ExecutionProviderName, type OrtModule } from './model/runtime.js';
import { decoderFactory, type DecoderOptions, type StreamDecoder } from './decoder/select.js';
import type { DecodeResult } from './decoder/types.js';
import { Endpointer, type EndpointConfig, type EndpointReason } from './decoder/endpoint.js';
import { inputTime, shiftResultTimes } from './decoder/shift-times.js';
import { BlockEnergyMeter } from './audio/energy.js';
import { createResampler, type Resampler } from './audio/resample.js';
import { concatSamples } from './audio/samples.js';

/** Seconds spent in each stage. */
export interface StageTimings {
  resample: number;
  features: number;
  acoustic: number;
  decoder: number;
}

/** A partial result while audio is still arriving. */
export interface PartialResult extends DecodeResult {
  /** Seconds of audio accepted so far. */
  durationSec: number;
  /** With endpointing: the index the current segment gets when it ends (the text is that segment's only). */
  segment?: number;
  isFinal: false;
}

/**
 * The final result of one segment of an endpointed stream. Times (its own and its words' and tokens')
 * are seconds from the start of the stream. Segments with no text are not reported.
 * @example
 * const s = rec.createStream({ endpoint: true, onSegment: (seg) => console.log(seg.segment, seg.start, seg.end, seg.text) });
 */
export interface SegmentResult extends DecodeResult {
  /** 0-based index among the reported segments. */
  segment: number;
  /** Where the segment begins: the end of the previous endpoint (0 for the first). */
  start: number;
  /** Where it ends: the end of the frame on which a rule fired, or the end of the input. */
  end: number;
  /** Which rule ended it: 'silence' (rule 1), 'pause' (rule 2), 'max-length' (rule 3) or 'end-of-input'. */
  reason: EndpointReason;
  isFinal: true;
}

/** The final result of an utterance. */
export interface RecognitionResult extends DecodeResult {
  durationSec: number;
  /** Time spent per stage, seconds. */
  timings: StageTimings;
  /** The execution provider that ran the acoustic model. */
  provider: ExecutionProviderName;
  /**
   * With endpointing only: the segments, in order. Then text is their texts joined by spaces, words and
   * tokens are theirs concatenated, and `phrase` is set only when there is at most one segment.
   */
  segments?: SegmentResult[];
  isFinal: true;
}

export interface RecognizerOptions {
  /** The ONNX runtime module: onnxruntime-node or onnxruntime-web (the platform entry passes it). */
  ort: OrtModule;
  /** The model file's bytes. */
  model: Uint8Array;
  /** Name used in error messages (a path or URL). */
  source?: string;
  /** Providers to try in order. Default ['cpu']. */
  executionProviders?: readonly ExecutionProviderName[];
  /** Intra-op threads for the acoustic model. */
  threads?: number;
  /**
   * Model frames per acoustic-model call in streams (bigger = fewer, faster calls but later partial
   * results). Default 64 (about 2 s of audio for the default model). `transcribe` uses at least
   * {@link WHOLE_INPUT_BATCH_FRAMES} unless told otherwise.
   */
  batchFrames?: number;
  /** The decoder every stream uses unless createStream says otherwise. Default { type: 'greedy' }. */
  decoder?: DecoderOptions;
  /**
   * Seconds of digital silence the model runs over before the first sample of each stream, rounded to whole
   * model output frames; in [0, 1], 0 turns it off. Default {@link DEFAULT_LEADING_SILENCE_SECONDS}.
   * Reported times always refer to the input.
   */
  leadingSilence?: number;
}

/**
 * Default lead of digital silence before each stream's first sample, in seconds (8 output frames of the
 * shipped model). The shipped model emits a word's first letters 1-4 output frames (30-120 ms) before the
 * sound itself; a file that starts with speech has no frames there, and lost them ("the weather" came out
 * "e weather"). Measured on 96 espeak-ng sentences starting at their first sample (4 voices): the first
 * letter was right in 17 with no lead, 51 with 30 ms, 91 with 60 ms and 92 from 90 ms to 450 ms alike
 * (tools/study/first-sound.ts; there, with real leading silence, all 96 first letters came 1-4 frames early).
 * 0.24 s leaves a margin above 90 ms and lies inside the leading silence training saw (0.1-0.4 s for
 * synthetic clips, 0-0.5 s for augmented real ones), which was digital zeros apart from the noise of
 * noise-augmented copies: so the lead is zeros (leading noise at -60 dBFS instead of zeros gave the same transcripts).
 * The model's metadata does not carry it: a runtime default serves every model already exported.
 * @example
 * const rec = await Recognizer.create({ ort, model: bytes, leadingSilence: DEFAULT_LEADING_SILENCE_SECONDS });
 */
export const DEFAULT_LEADING_SILENCE_SECONDS = 0.24;

/**
 * Input that already starts with this much quiet needs no lead: the measured gain stops at 90 ms of leading silence
 * (DEFAULT_LEADING_SILENCE_SECONDS), and a model whose output on digital silence is not a sure blank (a hand-made
 * or differently trained one) should not be shown more of it than the input has.
 */
export const QUIET_START_SECONDS = 0.1;
/** "Quiet": every sample's magnitude below this (-50 dBFS), as in a recording's silence, not its speech. */
const QUIET_PEAK = 10 ** (-50 / 20);

/**
 * How a stream starts, from its first samples so far (`chunks`): 'quiet' when its first QUIET_START_SECONDS are
 * all quiet, 'speech' when a loud sample comes sooner or the input ends before (no lead needed only with a whole
 * quiet start), 'undecided' while neither is known.
 */
function leadDecision(chunks: Float32Array[], rate: number, ended: boolean): 'quiet' | 'speech' | 'undecided' {
  const n = Math.round(QUIET_START_SECONDS * rate);
  let seen = 0;
  for (const c of chunks) {
    for (let i = 0; i < c.length && seen < n; i++, seen++) if (Math.abs(c[i]!) >= QUIET_PEAK) return 'speech';
    if (seen >= n) return 'quiet';
  }
  if (ended) return seen > 0 ? 'speech' : 'quiet';
  return 'undecided';
}

/**
 * Per-stream options.
 * @example
 * const opts: StreamOptions = { decoder: { type: 'beam' }, endpoint: { rule2MinTrailingSilence: 0.8 }, onSegment: (s) => console.log(s.text) };
 */
export interface StreamOptions {
  /** Overrides the recognizer's decoder for this stream. */
  decoder?: DecoderOptions;
  /**
   * Cut the stream into segments at pauses (see EndpointConfig): `true` for the default rules, or
   * some rules to override. Default off: one result for the whole stream, as without this option.
   */
  endpoint?: boolean | Partial<EndpointConfig>;
  /** With endpointing: called with each segment's final result as soon as the segment ends. */
  onSegment?: (segment: SegmentResult) => void;
  /**
   * Model frames per acoustic-model call for this stream (default: the recognizer's `batchFrames`).
   * Results do not depend on it; larger batches run faster, smaller ones give earlier partial results.
   */
  batchFrames?: number;
}

/**
 * Acoustic-model batch for input that is all there already (`transcribe`, files): about 7.7 s of audio
 * for the default model. Measured with tools/bench/rtf.ts on one CPU thread against streaming's 64: the
 * acoustic model runs 1.35x faster (1,024 frames: 1.59x) and the whole pipeline 1.07x (1,024: 1.08x);
 * peak memory grows by about 14 MB (1,024: 23 MB), the default model's inputs being 3,627 floats a frame.
 */
export const WHOLE_INPUT_BATCH_FRAMES = 256;

function checkBatchFrames(batchFrames: unknown, what: string): asserts batchFrames is number {
  if (typeof batchFrames !== 'number' || !Number.isInteger(batchFrames) || batchFrames < 1) throw new UsageError(`${what} must be a positive integer, got ${String(batchFrames)}`);
}

function checkLeadingSilence(v: unknown): asserts v is number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 1)) throw new UsageError(`leadingSilence must be a number of seconds in [0, 1], got ${typeof v === 'number' ? String(v) : JSON.stringify(v)}`);
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now()) / 1000;

function checkSamples(samples: unknown, sampleRate: unknown): asserts samples is Float32Array {
  if (!(samples instanceof Float32Array)) throw new UsageError(`samples must be a Float32Array of mono audio in [-1, 1], got ${samples === null ? 'null' : typeof samples === 'object' ? (samples as object).constructor?.name : typeof samples}`);
  if (typeof sampleRate !== 'number' || !Number.isInteger(sampleRate) || sampleRate < 1000 || sampleRate > 384000) throw new UsageError(`sampleRate must be an integer between 1000 and 384000 Hz, got ${String(sampleRate)}`);
}

/**
 * A loaded model, ready to transcribe.
 * @example
 * const rec = await Recognizer.create({ ort, model: bytes, source: 'model.onnx' });
 * const { text } = await rec.transcribe(samples, 16000);
 */
export class Recognizer {
  readonly metadata: ModelMetadata;
  readonly info: ModelInfo;
  /** Which execution provider runs the model. */
  readonly provider: ExecutionProviderName;
  /** Providers tried before the one in use, and why they failed. */
  readonly providerFailures: { provider: ExecutionProviderName; reason: string }[];
  /** @internal */
  readonly ort: OrtModule;
  /** @internal */
  readonly session: AcousticSession;
  /** Model frames per acoustic-model call in streams (RecognizerOptions.batchFrames). */
  readonly batchFrames: number;
  /** @internal serializes acoustic-model calls: onnxruntime-web must not be entered twice at once. */
  runChain: Promise<unknown> = Promise.resolve();
  /** @internal makes the default decoder of each stream */
  readonly makeDecoder: () => StreamDecoder;
  /** Model output frames of digital silence run before each stream's first sample (RecognizerOptions.leadingSilence). */
  readonly leadFrames: number;

  private constructor(ort: OrtModule, info: ModelInfo, metadata: ModelMetadata, session: AcousticSession, batchFrames: number, makeDecoder: () => StreamDecoder, leadFrames: number) {
    this.makeDecoder = makeDecoder;
    this.leadFrames = leadFrames;
    this.ort = ort;
    this.info = info;
    this.metadata = metadata;
    this.session = session;
    this.provider = session.provider;
    this.providerFailures = session.failures;
    this.batchFrames = batchFrames;
  }

  /**
   * Load a model: read and validate its metadata against the graph, then create the session.
   * @example
   * const rec = await Recognizer.create({ ort, model: bytes, executionProviders: ['webgpu', 'cpu'] });
   */
  static async create(opts: RecognizerOptions): Promise<Recognizer> {
    const source = opts.source ?? '<model bytes>';
    if (!(opts.model instanceof Uint8Array)) throw new UsageError(`model must be a Uint8Array of the .onnx file, got ${typeof opts.model}`);
    const batchFrames = opts.batchFrames ?? 64;
    checkBatchFrames(batchFrames, 'batchFrames');
    const leadingSilence = opts.leadingSilence ?? DEFAULT_LEADING_SILENCE_SECONDS;
    checkLeadingSilence(leadingSilence);
    if (opts.threads !== undefined && (!Number.isInteger(opts.threads) || opts.threads < 1)) throw new UsageError(`threads must be a positive integer, got ${opts.threads}`);
    const { info, metadata } = await describeModel(opts.model, source);
    const makeDecoder = decoderFactory(opts.decoder, metadata.labels, metadata.output, outputFrameSeconds(metadata.featureConfig));
    const session = await createAcousticSession(opts.ort, opts.model, source, {
      executionProviders: opts.executionProviders ?? ['cpu'],
      ...(opts.threads !== undefined ? { threads: opts.threads } : {}),
    });
    const leadFrames = Math.round(leadingSilence / outputFrameSeconds(metadata.featureConfig));
    return new Recognizer(opts.ort, info, metadata, session, batchFrames, makeDecoder, leadFrames);
  }

  /**
   * Model frames per acoustic-model call for input that is all there already (`transcribe`, files):
   * the larger of {@link WHOLE_INPUT_BATCH_FRAMES} and `batchFrames`.
   */
  get wholeInputBatchFrames(): number {
    return Math.max(this.batchFrames, WHOLE_INPUT_BATCH_FRAMES);
  }

  /** The sample rate the model's frontend works at. */
  get sampleRate(): number {
    return this.metadata.featureConfig.sampleRate;
  }

  /**
   * A new utterance stream.
   * @example
   * const s = rec.createStream();
   * await s.acceptWaveform(chunk, 48000);
   * const final = await s.inputFinished();
   * const cmd = rec.createStream({ decoder: { type: 'beam', phrases: ['yes', 'no'] } });
   */
  createStream(opts: StreamOptions = {}): RecognitionStream {
    const make = opts.decoder === undefined ? this.makeDecoder : decoderFactory(opts.decoder, this.metadata.labels, this.metadata.output, outputFrameSeconds(this.metadata.featureConfig));
    return new RecognitionStream(this, make(), opts);
  }

  /**
   * Transcribe a whole recording (mono samples in [-1, 1] at `sampleRate`). With `endpoint` it is cut
   * into segments exactly as a stream would be (`result.segments`).
   * @example
   * const r = await rec.transcribe(samples, 44100);
   * console.log(r.text, r.words);
   * const long = await rec.transcribe(lecture, 16000, { endpoint: true });
   * for (const s of long.segments ?? []) console.log(s.start, s.end, s.text);
   */
  async transcribe(samples: Float32Array, sampleRate: number, opts: StreamOptions = {}): Promise<RecognitionResult> {
    checkSamples(samples, sampleRate);
    const s = this.createStream({ batchFrames: this.wholeInputBatchFrames, ...opts });
    // Bounded chunks keep the feature buffers small for long inputs.
    const chunk = sampleRate * 30;
    for (let i = 0; i < samples.length; i += chunk) await s.acceptWaveform(samples.subarray(i, Math.min(samples.length, i + chunk)), sampleRate);
    return s.inputFinished();
  }
}

/**
 * Index of the first NaN or infinite sample, or -1. A loop of its own: inside the async acceptWaveform,
 * V8 kept deoptimizing it (no type feedback for the code after the loop), and unoptimized code boxes
 * every sample it reads, megabytes of garbage a minute of audio.
 */
function firstNonFinite(x: Float32Array): number {
  for (let i = 0; i < x.length; i++) if (x[i]! - x[i]! !== 0) return i;
  return -1;
}

/**
 * One utterance being recognized as audio arrives. Feed chunks of any size with acceptWaveform;
 * read partial results; call inputFinished for the final result. With `endpoint`, a stream of many
 * utterances: each segment's final result goes to `onSegment` (and `segments`) as soon as it ends.
 * @example
 * const s = rec.createStream();
 * for await (const chunk of mic) console.log((await s.acceptWaveform(chunk, 16000)).text);
 * console.log((await s.inputFinished()).text);
 * const live = rec.createStream({ endpoint: true, onSegment: (seg) => console.log(`[${seg.start} --> ${seg.end}] ${seg.text}`) });
 */
export class RecognitionStream {
  private readonly rec: Recognizer;
  private readonly features: FeatureExtractor;
  private readonly decoder: StreamDecoder;
  private readonly dim: number;
  private resampler: Resampler | undefined;
  private inputRate: number | undefined;
  private samplesIn = 0;
  /**
   * Model-input frames waiting for the next acoustic-model call, in a buffer kept for the stream's life
   * (grown when a batch needs more), so that an hour of audio does not leave hundreds of megabytes of
   * dead per-batch arrays for the garbage collector to catch up with.
   */
  private batch = new Float32Array(0);
  /** Whether an acoustic-model call is reading `batch` (chunks given without awaiting the previous one). */
  private batchInUse = false;
  private pendingFrames = 0;
  /** Model frames per acoustic-model call. */
  private readonly batchFrames: number;
  private finished = false;
  private readonly timings: StageTimings = { resample: 0, features: 0, acoustic: 0, decoder: 0 };
  /** Endpointing state: absent when the stream is not endpointed. */
  private readonly endpointer: Endpointer | undefined;
  private readonly energy: BlockEnergyMeter | undefined;
  private readonly onSegment: ((segment: SegmentResult) => void) | undefined;
  private readonly blankId: number;
  private readonly frameSeconds: number;
  private readonly done: SegmentResult[] = [];
  /** First output frame of the current segment. */
  private segmentStart = 0;
  /**
   * Output frames of leading silence: the model's frame f is input frame f - lead. Set when the lead goes in,
   * in front of the first non-empty samples, so that it does not depend on the chunking (an empty input gets none).
   */
  private lead = 0;
  private leadPending: boolean;
  /** The stream's first samples, held back while it is not yet known whether they start quiet (see leadDecision). */
  private held: Float32Array[] = [];
  /** Lead frames still to come out of the model: decoded, never endpointed. */
  private leadToSkip = 0;

  constructor(rec: Recognizer, decoder: StreamDecoder = rec.makeDecoder(), opts: Pick<StreamOptions, 'endpoint' | 'onSegment' | 'batchFrames'> = {}) {
    this.rec = rec;
    this.batchFrames = opts.batchFrames ?? rec.batchFrames;
    checkBatchFrames(this.batchFrames, 'batchFrames');
    const fc = rec.metadata.featureConfig;
    this.features = new FeatureExtractor(fc);
    this.dim = inputDim(fc);
    this.decoder = decoder;
    this.frameSeconds = outputFrameSeconds(fc);
    this.leadPending = rec.leadFrames > 0;
    const out = rec.metadata.output;
    this.blankId = out.type === 'ctc' ? out.blankId : out.silenceId;
    const ep = opts.endpoint;
    if (ep !== undefined && typeof ep !== 'boolean' && (ep === null || typeof ep !== 'object')) throw new UsageError(`endpoint must be true, false or an object of endpoint rules, got ${ep === null ? 'null' : typeof ep}`);
    if (opts.onSegment !== undefined && typeof opts.onSegment !== 'function') throw new UsageError(`onSegment must be a function, got ${typeof opts.onSegment}`);
    if (ep) {
      this.endpointer = new Endpointer(ep === true ? {} : ep, this.frameSeconds);
      if (this.endpointer.config.energyFloorDb !== undefined) this.energy = new BlockEnergyMeter(fc.frameShift * fc.subsampling);
      this.onSegment = opts.onSegment;
    } else if (opts.onSegment !== undefined) {
      throw new UsageError('onSegment needs endpointing: pass endpoint: true (or endpoint rules) with it');
    }
  }

  /**
   * With endpointing: the segments ended so far (a copy). Empty without endpointing.
   * @example
   * for (const seg of stream.segments) console.log(seg.segment, seg.text);
   */
  get segments(): SegmentResult[] {
    return this.done.slice();
  }

  /**
   * Add audio (mono, [-1, 1]); any chunk size; the rate must stay the same within a stream.
   * Resolves to the partial result after the new audio is decoded.
   * @example
   * const partial = await stream.acceptWaveform(chunk, 16000);
   */
  async acceptWaveform(samples: Float32Array, sampleRate: number): Promise<PartialResult> {
    await this.addAudio(samples, sampleRate, 'acceptWaveform');
    return this.getResult();
  }

  /**
   * {@link acceptWaveform} without the partial result: for a caller that reads only the segments
   * (`onSegment`) and the final result. A partial result holds the whole current utterance, so building
   * one per chunk costs time in proportion to the utterance so far (quadratic over an unsegmented hour).
   * @example
   * for await (const chunk of chunks) await stream.appendWaveform(chunk, 16000);
   * const { text } = await stream.inputFinished();
   */
  async appendWaveform(samples: Float32Array, sampleRate: number): Promise<void> {
    await this.addAudio(samples, sampleRate, 'appendWaveform');
  }

  /** The work of acceptWaveform and appendWaveform; `method` names the one the caller used, for errors. */
  private async addAudio(samples: Float32Array, sampleRate: number, method: 'acceptWaveform' | 'appendWaveform'): Promise<void> {
    checkSamples(samples, sampleRate);
    if (this.finished) throw new UsageError(`${method} called after inputFinished: create a new stream for a new utterance`);
    if (this.inputRate === undefined) {
      this.inputRate = sampleRate;
      if (sampleRate !== this.rec.sampleRate) this.resampler = await createResampler(sampleRate, this.rec.sampleRate);
    } else if (sampleRate !== this.inputRate) {
      throw new UsageError(`sample rate changed within a stream: started at ${this.inputRate} Hz, now ${sampleRate} Hz`);
    }
    const bad = firstNonFinite(samples);
    if (bad >= 0) throw new AudioInputError('<samples>', `sample ${this.samplesIn + bad} is ${samples[bad]!}: audio must be finite numbers`);
    this.samplesIn += samples.length;
    let t = now();
    const resampled = this.resampler ? this.resampler.process(samples) : samples;
    this.timings.resample += now() - t;
    await this.pushSamples(resampled, false);
  }

  /**
   * The text decoded so far.
   * @example
   * stream.getResult().text
   */
  getResult(): PartialResult {
    const durationSec = this.durationSec;
    const r = this.inputTimes(this.decoder.result());
    if (this.endpointer) return { ...r, durationSec, segment: this.done.length, isFinal: false };
    return { ...r, durationSec, isFinal: false };
  }

  /**
   * Seconds of input accepted so far (at the input's own rate).
   * @example
   * await stream.appendWaveform(chunk, 44100); console.log(stream.durationSec);
   */
  get durationSec(): number {
    return this.inputRate ? this.samplesIn / this.inputRate : 0;
  }

  /** A decoder result with its times moved from the model's frames (lead included) onto the input. */
  private inputTimes(r: DecodeResult): DecodeResult {
    return shiftResultTimes(r, this.lead, this.frameSeconds, this.durationSec);
  }

  /**
   * No more audio: flush the frontend and the decoder and return the final result.
   * @example
   * const { text, words } = await stream.inputFinished();
   */
  async inputFinished(): Promise<RecognitionResult> {
    if (this.finished) throw new UsageError('inputFinished called twice on the same stream');
    this.finished = true;
    if (this.resampler) {
      const t = now();
      const tail = this.resampler.flush();
      this.resampler.close();
      this.timings.resample += now() - t;
      await this.pushSamples(tail, false);
    }
    await this.pushSamples(new Float32Array(0), true);
    const common = {
      durationSec: this.durationSec,
      timings: { ...this.timings },
      provider: this.rec.provider,
      isFinal: true as const,
    };
    if (!this.endpointer) return { ...this.inputTimes(this.decoder.finalResult()), ...common };
    const t = now();
    const last = this.endSegment('end-of-input');
    this.timings.decoder += now() - t;
    common.timings.decoder = this.timings.decoder;
    const segments = this.done.slice();
    const phrase = segments.length === 1 ? segments[0]!.phrase : segments.length === 0 ? last.phrase : undefined;
    return {
      text: segments.map((s) => s.text).join(' '),
      words: segments.flatMap((s) => s.words),
      tokens: segments.flatMap((s) => s.tokens),
      ...(phrase !== undefined ? { phrase } : {}),
      segments,
      ...common,
    };
  }

  /** Feed the decoder; with endpointing, cut a segment after every frame on which a rule fires. */
  private decode(logprobs: Float32Array, frames: number): void {
    const ep = this.endpointer;
    if (!ep) {
      this.decoder.accept(logprobs, frames);
      return;
    }
    const v = this.rec.metadata.labels.length;
    const blank = this.blankId;
    let from = 0;
    for (let t = 0; t < frames; t++) {
      if (this.leadToSkip > 0) {
        // A lead frame: the decoder sees it (a first letter may be emitted there), the endpoint rules do not,
        // so they judge the input alone (and the energy meter, fed the input only, stays in step).
        this.leadToSkip--;
        continue;
      }
      const reason = ep.accept(Math.exp(logprobs[t * v + blank]!), this.energy?.take());
      if (reason === undefined) continue;
      this.decoder.accept(logprobs.subarray(from * v, (t + 1) * v), t + 1 - from);
      from = t + 1;
      this.endSegment(reason);
    }
    if (from < frames) this.decoder.accept(logprobs.subarray(from * v), frames - from);
  }

  /** Close the current segment: report it when it has text, and restart the decoder at the next frame. */
  private endSegment(reason: EndpointReason): DecodeResult {
    const end = this.decoder.framesDecoded;
    const r = this.inputTimes(this.decoder.finalResult());
    const start = this.segmentStart;
    this.decoder.reset(end);
    this.segmentStart = end;
    if (r.text !== '') {
      const at = (frame: number): number => inputTime(frame * this.frameSeconds, this.lead, this.frameSeconds, this.durationSec);
      // The last segment runs to the end of the audio, not just of its last whole frame.
      const endSec = reason === 'end-of-input' ? this.durationSec : at(end);
      const seg: SegmentResult = { ...r, segment: this.done.length, start: at(start), end: endSec, reason, isFinal: true };
      this.done.push(seg);
      this.onSegment?.(seg);
    }
    return r;
  }

  /** Copy `frames` feature frames after the pending ones in the reused batch buffer (grown, or replaced while the model still reads it). */
  private appendFrames(data: Float32Array, frames: number): void {
    const at = this.pendingFrames * this.dim;
    const need = at + frames * this.dim;
    if (need > this.batch.length || this.batchInUse) {
      const grown = new Float32Array(Math.max(need, this.batchFrames * this.dim + frames * this.dim));
      grown.set(this.batch.subarray(0, at));
      this.batch = grown;
      this.batchInUse = false;
    }
    this.batch.set(data.subarray(0, frames * this.dim), at);
    this.pendingFrames += frames;
  }

  private async pushSamples(samples: Float32Array, last: boolean): Promise<void> {
    if (this.energy) {
      this.energy.accept(samples);
      if (last) this.energy.flush();
    }
    let t = now();
    if (this.leadPending) {
      // The lead depends on how the input starts, never on how it is chunked: the first QUIET_START_SECONDS
      // are held back until they are all in (or a loud sample, or the end, decides sooner).
      if (samples.length > 0) this.held.push(samples.slice()); // a copy: the caller may refill its buffer before the decision
      const start = leadDecision(this.held, this.rec.metadata.featureConfig.sampleRate, last);
      if (start === 'undecided') {
        this.timings.features += now() - t;
        return;
      }
      this.leadPending = false;
      samples = concatSamples(this.held);
      this.held = [];
      if (start === 'speech') {
        const fc = this.rec.metadata.featureConfig;
        this.lead = this.leadToSkip = this.rec.leadFrames;
        const lead = this.features.accept(new Float32Array(this.lead * fc.frameShift * fc.subsampling), true);
        if (lead.frames > 0) this.appendFrames(lead.data, lead.frames);
      }
    }
    if (last && samples.length > 0) {
      const held = this.features.accept(samples, true);
      if (held.frames > 0) this.appendFrames(held.data, held.frames);
    }
    // Borrowed: copied into the batch below before the extractor runs again.
    const block = last ? this.features.finish(true) : this.features.accept(samples, true);
    this.timings.features += now() - t;
    if (block.frames > 0) this.appendFrames(block.data, block.frames);
    if (this.pendingFrames === 0 || (!last && this.pendingFrames < this.batchFrames)) return;
    const frames = this.pendingFrames;
    // The acoustic model has finished with it when `run` resolves, before the next chunk is taken in.
    const batch = this.batch;
    const data = batch.subarray(0, frames * this.dim);
    this.pendingFrames = 0;
    this.batchInUse = true;
    t = now();
    const run = this.rec.runChain.then(() => runAcoustic(this.rec.ort, this.rec.session, data, frames, this.dim));
    this.rec.runChain = run.catch(() => undefined);
    const logprobs = await run.finally(() => {
      if (this.batch === batch) this.batchInUse = false;
    });
    this.timings.acoustic += now() - t;
    t = now();
    this.decode(logprobs, frames);
    this.timings.decoder += now() - t;
  }
}
