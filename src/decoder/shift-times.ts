/**
 * Moving a decoder's times from the frames the model ran over to the input the caller gave. The recognizer
 * runs the model over a lead of silence before the input (see DEFAULT_LEADING_SILENCE_SECONDS in
 * src/recognizer.ts), so a decoder's frame f is input frame f - lead. Decoder times are whole frames times
 * the frame length; they are mapped back to their frame index and multiplied again, so a time comes out
 * bit for bit as a decoder that never saw the lead would give it, and float error does not accumulate.
 */
import type { DecodeResult } from './types.js';

/**
 * A time in seconds of the model's frames, as seconds of the input: `frames` earlier, clamped to
 * [0, durationSec] (the model may emit a first letter in the lead, before the input begins).
 * @example
 * inputTime(0.36, 8, 0.03, 2); // (12 - 8) * 0.03 = 0.12
 * inputTime(0.18, 8, 0.03, 2); // 0: emitted in the lead
 */
export function inputTime(t: number, frames: number, frameSeconds: number, durationSec: number): number {
  if (frames === 0) return Math.min(t, durationSec);
  const s = (Math.round(t / frameSeconds) - frames) * frameSeconds;
  return s < 0 ? 0 : s > durationSec ? durationSec : s;
}

/**
 * A decode result with every word and token time moved `frames` output frames earlier and clamped to
 * [0, durationSec] (see {@link inputTime}). Text, labels, confidences and the phrase are unchanged.
 * @example
 * const r = shiftResultTimes(decoder.result(), 8, 0.03, stream.durationSec);
 */
export function shiftResultTimes(r: DecodeResult, frames: number, frameSeconds: number, durationSec: number): DecodeResult {
  const at = (t: number): number => inputTime(t, frames, frameSeconds, durationSec);
  return {
    ...r,
    words: r.words.map((w) => ({ ...w, start: at(w.start), end: at(w.end) })),
    tokens: r.tokens.map((t) => ({ ...t, start: at(t.start), end: at(t.end) })),
  };
}
