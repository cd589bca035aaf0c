/**
 * Speaker labels for Beneath a Steel Sky's lines, from the speech calls of the scripts ({@link allSpeakCalls})
 * and the names in `sky.cpt` ({@link readCpt}).
 *
 * Each speech call plays a talk animation: entry `anim` of the talk table (compact 0xBC), shifted by the speaker's
 * sprite set (0 or 1) and, for the `...Dir` calls, by twice its facing (0-3). The animations are named after the
 * character (`smlfost_conv`, `anita_normal`, `sc42_judge_talk`, ...), and so are the compacts the calls name by
 * id (`joey`, `sc31_guard`, ...). {@link ANIM_CHARACTERS} and {@link COMPACT_CHARACTERS} turn those names into
 * characters; the grouping (e.g. `sc31_guard`, whose court animation is `sc42_blunt_talk`, is Officer Blunt) is
 * this project's reading of the names, not data from the game.
 *
 * A call's speaker is decided only where the evidence agrees:
 * - a compact id and the animation name the same character, or one names it and the other says nothing;
 * - `CUR_ID` (the running compact, normally the player) with an animation of Foster's among the candidates is
 *   Foster; with candidates that all name one other character, that character;
 * - "the character spoken to" and other variables: the animation candidates must all name one character.
 * A text whose attributing calls disagree, or that no call attributes, is `unknown`.
 */
import type { SkyCompact } from './sky-compact.js';
import type { SpeakCall } from './sky-script.js';

/** Talk-animation names (sky.cpt) and the character each shows speaking. */
export const ANIM_CHARACTERS: readonly (readonly [RegExp, string])[] = [
  [/^(smlfost_|bigfost_|big_f_|fost_|fosta_|fostb_|fostc_|foster_give|fsit_talk|sc42_fos_talk|sc81_fos_sat)/, 'foster'],
  [/^(joey_talk_|big_j_)/, 'joey'],
  [/^(smljobs_talk|bigjobs_talk|jobs_[23]$)/, 'jobsworth'],
  [/^anita_/, 'anita'],
  [/^lamb_/, 'lamb'],
  [/^(foreman_|forprod$)/, 'foreman'],
  [/^shades[12]$/, 'shades'],
  [/^monitor_/, 'monitor'],
  [/^dad_/, 'dad'],
  [/^son_/, 'son'],
  [/^skorl_/, 'skorl'],
  [/^(radman[12]$|rad_)/, 'radman'],
  [/^walter_/, 'walter'],
  [/^burke_/, 'burke'],
  [/^body_talk$/, 'body'],
  [/^anchor_talk/, 'anchor'],
  [/^trevor_talk/, 'trevor'],
  [/^medi_talk_/, 'medi'],
  [/^gall_talk_/, 'gallagher'],
  [/^helga[123]$/, 'helga'],
  [/^(ken_talk_|sc81_ken_|sc82_ken_)/, 'ken'],
  [/^(dani_conv|sc38_dani_|sc42_dani_|sc38_phone_talk)/, 'danielle'],
  [/^sc30_henri_talk$/, 'henri'],
  [/^sc32_vinc_talk$/, 'vincent'],
  [/^(sc31_guard_talk|sc42_blunt_talk)$/, 'blunt'],
  [/^sc32_garden_talk$/, 'gardener'],
  [/^barman_talk$/, 'barman'],
  [/^sc36_col_talk[12]$/, 'colston'],
  [/^sc36_gal_talk$/, 'sc36_gallagher'],
  [/^sc36_juke_talk$/, 'jukebox'],
  [/^sc36_babs_talk$/, 'babs'],
  [/^(sc42_judge_|sc42_jdg_)/, 'judge'],
  [/^sc42_pros_talk$/, 'prosecutor'],
  [/^sc42_jobs_(talk|point)$/, 'sc42_jobsworth'],
  [/^sc42_clerk_talk$/, 'clerk'],
  [/^(sc81_dad_tlk|spec_dat_talk$)/, 'father'],
  [/^sc82_jobs_talk/, 'sc82_jobsworth'],
];

/** Compact names (sky.cpt) of speaking characters and who they are. */
export const COMPACT_CHARACTERS: Readonly<Record<string, string>> = {
  foster: 'foster',
  joey: 'joey',
  jobsworth: 'jobsworth',
  anita: 'anita',
  lamb: 'lamb',
  foreman: 'foreman',
  dad: 'dad',
  son: 'son',
  monitor: 'monitor',
  radman: 'radman',
  anchor: 'anchor',
  medi: 'medi',
  ken: 'ken',
  gallagher: 'gallagher',
  danielle: 'danielle',
  sc31_guard: 'blunt',
  sc36_gallagher: 'sc36_gallagher',
  sc42_prosecution: 'prosecutor',
  sc42_jobsworth: 'sc42_jobsworth',
  sc42_clerk: 'clerk',
  sc42_judge: 'judge',
};

const FN_SPEAK_ME = 35;
const FN_SPEAK_ME_DIR = 36;
const FN_SPEAK_WAIT_DIR = 38;
const FN_ASK_THIS = 70;

function animCharacter(name: string | undefined): string | null {
  if (!name) return null;
  for (const [re, who] of ANIM_CHARACTERS) if (re.test(name)) return who;
  return '?';
}

/** The characters a call's talk animation can show: `strong` from the entry the call names, `weak` from the next
 * entry where the named one is empty (a speaker on sprite set 1, or no animation at all); `'?'` for an animation
 * this module cannot name. */
export interface AnimEvidence {
  strong: Set<string>;
  weak: Set<string>;
}

/**
 * The talk-animation evidence of a call.
 * @example
 * animCandidates(call, talkTable(cpts), cpts).strong; // Set { 'anita' }
 */
export function animCandidates(call: SpeakCall, table: Uint16Array, cpts: Map<number, SkyCompact>): AnimEvidence {
  const out: AnimEvidence = { strong: new Set(), weak: new Set() };
  if (call.anim === null) return out;
  const dir = call.fn === FN_SPEAK_ME_DIR || call.fn === FN_SPEAK_WAIT_DIR;
  for (const s of dir ? [0, 2, 4, 6] : [0]) {
    const base = call.anim + s;
    const first = table[base];
    const who = animCharacter(cpts.get(first ? first : (table[base + 1] ?? 0))?.name);
    if (who) (first ? out.strong : out.weak).add(who);
  }
  return out;
}

function only(set: Set<string>): string | null {
  if (set.size !== 1) return null;
  const [x] = set;
  return x === undefined || x === '?' ? null : x;
}

/** The one character the named entries show, provided no fallback entry (a facing with no animation of its own on
 * sprite set 0) points at someone else: `rad_right` at 17 is Radman's, but 19, 21, 23 are empty and fall through
 * to Joey's sprite-set-1 animations, so a facing call at 17 is Joey's or Radman's and stays undecided. */
function decided(e: AnimEvidence): string | null {
  const who = only(e.strong);
  if (who === null) return null;
  for (const w of e.weak) if (w !== who) return null;
  return who;
}

/**
 * The character of one call, or null where the evidence is missing or disagrees.
 * @example
 * callSpeaker(call, talkTable(cpts), cpts); // 'foster'
 */
export function callSpeaker(call: SpeakCall, table: Uint16Array, cpts: Map<number, SkyCompact>): string | null {
  const evidence = animCandidates(call, table, cpts);
  const { strong, weak } = evidence;
  const any = new Set([...strong, ...weak]);
  if (call.who.kind === 'id') {
    const byId = COMPACT_CHARACTERS[cpts.get(call.who.id)?.name ?? ''] ?? null;
    if (byId === null) return decided(evidence);
    if (strong.size === 0 || (strong.size === 1 && strong.has(byId))) return byId; // weak evidence never overrides an id
    // Foster is drawn with sprite set 1: his calls name the entry before his animation.
    if (byId === 'foster' && call.anim !== null && animCandidates({ ...call, anim: call.anim + 1 }, table, cpts).strong.has('foster')) return byId;
    return null;
  }
  if (call.who.kind === 'current') {
    const player = call.fn === FN_SPEAK_ME || call.fn === FN_SPEAK_ME_DIR || call.fn === FN_ASK_THIS;
    if (!player || call.anim === null) return decided(evidence);
    const plus1 = animCandidates({ ...call, anim: call.anim + 1 }, table, cpts).strong;
    if (any.has('foster') || only(plus1) === 'foster') return 'foster';
    return decided(evidence);
  }
  return decided(evidence);
}

/**
 * Speaker of each text number (one text has one recording, so one speaker): the character the attributing calls
 * agree on; null where they disagree. Texts that no call attributes are absent.
 * @example
 * textCharacters(allSpeakCalls(disk), cpts, talkTable(cpts)).get(7); // 'foster'
 */
export function textCharacters(calls: readonly SpeakCall[], cpts: Map<number, SkyCompact>, table: Uint16Array): Map<number, string | null> {
  const out = new Map<number, string | null>();
  for (const c of calls) {
    const who = callSpeaker(c, table, cpts);
    if (who === null) continue;
    if (!out.has(c.text)) out.set(c.text, who);
    else if (out.get(c.text) !== who) out.set(c.text, null);
  }
  return out;
}
