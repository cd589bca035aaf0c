/**
 * Grouping of decoded tokens into text and words. A label that is whitespace or "|" separates words,
 * and so does a pause: a gap between two tokens of at least `pauseSeconds` (a run of blank frames the
 * decoder saw), so a word never spans a pause whatever the model emits there.
 */
import { UsageError } from '../core/errors.js';
import type { TokenResult, WordResult } from './types.js';

/** Seconds of blank between two tokens that end a word when the model emits no separator: a short pause between words. */
export const DEFAULT_WORD_PAUSE_SECONDS = 0.3;

/**
 * The pause that ends a word, in whole model frames (at least 1): `pauseSeconds` (default 0.3 s) at the
 * model's frame rate. Infinity turns pause splitting off. Throws UsageError on a value that is not > 0.
 * @example
 * pauseFrames(undefined, 0.03) // 10
 */
export function pauseFrames(pauseSeconds: number | undefined, frameSeconds: number): number {
  const s = pauseSeconds ?? DEFAULT_WORD_PAUSE_SECONDS;
  if (typeof s !== 'number' || Number.isNaN(s) || !(s > 0)) throw new UsageError(`decoder: pauseSeconds must be a number of seconds > 0 (Infinity: never end a word at a pause), got ${String(s)}`);
  return s === Infinity ? Infinity : Math.max(1, Math.round(s / frameSeconds));
}

/** True for labels that separate words (" " or the wav2vec-style "|"). */
export function isWordSeparator(label: string): boolean {
  return label === '|' || label.trim() === '';
}

/**
 * Group tokens into words: times from the first and last token, confidence = the lowest token confidence.
 * A gap of `pauseSeconds` or more between two tokens ends the word too (default: never).
 * @example
 * tokensToWords(tokens).map((w) => w.word);
 * tokensToWords(tokens, 0.3); // also split where 0.3 s or more of blank lies between two letters
 */
export function tokensToWords(tokens: readonly TokenResult[], pauseSeconds = Infinity): WordResult[] {
  // Token times are whole frames times a frame length: allow for rounding in the subtraction.
  const minGap = pauseSeconds - 1e-6;
  const words: WordResult[] = [];
  let cur: TokenResult[] = [];
  const flush = (): void => {
    if (cur.length === 0) return;
    words.push({
      word: cur.map((t) => t.label).join(''),
      start: cur[0]!.start,
      end: cur[cur.length - 1]!.end,
      confidence: Math.min(...cur.map((t) => t.confidence)),
    });
    cur = [];
  };
  for (const t of tokens) {
    if (isWordSeparator(t.label)) flush();
    else {
      if (cur.length > 0 && t.start - cur[cur.length - 1]!.end >= minGap) flush();
      cur.push(t);
    }
  }
  flush();
  return words;
}

/**
 * The transcript: words joined by single spaces, no leading/trailing space.
 * @example
 * tokensToText(tokens) // "hello world"
 */
export function tokensToText(tokens: readonly TokenResult[], pauseSeconds = Infinity): string {
  return tokensToWords(tokens, pauseSeconds).map((w) => w.word).join(' ');
}
