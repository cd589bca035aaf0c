/**
 * Manifests: the lists of (audio, transcript) pairs that `earshot eval`, tools/featurize and the corpus tools
 * read. Two forms, mixed freely line by line: the corpus tool's JSONL (`{"id","audio","text",...}`) and, for users
 * with their own data, `path<TAB>text`. Audio paths are relative to the manifest's directory; `#` starts a comment.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../core/errors.js';
import { parseJsonObjectLine, requireStrings } from '../core/jsonl.js';

export interface ManifestItem {
  /** The JSONL `id`, else the audio path as the manifest writes it. */
  id: string;
  /** Absolute path of the audio file. */
  audio: string;
  text: string;
  /** Duration in seconds when the manifest gives it. */
  duration?: number;
  /** JSONL `via_rate`: hear the audio as if recorded at this rate (see tools/featurize/job.ts). */
  viaRate?: number;
  /** JSONL `engine` and `source`: where the clip comes from (a synthesizer, `human`; a package), when given. */
  engine?: string;
  source?: string;
}

/**
 * Read a manifest: every entry, in order. Unreadable files, malformed lines (named `file:line`), a bad
 * `via_rate` and a manifest without entries are UsageErrors.
 * @example
 * const items = readManifest('work-data/corpus/dev.jsonl'); // [{ id, audio (absolute), text }, ...]
 */
export function readManifest(file: string): ManifestItem[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`manifest ${file}: cannot read (${(e as Error).message})`);
  }
  const base = path.dirname(path.resolve(file));
  const items: ManifestItem[] = [];
  text.split('\n').forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${n + 1}`;
    if (line.startsWith('{')) {
      const o = parseJsonObjectLine(line, where, 'a manifest line {"id","audio","text"}');
      requireStrings(o, ['audio', 'text'], where);
      items.push({
        id: typeof o.id === 'string' ? o.id : (o.audio as string),
        audio: path.resolve(base, o.audio as string),
        text: o.text as string,
        ...(typeof o.duration === 'number' ? { duration: o.duration } : {}),
        ...(o.via_rate !== undefined ? { viaRate: checkedViaRate(o.via_rate, where) } : {}),
        ...(typeof o.engine === 'string' ? { engine: o.engine } : {}),
        ...(typeof o.source === 'string' ? { source: o.source } : {}),
      });
    } else {
      const tab = line.indexOf('\t');
      if (tab < 0) throw new UsageError(`${where}: expected a JSON object or "path<TAB>text", got ${line.slice(0, 120)}`);
      const p = line.slice(0, tab);
      items.push({ id: p, audio: path.resolve(base, p), text: line.slice(tab + 1) });
    }
  });
  items.forEach((it, i) => {
    if (it.audio.includes('\0')) throw new UsageError(`manifest ${file}: entry ${i + 1}: the audio path contains a NUL byte, which no file name can hold; fix that line`);
  });
  if (items.length === 0) throw new UsageError(`manifest ${file}: no entries (expected JSONL {"audio","text"} or path<TAB>text lines)`);
  return items;
}

/**
 * What is wrong with `v` as a `via_rate` (an integer sample rate from 1000 to 192000 Hz), or undefined.
 * @example
 * viaRateProblem(8000); // undefined
 */
export function viaRateProblem(v: unknown): string | undefined {
  if (typeof v === 'number' && Number.isInteger(v) && v >= 1000 && v <= 192000) return undefined;
  return `must be an integer sample rate in Hz from 1000 to 192000, got ${JSON.stringify(v)}`;
}

function checkedViaRate(v: unknown, where: string): number {
  const problem = viaRateProblem(v);
  if (problem) throw new UsageError(`${where}: "via_rate" ${problem}`);
  return v as number;
}
