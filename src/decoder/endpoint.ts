/**
 * Endpoint detection: when has an utterance ended? Fed one model output frame at a time, with the
 * posterior of the blank (CTC) or silence (frame-label) unit and optionally the frame's energy.
 *
 * Semantics follow sherpa-onnx / Kaldi endpointing. A frame is silence when its blank posterior is at
 * least `blankThreshold` or, with `energyFloorDb` set, its energy is below the floor; any other frame
 * is speech. Per segment (since the last endpoint) the endpointer counts the frames and the trailing
 * silence frames; the segment "contains speech" once any frame of it was speech. After accepting a
 * frame, with T = trailing silence and L = segment length (both frames x frameSeconds):
 *   rule 1 ('silence'):       T >= rule1MinTrailingSilence, speech or not (default 2.4 s)
 *   rule 2 ('pause'):         the segment contains speech and T >= rule2MinTrailingSilence (default 1.2 s)
 *   rule 3 ('max-length'):    L >= rule3MaxUtteranceLength (default 20 s; may cut inside a word)
 * The first rule that holds (in that order) ends the segment at the end of that frame, and the
 * endpointer starts the next segment. Seconds are turned into frame counts once, rounding up, so a
 * rule fires on the first frame whose count reaches the threshold (1.2 s at 30 ms frames: 40 frames).
 */
import { UsageError } from '../core/errors.js';

/**
 * Endpointing rules. Every duration is seconds; `Infinity` turns a rule off.
 * @example
 * const cfg: EndpointConfig = { rule1MinTrailingSilence: 2.4, rule2MinTrailingSilence: 0.8, rule3MaxUtteranceLength: 15, blankThreshold: 0.5 };
 */
export interface EndpointConfig {
  /** Rule 1: end the segment after this much trailing silence, even if nothing was said. Default 2.4. */
  rule1MinTrailingSilence: number;
  /** Rule 2: end the segment after this much trailing silence once it contains speech. Default 1.2. */
  rule2MinTrailingSilence: number;
  /** Rule 3: end the segment when it is this long, silence or not. Default 20. */
  rule3MaxUtteranceLength: number;
  /** A frame is silence when its blank (or silence-label) posterior is >= this, in (0, 1]. Default 0.9. */
  blankThreshold: number;
  /** Optional: a frame whose energy (dB re full scale, 10 log10 of the mean square) is below this is silence too. Default: off. */
  energyFloorDb?: number;
}

/**
 * Why a segment ended: one of the three rules, or the end of the input.
 * @example
 * if (segment.reason === 'max-length') console.warn('utterance cut at the length limit');
 */
export type EndpointReason = 'silence' | 'pause' | 'max-length' | 'end-of-input';

/**
 * The default rules: sherpa-onnx's trailing-silence and length rules, with a blank threshold of 0.9 (a frame is
 * silence only when the model is sure it hears no label). Chosen on real held-out voices (tools/eval/endpoint-eval.ts:
 * the 690 real-dev clips joined into conversations with 0.3-2.6 s pauses, shipped model): at a 1.2 s pause, 0.9 cut
 * 6 utterances in two (0.5: 8) in a quiet room and 3 (0.5: 10) in white noise at -35 dBFS, at 0.8 s 2 (0.5: 13), and
 * ended a segment at every pause of 1.45 s or more in all three; 0.97 began to miss pauses in noise.
 * @example
 * const cfg = { ...DEFAULT_ENDPOINT_CONFIG, rule2MinTrailingSilence: 0.8 };
 */
export const DEFAULT_ENDPOINT_CONFIG: Readonly<EndpointConfig> = Object.freeze({
  rule1MinTrailingSilence: 2.4,
  rule2MinTrailingSilence: 1.2,
  rule3MaxUtteranceLength: 20,
  blankThreshold: 0.9,
});

function checkSeconds(name: string, v: unknown): number {
  if (typeof v !== 'number' || Number.isNaN(v) || v <= 0) {
    throw new UsageError(`endpoint: ${name} must be a number of seconds > 0 (Infinity turns the rule off), got ${String(v)}`);
  }
  return v;
}

/**
 * The rules for "a segment ends after `seconds` of silence following speech": rule 2 at that pause, and
 * rule 1 (silence with no speech) raised to it when it is longer, so that rule 1 does not cut first.
 * @example
 * trailingSilenceRules(0.8) // { rule2MinTrailingSilence: 0.8 }
 * trailingSilenceRules(3)   // { rule2MinTrailingSilence: 3, rule1MinTrailingSilence: 3 }
 */
export function trailingSilenceRules(seconds: number): Partial<EndpointConfig> {
  return { rule2MinTrailingSilence: seconds, ...(seconds > DEFAULT_ENDPOINT_CONFIG.rule1MinTrailingSilence ? { rule1MinTrailingSilence: seconds } : {}) };
}

/**
 * Fill in defaults and check every value; throws UsageError naming the bad field.
 * @example
 * const cfg = resolveEndpointConfig({ rule2MinTrailingSilence: 0.8 }); // other fields: defaults
 */
export function resolveEndpointConfig(opts: Partial<EndpointConfig> = {}): EndpointConfig {
  if (opts === null || typeof opts !== 'object') throw new UsageError(`endpoint options must be an object (or true for the defaults), got ${opts === null ? 'null' : typeof opts}`);
  const known = new Set(['rule1MinTrailingSilence', 'rule2MinTrailingSilence', 'rule3MaxUtteranceLength', 'blankThreshold', 'energyFloorDb']);
  for (const k of Object.keys(opts)) if (!known.has(k)) throw new UsageError(`endpoint: unknown option "${k}"; known: ${[...known].join(', ')}`);
  const c: EndpointConfig = {
    rule1MinTrailingSilence: checkSeconds('rule1MinTrailingSilence', opts.rule1MinTrailingSilence ?? DEFAULT_ENDPOINT_CONFIG.rule1MinTrailingSilence),
    rule2MinTrailingSilence: checkSeconds('rule2MinTrailingSilence', opts.rule2MinTrailingSilence ?? DEFAULT_ENDPOINT_CONFIG.rule2MinTrailingSilence),
    rule3MaxUtteranceLength: checkSeconds('rule3MaxUtteranceLength', opts.rule3MaxUtteranceLength ?? DEFAULT_ENDPOINT_CONFIG.rule3MaxUtteranceLength),
    blankThreshold: opts.blankThreshold ?? DEFAULT_ENDPOINT_CONFIG.blankThreshold,
  };
  if (typeof c.blankThreshold !== 'number' || !(c.blankThreshold > 0 && c.blankThreshold <= 1)) {
    throw new UsageError(`endpoint: blankThreshold must be a probability in (0, 1], got ${String(c.blankThreshold)}`);
  }
  if (opts.energyFloorDb !== undefined) {
    if (typeof opts.energyFloorDb !== 'number' || !Number.isFinite(opts.energyFloorDb)) throw new UsageError(`endpoint: energyFloorDb must be a finite number of dB (e.g. -60), got ${String(opts.energyFloorDb)}`);
    c.energyFloorDb = opts.energyFloorDb;
  }
  return c;
}

/** Seconds -> the smallest frame count that lasts at least that long (Infinity stays Infinity). */
function toFrames(sec: number, frameSeconds: number): number {
  if (sec === Infinity) return Infinity;
  // The tolerance absorbs float error in sec / frameSeconds (1.2 / 0.03 = 39.99999999999999).
  return Math.max(1, Math.ceil(sec / frameSeconds - 1e-6));
}

/**
 * Per-frame endpoint detector; pure (no I/O, no decoder). After a rule fires it starts the next
 * segment by itself.
 * @example
 * const ep = new Endpointer({ rule2MinTrailingSilence: 0.9 }, 0.03);
 * for (let t = 0; t < frames; t++) {
 *   const reason = ep.accept(Math.exp(logprobs[t * labels + blankId]));
 *   if (reason) console.log(`segment ended after frame ${t}: ${reason}`);
 * }
 */
export class Endpointer {
  readonly config: Readonly<EndpointConfig>;
  readonly frameSeconds: number;
  private readonly rule1Frames: number;
  private readonly rule2Frames: number;
  private readonly rule3Frames: number;
  private frames = 0;
  private trailing = 0;
  private speech = false;

  constructor(config: Partial<EndpointConfig>, frameSeconds: number) {
    if (typeof frameSeconds !== 'number' || !(frameSeconds > 0) || !Number.isFinite(frameSeconds)) throw new UsageError(`Endpointer: frameSeconds must be > 0, got ${String(frameSeconds)}`);
    this.config = Object.freeze(resolveEndpointConfig(config));
    this.frameSeconds = frameSeconds;
    this.rule1Frames = toFrames(this.config.rule1MinTrailingSilence, frameSeconds);
    this.rule2Frames = toFrames(this.config.rule2MinTrailingSilence, frameSeconds);
    this.rule3Frames = toFrames(this.config.rule3MaxUtteranceLength, frameSeconds);
  }

  /** Frames in the current segment. */
  get segmentFrames(): number {
    return this.frames;
  }

  /** Trailing silence frames of the current segment. */
  get trailingSilenceFrames(): number {
    return this.trailing;
  }

  /** Whether the current segment has had a speech frame. */
  get hasSpeech(): boolean {
    return this.speech;
  }

  /**
   * Whether a frame with this blank posterior (and energy) counts as silence.
   * @example
   * ep.isSilence(0.97) // true with the default threshold 0.5
   */
  isSilence(blankProb: number, energyDb?: number): boolean {
    if (blankProb >= this.config.blankThreshold) return true;
    const floor = this.config.energyFloorDb;
    return floor !== undefined && energyDb !== undefined && energyDb < floor;
  }

  /**
   * Take one output frame. Returns the rule that ended the segment at the end of this frame, or
   * undefined while the segment goes on.
   * @example
   * const reason = ep.accept(0.99); // 'silence' | 'pause' | 'max-length' | undefined
   */
  accept(blankProb: number, energyDb?: number): Exclude<EndpointReason, 'end-of-input'> | undefined {
    this.frames++;
    if (this.isSilence(blankProb, energyDb)) {
      this.trailing++;
    } else {
      this.trailing = 0;
      this.speech = true;
    }
    let reason: Exclude<EndpointReason, 'end-of-input'> | undefined;
    if (this.trailing >= this.rule1Frames) reason = 'silence';
    else if (this.speech && this.trailing >= this.rule2Frames) reason = 'pause';
    else if (this.frames >= this.rule3Frames) reason = 'max-length';
    if (reason) this.reset();
    return reason;
  }

  /**
   * Start a new segment (forget the frame counts).
   * @example
   * ep.reset();
   */
  reset(): void {
    this.frames = 0;
    this.trailing = 0;
    this.speech = false;
  }
}
