/**
 * The evaluation guard: audio that must never reach training, tuning or selection, refused by the tools every
 * training clip passes through (real-split, augment-set, featurize) instead of trusted to each recipe's care.
 *
 * Reserved by the project's rules (held back so that evaluation measures voices earshot never heard): every
 * `festvox-*` voice (festival), `ktuberling-data`, the alsa-utils sounds and `tuxpaint-stamps-default`. Kept for
 * evaluation by earshot's own choice: the Debian speech sources `debian-speech.ts` marks `role: 'evaluation'`
 * (Asterisk's prompts, pocketsphinx-testdata, klettres' words, the alsa phrases).
 *
 * A clip is recognised by what its manifest line says (`engine`, `source`) and by where its audio lives, so a
 * hand-written manifest that points at the packages' files is caught too.
 */
import path from 'node:path';
import { UsageError } from '../../src/core/errors.js';
import { DEBIAN_SOURCES } from './debian-speech.js';

/** Install folders of the packages the project reserves for evaluation, as absolute path prefixes, with the package. */
const RESERVED_DIRS: [string, string][] = [
  ['/usr/share/festival/', 'festvox-* (festival voices)'],
  ['/usr/share/sounds/alsa/', 'alsa-utils'],
  ['/usr/share/ktuberling/', 'ktuberling-data'],
  ['/usr/share/kde4/apps/ktuberling/', 'ktuberling-data'],
  ['/usr/share/tuxpaint/stamps/', 'tuxpaint-stamps-default'],
];

/** What a manifest line says about a clip's origin. */
export interface ClipOrigin {
  id?: string;
  /** Absolute path, or relative to `base`. */
  audio: string;
  engine?: unknown;
  source?: unknown;
}

/**
 * Why a clip must not be trained on, or null when it may be.
 * @example
 * reservedReason({ audio: '/usr/share/sounds/alsa/Front_Left.wav' }); // 'its audio is in /usr/share/sounds/alsa/, from alsa-utils, reserved for evaluation'
 * reservedReason({ audio: 'a.wav', engine: 'espeak-ng', source: 'generated' }); // null
 */
export function reservedReason(clip: ClipOrigin, base = '.'): string | null {
  if (clip.engine === 'festival') return 'it is a festival voice (festvox-*), reserved for evaluation';
  const evalSource = DEBIAN_SOURCES.find((s) => s.role === 'evaluation' && clip.source === `debian/${s.name}`);
  if (evalSource) return `its source ${String(clip.source)} (${evalSource.packages.join(', ')}) is kept for evaluation only`;
  const file = path.resolve(base, clip.audio);
  for (const [dir, pkg] of RESERVED_DIRS) {
    if (file.startsWith(dir)) return `its audio is in ${dir}, from ${pkg}, reserved for evaluation`;
  }
  return null;
}

/**
 * Throw a UsageError naming the first clips `what` may not take for training, with what to do instead.
 * @example
 * refuseReserved(items, 'featurize --manifest train.jsonl'); // throws if any item is reserved
 */
export function refuseReserved(clips: ClipOrigin[], what: string, base = '.'): void {
  const bad = clips.map((c) => ({ c, why: reservedReason(c, base) })).filter((x) => x.why !== null);
  if (!bad.length) return;
  const shown = bad.slice(0, 3).map(({ c, why }) => `${c.id ?? c.audio}: ${why}`).join('; ');
  throw new UsageError(`${what}: ${bad.length} clip${bad.length > 1 ? 's are' : ' is'} reserved for evaluation and may not be trained on (${shown}${bad.length > 3 ? '; …' : ''}); remove them from the training manifests`);
}
