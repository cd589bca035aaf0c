/**
 * Narrow-band copies of a manifest without new audio: a seeded share of its entries, each with `via_rate` set,
 * so that tools/featurize hears the file as if it had been recorded at that rate (resampled down to it, then up
 * to the model's rate by the engine's resampler, as the recognizer does with an 8 kHz file). A model trained on
 * 16 kHz synthesis alone loses most of its accuracy on telephone-rate audio, whose top mel bands are empty.
 *
 * CLI: `node dist/tools/corpus/via-rate.js --in CORPUS/train_r6.jsonl --out work-data/derived/train_r6_8k.jsonl
 *   --rate 8000 [--share 1] [--seed 1]`
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { viaRateProblem } from '../../src/node/manifest.js';
import { jsonlRecords, requireStrings } from '../../src/core/jsonl.js';
import { rngFor } from '../../src/core/rng.js';
import { isMain, readTextFile } from './util.js';

/**
 * The narrow-band copies of the JSONL manifest `text` (the file `inFile`, copies to be written to `outFile`):
 * entries picked with probability `share` (seeded per id), id suffixed `-via<rate>`, audio path rebased to the
 * output's directory, `via_rate` set.
 * @example
 * viaRateCopies(text, 'corpus/train.jsonl', 'derived/train_8k.jsonl', 8000, 0.5, 1);
 */
export function viaRateCopies(text: string, inFile: string, outFile: string, rate: number, share: number, seed: number): string[] {
  return viaRateCopiesOf(jsonlRecords(text, inFile, 'a corpus manifest'), inFile, outFile, rate, share, seed);
}

/**
 * viaRateCopies of entries already parsed, each with the `where` its errors name.
 * @example
 * viaRateCopiesOf(entries.map((record, i) => ({ where: `train.jsonl entry ${i + 1}`, record })), 'c/train.jsonl', 'c/train_via8000.jsonl', 8000, 0.2, 1);
 */
export function viaRateCopiesOf(entries: readonly { where: string; record: Record<string, unknown> }[], inFile: string, outFile: string, rate: number, share: number, seed: number): string[] {
  const inDir = path.dirname(path.resolve(inFile));
  const outDir = path.dirname(path.resolve(outFile));
  const out: string[] = [];
  for (const { where, record: e } of entries) {
    requireStrings(e, ['id', 'audio'], where);
    if (e.via_rate !== undefined) throw new UsageError(`${where} (${e.id as string}): already has via_rate ${JSON.stringify(e.via_rate)}`);
    if (rngFor(seed, 'via-rate', rate, e.id as string).next() >= share) continue;
    const audio = path.relative(outDir, path.resolve(inDir, e.audio as string));
    out.push(JSON.stringify({ ...e, id: `${e.id as string}-via${rate}`, audio, via_rate: rate }));
  }
  return out;
}

/**
 * Why `share` cannot be the fraction of entries to copy, or undefined when it can (a number in (0, 1]).
 * @example
 * viaShareProblem(0.2); // undefined
 */
export function viaShareProblem(share: unknown): string | undefined {
  return typeof share === 'number' && share > 0 && share <= 1 ? undefined : `must be a share in (0, 1], got ${JSON.stringify(share)}`;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('via-rate')
    .description('Write narrow-band copies of a manifest (same audio, featurized as if recorded at --rate).')
    .requiredOption('--in <file>', 'JSONL manifest to copy from')
    .requiredOption('--out <file>', 'JSONL manifest to write')
    .option('--rate <hz>', 'the sample rate the copies pass through', '8000')
    .option('--share <p>', 'fraction of the entries to copy (seeded per id)', '1')
    .option('--seed <n>', 'seed of the pick', '1')
    .parse()
    .opts<{ in: string; out: string; rate: string; share: string; seed: string }>();
  const rate = /^\d+$/.test(o.rate) ? Number(o.rate) : o.rate; // a non-number is reported as given
  const share = o.share.trim() !== '' && Number.isFinite(Number(o.share)) ? Number(o.share) : o.share; // a non-number is reported as given
  const seed = Number(o.seed);
  const rateProblem = viaRateProblem(rate);
  if (rateProblem) throw new UsageError(`--rate ${rateProblem}`);
  const shareProblem = viaShareProblem(share);
  if (shareProblem) throw new UsageError(`--share ${shareProblem}`);
  if (!Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got ${o.seed}`);
  const text = await readTextFile(o.in, `--in ${o.in}`);
  const copies = viaRateCopies(text, o.in, o.out, rate as number, share as number, seed);
  await fs.mkdir(path.dirname(path.resolve(o.out)), { recursive: true });
  await writeFileAtomic(o.out, copies.map((c) => `${c}\n`).join(''), { force: true });
  process.stderr.write(`via-rate: ${copies.length} of ${text.split('\n').filter((l) => l.trim()).length} entries, via ${rate} Hz -> ${o.out}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`via-rate: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
