/**
 * The one rule that turns written text into what a model can spell: used for scoring (`earshot eval`), for the
 * n-gram LM's sentences (`earshot lm build`) and for corpus labels (tools/corpus/normalize.ts, which first spells
 * out numbers and symbols). tools/train/text.py `normalize_text` is the same rule in Python for training; the two are
 * tested equal on test/fixtures/text/normalize.json.
 */

/** The rule in words (eval's --json report carries it). */
export const TEXT_NORMALIZATION =
  'Unicode NFKC, lower case; every character that is not a letter, digit or apostrophe (punctuation, symbols, hyphens) becomes a space; ' +
  'apostrophes are kept inside words only when the model has an apostrophe label (else removed: "don\'t" -> "dont"); ' +
  'letters the model cannot spell lose their accents when that makes them spellable ("café" -> "cafe"); whitespace collapsed to single spaces, trimmed';

/**
 * Normalize text (see {@link TEXT_NORMALIZATION}); `labels` is the model's label set (optional: without it
 * apostrophes are kept inside words and accents are kept). Curly apostrophes (U+2018, U+2019, U+02BC) count as
 * apostrophes. Digits stay digits: spelling them out is the corpus tool's job.
 * @example
 * normalizeText('Milk, eggs -- and BREAD.') // 'milk eggs and bread'
 * normalizeText('Don’t', ['a', 'd', 'n', 'o', 't']) // 'dont'
 */
export function normalizeText(s: string, labels?: readonly string[]): string {
  const known = labels ? new Set(labels.map((l) => l.toLowerCase())) : undefined;
  const keepApostrophe = known ? known.has("'") : true;
  let t = s.normalize('NFKC').toLowerCase().replace(/[\u2018\u2019\u02bc]/g, "'");
  t = t.replace(/[^\p{L}\p{N}']+/gu, ' ');
  // Apostrophes: quotes around words go; inside a word they stay when the model can write them.
  t = t.split(' ').map((w) => w.replace(/^'+|'+$/g, '')).map((w) => (keepApostrophe ? w : w.replace(/'/g, ''))).join(' ');
  if (known) {
    t = [...t].map((ch) => {
      if (ch === ' ' || known.has(ch)) return ch;
      const bare = ch.normalize('NFD').replace(/\p{M}+/gu, '');
      return bare !== ch && [...bare].every((c) => known.has(c)) ? bare : ch;
    }).join('');
  }
  return t.replace(/\s+/g, ' ').trim();
}

/**
 * The words of a normalized text ({@link normalizeText}); [] when nothing is left.
 * @example
 * textWords("Don't STOP -- now!") // ["don't", 'stop', 'now']
 */
export function textWords(s: string, labels?: readonly string[]): string[] {
  const t = normalizeText(s, labels);
  return t === '' ? [] : t.split(' ');
}
