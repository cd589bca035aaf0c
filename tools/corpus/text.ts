/**
 * The sentence pool: fortune sentences plus generated sentences, normalised to labels, filtered,
 * deduplicated, then split by sentence into train/dev/test with a seeded hash (a sentence's split
 * depends only on the seed and its label, so growing the pool never moves a sentence).
 *
 * CLI: `node dist/tools/corpus/text.js --out work-data/corpus/text --seed 1 [--sentences 42000]`
 */
import { promises as fs, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { fortuneSentences, FORTUNE_DIR } from './fortunes.js';
import { generateSentence } from './generator.js';
import { normalize, type Normalized } from './normalize.js';
import { hash32, Rng } from '../../src/core/rng.js';
import { isMain } from './util.js';

export type Split = 'train' | 'dev' | 'test';

/** One sentence of the pool. */
export interface Sentence {
  label: string;
  spoken: string;
  /** `fortune/<database>` or `generated`. */
  source: string;
  split: Split;
}

export interface TextOptions {
  seed: number;
  /** Total distinct sentences wanted; generated sentences fill what fortunes do not give. */
  sentences: number;
  /** Fractions of sentences for dev and test. */
  devFraction: number;
  testFraction: number;
  minWords: number;
  maxWords: number;
  fortuneDir: string;
  /** A word list; fortune sentences with a word outside it (or the generator's words) are dropped. */
  wordList: string | null;
}

export const DEFAULT_TEXT_OPTIONS: TextOptions = {
  seed: 1,
  sentences: 42000,
  devFraction: 0.03,
  testFraction: 0.03,
  minWords: 3,
  maxWords: 20,
  fortuneDir: FORTUNE_DIR,
  wordList: '/usr/share/dict/words',
};

/** Words the number expansions and the generator use, always allowed. */
const EXTRA_WORDS = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred thousand million billion trillion first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth twentieth thirtieth hundredth thousandth point percent dollars dollar cents cent pence pounds euros oh o'clock minus missus mister et cetera okay p m".split(' ');

/** Is a normalised sentence acceptable for speaking? */
export function acceptable(n: Normalized, opts: Pick<TextOptions, 'minWords' | 'maxWords'>, vocab: Set<string> | null): boolean {
  const words = n.label.split(' ');
  if (words.length < opts.minWords || words.length > opts.maxWords) return false;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    if (w.length > 17) return false;
    if (w.length === 1 && w !== 'a' && w !== 'i') {
      // "a m" / "p m" after a time are the only letters read alone.
      if (!(w === 'm' && (words[i - 1] === 'a' || words[i - 1] === 'p')) && !((w === 'p' || w === 'a') && words[i + 1] === 'm')) return false;
    }
    if (!/[aeiouy]/.test(w) && !(w === 'm' || w === 'p')) return false;
    if (/(.)\1\1/.test(w)) return false;
    if (/^'|'$|''/.test(w)) return false;
    if (vocab && !vocab.has(w) && !(w.endsWith("'s") && vocab.has(w.slice(0, -2)))) return false;
  }
  return true;
}

function loadVocab(file: string | null): Set<string> | null {
  if (!file || !existsSync(file)) return null;
  const v = new Set<string>(EXTRA_WORDS);
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const w = line.trim().toLowerCase();
    if (/^[a-z']+$/.test(w)) v.add(w);
  }
  return v;
}

/** The split a sentence belongs to: a seeded hash of its label. */
export function splitOf(label: string, seed: number, devFraction: number, testFraction: number): Split {
  const u = hash32(`${seed}\u0000split\u0000${label}`) / 4294967296;
  if (u < devFraction) return 'dev';
  if (u < devFraction + testFraction) return 'test';
  return 'train';
}

export interface PoolStats {
  fortuneCandidates: number;
  fortuneAccepted: number;
  generatedAccepted: number;
  generatedTries: number;
  total: number;
  perSplit: Record<Split, number>;
}

/**
 * Build the deduplicated, split sentence pool.
 * @example
 * const { sentences } = await buildSentencePool({ ...DEFAULT_TEXT_OPTIONS, seed: 7 });
 */
export async function buildSentencePool(opts: TextOptions): Promise<{ sentences: Sentence[]; stats: PoolStats }> {
  const vocab = loadVocab(opts.wordList);
  const seen = new Set<string>();
  const pool: Sentence[] = [];
  const add = (n: Normalized, source: string): boolean => {
    if (seen.has(n.label)) return false;
    seen.add(n.label);
    pool.push({ ...n, source, split: splitOf(n.label, opts.seed, opts.devFraction, opts.testFraction) });
    return true;
  };
  const raw = await fortuneSentences(opts.fortuneDir);
  let fortuneAccepted = 0;
  for (const r of raw) {
    const n = normalize(r.text);
    if (n && acceptable(n, opts, vocab) && add(n, r.source)) fortuneAccepted++;
  }
  const rng = new Rng(hash32(`${opts.seed}\u0000generator`));
  let generatedAccepted = 0;
  let tries = 0;
  const maxTries = Math.max(1000, opts.sentences * 50);
  while (pool.length < opts.sentences && tries < maxTries) {
    tries++;
    const n = normalize(generateSentence(rng));
    if (n && acceptable(n, opts, null) && add(n, 'generated')) generatedAccepted++;
  }
  if (pool.length < opts.sentences) {
    throw new Error(`only ${pool.length} distinct sentences after ${tries} generator tries; lower --sentences (asked for ${opts.sentences})`);
  }
  // A stable, seeded order within each split.
  pool.sort((a, b) => hash32(`${opts.seed}\u0000order\u0000${a.label}`) - hash32(`${opts.seed}\u0000order\u0000${b.label}`) || (a.label < b.label ? -1 : 1));
  const perSplit: Record<Split, number> = { train: 0, dev: 0, test: 0 };
  for (const s of pool) perSplit[s.split]++;
  return {
    sentences: pool,
    stats: { fortuneCandidates: raw.length, fortuneAccepted, generatedAccepted, generatedTries: tries, total: pool.length, perSplit },
  };
}

/** Write `<dir>/{train,dev,test}.tsv` (label, spoken, source) and `<dir>/stats.json`. */
export async function writeSentencePool(dir: string, sentences: Sentence[], stats: PoolStats): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  for (const split of ['train', 'dev', 'test'] as const) {
    const lines = sentences.filter((s) => s.split === split).map((s) => `${s.label}\t${s.spoken}\t${s.source}\n`);
    const file = path.join(dir, `${split}.tsv`);
    await fs.writeFile(`${file}.tmp`, lines.join(''));
    await fs.rename(`${file}.tmp`, file);
  }
  await fs.writeFile(path.join(dir, 'stats.json'), `${JSON.stringify(stats, null, 2)}\n`);
}

/** Read a split written by {@link writeSentencePool}. */
export async function readSplit(dir: string, split: Split): Promise<Sentence[]> {
  const text = await fs.readFile(path.join(dir, `${split}.tsv`), 'utf8');
  return text.split('\n').filter(Boolean).map((line) => {
    const [label, spoken, source] = line.split('\t');
    return { label: label!, spoken: spoken!, source: source!, split };
  });
}

async function main(): Promise<void> {
  const cmd = new Command()
    .name('text')
    .description('Build the normalised, deduplicated, split sentence pool.')
    .requiredOption('--out <dir>', 'output directory')
    .option('--seed <n>', 'seed', (x) => Number.parseInt(x, 10), DEFAULT_TEXT_OPTIONS.seed)
    .option('--sentences <n>', 'distinct sentences wanted', (x) => Number.parseInt(x, 10), DEFAULT_TEXT_OPTIONS.sentences)
    .option('--fortunes <dir>', 'fortune database directory', DEFAULT_TEXT_OPTIONS.fortuneDir)
    .option('--word-list <file>', 'word list for fortune sentences ("none" to disable)', DEFAULT_TEXT_OPTIONS.wordList ?? 'none')
    .parse();
  const o = cmd.opts<{ out: string; seed: number; sentences: number; fortunes: string; wordList: string }>();
  const { sentences, stats } = await buildSentencePool({
    ...DEFAULT_TEXT_OPTIONS, seed: o.seed, sentences: o.sentences, fortuneDir: o.fortunes, wordList: o.wordList === 'none' ? null : o.wordList,
  });
  await writeSentencePool(o.out, sentences, stats);
  process.stderr.write(`${JSON.stringify(stats)}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`text: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
