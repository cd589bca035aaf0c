/**
 * Manifest reading for tools/featurize: the corpus tool's JSONL (`{"id","audio","text",...}`, audio relative to
 * the manifest) and, for users with their own data, a plain `path<TAB>text` list.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface ManifestItem {
  id: string;
  /** Absolute path of the audio file. */
  audio: string;
  text: string;
  /** Duration in seconds when the manifest gives it. */
  duration?: number;
  /** JSONL `via_rate`: featurize the audio as if recorded at this rate (see tools/featurize/job.ts). */
  viaRate?: number;
}

/**
 * Read a manifest. JSONL lines need `audio` and `text` (`id` defaults to the audio path); other lines are
 * `path<TAB>text`. Relative audio paths are resolved against the manifest's directory.
 * @example
 * const items = readManifest('work-data/corpus/dev.jsonl');
 */
export function readManifest(file: string): ManifestItem[] {
  const base = path.dirname(path.resolve(file));
  const items: ManifestItem[] = [];
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  lines.forEach((raw, n) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${file}:${n + 1}`;
    if (line.startsWith('{')) {
      let v: unknown;
      try {
        v = JSON.parse(line);
      } catch (e) {
        throw new Error(`${where}: not valid JSON (${(e as Error).message})`);
      }
      const o = v as Record<string, unknown>;
      if (typeof o.audio !== 'string' || typeof o.text !== 'string') {
        throw new Error(`${where}: a JSONL manifest line needs string fields "audio" and "text", got ${line.slice(0, 120)}`);
      }
      const audio = path.resolve(base, o.audio);
      items.push({
        id: typeof o.id === 'string' ? o.id : o.audio,
        audio,
        text: o.text,
        ...(typeof o.duration === 'number' ? { duration: o.duration } : {}),
        ...(o.via_rate !== undefined ? { viaRate: checkedViaRate(o.via_rate, where) } : {}),
      });
    } else {
      const tab = line.indexOf('\t');
      if (tab < 0) throw new Error(`${where}: expected a JSON object or "path<TAB>text", got ${line.slice(0, 120)}`);
      const p = line.slice(0, tab);
      items.push({ id: p, audio: path.resolve(base, p), text: line.slice(tab + 1) });
    }
  });
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
  if (problem) throw new Error(`${where}: "via_rate" ${problem}`);
  return v as number;
}
