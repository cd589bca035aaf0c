/**
 * CER and WER per speaker and per source from `earshot eval --hyp` output: which voices a model follows and which
 * it does not (a held-out set's average can hide one voice that fails). Speakers and sources come from the
 * manifests' `voice` and `source` fields, matched by id.
 *
 * CLI: `node dist/tools/eval/by-speaker.js --hyp new-greedy.hyp.jsonl --manifest real-dev.jsonl real-test.jsonl
 * [--json out.json]` (a table on stdout, rows sorted by source then speaker).
 */
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords } from '../../src/core/jsonl.js';
import { addCounts, countErrors, rates, type ErrorCounts } from '../../src/eval/metrics.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { isMain, readTextFile } from '../corpus/util.js';

/** One hypothesis line of `earshot eval --hyp`, as far as this tool reads it. */
export interface HypLine {
  id: string;
  ref: string;
  hyp: string;
}

/** Error rates of one group of utterances, pooled as the eval pools a subset. */
export interface GroupRates {
  group: string;
  utterances: number;
  cer: number;
  wer: number;
}

/**
 * Group hypotheses by `keyOf(id)` (ids without a key are left out) and pool their error counts, recounted from
 * each line's reference and hypothesis exactly as `earshot eval` counts and pools a subset (countErrors).
 * @example
 * groupRates(lines, (id) => voices.get(id)); // [{ group: 'queen/naomi', utterances: 78, cer: 0.49, wer: 0.97 }, ...]
 */
export function groupRates(lines: HypLine[], keyOf: (id: string) => string | undefined): GroupRates[] {
  const acc = new Map<string, { n: number; counts: ErrorCounts }>();
  for (const l of lines) {
    const k = keyOf(l.id);
    if (k === undefined) continue;
    const a = acc.get(k);
    const c = countErrors(l.ref, l.hyp);
    acc.set(k, a ? { n: a.n + 1, counts: addCounts(a.counts, c) } : { n: 1, counts: c });
  }
  return [...acc.entries()]
    .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
    .map(([group, a]) => ({ group, utterances: a.n, ...rates(a.counts) }));
}

async function records(file: string, what: string): Promise<Record<string, unknown>[]> {
  return jsonlRecords(await readTextFile(file), file, what).map((r) => r.record);
}

async function main(): Promise<void> {
  const o = new Command()
    .name('by-speaker')
    .description('CER/WER per speaker and per source from earshot eval --hyp output.')
    .requiredOption('--hyp <file>', 'earshot eval --hyp JSONL')
    .requiredOption('--manifest <files...>', 'manifests with id, voice and source')
    .option('--json <file>', 'write the tables as JSON')
    .parse()
    .opts<{ hyp: string; manifest: string[]; json?: string }>();
  const voice = new Map<string, string>();
  const source = new Map<string, string>();
  for (const m of o.manifest) {
    for (const r of await records(m, 'a manifest')) {
      if (typeof r.id !== 'string') continue;
      if (typeof r.voice === 'string') voice.set(r.id, r.voice);
      if (typeof r.source === 'string') source.set(r.id, r.source);
    }
  }
  const lines = (await records(o.hyp, 'an earshot eval --hyp file')).map((r, i) => {
    if (typeof r.id !== 'string' || typeof r.ref !== 'string' || typeof r.hyp !== 'string') throw new UsageError(`${o.hyp}:${i + 1}: not an earshot eval --hyp line (id, ref, hyp)`);
    return r as unknown as HypLine;
  });
  const bySpeaker = groupRates(lines, (id) => voice.get(id));
  const bySource = groupRates(lines, (id) => source.get(id));
  if (!bySpeaker.length) throw new UsageError(`no hypothesis of ${o.hyp} has an id in ${o.manifest.join(', ')}`);
  const pct = (x: number): string => (100 * x).toFixed(1);
  const out = ['group\tutterances\tCER%\tWER%', ...bySource.map((g) => `${g.group}\t${g.utterances}\t${pct(g.cer)}\t${pct(g.wer)}`), '', ...bySpeaker.map((g) => `${g.group}\t${g.utterances}\t${pct(g.cer)}\t${pct(g.wer)}`)];
  process.stdout.write(`${out.join('\n')}\n`);
  if (o.json) await writeFileAtomic(o.json, `${JSON.stringify({ hyp: o.hyp, bySource, bySpeaker }, null, 1)}\n`, { force: true });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`by-speaker: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
