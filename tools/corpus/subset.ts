/**
 * Subsets of a real-speech training manifest for learning curves: how the model's error moves with the amount of
 * real speech, and with the number of voices at equal hours. Writes the ids to leave out of training (the clips
 * not kept and their augmented copies) for `train.py --exclude-ids`, so one featurized shard serves every point.
 *
 * Two ways to choose, both reproducible from the manifest alone (SHA-256 order of `seed:name`, no RNG state):
 * - `--fraction F`: clips in hash order until their duration reaches F of the whole (every speaker keeps about F
 *   of their speech);
 * - `--speakers N [--hours H]`: the first N speakers in hash order (aliases grouped as real-split groups them),
 *   their clips taken round-robin, one per speaker in turn, each speaker's in hash order, until H hours (default:
 *   all of theirs); with H equal to a `--fraction` point's hours it separates voice variety from amount.
 *
 * An augmented copy (`<id>-a<k>` in the `--aug` manifest) is left out with its clip, and so is a copy that joins a
 * left-out clip (`augmentation.join.with`). Babble noise made from left-out clips stays: it is background.
 *
 * CLI: `node dist/tools/corpus/subset.js --manifest split/real-train.jsonl --aug aug/real-train.jsonl
 * --fraction 0.25 --out exclude-25.txt` (a summary of what is kept goes to stderr as JSON).
 */
import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords } from '../../src/core/jsonl.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { DEFAULT_SPLIT, speakerOf } from './real-split.js';
import { isMain, readTextFile } from './util.js';

/** The fields of a manifest entry a subset is chosen by. */
export interface SubsetEntry {
  id: string;
  voice: string;
  source: string;
  duration: number;
}

/** How to choose: a share of the clips, or a number of speakers (up to some hours). */
export type SubsetRule = { fraction: number; seed: string } | { speakers: number; hours?: number; seed: string };

/** What a subset kept. */
export interface SubsetSummary {
  clips: number;
  hours: number;
  speakers: number;
}

const hashOf = (seed: string, name: string): string => createHash('sha256').update(`${seed}:${name}`).digest('hex');
const byHash = <T>(items: T[], key: (t: T) => string, seed: string): T[] =>
  items.map((t) => ({ t, h: hashOf(seed, key(t)) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0)).map((x) => x.t);
const speakerKey = (e: SubsetEntry): string => `${e.source}/${speakerOf(e, DEFAULT_SPLIT)}`;

/**
 * The ids `rule` keeps of `entries`.
 * @example
 * chooseSubset(entries, { fraction: 0.5, seed: '1' }); // about half the hours, every speaker represented
 */
export function chooseSubset(entries: SubsetEntry[], rule: SubsetRule): Set<string> {
  const kept = new Set<string>();
  if ('fraction' in rule) {
    if (!(rule.fraction > 0 && rule.fraction <= 1)) throw new UsageError(`--fraction must be in (0, 1], got ${rule.fraction}`);
    const target = rule.fraction * entries.reduce((a, e) => a + e.duration, 0);
    let sum = 0;
    for (const e of byHash(entries, (x) => x.id, rule.seed)) {
      if (sum >= target) break;
      kept.add(e.id);
      sum += e.duration;
    }
    return kept;
  }
  if (!(Number.isInteger(rule.speakers) && rule.speakers > 0)) throw new UsageError(`--speakers must be a positive whole number, got ${rule.speakers}`);
  const groups = new Map<string, SubsetEntry[]>();
  for (const e of entries) groups.set(speakerKey(e), [...(groups.get(speakerKey(e)) ?? []), e]);
  const chosen = byHash([...groups.keys()], (s) => s, rule.seed).slice(0, rule.speakers);
  const queues = chosen.map((s) => byHash(groups.get(s)!, (x) => x.id, rule.seed));
  const limit = (rule.hours ?? Infinity) * 3600;
  let sum = 0;
  for (let round = 0; sum < limit && queues.some((q) => round < q.length); round++) {
    for (const q of queues) {
      const e = q[round];
      if (!e || sum >= limit) continue;
      kept.add(e.id);
      sum += e.duration;
    }
  }
  return kept;
}

/** Hours, clips and speakers of the kept entries. */
export function summarize(entries: SubsetEntry[], kept: Set<string>): SubsetSummary {
  const k = entries.filter((e) => kept.has(e.id));
  return { clips: k.length, hours: Math.round(k.reduce((a, e) => a + e.duration, 0) / 36) / 100, speakers: new Set(k.map(speakerKey)).size };
}

/**
 * The ids to leave out of training: every base clip not kept, every augmented copy of one, and every copy that
 * joins one. `copies` holds the augmented manifest's ids with the id each joins (if any).
 * @example
 * excludedIds(['a', 'b'], [{ id: 'a-a1', joins: 'b' }], new Set(['a'])); // ['b', 'a-a1']
 */
export function excludedIds(baseIds: string[], copies: { id: string; joins?: string }[], kept: Set<string>): string[] {
  const out = baseIds.filter((id) => !kept.has(id));
  for (const c of copies) {
    const m = /^(.*)-a\d+$/.exec(c.id);
    if (!m) throw new UsageError(`augmented copy id "${c.id}" is not <clip id>-a<k> (a tools/corpus/augment-set.js manifest)`);
    if (!kept.has(m[1]!) || (c.joins !== undefined && !kept.has(c.joins))) out.push(c.id);
  }
  return out;
}

async function readRecords(file: string, what: string): Promise<{ where: string; record: Record<string, unknown> }[]> {
  return jsonlRecords(await readTextFile(file), file, what);
}

async function main(): Promise<void> {
  const o = new Command()
    .name('subset')
    .description('Write the ids to leave out of training for one learning-curve point (train.py --exclude-ids).')
    .requiredOption('--manifest <file>', 'the real-speech training manifest (real-train.jsonl)')
    .option('--aug <file>', 'its augmented copies (augment-set manifest), left out with their clips')
    .option('--fraction <f>', 'keep this share of the hours, clips in hash order', Number)
    .option('--speakers <n>', 'keep this many speakers (hash order)', Number)
    .option('--hours <h>', 'with --speakers: stop at this many hours, taking clips round-robin', Number)
    .option('--seed <s>', 'hash seed', '1')
    .requiredOption('--out <file>', 'the id list to write')
    .parse()
    .opts<{ manifest: string; aug?: string; fraction?: number; speakers?: number; hours?: number; seed: string; out: string }>();
  if ((o.fraction === undefined) === (o.speakers === undefined)) throw new UsageError('give exactly one of --fraction and --speakers');
  if (o.hours !== undefined && !(o.hours > 0)) throw new UsageError(`--hours must be a positive number, got ${o.hours}`);
  const entries = (await readRecords(o.manifest, 'a real-speech manifest')).map(({ where, record: r }) => {
    if (typeof r.id !== 'string' || typeof r.voice !== 'string' || typeof r.source !== 'string' || typeof r.duration !== 'number') {
      throw new UsageError(`${where}: needs string "id", "voice", "source" and a number "duration" (a real-split manifest line)`);
    }
    return { id: r.id, voice: r.voice, source: r.source, duration: r.duration };
  });
  const copies = o.aug
    ? (await readRecords(o.aug, 'an augment-set manifest')).map(({ record: r }) => {
        const join = (r.augmentation as { join?: { with?: unknown } | null } | undefined)?.join;
        return { id: String(r.id), ...(typeof join?.with === 'string' ? { joins: join.with } : {}) };
      })
    : [];
  const rule: SubsetRule = o.fraction !== undefined ? { fraction: o.fraction, seed: o.seed } : { speakers: o.speakers!, ...(o.hours !== undefined ? { hours: o.hours } : {}), seed: o.seed };
  const kept = chooseSubset(entries, rule);
  const out = excludedIds(entries.map((e) => e.id), copies, kept);
  await writeFileAtomic(o.out, out.map((id) => `${id}\n`).join(''), { force: true });
  process.stderr.write(`${JSON.stringify({ rule, kept: summarize(entries, kept), of: summarize(entries, new Set(entries.map((e) => e.id))), excludedIds: out.length })}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`subset: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
