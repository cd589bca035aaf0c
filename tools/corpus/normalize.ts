/**
 * Text normalisation to the model's labels: lowercase `a`-`z`, apostrophe and space. Numbers,
 * money, percentages, times, ordinals, years, symbols and common abbreviations are written out
 * as words; a sentence that still holds any other character is rejected (`null`). The label is then
 * earshot's one text rule (src/core/text.ts, which eval, lm build and training share) applied to the
 * spoken form, so a corpus label is exactly what scoring and training make of it.
 *
 * Every synthesizer is fed the *spoken* form ({@link normalize}), which is the label text plus
 * sentence punctuation for prosody, so what is said is exactly what the label says.
 */

import { normalizeText } from '../../src/core/text.js';

/** The characters a label may contain (the CTC alphabet without blank). */
export const LABEL_CHARS = " 'abcdefghijklmnopqrstuvwxyz";
const LABEL_SET: readonly string[] = [...LABEL_CHARS];

const ONES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine', 'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen'];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const SCALES = ['', 'thousand', 'million', 'billion', 'trillion'];

function below1000(n: number): string[] {
  const out: string[] = [];
  const h = Math.floor(n / 100);
  const r = n % 100;
  if (h) out.push(ONES[h]!, 'hundred');
  if (r >= 20) {
    out.push(TENS[Math.floor(r / 10)]!);
    if (r % 10) out.push(ONES[r % 10]!);
  } else if (r || !h) {
    out.push(ONES[r]!);
  }
  return out;
}

/**
 * Cardinal number in words, American style without "and" (up to 15 digits).
 * @example
 * cardinal('1234'); // 'one thousand two hundred thirty four'
 */
export function cardinal(digits: string | number): string {
  const s = String(digits).replace(/^0+(?=\d)/, '');
  if (!/^\d{1,15}$/.test(s)) throw new RangeError(`cardinal: expected 1 to 15 digits, got "${digits}"`);
  if (s === '0') return 'zero';
  const groups: number[] = [];
  for (let end = s.length; end > 0; end -= 3) groups.unshift(Number(s.slice(Math.max(0, end - 3), end)));
  const words: string[] = [];
  groups.forEach((g, i) => {
    if (!g) return;
    words.push(...below1000(g));
    const scale = SCALES[groups.length - 1 - i]!;
    if (scale) words.push(scale);
  });
  return words.join(' ');
}

const ORDINAL_IRREGULAR: Record<string, string> = {
  one: 'first', two: 'second', three: 'third', five: 'fifth', eight: 'eighth', nine: 'ninth', twelve: 'twelfth',
};

function ordinalWord(w: string): string {
  if (ORDINAL_IRREGULAR[w]) return ORDINAL_IRREGULAR[w]!;
  if (w.endsWith('y')) return `${w.slice(0, -1)}ieth`;
  return `${w}th`;
}

/**
 * Ordinal number in words.
 * @example
 * ordinal(21); // 'twenty first'
 */
export function ordinal(digits: string | number): string {
  const words = cardinal(digits).split(' ');
  words[words.length - 1] = ordinalWord(words[words.length - 1]!);
  return words.join(' ');
}

/**
 * A year as it is read aloud: 1984 "nineteen eighty four", 1905 "nineteen oh five",
 * 1900 "nineteen hundred", 2005 "two thousand five", 2024 "twenty twenty four".
 * @example
 * year(1999); // 'nineteen ninety nine'
 */
export function year(digits: string | number): string {
  const n = Number(digits);
  if (!Number.isInteger(n) || n < 0 || n > 9999) throw new RangeError(`year: expected 0..9999, got "${digits}"`);
  if (n < 1000 || (n >= 2000 && n < 2010) || n % 1000 === 0) return cardinal(n);
  const hi = Math.floor(n / 100);
  const lo = n % 100;
  if (lo === 0) return `${cardinal(hi)} hundred`;
  if (lo < 10) return `${cardinal(hi)} oh ${cardinal(lo)}`;
  return `${cardinal(hi)} ${cardinal(lo)}`;
}

/** Digits read one by one ("007" -> "zero zero seven"). */
export function digitByDigit(digits: string): string {
  return digits.split('').map((d) => ONES[Number(d)]!).join(' ');
}

/**
 * An integer as read in running text: a cardinal up to 15 digits (hundreds of trillions), longer ones (card and
 * account numbers) digit by digit, as no one reads them as a quantity.
 * @example
 * integerWords('1200'); // 'one thousand two hundred'
 * integerWords('1234567890123456'); // 'one two three four five six seven eight nine zero one two three four five six'
 */
export function integerWords(digits: string | number): string {
  const s = String(digits).replace(/^0+(?=\d)/, '');
  return s.length > 15 ? digitByDigit(s) : cardinal(s);
}

/**
 * A decimal number: integer part as a cardinal (digit by digit beyond 15 digits), fraction digit by digit.
 * @example
 * decimal('3.14'); // 'three point one four'
 */
export function decimal(text: string): string {
  const m = /^(\d*)\.(\d+)$/.exec(text);
  if (!m) return integerWords(text);
  const int = m[1] ? integerWords(m[1]) : 'zero';
  return `${int} point ${digitByDigit(m[2]!)}`;
}

/** A plural of a number word: "sixty" -> "sixties", "hundred" -> "hundreds". */
function pluralWord(w: string): string {
  if (w.endsWith('y')) return `${w.slice(0, -1)}ies`;
  if (w === 'six') return 'sixes';
  return `${w}s`;
}

const CURRENCIES: Record<string, [string, string, string, string]> = {
  // symbol: [unit singular, unit plural, subunit singular, subunit plural]
  $: ['dollar', 'dollars', 'cent', 'cents'],
  '£': ['pound', 'pounds', 'penny', 'pence'],
  '€': ['euro', 'euros', 'cent', 'cents'],
};

/**
 * An amount of money. `scale` is an optional "million"/"billion"/"thousand" that followed it.
 * @example
 * money('$', '4', '50'); // 'four dollars and fifty cents'
 * money('$', '2', '5', 'million'); // 'two point five million dollars'
 */
export function money(symbol: string, whole: string, frac?: string, scale?: string): string {
  const cur = CURRENCIES[symbol];
  if (!cur) throw new RangeError(`money: unknown currency symbol "${symbol}"; expected one of ${Object.keys(CURRENCIES).join(' ')}`);
  const [one, many, subOne, subMany] = cur;
  const w = whole.replace(/,/g, '') || '0';
  if (scale) {
    const num = frac ? decimal(`${w}.${frac}`) : integerWords(w);
    return `${num} ${scale} ${many}`;
  }
  const cents = frac ? Number(frac.length === 1 ? `${frac}0` : frac) : 0;
  const units = Number(w);
  const parts: string[] = [];
  if (units > 0 || cents === 0) parts.push(`${integerWords(w)} ${units === 1 ? one : many}`);
  if (cents > 0) parts.push(`${cardinal(cents)} ${cents === 1 ? subOne : subMany}`);
  return parts.join(' and ');
}

/**
 * A clock time: 3:30 "three thirty", 3:05 "three oh five", 3:00 "three o'clock",
 * 3:00 pm "three p m". `suffix` is "am" or "pm".
 * @example
 * clockTime(7, 45, 'pm'); // 'seven forty five p m'
 */
export function clockTime(h: number, m: number, suffix?: 'am' | 'pm'): string {
  const hw = cardinal(h);
  let s: string;
  if (m === 0) s = suffix ? hw : h > 12 ? `${hw} hundred` : `${hw} o'clock`;
  else if (m < 10) s = `${hw} oh ${cardinal(m)}`;
  else s = `${hw} ${cardinal(m)}`;
  return suffix ? `${s} ${suffix === 'am' ? 'a m' : 'p m'}` : s;
}

const FRACTIONS: Record<string, [string, string]> = {
  // "n/d": [alone, after "and"]
  '1/2': ['one half', 'a half'],
  '1/3': ['one third', 'a third'],
  '2/3': ['two thirds', 'two thirds'],
  '1/4': ['one quarter', 'a quarter'],
  '3/4': ['three quarters', 'three quarters'],
  '1/8': ['one eighth', 'an eighth'],
};

/** Abbreviations that end in a period but do not end a sentence (used by sentence splitters). */
export const NON_FINAL_ABBREVIATIONS = ['mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'prof', 'vs', 'etc', 'e.g', 'i.e', 'no', 'mt', 'ave', 'dept', 'gov', 'capt', 'sgt', 'lt', 'col', 'gen', 'approx', 'a.m', 'p.m', 'u.s'];

/** Abbreviation rules, applied in order on the original-case text. */
const ABBREVIATIONS: [RegExp, string][] = [
  [/\bMrs\.?(?=\s|$)/g, 'missus'],
  [/\bMr\.?(?=\s|$)/g, 'mister'],
  [/\bMs\.?(?=\s|$)/g, 'miss'],
  [/\bDr\.?(?=\s|$)/g, 'doctor'],
  [/\bSt\.?(?=\s+[A-Z])/g, 'saint'],
  [/\bSt\b\.?/g, 'street'],
  [/\bMt\.?(?=\s+[A-Z])/g, 'mount'],
  [/\bAve\b\.?/g, 'avenue'],
  [/\bJr\b\.?/g, 'junior'],
  [/\bSr\b\.?/g, 'senior'],
  [/\bProf\b\.?/g, 'professor'],
  [/\bDept\b\.?/g, 'department'],
  [/\bGov\b\.(?=\s+[A-Z])/g, 'governor'],
  [/\bCapt\b\.?/g, 'captain'],
  [/\bSgt\b\.?/g, 'sergeant'],
  [/\bLt\b\.(?=\s+[A-Z])/g, 'lieutenant'],
  [/\bCol\b\.(?=\s+[A-Z])/g, 'colonel'],
  [/\bGen\b\.(?=\s+[A-Z])/g, 'general'],
  [/\betc\b\.?/gi, 'et cetera'],
  [/\be\.g\.?(?=[\s,]|$)/gi, 'for example'],
  [/\bi\.e\.?(?=[\s,]|$)/gi, 'that is'],
  [/\bvs\b\.?/gi, 'versus'],
  [/\bapprox\b\.?/gi, 'approximately'],
  [/\bU\.S\.A\.?(?=\s|$|[,;:])/g, 'u s a'],
  [/\bU\.S\.?(?=\s|$|[,;:])/g, 'u s'],
  [/\bU\.K\.?(?=\s|$|[,;:])/g, 'u k'],
  [/\bOK\b/g, 'okay'],
  [/\bNo\.\s*(?=\d)/g, 'number '],
  [/#\s*(?=\d)/g, 'number '],
];

const UNITS: Record<string, [string, string]> = {
  ft: ['foot', 'feet'], in: ['inch', 'inches'], mi: ['mile', 'miles'], lb: ['pound', 'pounds'], lbs: ['pound', 'pounds'],
  oz: ['ounce', 'ounces'], kg: ['kilogram', 'kilograms'], g: ['gram', 'grams'], km: ['kilometer', 'kilometers'],
  m: ['meter', 'meters'], cm: ['centimeter', 'centimeters'], mm: ['millimeter', 'millimeters'], mph: ['mile per hour', 'miles per hour'],
  kph: ['kilometer per hour', 'kilometers per hour'], hrs: ['hour', 'hours'], hr: ['hour', 'hours'], min: ['minute', 'minutes'],
  mins: ['minute', 'minutes'], sec: ['second', 'seconds'], secs: ['second', 'seconds'],
};

const SCALE_WORD = '(?:\\s+(thousand|million|billion|trillion)\\b)?';

/** A bare number as read in running text: years as years, decimals with "point". */
function numberWords(n: string): string {
  if (/^(1[1-9]\d\d|20\d\d)$/.test(n)) return year(n);
  return decimal(n);
}

/** Number expansions, applied in order on the text after abbreviations. */
function expandNumbers(t: string): string {
  // Money: $4.50, $1,200, $2.5 million, £3, €10; 50¢.
  t = t.replace(new RegExp(`([$£€])\\s?(\\d{1,3}(?:,\\d{3})+|\\d+)(?:\\.(\\d{1,2}))?(?!\\d)${SCALE_WORD}`, 'g'),
    (_m, sym: string, whole: string, frac: string | undefined, scale: string | undefined) => ` ${money(sym, whole, frac, scale)} `);
  t = t.replace(/(\d+)\s?¢/g, (_m, c: string) => ` ${integerWords(c)} ${c === '1' ? 'cent' : 'cents'} `);
  // Clock times: 3:30, 3:30pm, 7 a.m.
  const ampm = '\\s*([aApP])\\.?\\s?[mM]\\.?(?![a-zA-Z])';
  t = t.replace(new RegExp(`\\b(\\d{1,2}):(\\d{2})(?:${ampm})?(?!\\d)`, 'g'), (m, h: string, mm: string, ap: string | undefined) => {
    const hn = Number(h);
    const mn = Number(mm);
    if (hn > 24 || mn > 59) return m;
    return ` ${clockTime(hn, mn, ap ? (ap.toLowerCase() === 'a' ? 'am' : 'pm') : undefined)} `;
  });
  t = t.replace(new RegExp(`\\b(\\d{1,2})${ampm}`, 'g'), (m, h: string, ap: string) =>
    Number(h) > 12 ? m : ` ${clockTime(Number(h), 0, ap.toLowerCase() === 'a' ? 'am' : 'pm')} `);
  // Percentages.
  t = t.replace(/(\d{1,3}(?:,\d{3})+|\d*\.\d+|\d+)\s?(%|percent\b|per cent\b)/g, (_m, n: string) => ` ${decimal(n.replace(/,/g, ''))} percent `);
  // Ordinals: 1st, 22nd, 103rd, 4th.
  t = t.replace(/\b(\d{1,12})(st|nd|rd|th)\b/gi, (_m, n: string) => ` ${ordinal(n)} `);
  // Decades: 1960s, 60s, '60s.
  t = t.replace(/(?:\b|')(\d{2}|1\d{3}|20\d{2})'?s\b/g, (m, n: string) => {
    if (n.length === 4 && Number(n) % 10 !== 0) return m;
    if (n.length === 2 && Number(n) % 10 !== 0) return m;
    const words = (n.length === 4 ? year(n) : cardinal(n)).split(' ');
    words[words.length - 1] = pluralWord(words[words.length - 1]!);
    return ` ${words.join(' ')} `;
  });
  // Fractions, with an optional whole part: 2 1/2, 3/4.
  t = t.replace(/\b(?:(\d+)\s+)?(\d)\/(\d)\b/g, (m, whole: string | undefined, n: string, d: string) => {
    const f = FRACTIONS[`${n}/${d}`];
    if (!f) return m;
    return whole ? ` ${integerWords(whole)} and ${f[1]} ` : ` ${f[0]} `;
  });
  // Ranges: 10-20 -> ten to twenty.
  t = t.replace(/\b(\d+(?:\.\d+)?)\s?-\s?(\d+(?:\.\d+)?)\b/g, (_m, a: string, b: string) => ` ${numberWords(a)} to ${numberWords(b)} `);
  // Numbers glued to x: 4x4 -> four by four.
  t = t.replace(/\b(\d+)\s?x\s?(\d+)\b/g, (_m, a: string, b: string) => ` ${integerWords(a)} by ${integerWords(b)} `);
  // Negative numbers.
  t = t.replace(/(^|[\s(])-(\d)/g, '$1 minus $2');
  // Numbers followed by a unit abbreviation.
  t = t.replace(/\b(\d+(?:\.\d+)?)\s?(ft|in|mi|lbs?|oz|kg|g|km|m|cm|mm|mph|kph|hrs?|mins?|secs?)\b\.?/g, (m, n: string, u: string) => {
    if (u === 'in' || u === 'm' || u === 'g' || u === 'min' || u === 'sec') {
      // Too ambiguous without a glued number ("5 in the morning"); only take the glued form.
      if (/\s/.test(m)) return m;
    }
    const [one, many] = UNITS[u]!;
    return ` ${n.includes('.') ? decimal(n) : integerWords(n)} ${n === '1' ? one : many} `;
  });
  // Decimals and thousands separators.
  t = t.replace(/(?<![\d.])(\d{1,3}(?:,\d{3})+)(?![\d,]*\d)/g, (_m, n: string) => ` ${integerWords(n.replace(/,/g, ''))} `);
  t = t.replace(/(?<![\d.])(\d*\.\d+)(?![\d.]*\d)/g, (_m, n: string) => ` ${decimal(n)} `);
  // Years, then any other integer.
  t = t.replace(/\b(1[1-9]\d\d|20\d\d)\b/g, (_m, n: string) => ` ${year(n)} `);
  t = t.replace(/\b(\d+)\b/g, (_m, n: string) => {
    if (n.length > 1 && n.startsWith('0')) return ` ${digitByDigit(n)} `;
    return ` ${integerWords(n)} `;
  });
  return t;
}

/** Map typographic Unicode to ASCII; keeps currency signs for the money rules. */
function foldUnicode(t: string): string {
  return t
    .replace(/[\u2018\u2019\u201b\u02bc\u00b4]/g, "'")
    .replace(/[\u201c\u201d\u201e\u00ab\u00bb]/g, '"')
    .replace(/[\u2013\u2014\u2015]/g, ' -- ')
    .replace(/\u2026/g, '...')
    .replace(/[\u00a0\u2009\u202f]/g, ' ');
}

/** The result of {@link normalize}. */
export interface Normalized {
  /** Label text: `a`-`z`, apostrophe and single spaces. */
  label: string;
  /** What the synthesizers are given: the label words plus `, . ? !` for prosody. */
  spoken: string;
}

/**
 * Normalise one sentence. Returns `null` when it cannot be written in the label alphabet
 * (leftover digits, symbols, non-ASCII, ...).
 * @example
 * normalize('Dr. Smith paid $4.50 at 3:30.');
 * // { label: 'doctor smith paid four dollars and fifty cents at three thirty',
 * //   spoken: 'doctor smith paid four dollars and fifty cents at three thirty.' }
 */
export function normalize(raw: string): Normalized | null {
  let t = foldUnicode(raw);
  if (/[^\x20-\x7e£€¢\t\n]/.test(t)) return null;
  t = t.replace(/\s+/g, ' ');
  for (const [re, rep] of ABBREVIATIONS) t = t.replace(re, rep);
  t = expandNumbers(t);
  if (/[£€¢$]/.test(t)) return null;
  t = t
    .replace(/&/g, ' and ')
    .replace(/\+/g, ' plus ')
    .replace(/@/g, ' at ')
    .replace(/=/g, ' equals ')
    .replace(/%/g, ' percent ');
  // Sentence punctuation: dashes, ellipses, semicolons and colons become commas.
  t = t.replace(/\s*(?:--+|\.\.\.+|;|:)\s*/g, ', ');
  t = t.replace(/(\w)-(?=\w)/g, '$1 '); // hyphenated words
  t = t.replace(/\s-\s/g, ', ');
  t = t.replace(/["`()[\]{}]/g, ' ');
  t = t.toLowerCase();
  // Apostrophes: keep word-internal ones only.
  t = t.replace(/(^|[^a-z])'+/g, '$1').replace(/'+(?![a-z])/g, '');
  if (/[^a-z' ,.?!]/.test(t)) return null;
  // Tidy punctuation: no space before, one after, no runs, none at the start.
  t = t.replace(/\s+([,.?!])/g, '$1').replace(/([,.?!])(?=[^\s,.?!])/g, '$1 ');
  t = t.replace(/([,.?!])[,.?!]+/g, (_m, first: string) => first);
  t = t.replace(/,\s*([.?!])/g, '$1');
  t = t.replace(/\s+/g, ' ').trim().replace(/^[,.?!\s]+/, '');
  // A period inside the sentence (after expansions) is a pause.
  t = t.replace(/\.(?=\s+\S)/g, ',');
  const label = normalizeText(t, LABEL_SET);
  if (!label || !/[a-z]/.test(label)) return null;
  let spoken = t;
  if (!/[.?!]$/.test(spoken)) spoken = `${spoken.replace(/,$/, '')}.`;
  // "a m" said as letters: a lone "a" would be read as the article.
  spoken = spoken.replace(/\ba m\b/g, 'A.M.').replace(/\bp m\b/g, 'P.M.');
  return { label, spoken };
}

/**
 * Label text only (see {@link normalize}).
 * @example
 * normalizeLabel('It costs 50%.'); // 'it costs fifty percent'
 */
export function normalizeLabel(raw: string): string | null {
  return normalize(raw)?.label ?? null;
}
