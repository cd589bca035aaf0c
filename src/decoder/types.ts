/** Result types shared by every decoder, and the beam decoder's LM ranges. Times are seconds from the start of the audio. */

/**
 * Allowed beam-search LM weight, [min, max]. The decoder owns it; model metadata (an LM recommendation) and the
 * CLI check their numbers against the same range.
 * @example
 * const [lo, hi] = LM_WEIGHT_RANGE; // [0, 100]
 */
export const LM_WEIGHT_RANGE = [0, 100] as const;

/**
 * Allowed beam-search per-word bonus, [min, max] (see LM_WEIGHT_RANGE).
 * @example
 * const [lo, hi] = WORD_BONUS_RANGE; // [-100, 100]
 */
export const WORD_BONUS_RANGE = [-100, 100] as const;

/** One emitted output unit (a character or phone). */
export interface TokenResult {
  /** Output unit id (index into the model's labels). */
  id: number;
  /** The label text, e.g. "a" or " ". */
  label: string;
  /** Start of the first frame the unit was emitted on. */
  start: number;
  /** End of the last frame of the same run. */
  end: number;
  /** Mean posterior probability of the unit over its frames, in [0, 1]. */
  confidence: number;
}

/** One word: a run of tokens between word separators. */
export interface WordResult {
  word: string;
  start: number;
  end: number;
  /** The lowest token confidence in the word, in [0, 1]: a word is as sure as its weakest letter. */
  confidence: number;
}

/** What a decoder has produced so far (or in total, once finished). */
export interface DecodeResult {
  text: string;
  words: WordResult[];
  tokens: TokenResult[];
  /**
   * Closed-phrase decoding only: the phrase matched (its index in the list, its normalized text and a
   * confidence in [0, 1]), or null when no phrase reached the threshold (then text is "").
   */
  phrase?: PhraseMatch | null;
}

/** The phrase a closed-vocabulary decode matched. */
export interface PhraseMatch {
  index: number;
  text: string;
  /** exp of the log-likelihood ratio of the phrase (all its alignments) to the best unconstrained path, per frame where that path is not blank; capped at 1. */
  confidence: number;
}
