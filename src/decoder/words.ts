/** Grouping of decoded tokens into text and words. A label that is whitespace or "|" separates words. */
import type { TokenResult, WordResult } from './types.js';

/** True for labels that separate words (" " or the wav2vec-style "|"). */
export function isWordSeparator(label: string): boolean {
  return label === '|' || label.trim() === '';
}

/**
 * Group tokens into words: times from the first and last token, confidence = the lowest token confidence.
 * @example
 * tokensToWords(tokens).map((w) => w.word);
 */
export function tokensToWords(tokens: readonly TokenResult[]): WordResult[] {
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
    else cur.push(t);
  }
  flush();
  return words;
}

/**
 * The transcript: words joined by single spaces, no leading/trailing space.
 * @example
 * tokensToText(tokens) // "hello world"
 */
export function tokensToText(tokens: readonly TokenResult[]): string {
  return tokensToWords(tokens).map((w) => w.word).join(' ');
}
