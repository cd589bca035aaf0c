/**
 * The closed-phrase threshold (`--phrase-threshold`) calibrated on real speech: what a threshold buys in right
 * answers and costs in false accepts. Short lines of a dev manifest (held-out voices) become a command list:
 * half of the distinct lines (in SHA-256 order) are the phrases, the clips of the other half are out-of-list
 * speech that should come out empty. Every clip is decoded once at threshold 0 (the best phrase and its
 * confidence); each threshold is then scored from those confidences:
 * - in-list clips: right (the correct phrase, accepted), wrong (another phrase accepted), rejected;
 * - out-of-list clips: false accept (any phrase accepted), right (rejected);
 * - accuracy: right answers over all clips. The pick is the threshold with the highest accuracy (ties: lower).
 *
 * CLI: `node dist/tools/eval/phrase-threshold.js --manifest real-dev.jsonl [--max-words 5] [--json out.json]`
 */
import { createHash } from 'node:crypto';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { normalizeText } from '../../src/core/text.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { loadRecognizer } from '../../src/node/index.js';
import { readManifest } from '../../src/node/manifest.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { isMain } from '../corpus/util.js';

/** One decoded clip: its reference (normalized), whether it is in the list, the best phrase and its confidence. */
export interface PhraseTrial {
  ref: string;
  inList: boolean;
  best: string;
  confidence: number;
}

/** The outcome counts of one threshold. */
export interface ThresholdRow {
  threshold: number;
  inRight: number;
  inWrong: number;
  inRejected: number;
  outFalseAccept: number;
  outRejected: number;
  accuracy: number;
}

/**
 * Split distinct lines into the phrase list and the out-of-list lines, half each, in SHA-256 order of `seed:line`.
 * @example
 * splitPhrases(['go left', 'stop', 'go right', 'wait'], '1'); // { phrases: [two of them], others: [the other two] }
 */
export function splitPhrases(lines: string[], seed: string): { phrases: string[]; others: string[] } {
  const distinct = [...new Set(lines)];
  const h = (s: string): string => createHash('sha256').update(`${seed}:${s}`).digest('hex');
  const sorted = distinct.map((s) => ({ s, k: h(s) })).sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : 0)).map((x) => x.s);
  const half = Math.ceil(sorted.length / 2);
  return { phrases: sorted.slice(0, half), others: sorted.slice(half) };
}

/**
 * Score one threshold: a phrase is output when its confidence is at least `t`.
 * @example
 * scoreThreshold([{ ref: 'stop', inList: true, best: 'stop', confidence: 0.6 }], 0.5).accuracy; // 1
 */
export function scoreThreshold(trials: PhraseTrial[], t: number): ThresholdRow {
  const r: ThresholdRow = { threshold: t, inRight: 0, inWrong: 0, inRejected: 0, outFalseAccept: 0, outRejected: 0, accuracy: 0 };
  for (const x of trials) {
    const accepted = x.best !== '' && x.confidence >= t;
    if (x.inList) {
      if (!accepted) r.inRejected++;
      else if (x.best === x.ref) r.inRight++;
      else r.inWrong++;
    } else if (accepted) r.outFalseAccept++;
    else r.outRejected++;
  }
  r.accuracy = trials.length ? (r.inRight + r.outRejected) / trials.length : 0;
  return r;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('phrase-threshold')
    .description('Calibrate the closed-phrase threshold on real speech (a dev manifest: never a test set).')
    .requiredOption('--manifest <file>', 'clips of held-out speakers (JSONL {audio, text})')
    .option('--model <file>', 'earshot model (default: the shipped one)')
    .option('--max-words <n>', 'only lines of at most this many words (command-like)', Number, 5)
    .option('--seed <s>', 'seed of the list / out-of-list split', '1')
    .option('--threads <n>', 'acoustic model threads', Number, 1)
    .option('--json <file>', 'write the rows and the pick as JSON')
    .parse()
    .opts<{ manifest: string; model?: string; maxWords: number; seed: string; threads: number; json?: string }>();
  if (!(Number.isInteger(o.maxWords) && o.maxWords > 0)) throw new UsageError(`--max-words must be a positive whole number, got ${o.maxWords}`);
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), threads: o.threads });
  const norm = (s: string): string => normalizeText(s, rec.metadata.labels);
  const items = readManifest(o.manifest).filter((it) => {
    const n = norm(it.text);
    return n !== '' && n.split(' ').length <= o.maxWords;
  });
  if (items.length < 4) throw new UsageError(`${o.manifest}: only ${items.length} clips of at most ${o.maxWords} words; raise --max-words`);
  const { phrases } = splitPhrases(items.map((it) => norm(it.text)), o.seed);
  const list = new Set(phrases);
  const decoder = { type: 'beam', phrases, phraseThreshold: 0 } as const;
  const trials: PhraseTrial[] = [];
  for (const it of items) {
    const { samples, sampleRate } = await readAudioFile(it.audio, 16000);
    const r = await rec.transcribe(samples, sampleRate, { decoder });
    trials.push({ ref: norm(it.text), inList: list.has(norm(it.text)), best: r.phrase ? norm(r.phrase.text) : '', confidence: r.phrase?.confidence ?? 0 });
  }
  const rows = Array.from({ length: 21 }, (_, i) => scoreThreshold(trials, i / 20));
  const pick = [...rows].sort((a, b) => b.accuracy - a.accuracy || a.threshold - b.threshold)[0]!;
  const inN = trials.filter((t) => t.inList).length;
  const lines = ['threshold\tin:right\tin:wrong\tin:rejected\tout:false-accept\tout:rejected\taccuracy%'];
  for (const r of rows) lines.push([r.threshold.toFixed(2), r.inRight, r.inWrong, r.inRejected, r.outFalseAccept, r.outRejected, (100 * r.accuracy).toFixed(1)].join('\t'));
  process.stdout.write(`${lines.join('\n')}\n${phrases.length} phrases; ${inN} clips in the list, ${trials.length - inN} out of it\npick: --phrase-threshold ${pick.threshold.toFixed(2)} (accuracy ${(100 * pick.accuracy).toFixed(1)} %)\n`);
  if (o.json) await writeFileAtomic(o.json, `${JSON.stringify({ manifest: o.manifest, model: o.model ?? 'default', maxWords: o.maxWords, phrases: phrases.length, clipsInList: inN, clipsOutOfList: trials.length - inN, rows, pick }, null, 1)}\n`, { force: true });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`phrase-threshold: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
