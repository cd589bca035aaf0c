/**
 * Language-model loading benchmark: file size and load time (read + parse, as loadLanguageModel does) of
 * an ARPA file and its binary form (.lmbin), the first load in the process (cold JIT, what a CLI run
 * pays) and the median of the repeats, plus the cost of a score() query in each and the largest
 * difference between their scores on the same queries.
 *
 *   npx tsc -p tsconfig.json && node dist/tools/bench/lm-load.js [--lmbin models/en-3gram.lmbin] [--arpa <file>] [--repeat 5]
 *
 * The package ships the .lmbin only. Without --arpa the ARPA form is made from the .lmbin (as
 * `earshot lm decompile` does) and written to a temporary file; with --arpa and no --lmbin the binary
 * form is made from the ARPA file (as `earshot lm compile` does). Default --lmbin: the shipped
 * models/en-3gram.lmbin.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadLanguageModel } from '../../src/node/index.js';
import { ArpaLanguageModel, writeArpa } from '../../src/lm/arpa.js';
import { BinaryLanguageModel, writeBinaryLanguageModel } from '../../src/lm/binary.js';
import { modelsDir } from '../../src/node/default-model.js';
import { seededUniform } from '../../src/model/build/tiny.js';
import type { LanguageModel } from '../../src/lm/types.js';

const { values } = parseArgs({
  options: { arpa: { type: 'string' }, lmbin: { type: 'string' }, repeat: { type: 'string', default: '5' } },
});
const repeat = Number(values.repeat);

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeLoads(file: string): Promise<{ first: number; median: number; lm: LanguageModel }> {
  const ms: number[] = [];
  let lm: LanguageModel | undefined;
  for (let r = 0; r < repeat; r++) {
    const t0 = performance.now();
    lm = await loadLanguageModel(file);
    ms.push(performance.now() - t0);
  }
  return { first: ms[0]!, median: median(ms), lm: lm! };
}

/** ns per score() over the same random queries (vocabulary words and histories of 0..3 words). */
function timeQueries(lm: LanguageModel, queries: readonly [string[], string][]): number {
  let sink = 0;
  const t0 = performance.now();
  for (const [h, w] of queries) sink += lm.score(h, w);
  const ns = ((performance.now() - t0) * 1e6) / queries.length;
  if (!Number.isFinite(sink)) throw new Error('non-finite score');
  return ns;
}

async function main(): Promise<void> {
  const tmp = (name: string): string => path.join(mkdtempSync(path.join(tmpdir(), 'earshot-lmbench-')), name);
  let arpaFile = values.arpa;
  let binFile = values.lmbin;
  if (arpaFile !== undefined && binFile === undefined) {
    binFile = tmp('lm.lmbin');
    writeFileSync(binFile, writeBinaryLanguageModel(ArpaLanguageModel.parse(readFileSync(arpaFile, 'utf8'), arpaFile)));
  }
  binFile ??= path.join(modelsDir(), 'en-3gram.lmbin');
  if (arpaFile === undefined) {
    arpaFile = tmp(`${path.basename(binFile, '.lmbin')}.arpa`);
    writeFileSync(arpaFile, writeArpa(BinaryLanguageModel.fromBytes(readFileSync(binFile), binFile).ngrams(), { float32: true }));
  }
  // Binary first, so that its first load is as cold as a fresh process's.
  const bin = await timeLoads(binFile);
  const arpa = await timeLoads(arpaFile);
  const vocab = (arpa.lm as ArpaLanguageModel).ngrams()[0]!.map((e) => e.words[0]!);
  const rand = seededUniform(11);
  const pick = (): string => vocab[Math.floor(rand() * vocab.length)]!;
  const queries: [string[], string][] = Array.from({ length: 200_000 }, () => [['<s>', ...Array.from({ length: Math.floor(rand() * 3) }, pick)], pick()]);
  timeQueries(arpa.lm, queries.slice(0, 20_000));
  timeQueries(bin.lm, queries.slice(0, 20_000));
  const qa = timeQueries(arpa.lm, queries);
  const qb = timeQueries(bin.lm, queries);
  let maxDev = 0;
  for (const [h, w] of queries) {
    const a = arpa.lm.score(h, w);
    maxDev = Math.max(maxDev, Math.abs(a - bin.lm.score(h, w)) / Math.max(1, Math.abs(a)));
  }
  const mb = (f: string): string => `${(statSync(f).size / 1e6).toFixed(2)} MB`.padStart(9);
  const ms = (x: number): string => `${x.toFixed(1)} ms`.padStart(10);
  console.log(`earshot LM load benchmark: node ${process.version}, ${repeat} loads each (first = cold), 200,000 score() queries`);
  console.log(`  ARPA    ${path.basename(arpaFile).padEnd(18)} ${mb(arpaFile)}   load first ${ms(arpa.first)}, median ${ms(arpa.median)}   score ${qa.toFixed(0)} ns`);
  console.log(`  binary  ${path.basename(binFile).padEnd(18)} ${mb(binFile)}   load first ${ms(bin.first)}, median ${ms(bin.median)}   score ${qb.toFixed(0)} ns`);
  console.log(`  binary/ARPA: size ${(statSync(binFile).size / statSync(arpaFile).size).toFixed(2)}, load ${(arpa.median / bin.median).toFixed(0)}x faster (median), ${(arpa.first / bin.first).toFixed(0)}x (first)`);
  console.log(`  max |ARPA - binary| / max(1, |ARPA|) over the queries = ${maxDev.toExponential(2)} (float32 storage of log10 values)`);
}

await main();
