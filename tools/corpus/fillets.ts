/**
 * Fish Fillets NG (`fillets-ng-data`): the voice clips under `sound/<level>/en/*.ogg`, paired by file name with
 * the English dialogue scripts `script/<level>/dialogs_en.lua` (`dialogId("<file>", "<font>", "<text>")`).
 *
 * What the data holds (checked on the Debian package): the `en` folders are the game's language-independent
 * voices, not English dialogue (the fish speak only in the Czech and Dutch add-on packages). Most clips are sound
 * effects with an empty text, some are German or Russian lines, songs or noises written in capitals, a few are
 * hexadecimal strings. So the importer keeps only clips whose text is non-empty English: every word in the system
 * word list (`wamerican`), not written all in capitals (onomatopoeia such as "CLICK"), and reports the rest.
 *
 * Speaker: the file name's character code (`<level>-<who>-<name>`): `m` the small fish, `v` the big fish, `x`
 * (anyone else) the level, any other code that level's character.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import type { Recording } from './import.js';

/** One `dialogId(...)` line of a Lua dialogue script. */
export interface FilletsDialog {
  id: string;
  font: string;
  text: string;
}

/**
 * Every `dialogId("<id>", "<font>", "<text>")` of a dialogs_<lang>.lua script (Lua string escapes undone).
 * @example
 * parseFilletsDialogs('dialogId("disk-x-au0", "font_darkgrey", "Oh.")'); // [{ id: 'disk-x-au0', font: 'font_darkgrey', text: 'Oh.' }]
 */
export function parseFilletsDialogs(lua: string): FilletsDialog[] {
  const out: FilletsDialog[] = [];
  const str = String.raw`"((?:[^"\\]|\\.)*)"`;
  const re = new RegExp(String.raw`dialogId\(\s*${str}\s*,\s*${str}\s*,\s*${str}\s*\)`, 'g');
  const unescape = (s: string): string => s.replace(/\\(n|t|"|'|\\)/g, (_, c: string) => ({ n: '\n', t: '\t' } as Record<string, string>)[c] ?? c);
  for (const m of lua.matchAll(re)) out.push({ id: unescape(m[1]!), font: unescape(m[2]!), text: unescape(m[3]!) });
  return out;
}

/**
 * The speaker of a clip from its file name: `bot-m-vidis` -> small fish, `bot-v-...` -> big fish,
 * `deu-p-los` -> `fillets-deu-p`, `disk-x-au0` -> the level (`fillets-<level>`).
 * @example
 * filletsSpeaker('deu-l-ja', 'elk'); // 'fillets-deu-l'
 */
export function filletsSpeaker(clip: string, level: string): string {
  const m = /^([^-]+)-([^-]+)-/.exec(clip);
  if (!m) return `fillets-${level}`;
  if (m[2] === 'm') return 'fillets-small-fish';
  if (m[2] === 'v') return 'fillets-big-fish';
  if (m[2] === 'x') return `fillets-${level}`;
  return `fillets-${m[1]}-${m[2]}`;
}

/** Why a dialogue text is not English speech to import, or undefined when it is. */
export function filletsTextProblem(text: string, words: ReadonlySet<string>): string | undefined {
  const t = text.trim();
  if (!t) return 'no text (a sound effect)';
  if (/[0-9]/.test(t)) return `digits, not speech: "${t.slice(0, 40)}"`;
  const letters = t.replace(/[^A-Za-z]/g, '');
  if (letters.length > 1 && letters === letters.toUpperCase()) return `written in capitals (a noise or caption): "${t}"`;
  const unknown = t.toLowerCase().split(/[^a-z']+/).map((w) => w.replace(/^'+|'+$/g, '')).filter((w) => w && !words.has(w));
  if (unknown.length) return `not English (${unknown.slice(0, 3).join(', ')} not in the word list): "${t.slice(0, 60)}"`;
  return undefined;
}

/**
 * A word list (one word a line, e.g. /usr/share/dict/american-english from `wamerican`) as a lower-case set.
 * @example
 * const words = await readWordList('/usr/share/dict/american-english');
 */
export async function readWordList(file: string): Promise<Set<string>> {
  const text = await fs.readFile(file, 'utf8').catch((e: unknown) => {
    throw new UsageError(`${file}: cannot read the word list (${e instanceof Error ? e.message : String(e)}); apt-get install -y wamerican`);
  });
  return new Set(text.split('\n').map((w) => w.trim().toLowerCase()).filter(Boolean));
}

/** What the fillets importer found: the recordings to import and the clips it left out, with why. */
export interface FilletsScan {
  recordings: Recording[];
  skipped: { file: string; reason: string }[];
}

/**
 * Pair `<root>/sound/<level>/en/*.ogg` with the English scripts under `<root>/script/` (a clip is looked up in
 * its own level's script first, then in any level's: some levels reuse another's voices).
 * @example
 * const { recordings } = await filletsRecordings('/usr/share/games/fillets-ng', words);
 */
export async function filletsRecordings(root: string, words: ReadonlySet<string>): Promise<FilletsScan> {
  const scriptDir = path.join(root, 'script');
  const soundDir = path.join(root, 'sound');
  if (!existsSync(scriptDir) || !existsSync(soundDir)) throw new UsageError(`${root}: expected script/ and sound/ folders of fillets-ng-data`);
  const byLevel = new Map<string, Map<string, FilletsDialog>>();
  const anyLevel = new Map<string, FilletsDialog>();
  for (const level of (await fs.readdir(scriptDir)).sort()) {
    const file = path.join(scriptDir, level, 'dialogs_en.lua');
    if (!existsSync(file)) continue;
    const dialogs = new Map(parseFilletsDialogs(await fs.readFile(file, 'utf8')).map((d) => [d.id, d]));
    byLevel.set(level, dialogs);
    for (const [id, d] of dialogs) if (!anyLevel.has(id)) anyLevel.set(id, d);
  }
  const recordings: Recording[] = [];
  const skipped: { file: string; reason: string }[] = [];
  for (const level of (await fs.readdir(soundDir)).sort()) {
    const dir = path.join(soundDir, level, 'en');
    if (!existsSync(dir)) continue;
    for (const name of (await fs.readdir(dir)).filter((n) => n.endsWith('.ogg')).sort()) {
      const clip = name.replace(/\.ogg$/, '');
      const file = path.join(dir, name);
      const d = byLevel.get(level)?.get(clip) ?? anyLevel.get(clip);
      if (!d) {
        skipped.push({ file, reason: 'no dialogId in any dialogs_en.lua' });
        continue;
      }
      const problem = filletsTextProblem(d.text, words);
      if (problem) {
        skipped.push({ file, reason: problem });
        continue;
      }
      recordings.push({ id: `fillets-${level}-${clip}`, file, text: d.text, speaker: filletsSpeaker(clip, level) });
    }
  }
  return { recordings, skipped };
}
