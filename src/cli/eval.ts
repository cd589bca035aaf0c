/**
 * `earshot eval`: WER/CER per manifest (subset) and overall, with the real-time factor: in total (wall
 * clock per file, reading and decoding the audio included) and of the acoustic model and of the decoder
 * alone (the Recognizer's per-stage timings), so the cost of a decoder shows next to the model's; with
 * `--bootstrap N`, also 95 % intervals of WER and CER from N seeded resamples of the utterances.
 */
import path from 'node:path';
import { AudioInputError, UsageError, describeError } from '../core/errors.js';
import { addCounts, countErrors, rates, SCORING_NORMALIZATION, type ErrorCounts } from '../eval/metrics.js';
import { bootstrapIntervals, type Interval } from '../eval/bootstrap.js';
import { formatTable } from '../eval/table.js';
import { compileBeamOptions } from '../decoder/beam.js';
import type { DecoderOptions } from '../decoder/select.js';
import { loadRecognizer, transcribeFile, type RecognitionResult, type StageTimings } from '../node/index.js';
import { readAudioFile } from '../node/audio-file.js';
import type { Recognizer } from '../recognizer.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { readManifest } from '../node/manifest.js';
import { parsePositiveInt, parseProviders } from './options.js';
import { decoderFromCli, type DecoderCliOptions } from './lm.js';

/**
 * Options of `earshot eval` (strings as commander passes them).
 * @example
 * const o: EvalCliOptions = { ep: 'cpu', threads: '1', limit: '200', decoder: 'beam', lm: 'none' };
 */
export interface EvalCliOptions extends DecoderCliOptions {
  model?: string;
  ep: string;
  threads?: string;
  limit?: string;
  json?: string;
  hyp?: string;
  bootstrap?: string;
}

/** Real-time factors of a subset: total wall clock and the acoustic model and decoder stages, per audio second. */
function speed(wall: number, stageSec: StageTimings, audioSec: number): Pick<SubsetReport, 'rtf' | 'stageSec' | 'rtfAcoustic' | 'rtfDecoder'> {
  const per = (x: number): number => (audioSec ? x / audioSec : 0);
  return { rtf: per(wall), stageSec, rtfAcoustic: per(stageSec.acoustic), rtfDecoder: per(stageSec.decoder) };
}

/**
 * Transcribe `file` as if it had been recorded at `rate` Hz (a manifest's `via_rate`): read at that rate, then
 * given to the recognizer at that rate, which resamples it up as it does any narrow-band recording.
 */
async function transcribeVia(rec: Recognizer, file: string, rate: number, opts: { decoder?: DecoderOptions }): Promise<RecognitionResult> {
  const { samples } = await readAudioFile(file, rate);
  return rec.transcribe(samples, rate, opts);
}

/** One row of the report: a manifest, or `overall`. */
export interface SubsetReport extends ErrorCounts {
  subset: string;
  utterances: number;
  failed: number;
  wer: number;
  cer: number;
  audioSec: number;
  /** Wall-clock seconds per audio second, everything included (reading and decoding the file too). */
  rtf: number;
  /** Seconds spent in each stage of the Recognizer, summed over the utterances. */
  stageSec: StageTimings;
  /** Acoustic model seconds per audio second (`stageSec.acoustic / audioSec`). */
  rtfAcoustic: number;
  /** Decoder seconds per audio second (`stageSec.decoder / audioSec`). */
  rtfDecoder: number;
  /** With `--bootstrap`: 95 % percentile intervals of `wer` and `cer` over resampled utterances. */
  werInterval?: Interval;
  cerInterval?: Interval;
}

const ZERO_STAGES: StageTimings = { resample: 0, features: 0, acoustic: 0, decoder: 0 };

function addStages(a: StageTimings, b: StageTimings): StageTimings {
  return { resample: a.resample + b.resample, features: a.features + b.features, acoustic: a.acoustic + b.acoustic, decoder: a.decoder + b.decoder };
}

const pct = (x: number): string => (100 * x).toFixed(2);
const span = (i: Interval | undefined): string => (i ? `${pct(i.low)}-${pct(i.high)}` : '');

/**
 * Format the report table: one row per subset; `AM RTF` and `dec RTF` are the real-time factors of the
 * acoustic model and of the decoder alone, `RTF` the total. Rows with bootstrap intervals add a `WER 95% CI`
 * and a `CER 95% CI` column (low-high, %).
 * @example
 * process.stdout.write(formatReport(rows));
 * // subset  utts  audio h  WER %  CER %     RTF  AM RTF  dec RTF
 * // test     400     0.29  12.34   4.56  0.0210  0.0080   0.0050
 */
export function formatReport(rows: SubsetReport[]): string {
  const ci = rows.some((r) => r.cerInterval);
  const head = ['subset', 'utts', 'audio h', 'WER %', 'CER %', ...(ci ? ['WER 95% CI', 'CER 95% CI'] : []), 'RTF', 'AM RTF', 'dec RTF'];
  const body = rows.map((r) => [r.subset, String(r.utterances), (r.audioSec / 3600).toFixed(2), pct(r.wer), pct(r.cer),
    ...(ci ? [span(r.werInterval), span(r.cerInterval)] : []), r.rtf.toFixed(4), r.rtfAcoustic.toFixed(4), r.rtfDecoder.toFixed(4)]);
  return formatTable(head, body);
}

/**
 * How an eval run decoded, as its JSON report records it: the decoder, and for beam search the width, the LM
 * (`--lm` as given, "default" for the shipped LM, null for none) and the LM weight and word bonus in effect
 * (flags, else the model's recommendation, else the fallback), so a report says how its numbers were made.
 * @example
 * const d: DecodingReport = { decoder: 'beam', beam: 16, lm: 'default', lmWeight: 0.7, wordBonus: 7 };
 */
export interface DecodingReport {
  decoder: 'greedy' | 'beam';
  beam?: number;
  lm?: string | null;
  lmWeight?: number;
  wordBonus?: number;
}

function describeDecoding(decoder: DecoderOptions | undefined, o: EvalCliOptions, rec: Recognizer): DecodingReport {
  if (decoder?.type !== 'beam') return { decoder: 'greedy' };
  const c = compileBeamOptions(decoder, rec.metadata.labels, rec.metadata.output);
  const lm = c.lm === undefined ? null : o.lm ?? 'default';
  return { decoder: 'beam', beam: c.beam, lm, ...(c.lm ? { lmWeight: c.lmWeight, wordBonus: c.wordBonus } : {}) };
}

/** With `--bootstrap N`: the rows' 95 % intervals from N resamples (seed 1), each subset resampled to its own size. */
function intervals(groups: ErrorCounts[][], draws: number | undefined): Pick<SubsetReport, 'werInterval' | 'cerInterval'> {
  if (!draws) return {};
  const { wer, cer } = bootstrapIntervals(groups, { draws, seed: 1 });
  return { werInterval: wer, cerInterval: cer };
}

/**
 * Row labels for manifests: the file name without its extension, or with it where two manifests would
 * share one (`a.tsv`, `a.jsonl`), or the path as given where even that is shared.
 * @example
 * subsetNames(['x/a.tsv', 'x/a.jsonl', 'b.jsonl']) // ['a.tsv', 'a.jsonl', 'b']
 */
export function subsetNames(manifests: readonly string[]): string[] {
  const stem = (m: string): string => path.basename(m, path.extname(m));
  const count = <T>(xs: readonly T[], x: T): number => xs.filter((y) => y === x).length;
  const stems = manifests.map(stem);
  const bases = manifests.map((m) => path.basename(m));
  return manifests.map((m, i) => (count(stems, stems[i]) === 1 ? stems[i]! : count(bases, bases[i]) === 1 ? bases[i]! : m));
}

/**
 * `earshot eval <manifests...>`: transcribe every entry, print the report table, optionally write it as
 * JSON (`--json`) and every hypothesis as JSONL (`--hyp`). Unreadable audio is scored as an empty
 * hypothesis and makes the exit status 2.
 * @example
 * await evalCommand(['work-data/corpus/test.jsonl'], { ep: 'cpu', decoder: 'beam', json: 'report.json' });
 */
export async function evalCommand(manifests: string[], o: EvalCliOptions): Promise<void> {
  const providers = parseProviders(o.ep);
  const threads = parsePositiveInt('--threads', o.threads);
  const limit = parsePositiveInt('--limit', o.limit);
  const draws = parsePositiveInt('--bootstrap', o.bootstrap);
  const names = subsetNames(manifests);
  const sets = manifests.map((m, i) => ({ name: names[i]!, entries: readManifest(m).slice(0, limit ?? Infinity) }));
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), executionProviders: providers, ...(threads ? { threads } : {}) });
  const decoder = await decoderFromCli(o, rec);
  const decoding = describeDecoding(decoder, o, rec);
  const rows: SubsetReport[] = [];
  const perUtterance: ErrorCounts[][] = [];
  const hyps: string[] = [];
  const zero: ErrorCounts = { wordErrors: 0, words: 0, charErrors: 0, chars: 0 };
  let total = { ...zero };
  let totalAudio = 0;
  let totalWall = 0;
  let totalUtts = 0;
  let totalFailed = 0;
  let totalStages = { ...ZERO_STAGES };
  for (const set of sets) {
    let counts = { ...zero };
    let audioSec = 0;
    let wall = 0;
    let failed = 0;
    let stages = { ...ZERO_STAGES };
    const utts: ErrorCounts[] = [];
    perUtterance.push(utts);
    for (const e of set.entries) {
      const t0 = performance.now();
      let hyp = '';
      try {
        const opts = decoder ? { decoder } : {};
        const r = e.viaRate ? await transcribeVia(rec, e.audio, e.viaRate, opts) : await transcribeFile(rec, e.audio, opts);
        hyp = r.text;
        audioSec += r.durationSec;
        stages = addStages(stages, r.timings);
      } catch (err) {
        if (!(err instanceof AudioInputError)) throw err;
        failed++;
        process.stderr.write(`earshot eval: ${describeError(err)} (scored as an empty hypothesis)\n`);
      }
      wall += (performance.now() - t0) / 1000;
      const c = countErrors(e.text, hyp, rec.metadata.labels);
      utts.push(c);
      counts = addCounts(counts, c);
      if (o.hyp) hyps.push(JSON.stringify({ subset: set.name, id: e.id, ref: e.text, hyp, ...rates(c) }));
    }
    rows.push({ subset: set.name, utterances: set.entries.length, failed, ...counts, ...rates(counts), audioSec, ...speed(wall, stages, audioSec), ...intervals([utts], draws) });
    total = addCounts(total, counts);
    totalStages = addStages(totalStages, stages);
    totalAudio += audioSec;
    totalWall += wall;
    totalUtts += set.entries.length;
    totalFailed += failed;
  }
  if (sets.length > 1) rows.push({ subset: 'overall', utterances: totalUtts, failed: totalFailed, ...total, ...rates(total), audioSec: totalAudio, ...speed(totalWall, totalStages, totalAudio), ...intervals(perUtterance, draws) });
  process.stdout.write(formatReport(rows));
  if (o.json) await writeFileAtomic(o.json, JSON.stringify({ model: o.model ?? 'default', provider: rec.provider, decoding, scoring: { normalization: SCORING_NORMALIZATION, appliedTo: 'reference and hypothesis' }, subsets: rows }, null, 2) + '\n', { force: true });
  if (o.hyp) await writeFileAtomic(o.hyp, hyps.join('\n') + '\n', { force: true });
  if (totalFailed) process.exitCode = 2;
}
