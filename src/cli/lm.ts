/**
 * `earshot lm build`, and the decoder options of `earshot transcribe` / `earshot stream`
 * (--decoder, --beam, --lm, --lm-weight, --word-bonus, --lexicon, --phrases, --boost), with the files they name.
 */
import { promises as fs } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { ArpaLanguageModel, writeArpa } from '../lm/arpa.js';
import { buildKneserNey, normalizeText } from '../lm/build.js';
import { LabelSet } from '../decoder/trie.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { Recognizer } from '../recognizer.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { parsePositiveInt } from './options.js';

/** Options of `earshot lm build`. */
export interface LmBuildCliOptions {
  out: string;
  order: string;
  force: boolean;
}

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * `earshot lm build <text> -o <arpa> --order N`: interpolated modified Kneser-Ney from one sentence per line.
 * @example
 * await lmBuildCommand('train.txt', { out: 'en.arpa', order: '3', force: false });
 */
export async function lmBuildCommand(textFile: string, o: LmBuildCliOptions): Promise<void> {
  const order = parsePositiveInt('--order', o.order)!;
  if (order > 6) throw new UsageError(`--order must be from 1 to 6, got ${order}`);
  const text = await readText(textFile, 'text file');
  const sentences = text.split(/\r?\n/).map(normalizeText).filter((s) => s.length > 0);
  if (sentences.length === 0) throw new UsageError(`text file ${textFile}: no words in it (one sentence per line expected)`);
  const t0 = Date.now();
  const ngrams = buildKneserNey(sentences, { order });
  try {
    await writeFileAtomic(o.out, writeArpa(ngrams), { force: o.force });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${o.out} exists; pass --force to overwrite`);
    throw e;
  }
  process.stderr.write(`earshot: ${sentences.length} sentences -> ${o.out}: order ${order}, n-grams ${ngrams.map((g) => g.length).join('/')}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/** Decoder flags shared by transcribe and stream. */
export interface DecoderCliOptions {
  decoder?: string;
  beam?: string;
  lm?: string;
  lmWeight?: string;
  wordBonus?: string;
  lexicon?: string;
  phrases?: string;
  boost?: string;
}

function parseNumber(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new UsageError(`${name} must be a number, got "${v}"`);
  return n;
}

/** Non-empty, non-comment ("#") lines of a list file, each checked against the model's labels, with file:line in errors. */
async function readList(file: string, what: string, labelSet: LabelSet): Promise<string[]> {
  const text = await readText(file, what);
  const out: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return;
    labelSet.encode(t, `${what} ${file}:${i + 1}`);
    out.push(t);
  });
  if (out.length === 0) throw new UsageError(`${what} ${file}: no entries (one per line; blank lines and # comments are skipped)`);
  return out;
}

/**
 * Turn the decoder flags into DecoderOptions for a loaded model (reading the LM and list files), or
 * undefined for the greedy default. Any beam-only flag without --decoder beam is an error.
 * @example
 * const decoder = await decoderFromCli({ decoder: 'beam', lm: 'en.arpa' }, rec);
 */
export async function decoderFromCli(o: DecoderCliOptions, rec: Recognizer): Promise<DecoderOptions | undefined> {
  const type = o.decoder ?? 'greedy';
  if (type !== 'greedy' && type !== 'beam') throw new UsageError(`--decoder must be greedy or beam, got "${type}"`);
  const beamOnly = (['beam', 'lm', 'lmWeight', 'wordBonus', 'lexicon', 'phrases', 'boost'] as const).filter((k) => o[k] !== undefined);
  if (type === 'greedy') {
    if (beamOnly.length) throw new UsageError(`--${beamOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs --decoder beam`);
    return undefined;
  }
  if (rec.metadata.output.type !== 'ctc') throw new UsageError('--decoder beam needs a CTC model; this model has frame labels');
  const labelSet = new LabelSet(rec.metadata.labels, rec.metadata.output.blankId);
  const beam = parsePositiveInt('--beam', o.beam);
  const opts: DecoderOptions = { type: 'beam', ...(beam !== undefined ? { beam } : {}) };
  if (o.lm !== undefined && o.lm !== 'none') opts.lm = ArpaLanguageModel.parse(await readText(o.lm, 'language model'), o.lm);
  const lmWeight = parseNumber('--lm-weight', o.lmWeight);
  if (lmWeight !== undefined) opts.lmWeight = lmWeight;
  const wordBonus = parseNumber('--word-bonus', o.wordBonus);
  if (wordBonus !== undefined) opts.wordBonus = wordBonus;
  if (o.lexicon !== undefined) {
    const words = await readList(o.lexicon, 'lexicon', labelSet);
    const bad = words.findIndex((w) => /\s/.test(w));
    if (bad >= 0) throw new UsageError(`lexicon ${o.lexicon}: "${words[bad]}" has a space; list one word per line`);
    opts.lexicon = words;
  }
  if (o.phrases !== undefined) opts.phrases = await readList(o.phrases, 'phrase list', labelSet);
  if (o.boost !== undefined) opts.boost = await readList(o.boost, 'boost list', labelSet);
  if (opts.phrases && (opts.lm || opts.boost)) throw new UsageError('--phrases (closed vocabulary) cannot be combined with --lm or --boost');
  return opts;
}
