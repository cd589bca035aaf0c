/**
 * The whole corpus recipe in one command: sentence pool -> splits -> voices -> per-set plans ->
 * synthesis of every set -> statistics.
 *
 *   node dist/tools/corpus/build.js --out work-data/corpus --train 24000 --seed 1 [--jobs 2]
 *
 * Sets (one JSONL manifest each, WAV paths relative to it):
 * - `train`: train sentences; training voices (espeak-ng accents x variants, flite); augmented.
 * - `dev`: dev sentences; training voices; clean. For early stopping.
 * - `test`: test sentences; training voices; clean.
 * - `heldout_voice`: the first test sentences; the held-out espeak-ng accent with held-out variants; clean.
 * - `festival`: the first test sentences; festival voices (never used in training), alternating; clean.
 * The evaluation sets share their sentences, so differences between them come from the voices.
 * Re-running the same command resumes where it stopped and yields the same corpus.
 */
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { parseNumberOption } from '../../src/cli/options.js';
import { planAugmentation, TRAIN_PAD_MEAN_TOTAL, type AugmentMode } from './augment.js';
import { hash32, rngFor } from '../../src/core/rng.js';
import { planSynth, readJsonl, synthesizeSet, writeAtomic, type ManifestEntry, type UttPlan } from './synth.js';
import { buildSentencePool, DEFAULT_TEXT_OPTIONS, writeSentencePool, type Sentence } from './text.js';
import { isMain, nonNegativeInt } from './util.js';
import { viaRateCopiesOf, viaShareProblem } from './via-rate.js';
import { viaRateProblem } from '../../src/node/manifest.js';
import { DEFAULT_FLITE_SHARE, DEFAULT_VOICE_OPTIONS, GNUSPEECH_VOICES, pickVoice, prepareVoices, voiceKey, type VoiceInventory, type VoicePool } from './voices.js';

export interface BuildOptions {
  out: string;
  seed: number;
  jobs: number;
  train: number;
  dev: number;
  test: number;
  heldout: number;
  festival: number;
  sentences: number;
  generatedVariants: number;
  heldoutAccent: string;
  noiseSeconds: number;
  sets: string[];
  planOnly: boolean;
  /** Aim the training set at this mean duration (seconds) by preferring shorter sentences; 0 = no preference. */
  trainMeanSeconds: number;
  /**
   * 0: the corpus itself. r > 0: an extra, disjoint round of training audio in the same corpus
   * (set `train_r<r>`): the same text split and held-out voices, but its own sentence pick, its own
   * freshly generated espeak-ng variants and its own random choices. Only the training set is made.
   */
  round: number;
  /**
   * Share (0-1) of training-pool utterances spoken by gnuspeech, an articulatory synthesizer: a voice
   * source unlike espeak-ng's formants and flite's recordings. 0 (default) draws nothing extra, so
   * plans made without it are unchanged.
   */
  gnuspeechShare?: number;
  /**
   * Share (0-1) of the training pool's utterances not given to gnuspeech that flite speaks (its voices
   * are built from recordings of real people); default DEFAULT_FLITE_SHARE (0.22), which keeps the
   * plans of earlier rounds.
   */
  fliteShare?: number;
  /**
   * Narrow-band copies of the training set (tools/corpus/via-rate.ts): a seeded `share` of its entries, written
   * as `<set>_via<rate>.jsonl` next to it, which tools/featurize hears as if recorded at `rate` Hz. No new audio.
   */
  via?: { rate: number; share: number };
}

/** Default mean training-utterance duration: 24,000 utterances make about 16.5 hours. */
export const DEFAULT_TRAIN_MEAN_SECONDS = 2.475;

/** Label characters spoken per second, measured on a 600-utterance training pilot (seed 1). */
export const CHARS_PER_SECOND = 17.9;

/** Estimated training-utterance duration, seconds. */
export function estimateSeconds(s: Sentence): number {
  return TRAIN_PAD_MEAN_TOTAL + s.label.length / CHARS_PER_SECOND;
}

/**
 * Choose `n` training sentences. Without `targetHours`, the first `n` in the pool's seeded order.
 * With it, a seeded weighted sample without replacement (Efraimidis-Spirakis keys, weight
 * exp(-duration / tau)), with tau found by bisection so that the estimated total is the target;
 * if even the shortest `n` sentences exceed it, those are taken. Keeps the pool's order.
 * @example
 * selectTrain(trainSentences, 24000, 1, 16.5);
 */
export function selectTrain(pool: Sentence[], n: number, seed: number, targetHours?: number): { chosen: Sentence[]; estHours: number } {
  const est = (xs: Sentence[]): number => xs.reduce((a, s) => a + estimateSeconds(s), 0) / 3600;
  if (n >= pool.length) {
    const chosen = Array.from({ length: n }, (_, i) => pool[i % pool.length]!);
    return { chosen, estHours: est(chosen) };
  }
  if (!targetHours) {
    const chosen = pool.slice(0, n);
    return { chosen, estHours: est(chosen) };
  }
  const logU = pool.map((s) => Math.log((hash32(`${seed}\u0000train-pick\u0000${s.label}`) + 0.5) / 4294967296));
  const durs = pool.map(estimateSeconds);
  const pick = (tau: number): number[] => {
    const keys = pool.map((_, i) => ({ i, k: logU[i]! * Math.exp(durs[i]! / tau) }));
    keys.sort((a, b) => b.k - a.k || a.i - b.i);
    return keys.slice(0, n).map((x) => x.i).sort((a, b) => a - b);
  };
  const hoursOf = (idx: number[]): number => idx.reduce((a, i) => a + durs[i]!, 0) / 3600;
  let lo = 0.05;
  let hi = 1000;
  let best = pick(hi);
  if (hoursOf(best) > targetHours) {
    for (let it = 0; it < 40; it++) {
      const mid = Math.sqrt(lo * hi);
      const idx = pick(mid);
      if (hoursOf(idx) > targetHours) hi = mid;
      else {
        lo = mid;
        best = idx;
      }
      if (hi / lo < 1.01) break;
    }
    if (hoursOf(best) > targetHours) best = pick(lo);
  }
  const chosen = best.map((i) => pool[i]!);
  return { chosen, estHours: est(chosen) };
}

/**
 * The sentences of extra training round `round`: first every train sentence that earlier rounds did
 * not speak (`spoken`: their labels, read from their plans), then, if `n` asks for more, a
 * round-seeded pick among the spoken ones, so that a round adds as much new text as the pool has.
 * @example
 * selectRound(trainSentences, 16000, 1, 1, new Set(round0Labels));
 */
export function selectRound(pool: Sentence[], n: number, seed: number, round: number, spoken: ReadonlySet<string>): { chosen: Sentence[]; estHours: number } {
  // A seeded uniform pick of k, kept in pool order.
  const pick = (xs: Sentence[], k: number): Sentence[] => xs
    .map((s, i) => ({ s, i, h: hash32(`${seed}\u0000round-pick\u0000${round}\u0000${s.label}`) }))
    .sort((a, b) => a.h - b.h || a.i - b.i).slice(0, k).sort((a, b) => a.i - b.i).map((x) => x.s);
  const fresh = pool.filter((s) => !spoken.has(s.label));
  const chosen = fresh.length >= n ? pick(fresh, n) : [...fresh, ...pick(pool.filter((s) => spoken.has(s.label)), n - fresh.length)];
  return { chosen, estHours: chosen.reduce((a, s) => a + estimateSeconds(s), 0) / 3600 };
}

interface SetSpec {
  name: string;
  count: number;
  sentences: Sentence[];
  pool: VoicePool;
  mode: AugmentMode;
}

export const ALL_SETS = ['dev', 'test', 'heldout_voice', 'festival', 'train'];

/** Labels the training plans of rounds 0 .. round-1 speak (they must exist: build those rounds first). */
async function spokenInEarlierRounds(out: string, round: number): Promise<Set<string>> {
  const spoken = new Set<string>();
  for (let r = 0; r < round; r++) {
    const file = path.join(out, 'plan', r ? `train_r${r}.jsonl` : 'train.jsonl');
    const plans = await readJsonl<UttPlan>(file).catch(() => {
      throw new UsageError(`--round ${round}: ${file} is missing; build the training set of round ${r} first (same --out and --seed)`);
    });
    for (const p of plans) spoken.add(p.text);
  }
  return spoken;
}

/**
 * Plan every utterance of one set. Each choice comes from `rngFor(seed, set, index, purpose)`.
 * @example
 * const plans = planSet(spec, inv, 1, 300);
 */
export function planSet(spec: SetSpec, inv: VoiceInventory, seed: number, noiseSeconds: number): UttPlan[] {
  if (!spec.sentences.length) throw new Error(`set ${spec.name}: no sentences to speak`);
  const plans: UttPlan[] = [];
  for (let i = 0; i < spec.count; i++) {
    const s = spec.sentences[i % spec.sentences.length]!;
    const id = `${spec.name}-${String(i).padStart(6, '0')}`;
    const voice = pickVoice(inv, spec.pool, rngFor(seed, spec.name, i, 'voice'), i);
    plans.push({
      id,
      audio: `${spec.name}/${String(Math.floor(i / 1000)).padStart(3, '0')}/${id}.wav`,
      text: s.label,
      spoken: s.spoken,
      source: s.source,
      voice,
      synth: planSynth(rngFor(seed, spec.name, i, 'synth'), voice),
      augmentation: planAugmentation(rngFor(seed, spec.name, i, 'aug'), spec.mode, noiseSeconds, { pitchShiftBias: voice.engine === 'flite' || voice.engine === 'gnuspeech' }),
    });
  }
  return plans;
}

/** Per-set statistics of a finished manifest. */
export interface SetStats {
  utterances: number;
  hours: number;
  meanSeconds: number;
  minSeconds: number;
  maxSeconds: number;
  voices: number;
  engines: Record<string, number>;
  sentences: number;
  clean: number;
  wallSec?: number;
}

export function manifestStats(entries: ManifestEntry[]): SetStats {
  const d = entries.map((e) => e.duration);
  const total = d.reduce((a, b) => a + b, 0);
  const engines: Record<string, number> = {};
  for (const e of entries) engines[e.engine] = (engines[e.engine] ?? 0) + 1;
  return {
    utterances: entries.length,
    hours: Math.round((total / 3600) * 100) / 100,
    meanSeconds: entries.length ? Math.round((total / entries.length) * 100) / 100 : 0,
    minSeconds: d.length ? Math.min(...d) : 0,
    maxSeconds: d.length ? Math.max(...d) : 0,
    voices: new Set(entries.map((e) => `${e.engine}:${e.voice}`)).size,
    engines,
    sentences: new Set(entries.map((e) => e.text)).size,
    clean: entries.filter((e) => 'clean' in e.augmentation && e.augmentation.clean).length,
  };
}

/**
 * Run the recipe.
 * @example
 * await buildCorpus({ ...opts, out: 'work-data/corpus', train: 24000, seed: 1 });
 */
export async function buildCorpus(o: BuildOptions): Promise<Record<string, SetStats>> {
  const out = path.resolve(o.out);
  await fs.mkdir(out, { recursive: true });
  const log = (s: string): void => {
    process.stderr.write(`${new Date().toISOString()} ${s}\n`);
  };
  // 1. Text.
  log(`text: building ${o.sentences} sentences (seed ${o.seed})`);
  const { sentences, stats: textStats } = await buildSentencePool({ ...DEFAULT_TEXT_OPTIONS, seed: o.seed, sentences: o.sentences });
  await writeSentencePool(path.join(out, 'text'), sentences, textStats);
  log(`text: ${JSON.stringify(textStats)}`);
  const bySplit = (s: string): Sentence[] => sentences.filter((x) => x.split === s);
  const trainPool = bySplit('train');
  const targetHours = o.trainMeanSeconds > 0 ? (o.train * o.trainMeanSeconds) / 3600 : undefined;
  const { chosen: train, estHours } = o.round
    ? selectRound(trainPool, o.train, o.seed, o.round, await spokenInEarlierRounds(out, o.round))
    : selectTrain(trainPool, o.train, o.seed, targetHours);
  log(`text: train${o.round ? `_r${o.round}` : ''} uses ${train.length} of ${trainPool.length} train sentences, estimated ${estHours.toFixed(1)} h${targetHours && !o.round ? ` (target ${targetHours.toFixed(1)} h)` : ''}`);
  const dev = bySplit('dev');
  const test = bySplit('test');
  if (o.train > trainPool.length) log(`warning: --train ${o.train} > ${trainPool.length} train sentences; some sentences are spoken twice`);
  for (const [name, n] of [['dev', o.dev], ['test', Math.max(o.test, o.heldout, o.festival)]] as const) {
    const have = name === 'dev' ? dev.length : test.length;
    if (n > have) log(`warning: ${name} sets want ${n} sentences but the split has ${have}; some are repeated`);
  }
  // 2. Voices.
  log('voices: preparing espeak-ng variants and listing voices');
  const inv: VoiceInventory = {
    ...(await prepareVoices({ ...DEFAULT_VOICE_OPTIONS, seed: o.seed, dataRoot: out, generatedTrain: o.generatedVariants, heldoutAccent: o.heldoutAccent, round: o.round })),
    ...(o.gnuspeechShare ? { gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: o.gnuspeechShare } : {}),
    ...(o.fliteShare !== undefined && o.fliteShare !== DEFAULT_FLITE_SHARE ? { fliteShare: o.fliteShare } : {}),
  };
  await fs.writeFile(path.join(out, o.round ? `voices_r${o.round}.json` : 'voices.json'), `${JSON.stringify(inv, null, 2)}\n`);
  log(`voices: ${inv.trainAccents.length} training accents, ${inv.trainVariants.length} training variants, held out ${inv.heldoutAccent} x ${inv.heldoutVariants.length} variants, flite ${inv.flite.join(',')} (share ${inv.fliteShare ?? DEFAULT_FLITE_SHARE})${inv.gnuspeech ? `, gnuspeech ${inv.gnuspeech.join(',')} (share ${inv.gnuspeechShare})` : ''}, festival ${inv.festival.join(',')}; dropped ${inv.droppedVariants.length} silent variants`);
  // 3. Plans.
  const specs: SetSpec[] = [
    { name: 'dev', count: o.dev, sentences: dev, pool: 'train', mode: 'clean' },
    { name: 'test', count: o.test, sentences: test, pool: 'train', mode: 'clean' },
    { name: 'heldout_voice', count: o.heldout, sentences: test, pool: 'heldout', mode: 'clean' },
    { name: 'festival', count: o.festival, sentences: test, pool: 'festival', mode: 'clean' },
    { name: 'train', count: o.train, sentences: train, pool: 'train', mode: 'train' },
  ].filter((s) => o.sets.includes(s.name)).map((s) => (o.round ? { ...s, name: `train_r${o.round}` } : s)) as SetSpec[];
  if (o.round && (specs.length !== 1 || specs[0]!.mode !== 'train')) throw new UsageError(`--round ${o.round} makes only the training set: pass --sets train`);
  const plans = new Map<string, UttPlan[]>();
  await fs.mkdir(path.join(out, 'plan'), { recursive: true });
  for (const spec of specs) {
    const p = planSet(spec, inv, o.seed, o.noiseSeconds);
    // Festival voices are for evaluation only.
    if (spec.name !== 'festival' && p.some((u) => u.voice.engine === 'festival')) throw new Error(`set ${spec.name} would use a festival voice; festival is reserved for evaluation`);
    if (spec.mode === 'train' && p.some((u) => u.voice.name.startsWith(inv.heldoutAccent))) throw new Error('train would use the held-out accent');
    plans.set(spec.name, p);
    await fs.writeFile(path.join(out, 'plan', `${spec.name}.jsonl`), p.map((u) => `${JSON.stringify(u)}\n`).join(''));
    log(`plan: ${spec.name}: ${p.length} utterances, ${new Set(p.map((u) => voiceKey(u.voice))).size} voices`);
  }
  if (o.planOnly) return {};
  // 4. Synthesis.
  const stats: Record<string, SetStats> = {};
  const statsFile = path.join(out, 'stats.json');
  for (const spec of specs) {
    const manifest = path.join(out, `${spec.name}.jsonl`);
    log(`synth: ${spec.name} -> ${manifest} with ${o.jobs} jobs`);
    const r = await synthesizeSet(plans.get(spec.name)!, manifest, {
      jobs: o.jobs, espeakPath: inv.espeakPath, noiseDir: path.join(out, 'noise'), noiseSeconds: o.noiseSeconds, label: spec.name,
    });
    const entries = await readJsonl<ManifestEntry>(manifest);
    stats[spec.name] = { ...manifestStats(entries), wallSec: Math.round(r.wallSec) };
    log(`synth: ${spec.name}: made ${r.made}, skipped ${r.skipped}, failed ${r.failed.length}, ${Math.round(r.wallSec)} s wall, ${(r.audioSec / Math.max(r.wallSec, 1e-3)).toFixed(1)}x real time; ${JSON.stringify(stats[spec.name])}`);
    // Re-read just before writing: another round building into the same directory may have added its set.
    const previous = await fs.readFile(statsFile, 'utf8').then((t) => JSON.parse(t) as { sets?: Record<string, SetStats> }, () => ({ sets: {} as Record<string, SetStats> }));
    await writeAtomic(statsFile, `${JSON.stringify({ seed: o.seed, text: textStats, sets: { ...previous.sets, ...stats } }, null, 2)}\n`);
    if (r.failed.length) throw new Error(`${r.failed.length} utterances of ${spec.name} failed (see above); re-run the same command to retry them`);
    if (o.via && spec.mode === 'train') {
      const copiesFile = path.join(out, `${spec.name}_via${o.via.rate}.jsonl`);
      // From the entries read back (readJsonl drops a line an earlier, interrupted run left cut short).
      const records = entries.map((e, i) => ({ where: `${manifest} entry ${i + 1}`, record: e as unknown as Record<string, unknown> }));
      const copies = viaRateCopiesOf(records, manifest, copiesFile, o.via.rate, o.via.share, o.seed);
      await writeAtomic(copiesFile, copies.map((c) => `${c}\n`).join(''));
      log(`via-rate: ${copies.length} of ${entries.length} ${spec.name} entries heard via ${o.via.rate} Hz -> ${copiesFile}`);
    }
  }
  return stats;
}

/** `--via-rate 8000:0.2` -> { rate: 8000, share: 0.2 }. */
function parseVia(x: string): { rate: number; share: number } {
  const m = /^(\d+):([0-9.]+)$/.exec(x);
  const rate = m ? Number(m[1]) : NaN;
  const share = m ? Number(m[2]) : NaN;
  const problem = m ? viaRateProblem(rate) : undefined;
  if (!m || problem || viaShareProblem(share)) {
    throw new UsageError(`--via-rate must be <hz>:<share>, a sample rate from 1000 to 192000 Hz and a share in (0, 1], e.g. 8000:0.2; got ${JSON.stringify(x)}`);
  }
  return { rate, share };
}

async function main(): Promise<void> {
  const cmd = new Command()
    .name('build')
    .description('Build the speech corpus: text, splits, voices, synthesis of train/dev/test/heldout_voice/festival.')
    .requiredOption('--out <dir>', 'output directory (git-ignored work-data/...)')
    .option('--train <n>', 'training utterances', nonNegativeInt('--train'), 24000)
    .option('--seed <n>', 'seed', nonNegativeInt('--seed'), 1)
    .option('--jobs <n>', 'parallel synthesis pipelines (default: number of cores)', nonNegativeInt('--jobs'), os.availableParallelism())
    .option('--dev <n>', 'dev utterances', nonNegativeInt('--dev'), 400)
    .option('--test <n>', 'test utterances', nonNegativeInt('--test'), 400)
    .option('--heldout <n>', 'heldout_voice utterances', nonNegativeInt('--heldout'), 300)
    .option('--festival <n>', 'festival utterances (split over the festival voices)', nonNegativeInt('--festival'), 300)
    .option('--sentences <n>', 'distinct sentences in the pool', nonNegativeInt('--sentences'), DEFAULT_TEXT_OPTIONS.sentences)
    .option('--generated-variants <n>', 'random espeak-ng variants for training', nonNegativeInt('--generated-variants'), DEFAULT_VOICE_OPTIONS.generatedTrain)
    .option('--heldout-accent <voice>', 'espeak-ng accent reserved for heldout_voice', DEFAULT_VOICE_OPTIONS.heldoutAccent)
    .option('--noise-seconds <n>', 'length of each noise bank', nonNegativeInt('--noise-seconds'), 300)
    .option('--train-mean-seconds <s>', 'aim train at this mean utterance duration by preferring shorter sentences (0: no preference)', (x) => parseNumberOption('--train-mean-seconds', x, { min: 0 })!, DEFAULT_TRAIN_MEAN_SECONDS)
    .option('--sets <list>', `comma-separated subset of ${ALL_SETS.join(',')}`, ALL_SETS.join(','))
    .option('--plan-only', 'write text, voices and plans, synthesize nothing', false)
    .option('--round <r>', 'extra training round r > 0: set train_r<r> with its own sentence pick, new generated variants and random choices (same text split and held-out voices; use with --sets train)', nonNegativeInt('--round'), 0)
    .option('--gnuspeech-share <p>', 'share (0-1) of training-pool utterances spoken by gnuspeech voices (needs @echogarden/gnuspeech-wasm)', (x) => parseNumberOption('--gnuspeech-share', x, { min: 0, max: 1 })!, 0)
    .option('--flite-share <p>', 'share (0-1) of the other training-pool utterances spoken by flite voices', (x) => parseNumberOption('--flite-share', x, { min: 0, max: 1 })!, DEFAULT_FLITE_SHARE)
    .option('--via-rate <hz:share>', 'also write narrow-band copies of the training set: a seeded share of its entries, featurized as if recorded at hz (e.g. 8000:0.2)', parseVia)
    .parse();
  const o = cmd.opts<Omit<BuildOptions, 'sets' | 'via'> & { sets: string; viaRate?: BuildOptions['via'] }>();
  const sets = o.sets.split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of sets) if (!ALL_SETS.includes(s)) throw new UsageError(`--sets: unknown set "${s}"; choose from ${ALL_SETS.join(', ')}`);
  if (o.jobs < 1) throw new UsageError('--jobs must be at least 1');
  const { viaRate, ...rest } = o;
  const stats = await buildCorpus({ ...rest, sets, ...(viaRate ? { via: viaRate } : {}) });
  process.stderr.write(`${JSON.stringify(stats, null, 2)}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`build: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
