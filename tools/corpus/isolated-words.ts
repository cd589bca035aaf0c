/**
 * An isolated-word evaluation set: a fixed vocabulary of app commands and digits, each word spoken
 * alone by three groups of voices, for measuring closed-vocabulary (`--phrases`) against open-vocabulary
 * recognition:
 *
 * - `words_festival`: the festival voices (`cmu_us_slt_arctic_hts`, `kal_diphone`), never used in training;
 * - `words_heldout`: the held-out espeak-ng accent (`en-gb-scotland`) plain and with a few of its
 *   held-out variants, from the corpus's private espeak-ng data;
 * - `words_seen`: training voices (flite kal/slt/awb/rms, espeak-ng en-us).
 *
 *   node dist/tools/corpus/isolated-words.js --out work-data/words [--corpus work-data/corpus] [--jobs 2]
 *
 * Writes `<out>/words.txt` (the vocabulary, one word per line, the `--phrases` list), one JSONL manifest
 * per subset (`<out>/words_<subset>.jsonl`: `id`, `audio` relative to the manifest, `text`, plus the
 * corpus's voice/engine/augmentation fields) and clean 16 kHz mono WAVs with 0.3 s of silence either side.
 * Synthesis, padding and resuming are the corpus's own (`synth.ts`); voices are read from the corpus's
 * `voices.json`. The same command gives the same set.
 */
import { promises as fs, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import type { Augmentation } from './augment.js';
import { rngFor } from '../../src/core/rng.js';
import { synthesizeSet, type UttPlan } from './synth.js';
import { isMain, nonNegativeInt } from './util.js';
import { festivalVoices, fliteVoices, type Voice, type VoiceInventory } from './voices.js';

/**
 * The vocabulary: 30 short app commands and the ten digits' words, in the order of `words.txt`.
 * @example
 * VOCABULARY.includes('cancel'); // true
 */
export const VOCABULARY: readonly string[] = [
  'yes', 'no', 'stop', 'go', 'up', 'down', 'left', 'right', 'on', 'off',
  'start', 'pause', 'play', 'next', 'back', 'open', 'close', 'help', 'cancel', 'repeat',
  'zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine',
];

/** The subsets, in the order they are written. */
export const WORD_SUBSETS = ['festival', 'heldout', 'seen'] as const;
export type WordSubset = (typeof WORD_SUBSETS)[number];

/** Training voices of the `seen` subset: these flite voices (those installed) and espeak-ng en-us. */
export const SEEN_FLITE = ['kal', 'slt', 'awb', 'rms'];
export const SEEN_ESPEAK = ['en-us'];

/** Silence before and after each word, seconds. */
export const WORD_PAD_SECONDS = 0.3;

/** Clean: no effects or noise, peak at -6 dBFS, 0.3 s padding. */
const CLEAN: Augmentation = {
  clean: true, speed: 1, tempo: 1, pitch_cents: 0, reverb: null, noise: null, telephone: false,
  gain_db: 0, pad_s: [WORD_PAD_SECONDS, WORD_PAD_SECONDS],
};

/** The voices each subset speaks with. */
export type WordVoices = Record<WordSubset, Voice[]>;

/**
 * Choose the voices of every subset from the corpus's voice inventory. The held-out subset takes the
 * held-out accent without a variant plus `heldoutVariants` of its held-out variants, half stock and half
 * generated, picked with the seed; the seen subset takes {@link SEEN_FLITE} (those installed) and
 * {@link SEEN_ESPEAK}, which must be training voices.
 * @example
 * const voices = chooseWordVoices(JSON.parse(await fs.readFile('work-data/corpus/voices.json', 'utf8')), 4, 1);
 * voices.heldout[0]; // { engine: 'espeak-ng', name: 'en-gb-scotland' }
 */
export function chooseWordVoices(inv: Pick<VoiceInventory, 'heldoutAccent' | 'heldoutVariants' | 'trainAccents' | 'flite' | 'festival'>, heldoutVariants: number, seed: number): WordVoices {
  const stock = inv.heldoutVariants.filter((v) => !v.startsWith('gen_'));
  const gen = inv.heldoutVariants.filter((v) => v.startsWith('gen_'));
  const nGen = Math.min(gen.length, Math.floor(heldoutVariants / 2));
  const nStock = Math.min(stock.length, heldoutVariants - nGen);
  const variants = [
    ...rngFor(seed, 'words', 'heldout-stock').shuffle([...stock]).slice(0, nStock).sort(),
    ...rngFor(seed, 'words', 'heldout-generated').shuffle([...gen]).slice(0, nGen).sort(),
  ];
  for (const a of SEEN_ESPEAK) {
    if (!inv.trainAccents.includes(a)) throw new UsageError(`"${a}" is not a training accent of this corpus (voices.json trainAccents: ${inv.trainAccents.join(', ')}); the seen subset needs training voices`);
  }
  return {
    festival: inv.festival.map((name) => ({ engine: 'festival', name })),
    heldout: [inv.heldoutAccent, ...variants.map((v) => `${inv.heldoutAccent}+${v}`)].map((name) => ({ engine: 'espeak-ng', name })),
    seen: [
      ...SEEN_FLITE.filter((v) => inv.flite.includes(v)).map((name): Voice => ({ engine: 'flite', name })),
      ...SEEN_ESPEAK.map((name): Voice => ({ engine: 'espeak-ng', name })),
    ],
  };
}

/**
 * Plan one subset: every voice says every word, with the synthesizer's default settings. Ids are
 * `words_<subset>-<voice index>-<word>`; WAVs go to `words_<subset>/<id>.wav`.
 * @example
 * const plans = planWords('seen', [{ engine: 'flite', name: 'kal' }], ['yes', 'no']);
 * plans[1].id; // 'words_seen-00-no'
 */
export function planWords(subset: WordSubset, voices: readonly Voice[], words: readonly string[] = VOCABULARY): UttPlan[] {
  if (!voices.length) throw new UsageError(`isolated words: subset ${subset} has no voices (are its synthesizers installed? see tools/corpus/README.md)`);
  const set = `words_${subset}`;
  return voices.flatMap((voice, v) => words.map((word): UttPlan => {
    const id = `${set}-${String(v).padStart(2, '0')}-${word}`;
    return { id, audio: `${set}/${id}.wav`, text: word, spoken: word, source: 'isolated-words', voice, synth: {}, augmentation: CLEAN };
  }));
}

/** Options of {@link buildIsolatedWords}. */
export interface IsolatedWordsOptions {
  /** Output directory (git-ignored, e.g. work-data/words). */
  out: string;
  /** The built corpus: its voices.json and private espeak-ng-data. */
  corpus: string;
  /** How many held-out variants besides the plain held-out accent. */
  heldoutVariants: number;
  seed: number;
  jobs: number;
}

/**
 * Write words.txt and synthesize every subset (resuming what exists). Returns the utterances per subset.
 * @example
 * await buildIsolatedWords({ out: 'work-data/words', corpus: 'work-data/corpus', heldoutVariants: 4, seed: 1, jobs: 2 });
 */
export async function buildIsolatedWords(o: IsolatedWordsOptions): Promise<Record<WordSubset, number>> {
  const corpus = path.resolve(o.corpus);
  const voicesFile = path.join(corpus, 'voices.json');
  if (!existsSync(voicesFile) || !existsSync(path.join(corpus, 'espeak-ng-data', 'phontab'))) {
    throw new UsageError(`${corpus} has no voices.json or espeak-ng-data: build the corpus first (node dist/tools/corpus/build.js --out ${o.corpus}), or pass --corpus`);
  }
  const inv = JSON.parse(await fs.readFile(voicesFile, 'utf8')) as VoiceInventory;
  // Only the voices installed here (voices.json may come from another machine).
  const installed = { ...inv, flite: await fliteVoices(), festival: await festivalVoices(inv.festival) };
  const voices = chooseWordVoices(installed, o.heldoutVariants, o.seed);
  const out = path.resolve(o.out);
  await fs.mkdir(out, { recursive: true });
  await fs.writeFile(path.join(out, 'words.txt'), `${VOCABULARY.join('\n')}\n`);
  const counts = {} as Record<WordSubset, number>;
  for (const subset of WORD_SUBSETS) {
    const plans = planWords(subset, voices[subset]);
    const manifest = path.join(out, `words_${subset}.jsonl`);
    process.stderr.write(`isolated-words: ${subset}: ${voices[subset].map((v) => `${v.engine}:${v.name}`).join(', ')} x ${VOCABULARY.length} words -> ${manifest}\n`);
    const r = await synthesizeSet(plans, manifest, { jobs: o.jobs, espeakPath: corpus, noiseDir: path.join(out, 'noise'), noiseSeconds: 300, label: `words_${subset}` });
    if (r.failed.length) throw new Error(`${r.failed.length} words of ${subset} failed (see above); re-run the same command to retry them`);
    counts[subset] = r.total;
  }
  return counts;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('isolated-words')
    .description('Synthesize the isolated-word evaluation set (festival, held-out and seen voices) and words.txt.')
    .requiredOption('--out <dir>', 'output directory (git-ignored, e.g. work-data/words)')
    .option('--corpus <dir>', 'the built corpus (voices.json, espeak-ng-data)', 'work-data/corpus')
    .option('--heldout-variants <n>', 'held-out espeak-ng variants besides the plain held-out accent', nonNegativeInt('--heldout-variants'), 4)
    .option('--seed <n>', 'seed of the held-out variant pick', nonNegativeInt('--seed'), 1)
    .option('--jobs <n>', 'parallel synthesis pipelines', nonNegativeInt('--jobs'), Math.min(2, os.availableParallelism()))
    .parse()
    .opts<IsolatedWordsOptions>();
  if (o.jobs < 1) throw new UsageError('--jobs must be at least 1');
  const counts = await buildIsolatedWords(o);
  process.stderr.write(`isolated-words: ${JSON.stringify(counts)}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`isolated-words: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
