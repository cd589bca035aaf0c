/**
 * Endpointing on real speech: do the endpoint rules cut a stream at the speakers' pauses, and never inside what
 * one of them says? Clips of a manifest (real-dev: held-out voices) are joined into "conversations" with seeded
 * pauses between them, over a noise floor (`--noise-db`, default -60 dBFS: a quiet room), then transcribed with endpointing under each setting of a grid.
 *
 * The truth is where the clips were put (each trimmed to its speech, 10 ms kept either side):
 * - a segment that ends inside a clip splits an utterance (`inside`): the error that hurts most;
 * - a pause at least `rule2MinTrailingSilence + LATENCY_S` long must end a segment (`required`); the share of those
 *   that did is the `recall`; shorter pauses may or may not (not scored);
 * - `wer`: the segments' texts joined against the clips' texts joined, per conversation (what the cuts cost the
 *   transcript), beside the same without endpointing.
 * The pick for each pause length is the blank threshold with the fewest `inside` + missed `required` (ties: lower WER).
 *
 * CLI: `node dist/tools/eval/endpoint-eval.js --manifest real-dev.jsonl --model M --blank 0.5,0.7,0.9
 * --pause 0.8,1.2 --json out.json` (a table on stdout).
 */
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { Rng, rngFor } from '../../src/core/rng.js';
import type { EndpointConfig } from '../../src/decoder/endpoint.js';
import { addCounts, countErrors, rates, type ErrorCounts } from '../../src/eval/metrics.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { loadRecognizer } from '../../src/node/index.js';
import { readManifest } from '../../src/node/manifest.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import type { Recognizer } from '../../src/recognizer.js';
import { trimEdges } from '../corpus/augment.js';
import { isMain } from '../corpus/util.js';

const RATE = 16000;
/** Slack after the pause length for a required cut: the model's blank posterior rises a frame or two after speech ends. */
export const LATENCY_S = 0.25;
/** Default noise floor under the whole conversation, dB re full scale RMS: a quiet room, not digital zero. */
const NOISE_DB = -60;

/** Where one clip sits in a conversation, seconds. */
export interface Placed {
  id: string;
  text: string;
  start: number;
  end: number;
}

/** A conversation's layout: the clips in order; pause i is between clip i and clip i + 1. */
export interface Layout {
  clips: Placed[];
  duration: number;
}

/**
 * Lay clips of the given durations end to end in groups of `perConversation`, with a pause drawn from `pauses`
 * (seconds, uniformly) before each clip but the first, and `lead` seconds at both ends.
 * @example
 * layOut([{ id: 'a', text: 'x', duration: 1 }, { id: 'b', text: 'y', duration: 2 }], 2, [1.5], 7, 0.5);
 * // [{ clips: [{ id: 'a', start: 0.5, end: 1.5 }, { id: 'b', start: 3, end: 5 }], duration: 5.5 }]
 */
export function layOut(clips: { id: string; text: string; duration: number }[], perConversation: number, pauses: number[], seed: number, lead = 0.5): Layout[] {
  if (!(Number.isInteger(perConversation) && perConversation >= 2)) throw new UsageError(`--per-conversation must be a whole number >= 2, got ${perConversation}`);
  if (!pauses.length || pauses.some((p) => !(p > 0))) throw new UsageError(`--pauses must be positive seconds, got ${pauses.join(',')}`);
  const order = new Rng(seed).shuffle([...clips]);
  const out: Layout[] = [];
  for (let i = 0; i < order.length; i += perConversation) {
    const group = order.slice(i, i + perConversation);
    if (group.length < 2) break;
    const r = rngFor(seed, 'pauses', i);
    let t = lead;
    const placed = group.map((c, k) => {
      if (k > 0) t += r.pick(pauses);
      const p = { id: c.id, text: c.text, start: t, end: t + c.duration };
      t = p.end;
      return p;
    });
    out.push({ clips: placed, duration: t + lead });
  }
  return out;
}

/** Counts of one setting over conversations. */
export interface EndpointScore {
  inside: number;
  required: number;
  hit: number;
  clips: number;
  counts: ErrorCounts;
}

/**
 * Score the segment ends of one conversation against its layout for pause length `pause` (rule 2's seconds).
 * @example
 * scoreEnds(layout, [2.9, 7.1], 1.2); // { inside, required, hit }
 */
export function scoreEnds(layout: Layout, ends: number[], pause: number): { inside: number; required: number; hit: number } {
  const c = layout.clips;
  let inside = 0;
  for (const e of ends) if (c.some((p) => e > p.start && e < p.end)) inside++;
  let required = 0;
  let hit = 0;
  for (let i = 0; i + 1 < c.length; i++) {
    const a = c[i]!.end;
    const b = c[i + 1]!.start;
    if (b - a < pause + LATENCY_S) continue;
    required++;
    if (ends.some((e) => e >= a && e <= b)) hit++;
  }
  return { inside, required, hit };
}

function render(layout: Layout, audio: Map<string, Float32Array>, seed: number, index: number, noiseDb: number): Float32Array {
  const x = new Float32Array(Math.ceil(layout.duration * RATE));
  const r = rngFor(seed, 'noise', index);
  const rms = 10 ** (noiseDb / 20);
  for (let i = 0; i < x.length; i++) x[i] = rms * Math.sqrt(3) * (2 * r.next() - 1);
  for (const p of layout.clips) {
    const s = audio.get(p.id)!;
    const at = Math.round(p.start * RATE);
    for (let i = 0; i < s.length && at + i < x.length; i++) x[at + i] = x[at + i]! + s[i]!;
  }
  return x;
}

/** One grid point's result. */
export interface GridRow {
  blank: number | null;
  pause: number | null;
  inside: number;
  required: number;
  /** Required pauses that ended no segment. */
  missed: number;
  recall: number;
  insidePer100Clips: number;
  wer: number;
  cer: number;
}

async function run(rec: Recognizer, layouts: Layout[], audio: Map<string, Float32Array>, seed: number, noiseDb: number, endpoint: Partial<EndpointConfig> | null): Promise<EndpointScore> {
  const score: EndpointScore = { inside: 0, required: 0, hit: 0, clips: 0, counts: { wordErrors: 0, words: 0, charErrors: 0, chars: 0 } };
  for (const [i, layout] of layouts.entries()) {
    const x = render(layout, audio, seed, i, noiseDb);
    const res = await rec.transcribe(x, RATE, endpoint ? { endpoint } : {});
    const ends = (res.segments ?? []).filter((s) => s.reason !== 'end-of-input').map((s) => s.end);
    const s = scoreEnds(layout, ends, endpoint?.rule2MinTrailingSilence ?? Infinity);
    score.inside += s.inside;
    score.required += endpoint ? s.required : 0;
    score.hit += endpoint ? s.hit : 0;
    score.clips += layout.clips.length;
    score.counts = addCounts(score.counts, countErrors(layout.clips.map((p) => p.text).join(' '), res.text, rec.metadata.labels));
  }
  return score;
}

function row(blank: number | null, pause: number | null, s: EndpointScore): GridRow {
  const { wer, cer } = rates(s.counts);
  return { blank, pause, inside: s.inside, required: s.required, missed: s.required - s.hit, recall: s.required ? s.hit / s.required : 1, insidePer100Clips: (100 * s.inside) / Math.max(s.clips, 1), wer, cer };
}

const numbers = (name: string) => (v: string): number[] => {
  const xs = v.split(',').map(Number);
  if (!xs.length || xs.some((x) => !(x > 0))) throw new UsageError(`${name} must be comma-separated positive numbers, got "${v}"`);
  return xs;
};

async function main(): Promise<void> {
  const o = new Command()
    .name('endpoint-eval')
    .description('Score endpoint settings on clips joined into conversations with pauses (tune on dev sets only).')
    .requiredOption('--manifest <file>', 'clips of held-out speakers (JSONL {audio, text})')
    .option('--model <file>', 'earshot model (default: the shipped one)')
    .option('--blank <list>', 'blank thresholds to try', numbers('--blank'), [0.5, 0.7, 0.9])
    .option('--pause <list>', 'rule-2 pause lengths (seconds) to try', numbers('--pause'), [0.8, 1.2])
    .option('--pauses <list>', 'pauses put between clips, drawn uniformly (seconds)', numbers('--pauses'), [0.3, 0.6, 1.0, 1.8, 2.6])
    .option('--per-conversation <n>', 'clips per conversation', Number, 8)
    .option('--limit <n>', 'use the first n clips of the manifest (0 = all)', Number, 0)
    .option('--seed <n>', 'seed of the order, pauses and noise', Number, 1)
    .option('--noise-db <db>', 'white noise floor under the conversation, dB re full scale RMS (speech peaks near 0)', Number, NOISE_DB)
    .option('--threads <n>', 'acoustic model threads', Number, 1)
    .option('--json <file>', 'write the rows and picks as JSON')
    .parse()
    .opts<{ manifest: string; model?: string; blank: number[]; pause: number[]; pauses: number[]; perConversation: number; limit: number; seed: number; noiseDb: number; threads: number; json?: string }>();
  if (!(o.noiseDb < 0)) throw new UsageError(`--noise-db must be negative (dB below full scale), got ${o.noiseDb}`);
  const items = readManifest(o.manifest).slice(0, o.limit > 0 ? o.limit : undefined);
  const audio = new Map<string, Float32Array>();
  const clips: { id: string; text: string; duration: number }[] = [];
  for (const it of items) {
    const { samples } = await readAudioFile(it.audio, RATE);
    const speech = trimEdges(samples, -45, Math.round(0.01 * RATE), false);
    if (!speech.length) continue;
    audio.set(it.id, speech);
    clips.push({ id: it.id, text: it.text, duration: speech.length / RATE });
  }
  const layouts = layOut(clips, o.perConversation, o.pauses, o.seed);
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), threads: o.threads });
  const rows: GridRow[] = [row(null, null, await run(rec, layouts, audio, o.seed, o.noiseDb, null))];
  for (const pause of o.pause) {
    for (const blank of o.blank) rows.push(row(blank, pause, await run(rec, layouts, audio, o.seed, o.noiseDb, { rule2MinTrailingSilence: pause, blankThreshold: blank })));
  }
  const picks = o.pause.map((pause) => {
    const cand = rows.filter((r) => r.pause === pause);
    return [...cand].sort((a, b) => a.inside + a.missed - (b.inside + b.missed) || a.wer - b.wer)[0]!;
  });
  const pct = (x: number): string => (100 * x).toFixed(1);
  const lines = ['blank\tpause\tinside\tper100clips\trequired\trecall%\tWER%\tCER%'];
  for (const r of rows) lines.push([r.blank ?? 'off', r.pause ?? 'off', r.inside, r.insidePer100Clips.toFixed(2), r.required, pct(r.recall), pct(r.wer), pct(r.cer)].join('\t'));
  process.stdout.write(`${lines.join('\n')}\n${picks.map((p) => `pick for pause ${p.pause} s: blank threshold ${p.blank}`).join('\n')}\n`);
  process.stdout.write(`${layouts.length} conversations of ${o.perConversation} clips (${clips.length} clips, ${(layouts.reduce((a, l) => a + l.duration, 0) / 60).toFixed(1)} min)\n`);
  if (o.json) await writeFileAtomic(o.json, `${JSON.stringify({ manifest: o.manifest, model: o.model ?? 'default', noiseDb: o.noiseDb, pauses: o.pauses, perConversation: o.perConversation, seed: o.seed, rows, picks }, null, 1)}\n`, { force: true });
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`endpoint-eval: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}

