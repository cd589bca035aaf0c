/** Result types shared by every decoder. Times are seconds from the start of the audio. */

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
}
