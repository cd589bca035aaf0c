/**
 * Who says each line of Beneath a Steel Sky, read from the game's scripts.
 *
 * Script modules are files `60400 + m`: u16 LE words, the first of which is the word offset where code begins
 * (the words before it are the offsets of the module's scripts). The code is a stack machine: `push_variable v`
 * (0), `push_number n` (2), `push_offset` (15) and `pop_variable` (6), `pop_offset` (16), jumps with one operand
 * (5, 9, 18), `switch` (14: a count n, n (value, jump) pairs and a default), `call_mcode` (11: the argument count
 * and the function number times 4), and operand-less arithmetic, comparisons and exits. A linear sweep of the
 * code with a symbolic stack recovers the arguments of each speech call:
 * - `fnSpeakMe` / `fnSpeakMeDir` (functions 35, 36) make the player speak: with the id `CUR_ID` (variable 12,
 *   the compact running the script, the player in these scripts) or the constant 3 the line is Foster's;
 * - `fnSpeakWait` / `fnSpeakWaitDir` (37, 38) make another character speak: a constant id names it (1 is Joey);
 *   variable 120 is "the character spoken to", resolved where the same script set it from a constant earlier.
 * A text spoken by more than one character, or by a character the scripts do not name, is left unattributed.
 */
import type { SkyDisk } from './sky-disk.js';

/** First script module file. */
export const SCRIPT_FILE_BASE = 60400;
/** Script variables the speech calls use. */
const VAR_CUR_ID = 12;
const VAR_SPOKEN_TO = 120;
/** Compact ids the scripts use for the two main characters (ScummVM `ID_FOSTER`, `ID_JOEY`). */
export const ID_FOSTER = 3;
export const ID_JOEY = 1;
const FN_SPEAK_ME = 35;
const FN_SPEAK_ME_DIR = 36;
const FN_SPEAK_WAIT = 37;
const FN_SPEAK_WAIT_DIR = 38;

/** A symbolic stack value: a constant, a variable's value, or unknown. */
type Sym = { kind: 'const'; value: number } | { kind: 'var'; index: number } | { kind: 'unknown' };

/** One speech call found in the scripts. */
export interface SpeakCall {
  module: number;
  /** Word offset of the call in the module. */
  at: number;
  fn: number;
  /** The speaker's compact id, or null where the scripts do not fix it. */
  speaker: number | null;
  text: number;
}

const ONE_OPERAND = new Set([0, 2, 5, 6, 9, 15, 16, 18]);
const BINARY = new Set([1, 3, 4, 7, 8, 10, 12, 17]);
const EXITS = new Set([13, 19, 20]);

/**
 * Every speech call with a constant text number in one script module (its u16 words).
 * @example
 * speakCalls(words, 0).filter((c) => c.speaker === ID_FOSTER).length;
 */
export function speakCalls(words: Uint16Array, module: number): SpeakCall[] {
  const out: SpeakCall[] = [];
  let stack: Sym[] = [];
  /** Variable 120 as the current script last set it (forgotten where the next script starts). */
  let spokenTo: number | null = null;
  const codeStart = words[0] ?? words.length;
  const starts = new Set<number>();
  for (let i = 0; i < codeStart && i < words.length; i++) starts.add(words[i]!);
  let p = codeStart;
  const pop = (): Sym => stack.pop() ?? { kind: 'unknown' };
  while (p < words.length) {
    if (starts.has(p)) {
      stack = [];
      spokenTo = null;
    }
    const op = words[p++]!;
    if (op === 11) {
      const n = words[p++] ?? 0;
      const fn = (words[p++] ?? 0) >> 2;
      const args: Sym[] = [];
      for (let k = 0; k < n; k++) args.unshift(pop());
      const [who, text] = args;
      if (fn >= FN_SPEAK_ME && fn <= FN_SPEAK_WAIT_DIR && text?.kind === 'const' && who) {
        let speaker: number | null = null;
        if (who.kind === 'const') speaker = who.value;
        else if (who.kind === 'var' && who.index === VAR_CUR_ID && (fn === FN_SPEAK_ME || fn === FN_SPEAK_ME_DIR)) speaker = ID_FOSTER;
        else if (who.kind === 'var' && who.index === VAR_SPOKEN_TO && (fn === FN_SPEAK_WAIT || fn === FN_SPEAK_WAIT_DIR)) speaker = spokenTo;
        out.push({ module, at: p - 3, fn, speaker, text: text.value });
      }
    } else if (op === 14) {
      const n = words[p++] ?? 0;
      pop();
      p += 2 * n + 1;
    } else if (ONE_OPERAND.has(op)) {
      const v = words[p++] ?? 0;
      if (op === 0) stack.push({ kind: 'var', index: v >> 2 });
      else if (op === 2) stack.push({ kind: 'const', value: v });
      else if (op === 15) stack.push({ kind: 'unknown' });
      else if (op === 6) {
        const x = pop();
        if (v >> 2 === VAR_SPOKEN_TO) spokenTo = x.kind === 'const' ? x.value : null;
      } else if (op !== 9) pop(); // 5, 16, 18 take their value off the stack; 9 (skip always) takes none
    } else if (BINARY.has(op)) {
      pop();
      pop();
      stack.push({ kind: 'unknown' });
    } else if (EXITS.has(op)) {
      stack = [];
    }
  }
  return out;
}

/**
 * The speaker of each text number, from all script modules of the disk: the compact id where every call that
 * speaks the text agrees on a known speaker, else null.
 * @example
 * textSpeakers(disk).get(7); // 3 (Foster)
 */
export function textSpeakers(disk: SkyDisk): Map<number, number | null> {
  const out = new Map<number, number | null>();
  for (let m = 0; disk.has(SCRIPT_FILE_BASE + m); m++) {
    const b = disk.file(SCRIPT_FILE_BASE + m);
    const words = new Uint16Array(b.length >> 1);
    for (let i = 0; i < words.length; i++) words[i] = b[2 * i]! | (b[2 * i + 1]! << 8);
    for (const c of speakCalls(words, m)) {
      if (!out.has(c.text)) out.set(c.text, c.speaker);
      else if (out.get(c.text) !== c.speaker) out.set(c.text, null);
    }
  }
  return out;
}
