/**
 * ARPA back-off n-gram language models: parse (any order), score with back-off, write.
 * ARPA stores log10 probabilities and back-off weights; scores here are natural logs.
 *
 *   P(w | h) = P*(w | h)             if the n-gram (h, w) is listed
 *            = bow(h) * P(w | h')    otherwise, h' = h without its oldest word (bow = 1 if h is not listed)
 */
import { UsageError } from '../core/errors.js';
import type { LanguageModel } from './types.js';

const LN10 = Math.LN10;

/** One listed n-gram: log10 probability and back-off weight (0 when absent), as written in the file. */
interface Entry {
  log10Prob: number;
  log10Backoff: number;
}

/**
 * An n-gram model in ARPA form.
 * @example
 * const lm = ArpaLanguageModel.parse(await fs.readFile('lm.arpa', 'utf8'), 'lm.arpa');
 * lm.score(['<s>', 'turn'], 'on');
 */
export class ArpaLanguageModel implements LanguageModel {
  readonly order: number;
  /** tables[n - 1]: the n-grams, keyed by their words joined with single spaces. */
  private readonly tables: Map<string, Entry>[];
  /** Score of a word the model does not list when it has no "<unk>" entry. */
  private readonly unkLogProb: number;
  private readonly hasUnk: boolean;

  private constructor(tables: Map<string, Entry>[], unknownLogProb: number) {
    this.tables = tables;
    this.order = tables.length;
    this.hasUnk = tables[0]!.has('<unk>');
    this.unkLogProb = unknownLogProb;
  }

  /**
   * Parse ARPA text. Errors are UsageErrors naming `source` and the line.
   * `unknownLogProb` (natural log) scores words outside the vocabulary when the model has no "<unk>"; default ln(1e-10).
   * @example
   * const lm = ArpaLanguageModel.parse(text, 'en.arpa');
   */
  static parse(text: string, source = '<arpa>', unknownLogProb = Math.log(1e-10)): ArpaLanguageModel {
    const lines = text.split(/\r?\n/);
    const fail = (i: number, why: string): never => {
      throw new UsageError(`${source}:${i + 1}: ${why}`);
    };
    let i = 0;
    while (i < lines.length && lines[i]!.trim() !== '\\data\\') i++;
    if (i === lines.length) throw new UsageError(`${source}: not an ARPA language model: no "\\data\\" line (nor an earshot binary LM, which starts with the bytes 89 45 4c 4d)`);
    i++;
    const counts: number[] = [];
    for (; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') {
        if (counts.length) break;
        continue;
      }
      const m = /^ngram\s+(\d+)\s*=\s*(\d+)$/.exec(l);
      if (!m) fail(i, `expected "ngram N=COUNT" in the \\data\\ section, got "${l}"`);
      const n = Number(m![1]);
      if (n !== counts.length + 1) fail(i, `ngram orders must be listed 1, 2, 3, ...; got ${n} after ${counts.length}`);
      counts.push(Number(m![2]));
    }
    if (counts.length === 0) throw new UsageError(`${source}: the \\data\\ section lists no "ngram N=COUNT" lines`);
    const tables: Map<string, Entry>[] = counts.map(() => new Map());
    let n = 0;
    let sectionStart = 0;
    let ended = false;
    for (; i < lines.length; i++) {
      const l = lines[i]!.trim();
      if (l === '') continue;
      if (l === '\\end\\') {
        ended = true;
        break;
      }
      const sec = /^\\(\d+)-grams:$/.exec(l);
      if (sec) {
        if (n > 0 && tables[n - 1]!.size !== counts[n - 1]) fail(sectionStart, `the ${n}-grams section has ${tables[n - 1]!.size} entries, the header says ${counts[n - 1]}`);
        const got = Number(sec[1]);
        if (got !== n + 1 || got > counts.length) fail(i, `unexpected section "${l}": expected \\${n + 1}-grams: (the header lists orders 1..${counts.length})`);
        n = got;
        sectionStart = i;
        continue;
      }
      if (n === 0) fail(i, `expected "\\1-grams:", got "${l}"`);
      const f = l.split(/\s+/);
      if (f.length !== n + 1 && f.length !== n + 2) fail(i, `a ${n}-gram line needs a log10 probability, ${n} word(s) and an optional back-off weight; got ${f.length} fields`);
      const lp = Number(f[0]);
      if (!Number.isFinite(lp) || lp > 0) fail(i, `log10 probability "${f[0]}" is not a number <= 0`);
      const bo = f.length === n + 2 ? Number(f[n + 1]) : 0;
      if (!Number.isFinite(bo)) fail(i, `back-off weight "${f[n + 1]}" is not a number`);
      tables[n - 1]!.set(f.slice(1, n + 1).join(' '), { log10Prob: lp, log10Backoff: bo });
    }
    if (!ended) throw new UsageError(`${source}: truncated ARPA file: no "\\end\\" line`);
    if (n > 0 && tables[n - 1]!.size !== counts[n - 1]) fail(sectionStart, `the ${n}-grams section has ${tables[n - 1]!.size} entries, the header says ${counts[n - 1]}`);
    tables.forEach((t, k) => {
      if (t.size === 0 && counts[k]! > 0) throw new UsageError(`${source}: the header lists ${counts[k]} ${k + 1}-grams but there is no \\${k + 1}-grams: section`);
    });
    return new ArpaLanguageModel(tables, unknownLogProb);
  }

  /**
   * Number of n-grams of each order.
   * @example
   * lm.counts // [1200, 5300, 7100]
   */
  get counts(): number[] {
    return this.tables.map((t) => t.size);
  }

  /**
   * True when the word is in the vocabulary.
   * @example
   * lm.has('hello')
   */
  has(word: string): boolean {
    return this.tables[0]!.has(word);
  }

  /**
   * Every listed n-gram, grouped by order (result[n - 1] = the n-grams), in file order, with the log10
   * values as read. Below the highest order each has a log10Backoff (0 where the file gives none); the
   * highest order has none (a back-off weight there is never used). For writeArpa and writeBinaryLanguageModel.
   * @example
   * const text = writeArpa(lm.ngrams()); // the same model again as ARPA
   */
  ngrams(): ArpaNgram[][] {
    const last = this.order - 1;
    return this.tables.map((t, k) =>
      Array.from(t, ([key, e]): ArpaNgram => (k < last ? { words: key.split(' '), log10Prob: e.log10Prob, log10Backoff: e.log10Backoff } : { words: key.split(' '), log10Prob: e.log10Prob })),
    );
  }

  /**
   * ln P(word | history), with back-off; unknown words score as "<unk>".
   * @example
   * lm.score(['<s>'], 'the')
   */
  score(history: readonly string[], word: string): number {
    if (!this.tables[0]!.has(word)) {
      if (!this.hasUnk) return this.unkLogProb;
      word = '<unk>';
    }
    const ctx = history.slice(Math.max(0, history.length - (this.order - 1)));
    let bo = 0;
    for (let start = 0; start <= ctx.length; start++) {
      const h = ctx.slice(start);
      const e = this.tables[h.length]!.get(h.length ? `${h.join(' ')} ${word}` : word);
      if (e) return bo + e.log10Prob * LN10;
      if (h.length) bo += (this.tables[h.length - 1]!.get(h.join(' '))?.log10Backoff ?? 0) * LN10;
    }
    return this.unkLogProb; // unreachable: the unigram exists
  }
}

/**
 * One n-gram for writeArpa: its words, log10 probability and optional log10 back-off weight.
 * @example
 * const g: ArpaNgram = { words: ['<s>', 'hello'], log10Prob: -0.3, log10Backoff: -0.1 };
 */
export interface ArpaNgram {
  words: readonly string[];
  log10Prob: number;
  log10Backoff?: number;
}

/**
 * Options of {@link writeArpa}.
 * @example
 * const opts: WriteArpaOptions = { float32: true };
 */
export interface WriteArpaOptions {
  /**
   * The values are float32 numbers (a BinaryLanguageModel's): write each one so that it reads back as
   * the same float32 — with 6 decimals where that suffices (as `lm build` writes), else with the fewest
   * significant digits that do — and leave out back-off weights of 0 (the same as none, and all that an
   * .lmbin keeps of a missing one). `lm compile` of such text gives the .lmbin's bytes again. Default
   * false: 6 decimals (integers as such), every back-off weight given.
   */
  float32?: boolean;
}

/** x with 6 decimals if that reads back as the float32 x, else the shortest decimal that does. */
function formatFloat32(x: number): string {
  const f = Math.fround(x);
  const fixed = x.toFixed(6);
  if (Math.fround(Number(fixed)) === f) return fixed;
  for (let p = 1; p < 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === f) return String(Number(s));
  }
  return String(Number(x.toPrecision(9))); // 9 significant digits always identify a float32
}

/**
 * Render n-grams (grouped by order: ngrams[n - 1] are the n-grams) as ARPA text.
 * @example
 * const text = writeArpa([[{ words: ['a'], log10Prob: -0.5 }]]);
 * const again = writeArpa(BinaryLanguageModel.fromBytes(bytes).ngrams(), { float32: true }); // .lmbin -> ARPA
 */
export function writeArpa(ngrams: readonly (readonly ArpaNgram[])[], options: WriteArpaOptions = {}): string {
  const out: string[] = ['\\data\\'];
  ngrams.forEach((g, k) => out.push(`ngram ${k + 1}=${g.length}`));
  const fmt = (x: number): string => (Number.isInteger(x) ? String(x) : options.float32 ? formatFloat32(x) : x.toFixed(6));
  ngrams.forEach((g, k) => {
    out.push('', `\\${k + 1}-grams:`);
    for (const e of g) {
      const bo = e.log10Backoff === undefined || (options.float32 && e.log10Backoff === 0) ? '' : `\t${fmt(e.log10Backoff)}`;
      out.push(`${fmt(e.log10Prob)}\t${e.words.join(' ')}${bo}`);
    }
  });
  out.push('', '\\end\\', '');
  return out.join('\n');
}
