/**
 * Speaker-disjoint splits of imported real speech: whole speakers (game characters), never single clips, are held
 * out as `real-dev` and `real-test`, so both measure voices the model never heard.
 *
 * The rule (reproducible from the manifests alone, no randomness beyond a hash of the speaker's name):
 * 1. Within each source (`source` field), the speakers eligible for holding out are the labelled ones (not
 *    `<game>/unknown`), other than the listed protagonists (`--keep`, default Joe and Foster, who speak a third of
 *    their games), with at least `--min-speaker-min` minutes of kept clips.
 * 2. Each source's test and dev targets are `--test-min` and `--dev-min` shared out in proportion to the source's
 *    hours of eligible speech.
 * 3. Eligible speakers are taken in the order of the SHA-256 of their name: each goes to test while the source's
 *    test minutes are under its target, then to dev while dev is under its target; every other speaker trains.
 * 4. Labels that are one voice under several names (the same character in another scene's script, a prop that
 *    speaks with a character's figure) are grouped by `--alias` (DEFAULT_SPLIT.aliases) and always go to one set.
 * 5. Clips of unlabelled speakers (`<game>/unknown`) are left out of all three sets when `--unknown drop` (default):
 *    an unlabelled clip may be a held-out character's voice, and training on it would leak that voice into the
 *    evaluation. `--unknown train` trains on them anyway.
 *
 * CLI: `node dist/tools/corpus/real-split.js --in queen.jsonl --in sky.jsonl --out DIR` writes
 * `DIR/real-train.jsonl`, `DIR/real-dev.jsonl`, `DIR/real-test.jsonl` (audio paths rewritten relative to DIR) and
 * `DIR/split.json` (the rule's parameters and every speaker's set and minutes).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords } from '../../src/core/jsonl.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { refuseReserved } from './reserved.js';
import { isMain, readTextFile } from './util.js';

/** A manifest entry as the split sees it: the fields it reads, the rest carried through. */
export interface SplitEntry {
  id: string;
  audio: string;
  voice: string;
  source: string;
  duration: number;
  [key: string]: unknown;
}

export type SplitSet = 'train' | 'dev' | 'test' | 'dropped';

export interface SplitOptions {
  /** Minutes of held-out speech wanted in real-test and real-dev, over all sources. */
  testMin: number;
  devMin: number;
  /** Speakers never held out (the protagonists), as `voice` values. */
  keep: string[];
  /** A speaker needs this many minutes to be held out. */
  minSpeakerMin: number;
  /** What to do with clips whose voice ends in `/unknown`. */
  unknown: 'drop' | 'train';
  /** Labels that are one voice: label -> the label it is grouped under. */
  aliases: Record<string, string>;
}

export interface SpeakerAssignment {
  speaker: string;
  source: string;
  set: SplitSet;
  clips: number;
  minutes: number;
}

export const DEFAULT_SPLIT: SplitOptions = {
  testMin: 20,
  devMin: 20,
  keep: ['queen/joe', 'sky/foster'],
  minSpeakerMin: 1,
  unknown: 'drop',
  // The importers' reports: Sky's per-scene script names of one character, and Medi (Joey's chip in another shell);
  // Queen's guard shares Henry's figure. Grouping them keeps one voice out of two sets.
  aliases: {
    'sky/sc42_jobsworth': 'sky/jobsworth',
    'sky/sc82_jobsworth': 'sky/jobsworth',
    'sky/sc36_gallagher': 'sky/gallagher',
    'sky/medi': 'sky/joey',
    'queen/guard': 'queen/henry',
  },
};

function isUnknown(voice: string): boolean {
  return voice === 'unknown' || voice.endsWith('/unknown');
}

/**
 * The speaker a clip is split by: its voice label, or the label it is an alias of.
 * @example
 * speakerOf({ voice: 'sky/medi', ... }, DEFAULT_SPLIT); // 'sky/joey'
 */
export function speakerOf(e: Pick<SplitEntry, 'voice'>, o: Pick<SplitOptions, 'aliases'>): string {
  return o.aliases[e.voice] ?? e.voice;
}

function nameHash(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/**
 * Assign every speaker of `entries` to train, dev, test or dropped by the rule in this module's header.
 * @example
 * const speakers = assignSpeakers(entries, DEFAULT_SPLIT);
 * speakers.filter((s) => s.set === 'test').map((s) => s.speaker);
 */
export function assignSpeakers(entries: SplitEntry[], o: SplitOptions): SpeakerAssignment[] {
  const by = new Map<string, SpeakerAssignment>();
  for (const e of entries) {
    const voice = speakerOf(e, o);
    const key = `${e.source}\u0000${voice}`;
    const s = by.get(key) ?? { speaker: voice, source: e.source, set: 'train' as SplitSet, clips: 0, minutes: 0 };
    s.clips += 1;
    s.minutes += e.duration / 60;
    by.set(key, s);
  }
  const speakers = [...by.values()];
  const keep = new Set(o.keep);
  const eligible = speakers.filter((s) => !isUnknown(s.speaker) && !keep.has(s.speaker) && s.minutes >= o.minSpeakerMin);
  const eligibleMin = eligible.reduce((a, s) => a + s.minutes, 0);
  for (const s of speakers) if (isUnknown(s.speaker)) s.set = o.unknown === 'drop' ? 'dropped' : 'train';
  const sources = [...new Set(eligible.map((s) => s.source))].sort();
  for (const source of sources) {
    const pool = eligible.filter((s) => s.source === source).sort((a, b) => (nameHash(a.speaker) < nameHash(b.speaker) ? -1 : 1));
    const share = pool.reduce((a, s) => a + s.minutes, 0) / eligibleMin;
    const testTarget = o.testMin * share;
    const devTarget = o.devMin * share;
    let test = 0;
    let dev = 0;
    for (const s of pool) {
      if (test < testTarget) {
        s.set = 'test';
        test += s.minutes;
      } else if (dev < devTarget) {
        s.set = 'dev';
        dev += s.minutes;
      }
    }
  }
  return speakers.sort((a, b) => (a.source === b.source ? a.speaker.localeCompare(b.speaker) : a.source.localeCompare(b.source)));
}

function checkEntry(r: Record<string, unknown>, where: string): SplitEntry {
  for (const k of ['id', 'audio', 'voice', 'source'] as const) {
    if (typeof r[k] !== 'string' || !r[k]) throw new UsageError(`${where}: "${k}" must be a non-empty string (an imported manifest line, e.g. from tools/corpus/queen.js)`);
  }
  if (typeof r.duration !== 'number' || !(r.duration > 0)) throw new UsageError(`${where}: "duration" must be a positive number of seconds`);
  return r as SplitEntry;
}

/**
 * Read imported manifests, split them by speaker and write the three manifests and split.json into `outDir`.
 * @example
 * await writeSplit(['work-data/real/queen/queen.jsonl'], 'work-data/real/split', DEFAULT_SPLIT);
 */
export async function writeSplit(inputs: string[], outDir: string, o: SplitOptions): Promise<SpeakerAssignment[]> {
  const entries: SplitEntry[] = [];
  const ids = new Set<string>();
  for (const file of inputs) {
    const text = await readTextFile(file, `--in ${file}`);
    const dir = path.dirname(path.resolve(file));
    for (const { where, record } of jsonlRecords(text, file, 'an imported JSONL manifest')) {
      const e = checkEntry(record, where);
      refuseReserved([{ id: e.id, audio: path.resolve(dir, e.audio), engine: e.engine, source: e.source }], `real-split ${where} (its real-train becomes training data)`);
      if (ids.has(e.id)) throw new UsageError(`${where}: id "${e.id}" appears twice in the inputs; each clip may be split once`);
      ids.add(e.id);
      entries.push({ ...e, audio: path.relative(path.resolve(outDir), path.resolve(dir, e.audio)) });
    }
  }
  if (!entries.length) throw new UsageError(`no entries in ${inputs.join(', ')}`);
  const speakers = assignSpeakers(entries, o);
  const setOf = new Map(speakers.map((s) => [`${s.source}\u0000${s.speaker}`, s.set]));
  const setOfEntry = (e: SplitEntry): SplitSet | undefined => setOf.get(`${e.source}\u0000${speakerOf(e, o)}`);
  await fs.mkdir(outDir, { recursive: true });
  const summary: Record<string, { clips: number; minutes: number; speakers: number }> = {};
  for (const set of ['train', 'dev', 'test'] as const) {
    const chosen = entries.filter((e) => setOfEntry(e) === set).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    await writeFileAtomic(path.join(outDir, `real-${set}.jsonl`), chosen.map((e) => `${JSON.stringify(e)}\n`).join(''), { force: true });
    summary[set] = {
      clips: chosen.length,
      minutes: Math.round(chosen.reduce((a, e) => a + e.duration, 0) / 6) / 10,
      speakers: new Set(chosen.map((e) => `${e.source}\u0000${speakerOf(e, o)}`)).size,
    };
  }
  const rounded = speakers.map((s) => ({ ...s, minutes: Math.round(s.minutes * 100) / 100 }));
  await writeFileAtomic(path.join(outDir, 'split.json'), `${JSON.stringify({ rule: o, inputs: inputs.map((f) => path.basename(f)), summary, speakers: rounded }, null, 1)}\n`, { force: true });
  for (const [set, s] of Object.entries(summary)) process.stderr.write(`real-split: real-${set}: ${s.clips} clips, ${s.minutes} min, ${s.speakers} speakers\n`);
  return speakers;
}

function positive(name: string): (x: string) => number {
  return (x: string) => {
    const v = Number(x);
    if (!Number.isFinite(v) || v < 0) throw new UsageError(`${name} must be a non-negative number of minutes, got "${x}"`);
    return v;
  };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('real-split')
    .description('Split imported real speech by speaker into real-train, real-dev and real-test.')
    .requiredOption('--in <file...>', 'imported JSONL manifests (queen.jsonl, sky.jsonl, ...)')
    .requiredOption('--out <dir>', 'directory for real-{train,dev,test}.jsonl and split.json')
    .option('--test-min <m>', 'minutes of real-test over all sources', positive('--test-min'), DEFAULT_SPLIT.testMin)
    .option('--dev-min <m>', 'minutes of real-dev over all sources', positive('--dev-min'), DEFAULT_SPLIT.devMin)
    .option('--keep <voices>', 'comma-separated speakers never held out', DEFAULT_SPLIT.keep.join(','))
    .option('--min-speaker-min <m>', 'least minutes for a speaker to be held out', positive('--min-speaker-min'), DEFAULT_SPLIT.minSpeakerMin)
    .option('--unknown <what>', 'unlabelled clips: drop | train', DEFAULT_SPLIT.unknown)
    .option('--alias <a=b...>', 'label a is the voice of label b (replaces the built-in list)')
    .parse()
    .opts<{ in: string[]; out: string; testMin: number; devMin: number; keep: string; minSpeakerMin: number; unknown: string; alias?: string[] }>();
  const aliases: Record<string, string> = o.alias ? {} : { ...DEFAULT_SPLIT.aliases };
  for (const a of o.alias ?? []) {
    const m = /^([^=]+)=([^=]+)$/.exec(a);
    if (!m) throw new UsageError(`--alias must be label=label (e.g. sky/medi=sky/joey), got "${a}"`);
    aliases[m[1]!] = m[2]!;
  }
  if (o.unknown !== 'drop' && o.unknown !== 'train') throw new UsageError(`--unknown must be drop or train, got "${o.unknown}"`);
  await writeSplit(o.in, o.out, {
    testMin: o.testMin,
    devMin: o.devMin,
    keep: o.keep.split(',').filter(Boolean),
    minSpeakerMin: o.minSpeakerMin,
    unknown: o.unknown,
    aliases,
  });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`real-split: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
