/**
 * `earshot lm build`, `lm compile` and `lm decompile`, and the decoder options of `earshot transcribe` / `stream` /
 * `eval` (--decoder, --beam, --lm, --lm-weight, --word-bonus, --lexicon, --phrases, --phrase-threshold, --boost), with the files they name.
 */
import { promises as fs } from 'node:fs';
import { UsageError } from '../core/errors.js';
import { ArpaLanguageModel, writeArpa } from '../lm/arpa.js';
import { writeBinaryLanguageModel } from '../lm/binary.js';
import { buildKneserNey } from '../lm/build.js';
import { textWords } from '../core/text.js';
import { LabelSet } from '../decoder/trie.js';
import type { DecoderOptions } from '../decoder/select.js';
import type { Recognizer } from '../recognizer.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { loadDefaultLanguageModel, loadLanguageModel } from '../node/index.js';
import { isDefaultModel } from '../node/default-model.js';
import { parseNumberOption, parsePositiveInt } from './options.js';

/** Options of `earshot lm build`. */
export interface LmBuildCliOptions {
  out: string;
  order: string;
  force: boolean;
  /** Write earshot's binary form (.lmbin) instead of ARPA. */
  binary?: boolean;
}

/** Options of `earshot lm compile`. */
export interface LmCompileCliOptions {
  force: boolean;
}

/** Options of `earshot lm decompile`. */
export interface LmDecompileCliOptions {
  force: boolean;
}

/** Write atomically; an existing file without --force is a UsageError. */
async function writeOutput(file: string, data: string | Uint8Array, force: boolean): Promise<void> {
  try {
    await writeFileAtomic(file, data, { force });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${file} exists; pass --force to overwrite`);
    throw e;
  }
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`;

async function readText(file: string, what: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`${what} ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * `earshot lm build <text> -o <arpa> --order N`: interpolated modified Kneser-Ney from one sentence per line.
 * With --binary the output is the .lmbin of exactly that ARPA text (the same bytes as `lm compile` of it).
 * @example
 * await lmBuildCommand('train.txt', { out: 'en.arpa', order: '3', force: false });
 */
export async function lmBuildCommand(textFile: string, o: LmBuildCliOptions): Promise<void> {
  const order = parsePositiveInt('--order', o.order)!;
  if (order > 6) throw new UsageError(`--order must be from 1 to 6, got ${order}`);
  const text = await readText(textFile, 'text file');
  const sentences = text.split(/\r?\n/).map((line) => textWords(line)).filter((s) => s.length > 0);
  if (sentences.length === 0) throw new UsageError(`text file ${textFile}: no words in it (one sentence per line expected)`);
  const t0 = Date.now();
  const ngrams = buildKneserNey(sentences, { order });
  const arpa = writeArpa(ngrams);
  // Binary: from the ARPA text as written (6 decimals), so that it is the same model as `lm compile` of the ARPA file.
  await writeOutput(o.out, o.binary ? writeBinaryLanguageModel(ArpaLanguageModel.parse(arpa, o.out)) : arpa, o.force);
  process.stderr.write(`earshot: ${sentences.length} sentences -> ${o.out}: order ${order}, n-grams ${ngrams.map((g) => g.length).join('/')}${o.binary ? ', binary' : ''}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

/**
 * `earshot lm compile <in> <out.lmbin>`: an ARPA file (or an .lmbin) to earshot's binary form, which loads
 * without parsing text. Deterministic: the same input gives the same bytes.
 * @example
 * await lmCompileCommand('en-3gram.arpa', 'models/en-3gram.lmbin', { force: false });
 */
export async function lmCompileCommand(input: string, output: string, o: LmCompileCliOptions): Promise<void> {
  await rewriteLm(input, output, o.force, (lm) => writeBinaryLanguageModel(lm));
}

/** Load an LM file (either form), write it out in another form, and report sizes, counts and time. */
async function rewriteLm(input: string, output: string, force: boolean, encode: (lm: LoadedLm) => Uint8Array | string): Promise<void> {
  const t0 = Date.now();
  const lm = await loadLanguageModel(input);
  const data = encode(lm);
  await writeOutput(output, data, force);
  const inSize = (await fs.stat(input)).size;
  const outSize = typeof data === 'string' ? Buffer.byteLength(data) : data.length;
  process.stderr.write(`earshot: ${input} (${mb(inSize)}) -> ${output} (${mb(outSize)}): order ${lm.order}, n-grams ${lm.counts.join('/')}, ${((Date.now() - t0) / 1000).toFixed(1)} s\n`);
}

type LoadedLm = Awaited<ReturnType<typeof loadLanguageModel>>;

/**
 * `earshot lm decompile <in.lmbin> <out.arpa>`: an .lmbin back to ARPA text, for other tools. Lossless:
 * every value is written so that it reads back as the same float32, so `lm compile` of the output gives
 * the input's bytes again (an ARPA input is rewritten the same way: `lm compile` of either gives the same
 * bytes). N-grams of order 2 and up come sorted by word ids.
 * @example
 * await lmDecompileCommand('models/en-3gram.lmbin', 'en-3gram.arpa', { force: false });
 */
export async function lmDecompileCommand(input: string, output: string, o: LmDecompileCliOptions): Promise<void> {
  await rewriteLm(input, output, o.force, (lm) => writeArpa(lm.ngrams(), { float32: true }));
}

/** Decoder flags shared by transcribe, stream and eval. */
export interface DecoderCliOptions {
  /** The command's --model: the shipped LM is the default only for the shipped model. */
  model?: string;
  decoder?: string;
  beam?: string;
  lm?: string;
  lmWeight?: string;
  wordBonus?: string;
  lexicon?: string;
  phrases?: string;
  phraseThreshold?: string;
  boost?: string;
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
 * undefined for the greedy default. A beam-only flag implies --decoder beam; with --decoder greedy it is an error.
 * Without --lm, beam search with the shipped default model uses the shipped LM (models/en-3gram.lmbin);
 * `--lm none`, or another --model, means no LM.
 * @example
 * const decoder = await decoderFromCli({ decoder: 'beam', lm: 'en.arpa' }, rec);
 */
export async function decoderFromCli(o: DecoderCliOptions, rec: Recognizer): Promise<DecoderOptions | undefined> {
  const beamOnly = (['beam', 'lm', 'lmWeight', 'wordBonus', 'lexicon', 'phrases', 'phraseThreshold', 'boost'] as const).filter((k) => o[k] !== undefined);
  // A beam-only flag (--phrases, --lm, …) implies the beam decoder; only an explicit --decoder greedy conflicts with it.
  const type = o.decoder ?? (beamOnly.length ? 'beam' : 'greedy');
  if (type !== 'greedy' && type !== 'beam') throw new UsageError(`--decoder must be greedy or beam, got "${type}"`);
  if (type === 'greedy') {
    if (beamOnly.length) throw new UsageError(`--${beamOnly[0]!.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} needs the beam decoder: leave out --decoder greedy`);
    return undefined;
  }
  if (rec.metadata.output.type !== 'ctc') throw new UsageError('--decoder beam needs a CTC model; this model has frame labels');
  const labelSet = new LabelSet(rec.metadata.labels, rec.metadata.output.blankId);
  const beam = parsePositiveInt('--beam', o.beam);
  const opts: DecoderOptions = { type: 'beam', ...(beam !== undefined ? { beam } : {}) };
  if (o.lm === undefined) {
    if (isDefaultModel(o.model) && o.phrases === undefined) opts.lm = await loadDefaultLanguageModel();
  } else if (o.lm !== 'none') {
    opts.lm = await loadLanguageModel(o.lm);
  }
  const lmWeight = parseNumberOption('--lm-weight', o.lmWeight);
  if (lmWeight !== undefined) opts.lmWeight = lmWeight;
  const wordBonus = parseNumberOption('--word-bonus', o.wordBonus);
  if (wordBonus !== undefined) opts.wordBonus = wordBonus;
  if (o.lexicon !== undefined) {
    const words = await readList(o.lexicon, 'lexicon', labelSet);
    const bad = words.findIndex((w) => /\s/.test(w));
    if (bad >= 0) throw new UsageError(`lexicon ${o.lexicon}: "${words[bad]}" has a space; list one word per line`);
    opts.lexicon = words;
  }
  if (o.phraseThreshold !== undefined) {
    if (o.phrases === undefined) throw new UsageError('--phrase-threshold needs --phrases <file> (it is the confidence a phrase of that list needs)');
    const t = parseNumberOption('--phrase-threshold', o.phraseThreshold)!;
    if (t < 0 || t > 1) throw new UsageError(`--phrase-threshold must be a confidence between 0 and 1, got "${o.phraseThreshold}"`);
    opts.phraseThreshold = t;
  }
  if (o.phrases !== undefined) opts.phrases = await readList(o.phrases, 'phrase list', labelSet);
  if (o.boost !== undefined) opts.boost = await readList(o.boost, 'boost list', labelSet);
  if (opts.phrases && (opts.lm || opts.boost)) throw new UsageError('--phrases (closed vocabulary) cannot be combined with --lm or --boost');
  return opts;
}
