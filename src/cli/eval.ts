/** `earshot eval`: WER/CER per manifest (subset) and overall, with the real-time factor. */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { AudioInputError, UsageError } from '../core/errors.js';
import { addCounts, countErrors, rates, type ErrorCounts } from '../eval/metrics.js';
import { loadRecognizer, transcribeFile } from '../node/index.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { parsePositiveInt, parseProviders } from './options.js';
import { decoderFromCli, type DecoderCliOptions } from './lm.js';

export interface EvalCliOptions extends DecoderCliOptions {
  model?: string;
  ep: string;
  threads?: string;
  limit?: string;
  json?: string;
  hyp?: string;
}

interface ManifestEntry {
  id: string;
  audio: string;
  text: string;
}

/** Read a JSONL manifest; audio paths are relative to the manifest's directory. */
export async function readManifest(file: string): Promise<ManifestEntry[]> {
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`manifest ${file}: cannot read (${(e as Error).message})`);
  }
  const entries: ManifestEntry[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      throw new UsageError(`manifest ${file}, line ${i + 1}: not valid JSON`);
    }
    const o = obj as Record<string, unknown>;
    if (typeof o.audio !== 'string' || typeof o.text !== 'string') throw new UsageError(`manifest ${file}, line ${i + 1}: expected string fields "audio" and "text"`);
    entries.push({ id: typeof o.id === 'string' ? o.id : `${path.basename(file)}:${i + 1}`, audio: path.resolve(path.dirname(file), o.audio), text: o.text });
  }
  if (entries.length === 0) throw new UsageError(`manifest ${file}: no entries`);
  return entries;
}

export interface SubsetReport extends ErrorCounts {
  subset: string;
  utterances: number;
  failed: number;
  wer: number;
  cer: number;
  audioSec: number;
  rtf: number;
}

/** Format the report table. */
export function formatReport(rows: SubsetReport[]): string {
  const head = ['subset', 'utts', 'audio h', 'WER %', 'CER %', 'RTF'];
  const body = rows.map((r) => [r.subset, String(r.utterances), (r.audioSec / 3600).toFixed(2), (100 * r.wer).toFixed(2), (100 * r.cer).toFixed(2), r.rtf.toFixed(4)]);
  const w = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ');
  return [line(head), ...body.map(line)].join('\n') + '\n';
}

export async function evalCommand(manifests: string[], o: EvalCliOptions): Promise<void> {
  const providers = parseProviders(o.ep);
  const threads = parsePositiveInt('--threads', o.threads);
  const limit = parsePositiveInt('--limit', o.limit);
  const sets = await Promise.all(manifests.map(async (m) => ({ name: path.basename(m).replace(/\.jsonl?$/, ''), entries: (await readManifest(m)).slice(0, limit ?? Infinity) })));
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), executionProviders: providers, ...(threads ? { threads } : {}) });
  const decoder = await decoderFromCli(o, rec);
  const rows: SubsetReport[] = [];
  const hyps: string[] = [];
  const zero: ErrorCounts = { wordErrors: 0, words: 0, charErrors: 0, chars: 0 };
  let total = { ...zero };
  let totalAudio = 0;
  let totalWall = 0;
  let totalUtts = 0;
  let totalFailed = 0;
  for (const set of sets) {
    let counts = { ...zero };
    let audioSec = 0;
    let wall = 0;
    let failed = 0;
    for (const e of set.entries) {
      const t0 = performance.now();
      let hyp = '';
      try {
        const r = await transcribeFile(rec, e.audio, decoder ? { decoder } : {});
        hyp = r.text;
        audioSec += r.durationSec;
      } catch (err) {
        if (!(err instanceof AudioInputError)) throw err;
        failed++;
        process.stderr.write(`earshot eval: ${err.message} (scored as an empty hypothesis)\n`);
      }
      wall += (performance.now() - t0) / 1000;
      const c = countErrors(e.text, hyp);
      counts = addCounts(counts, c);
      if (o.hyp) hyps.push(JSON.stringify({ subset: set.name, id: e.id, ref: e.text, hyp, ...rates(c) }));
    }
    rows.push({ subset: set.name, utterances: set.entries.length, failed, ...counts, ...rates(counts), audioSec, rtf: audioSec ? wall / audioSec : 0 });
    total = addCounts(total, counts);
    totalAudio += audioSec;
    totalWall += wall;
    totalUtts += set.entries.length;
    totalFailed += failed;
  }
  if (sets.length > 1) rows.push({ subset: 'overall', utterances: totalUtts, failed: totalFailed, ...total, ...rates(total), audioSec: totalAudio, rtf: totalAudio ? totalWall / totalAudio : 0 });
  process.stdout.write(formatReport(rows));
  if (o.json) await writeFileAtomic(o.json, JSON.stringify({ model: o.model ?? 'default', provider: rec.provider, subsets: rows }, null, 2) + '\n', { force: true });
  if (o.hyp) await writeFileAtomic(o.hyp, hyps.join('\n') + '\n', { force: true });
  if (totalFailed) process.exitCode = 2;
}
