/** The word language-model contract the beam decoder fuses with. Scores are natural logs. */

/**
 * A word n-gram language model.
 * @example
 * const lp = lm.score(['<s>', 'turn'], 'on'); // ln P(on | <s> turn)
 */
export interface LanguageModel {
  /** The n-gram order (1 = unigram). */
  readonly order: number;
  /**
   * ln P(word | history). `history` is the words before `word`, oldest first, starting with "<s>"
   * at the start of an utterance; only the last `order - 1` are used. Unknown words score as "<unk>".
   * @example
   * lm.score(['<s>'], 'hello')
   */
  score(history: readonly string[], word: string): number;
}
