/**
 * Is model B better than model A, or is the difference the test set's noise? Reads the hypotheses two
 * `earshot eval --hyp` runs wrote for the same manifests and reports, per subset and overall, both CERs and WERs,
 * B minus A with its 95 % paired-bootstrap interval, and how often B wins a resample (Bisani & Ney 2004).
 *
 * CLI: `node dist/tools/eval/compare.js A-hyp.jsonl B-hyp.jsonl [--draws 2000] [--seed 1] [--json out.json]`
 */
import { promises as fs } from 'node:fs';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords, requireStrings } from '../../src/core/jsonl.js';
import { countErrors } from '../../src/eval/metrics.js';
import { pairedBootstrap, type PairedCounts, type PairedResult } from '../../src/eval/bootstrap.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { formatTable } from '../../src/eval/table.js';
import { parsePositiveInt } from '../../src/cli/options.js';
import { isMain } from '../corpus/util.js';

/** One line of an `earshot eval --hyp` file. */
interface HypLine {
  subset: string;
  id: string;
  ref: string;
  hyp: string;
}

/**
 * The hypotheses of an `--hyp` file, keyed `subset/id`, in file order.
 * @example
 * parseHyps(text, 'a.jsonl').get('test/test-000001')?.hyp
 */
export function parseHyps(text: string, file: string): Map<string, HypLine> {
  const out = new Map<string, HypLine>();
  const expected = 'an earshot eval --hyp file';
  for (const { where, record } of jsonlRecords(text, file, expected)) {
    requireStrings(record, ['subset', 'id', 'ref', 'hyp'], where, expected);
    const h = record as unknown as HypLine;
    const key = `${h.subset}/${h.id}`;
    if (out.has(key)) throw new UsageError(`${where}: ${key} appears twice`);
    out.set(key, h);
  }
  if (out.size === 0) throw new UsageError(`${file}: no hypotheses (${expected})`);
  return out;
}

/** One row of the comparison: a subset or `overall`. */
export interface ComparisonRow extends PairedResult {
  subset: string;
  utterances: number;
}

/**
 * Pair the two runs' utterances (they must hold the same subsets, ids and references) and bootstrap each subset
 * and, with several, all of them (each subset resampled to its own size).
 * @example
 * const rows = compareRuns(parseHyps(a, 'a'), parseHyps(b, 'b'), { draws: 2000 });
 */
export function compareRuns(a: Map<string, HypLine>, b: Map<string, HypLine>, opts: { draws?: number; seed?: number } = {}): ComparisonRow[] {
  const onlyA = [...a.keys()].filter((k) => !b.has(k));
  const onlyB = [...b.keys()].filter((k) => !a.has(k));
  if (onlyA.length || onlyB.length) {
    const some = (ks: string[]): string => `${ks.length} (${ks.slice(0, 3).join(', ')}${ks.length > 3 ? ', ...' : ''})`;
    throw new UsageError(`the two runs scored different utterances: only in A ${some(onlyA)}, only in B ${some(onlyB)}; run both on the same manifests`);
  }
  const groups = new Map<string, PairedCounts[]>();
  for (const [key, x] of a) {
    const y = b.get(key)!;
    if (x.ref !== y.ref) throw new UsageError(`${key}: the runs have different references (${JSON.stringify(x.ref)} vs ${JSON.stringify(y.ref)}); were they run on the same manifests?`);
    const g = groups.get(x.subset) ?? [];
    g.push({ a: countErrors(x.ref, x.hyp), b: countErrors(y.ref, y.hyp) });
    groups.set(x.subset, g);
  }
  const row = (subset: string, gs: PairedCounts[][]): ComparisonRow => ({ subset, utterances: gs.reduce((s, g) => s + g.length, 0), ...pairedBootstrap(gs, opts) });
  const rows = [...groups].map(([s, g]) => row(s, [g]));
  if (groups.size > 1) rows.push(row('overall', [...groups.values()]));
  return rows;
}

/**
 * The comparison as a table (percentages; the interval is of B - A, `P(B<A)` the share of resamples B wins).
 * @example
 * process.stdout.write(formatComparison(rows));
 * // subset  utts  CER A  CER B  CER B-A  95% CI          P(B<A)  WER A  WER B  WER B-A  95% CI          P(B<A)
 */
export function formatComparison(rows: ComparisonRow[]): string {
  const p = (x: number): string => (100 * x).toFixed(2);
  const head = ['subset', 'utts', 'CER A', 'CER B', 'CER B-A', '95% CI', 'P(B<A)', 'WER A', 'WER B', 'WER B-A', '95% CI', 'P(B<A)'];
  const body = rows.map((r) => [r.subset, String(r.utterances),
    p(r.cerA), p(r.cerB), p(r.cerDelta), `${p(r.cerDeltaInterval.low)}..${p(r.cerDeltaInterval.high)}`, r.pBetterCer.toFixed(3),
    p(r.werA), p(r.werB), p(r.werDelta), `${p(r.werDeltaInterval.low)}..${p(r.werDeltaInterval.high)}`, r.pBetterWer.toFixed(3)]);
  return formatTable(head, body);
}

async function read(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${file}: cannot read (${(e as Error).message})`);
  }
}

async function main(): Promise<void> {
  const o = new Command()
    .name('compare')
    .description('Paired bootstrap of two earshot eval --hyp files on the same manifests: B - A per subset, with 95 % intervals.')
    .argument('<a>', 'hypotheses of model A (earshot eval --hyp)')
    .argument('<b>', 'hypotheses of model B, on the same manifests')
    .option('--draws <n>', 'bootstrap resamples', '2000')
    .option('--seed <n>', 'seed of the resampling', '1')
    .option('--json <file>', 'also write the rows as JSON')
    .parse();
  const [fa, fb] = o.args as [string, string];
  const opts = o.opts<{ draws: string; seed: string; json?: string }>();
  const draws = parsePositiveInt('--draws', opts.draws)!;
  const seed = Number(opts.seed);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${opts.seed}`);
  const rows = compareRuns(parseHyps(await read(fa), fa), parseHyps(await read(fb), fb), { draws, seed });
  process.stdout.write(`A = ${fa}\nB = ${fb}\n${formatComparison(rows)}`);
  if (opts.json) await writeFileAtomic(opts.json, JSON.stringify({ a: fa, b: fb, draws, seed, rows }, null, 2) + '\n', { force: true });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`compare: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
