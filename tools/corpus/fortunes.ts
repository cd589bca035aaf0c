/**
 * Sentences from Debian's fortune databases (/usr/share/games/fortunes): entries are split on
 * `%` lines, attributions ("-- Author"), speaker labels, overstrike and formatting are removed,
 * each entry is split into sentences, and sentences that look like code, chess notation, lists
 * or acronym soup are dropped.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { NON_FINAL_ABBREVIATIONS } from './normalize.js';

/** The default fortune directory on Debian. */
export const FORTUNE_DIR = '/usr/share/games/fortunes';

/** Databases skipped whole: pictures, foreign languages, or mostly code. */
export const SKIPPED_DATABASES = new Set(['ascii-art', 'art', 'translate-me', 'perl', 'paradoxum']);

/** One raw sentence and the database it came from. */
export interface RawSentence {
  text: string;
  source: string;
}

/**
 * The entries of one fortune file: cleaned text of each `%`-separated entry.
 * @example
 * fortuneEntries('A.\n%\nB.\n'); // ['A.', 'B.']
 */
export function fortuneEntries(content: string): string[] {
  const out: string[] = [];
  // Overstrike ("_\bx", "x\bx") leaves only the final character.
  const text = content.replace(/[^\n]\x08/g, '').replace(/\r/g, '');
  for (const block of text.split(/^%\s*$/m)) {
    const lines = block.split('\n');
    const kept: string[] = [];
    for (const line of lines) {
      // An attribution line ends the entry's text.
      if (/^\s*(--|\u2014|~~)\s*\S/.test(line) || /^\s{4,}-\s*[A-Z]/.test(line)) break;
      kept.push(line);
    }
    let body = kept.join('\n');
    // Inline attribution at the very end: "... true. -- Mark Twain"
    body = body.replace(/\s+--\s*[A-Z][^.!?]*$/, '');
    // Speaker labels and Q/A markers at line starts: "Q:", "A:", "Kirk:", "[Spock]".
    body = body.replace(/^\s*(?:[QA]|[A-Z][a-zA-Z.']{1,20}(?: [A-Z][a-zA-Z.']{1,20}){0,2}):\s+/gm, '');
    body = body.replace(/^\s*\[[^\]]*\]\s*$/gm, '');
    if (body.trim()) out.push(body.trim());
  }
  return out;
}

const ABBREV = new Set(NON_FINAL_ABBREVIATIONS);

/**
 * Split running text into sentences at `.`, `!`, `?` followed by a capital letter or quote,
 * except after abbreviations and initials.
 * @example
 * splitSentences('Mr. Smith came. He sat down!'); // ['Mr. Smith came.', 'He sat down!']
 */
export function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/g, ' ').trim();
  const out: string[] = [];
  const re = /[.!?]+["')\]]*(?=\s+["'(`]*[A-Z0-9])/g;
  let start = 0;
  for (let m = re.exec(flat); m; m = re.exec(flat)) {
    const end = m.index + m[0].length;
    const before = flat.slice(start, m.index);
    const lastWord = /([A-Za-z.]+)$/.exec(before)?.[1] ?? '';
    const lw = lastWord.toLowerCase().replace(/\.$/, '');
    if (m[0].startsWith('.') && (ABBREV.has(lw) || /^[A-Z]$/.test(lastWord))) continue;
    out.push(flat.slice(start, end).trim());
    start = end;
  }
  const rest = flat.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * Does a raw sentence look like prose worth speaking? Rejects fragments, code, chess notation,
 * lists, shouting headlines and lines that are mostly not words.
 */
export function looksLikeProse(s: string): boolean {
  if (!/^["'(`]*[A-Z0-9]/.test(s)) return false; // starts mid-sentence
  if (!/[.!?]["')\]]*$/.test(s)) return false; // a fragment without an end
  if (/[<>{}|\\^~_*=#]|\$[A-Za-z]|::|\/\/|\b\w+\(\)|https?:|www\.|\.(com|org|net|edu)\b/.test(s)) return false; // code, URLs, markup
  if (/\b[KQRBN]?[a-h]x?[1-8]\b|\b[PNBRQK]-[KQ]?[RNB]?\d\b|\bO-O\b|\b\d+\.\s*\.\.\./.test(s)) return false; // chess
  if (/^\s*(\d+|[a-z])[.)]\s/.test(s)) return false; // list items
  if (/\s{3,}/.test(s)) return false;
  const words = s.split(/\s+/);
  const caps = words.filter((w) => /^[^a-z]*[A-Z]{2,}[^a-z]*$/.test(w)).length;
  if (caps >= 2 && caps / words.length > 0.3) return false; // acronym soup or headline
  const letters = (s.match(/[A-Za-z]/g) ?? []).length;
  if (letters / s.length < 0.7) return false;
  return true;
}

/**
 * Every candidate sentence from the fortune databases in `dir` (raw, not yet normalised).
 * @example
 * const raw = await fortuneSentences('/usr/share/games/fortunes');
 */
export async function fortuneSentences(dir: string = FORTUNE_DIR): Promise<RawSentence[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (e) {
    throw new Error(`cannot read the fortune databases in ${dir}: install them with "apt-get install fortunes fortunes-min" or pass --fortunes DIR`, { cause: e });
  }
  const out: RawSentence[] = [];
  for (const name of names.sort()) {
    if (name.includes('.') || SKIPPED_DATABASES.has(name)) continue;
    const file = path.join(dir, name);
    const st = await fs.stat(file);
    if (!st.isFile()) continue;
    const content = await fs.readFile(file, 'utf8');
    for (const entry of fortuneEntries(content)) {
      for (const s of splitSentences(entry)) {
        const clean = s.replace(/^["'`(]+/, '').replace(/["')]+$/, '').replace(/^["'`]+|["'`]+(?=[.!?]$)/g, '').trim();
        if (looksLikeProse(clean)) out.push({ text: clean, source: `fortune/${name}` });
      }
    }
  }
  return out;
}
