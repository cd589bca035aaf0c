/**
 * Who says each line of Beneath a Steel Sky, read from the game's scripts.
 *
 * Script modules are files `60400 + m`: u16 LE words, the first of which is the word offset where code begins
 * (the words before it are the offsets of the module's scripts). The code is a stack machine: `push_variable v`
 * (0), `push_number n` (2), `push_offset` (15) and `pop_variable` (6), `pop_offset` (16), jumps with one operand
 * (5, 9, 18), `switch` (14: a count n, n (value, jump) pairs and a default), `call_mcode` (11: the argument count
 * and the function number times 4), and operand-less arithmetic, comparisons and exits. A linear sweep of the
 * code with a symbolic stack recovers the arguments of each call that speaks a constant text number:
 * - `fnSpeakMe` / `fnSpeakMeDir` (functions 35, 36: the running compact speaks; usually the player) and
 *   `fnSpeakWait` / `fnSpeakWaitDir` (37, 38: another character speaks), each (who, text, talk animation);
 * - `fnAskThis` (70: a dialogue option the player then says), (text, talk animation).
 * `who` is a constant compact id, `CUR_ID` (variable 12), or variable 120 ("the character spoken to", which the
 * game sets from the clicked compact; known here only where the same script set it from a constant). Who these
 * are is decided in `sky-speakers.ts`, mostly from the talk animation.
 */
import type { SkyDisk } from './sky-disk.js';

/** First script module file. */
export const SCRIPT_FILE_BASE = 60400;
/** Script variables the speech calls use. */
const VAR_CUR_ID = 12;
const VAR_SPOKEN_TO = 120;
const FN_SPEAK_ME = 35;
const FN_SPEAK_ME_DIR = 36;
const FN_SPEAK_WAIT = 37;
const FN_SPEAK_WAIT_DIR = 38;
const FN_ASK_THIS = 70;

/** A symbolic stack value: a constant, a variable's value, or unknown. */
type Sym = { kind: 'const'; value: number } | { kind: 'var'; index: number } | { kind: 'unknown' };

/** Who a speech call names: a compact id, the running compact (`CUR_ID`), or a value the sweep cannot fix. */
export type SpeakerRef = { kind: 'id'; id: number } | { kind: 'current' } | { kind: 'unknown' };

/** One speech call (or player dialogue option) with a constant text number found in the scripts. */
export interface SpeakCall {
  module: number;
  /** Word offset of the call in the module. */
  at: number;
  /** 35-38: fnSpeakMe, fnSpeakMeDir, fnSpeakWait, fnSpeakWaitDir; 70: fnAskThis (a dialogue option). */
  fn: number;
  who: SpeakerRef;
  text: number;
  /** The talk-animation index, where constant. */
  anim: number | null;
}

const ONE_OPERAND = new Set([0, 2, 5, 6, 9, 15, 16, 18]);
const BINARY = new Set([1, 3, 4, 7, 8, 10, 12, 17]);
const EXITS = new Set([13, 19, 20]);

/**
 * Every speech call with a constant text number in one script module (its u16 words).
 * @example
 * speakCalls(words, 0).filter((c) => c.who.kind === 'current').length;
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
      if (fn >= FN_SPEAK_ME && fn <= FN_SPEAK_WAIT_DIR) {
        const [who, text, anim] = args;
        if (text?.kind === 'const' && who) {
          let ref: SpeakerRef = { kind: 'unknown' };
          if (who.kind === 'const') ref = { kind: 'id', id: who.value };
          else if (who.kind === 'var' && who.index === VAR_CUR_ID) ref = { kind: 'current' };
          else if (who.kind === 'var' && who.index === VAR_SPOKEN_TO && spokenTo !== null) ref = { kind: 'id', id: spokenTo };
          out.push({ module, at: p - 3, fn, who: ref, text: text.value, anim: anim?.kind === 'const' ? anim.value : null });
        }
      } else if (fn === FN_ASK_THIS) {
        const [text, anim] = args;
        if (text?.kind === 'const') {
          out.push({ module, at: p - 3, fn, who: { kind: 'current' }, text: text.value, anim: anim?.kind === 'const' ? anim.value : null });
        }
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
 * Every speech call of every script module of the disk (files 60400 on).
 * @example
 * allSpeakCalls(disk).length; // about 3,700 for v0.0372
 */
export function allSpeakCalls(disk: SkyDisk): SpeakCall[] {
  const out: SpeakCall[] = [];
  for (let m = 0; disk.has(SCRIPT_FILE_BASE + m); m++) {
    const b = disk.file(SCRIPT_FILE_BASE + m);
    const words = new Uint16Array(b.length >> 1);
    for (let i = 0; i < words.length; i++) words[i] = b[2 * i]! | (b[2 * i + 1]! << 8);
    out.push(...speakCalls(words, m));
  }
  return out;
}
