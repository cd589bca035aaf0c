/**
 * earshot's compact binary form of a back-off n-gram model (`.lmbin`): the same model as an ARPA file,
 * stored as a trie of typed arrays that load without parsing text. Little-endian; every section starts at
 * a multiple of 4 bytes, so on little-endian hosts (all that Node and browsers run on) the arrays are views
 * of the file's bytes, not copies.
 *
 * Layout, version 1 (u32 = unsigned 32-bit, i32, f32 = IEEE single; offsets in bytes):
 *
 *   0   magic    89 45 4C 4D 0D 0A 1A 0A   ("\x89ELM\r\n\x1a\n", PNG-style: text-mode transfers break it)
 *   8   u32      format version (1)
 *   12  u32      CRC-32 (IEEE, as zlib) of bytes 16 .. end of file
 *   16  u32      order N
 *   20  u32      vocabulary size V
 *   24  u32      vocabulary byte length B
 *   28  u32      flags (0; reserved)
 *   32  u32[N]   listed n-grams per order (the ARPA header's counts)
 *       u32[N]   stored entries per order: listed + placeholders (order 1: V)
 *   32 + 8N      vocabulary: the V words in UTF-8, separated by "\n", zero-padded to a multiple of 4;
 *                word id = position. The ARPA unigrams come first, in file order; words that appear
 *                only in higher orders follow, sorted.
 *   then for each order n = 1 .. N, the entries of order n (order 1: entry i = word id i):
 *     n >= 2:  i32[count]      the entry's last word id
 *              f32[count]      log10 probability; +Infinity marks a placeholder (not listed in the ARPA file)
 *     n < N:   f32[count]      log10 back-off weight (0 when the ARPA file gives none)
 *     n < N:   u32[count + 1]  children: entry i's extensions are entries next[i] .. next[i+1]-1 of order
 *                              n + 1, sorted by word id
 *
 * A placeholder is written for each missing prefix of a listed n-gram (standard ARPA files have none).
 * Scores: the same back-off rule and arithmetic as ArpaLanguageModel, on log10 values rounded to float32:
 * every score is within float32 rounding of the ARPA model's (bit-identical where the ARPA values are
 * float32 numbers).
 */
import { ModelError, UsageError } from '../core/errors.js';
import { crc32 } from '../core/crc32.js';
import type { ArpaNgram } from './arpa.js';
import type { LanguageModel } from './types.js';

const LN10 = Math.LN10;

/**
 * The first 8 bytes of every earshot binary language model.
 * @example
 * bytes.subarray(0, 8).every((b, i) => b === LMBIN_MAGIC[i])
 */
export const LMBIN_MAGIC: Readonly<Uint8Array> = Uint8Array.of(0x89, 0x45, 0x4c, 0x4d, 0x0d, 0x0a, 0x1a, 0x0a);

/**
 * The binary format version this earshot writes and reads.
 * @example
 * if (version !== LMBIN_VERSION) console.log('rebuild the .lmbin');
 */
export const LMBIN_VERSION = 1;

const HEADER = 32;
const MAX_ORDER = 32;
const HINT = 'rebuild it from the ARPA file with `earshot lm compile <in.arpa> <out.lmbin>`';
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * True when `bytes` start like an earshot binary LM ("\x89ELM"); such bytes are never valid ARPA text.
 * @example
 * const lm = isBinaryLanguageModel(bytes) ? BinaryLanguageModel.fromBytes(bytes, file) : ArpaLanguageModel.parse(text, file);
 */
export function isBinaryLanguageModel(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x89 && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x4d;
}

/** An entry while building: word ids, log10 probability (+Infinity: placeholder), log10 back-off. */
interface Item {
  ids: number[];
  p: number;
  b: number;
}

/** Lexicographic comparison of `a` with the first a.length ids of `b`. */
function compareIds(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/**
 * Encode a model as .lmbin bytes. Deterministic: the same n-grams give the same bytes. Accepts an
 * ArpaLanguageModel or a BinaryLanguageModel (anything with `ngrams()`, grouped by order).
 * @example
 * const bytes = writeBinaryLanguageModel(ArpaLanguageModel.parse(text, 'en.arpa'));
 * await fs.writeFile('en.lmbin', bytes);
 */
export function writeBinaryLanguageModel(lm: { ngrams(): readonly (readonly ArpaNgram[])[] }): Uint8Array {
  const ngrams = lm.ngrams();
  const N = ngrams.length;
  if (N < 1 || N > MAX_ORDER) throw new UsageError(`binary LM: the order must be 1..${MAX_ORDER}, got ${N}`);
  const bad = (n: number, g: ArpaNgram, why: string): never => {
    throw new UsageError(`binary LM: ${n}-gram "${g.words.join(' ')}": ${why}`);
  };
  const check = (n: number, g: ArpaNgram): void => {
    if (g.words.length !== n) bad(n, g, `has ${g.words.length} words`);
    for (const w of g.words) if (w === '' || /\s/.test(w)) bad(n, g, 'words must be non-empty and without white space');
    if (!(g.log10Prob <= 0)) bad(n, g, `log10 probability ${g.log10Prob} is not a number <= 0`);
    if (!Number.isFinite(g.log10Backoff ?? 0)) bad(n, g, `log10 back-off ${String(g.log10Backoff)} is not a finite number`);
  };
  // Vocabulary: the unigrams in order, then words seen only in higher orders, sorted.
  const vocab: string[] = [];
  const ids = new Map<string, number>();
  const sorted: Item[][] = ngrams.map(() => []);
  for (const g of ngrams[0]!) {
    check(1, g);
    const w = g.words[0]!;
    if (ids.has(w)) bad(1, g, 'listed twice');
    ids.set(w, vocab.length);
    sorted[0]!.push({ ids: [vocab.length], p: g.log10Prob, b: g.log10Backoff ?? 0 });
    vocab.push(w);
  }
  const extra = new Set<string>();
  for (let n = 2; n <= N; n++) for (const g of ngrams[n - 1]!) for (const w of g.words) if (!ids.has(w)) extra.add(w);
  for (const w of [...extra].sort()) {
    ids.set(w, vocab.length);
    sorted[0]!.push({ ids: [vocab.length], p: Infinity, b: 0 });
    vocab.push(w);
  }
  for (let n = 2; n <= N; n++) {
    const level = sorted[n - 1]!;
    for (const g of ngrams[n - 1]!) {
      check(n, g);
      level.push({ ids: g.words.map((w) => ids.get(w)!), p: g.log10Prob, b: n < N ? (g.log10Backoff ?? 0) : 0 });
    }
    level.sort((a, b) => compareIds(a.ids, b.ids));
    for (let i = 1; i < level.length; i++) if (compareIds(level[i - 1]!.ids, level[i]!.ids) === 0) bad(n, ngrams[n - 1]!.find((g) => g.words.every((w, j) => ids.get(w) === level[i]!.ids[j]))!, 'listed twice');
  }
  // Placeholders for missing prefixes, highest order first so that theirs are added too: merge the
  // sorted distinct prefixes of order n into the sorted order n - 1.
  for (let n = N; n >= 3; n--) {
    const lower = sorted[n - 2]!;
    const merged: Item[] = [];
    let j = 0;
    let last: number[] | undefined;
    for (const it of sorted[n - 1]!) {
      const prefix = it.ids.slice(0, -1);
      if (last && compareIds(last, prefix) === 0) continue;
      last = prefix;
      while (j < lower.length && compareIds(lower[j]!.ids, prefix) < 0) merged.push(lower[j++]!);
      if (j < lower.length && compareIds(lower[j]!.ids, prefix) === 0) merged.push(lower[j++]!);
      else merged.push({ ids: prefix, p: Infinity, b: 0 });
    }
    while (j < lower.length) merged.push(lower[j++]!);
    sorted[n - 2] = merged;
  }
  // Children ranges: the entries of order n + 1 are grouped by prefix in the order of order n.
  const next: Uint32Array[] = [];
  for (let n = 1; n < N; n++) {
    const parents = sorted[n - 1]!;
    const nx = new Uint32Array(parents.length + 1);
    let p = 0;
    for (const c of sorted[n]!) {
      while (compareIds(parents[p]!.ids, c.ids) < 0) p++; // compares the parent with the child's prefix
      nx[p + 1]!++;
    }
    for (let i = 0; i < parents.length; i++) nx[i + 1]! += nx[i]!;
    next.push(nx);
  }
  // Bytes.
  const vocabBytes = new TextEncoder().encode(vocab.join('\n'));
  const pad4 = (x: number): number => (x + 3) & ~3;
  let size = HEADER + 8 * N + pad4(vocabBytes.length);
  sorted.forEach((items, k) => {
    const c = items.length;
    size += (k > 0 ? 4 * c : 0) + 4 * c + (k < N - 1 ? 4 * c + 4 * (c + 1) : 0);
  });
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(LMBIN_MAGIC, 0);
  dv.setUint32(8, LMBIN_VERSION, true);
  dv.setUint32(16, N, true);
  dv.setUint32(20, vocab.length, true);
  dv.setUint32(24, vocabBytes.length, true);
  dv.setUint32(28, 0, true);
  sorted.forEach((items, k) => {
    dv.setUint32(HEADER + 4 * k, items.reduce((s, it) => s + (it.p === Infinity ? 0 : 1), 0), true);
    dv.setUint32(HEADER + 4 * N + 4 * k, items.length, true);
  });
  let at = HEADER + 8 * N;
  out.set(vocabBytes, at);
  at += pad4(vocabBytes.length);
  sorted.forEach((items, k) => {
    if (k > 0) for (const it of items) (dv.setInt32(at, it.ids[k]!, true), (at += 4));
    for (const it of items) (dv.setFloat32(at, it.p, true), (at += 4));
    if (k < N - 1) {
      for (const it of items) (dv.setFloat32(at, it.b, true), (at += 4));
      for (const x of next[k]!) (dv.setUint32(at, x, true), (at += 4));
    }
  });
  dv.setUint32(12, crc32(out.subarray(16)), true);
  return out;
}

const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');

/**
 * A back-off n-gram model read from earshot's binary form: the same queries as ArpaLanguageModel.
 * @example
 * const lm = BinaryLanguageModel.fromBytes(new Uint8Array(await (await fetch('/models/en-3gram.lmbin')).arrayBuffer()), 'en-3gram.lmbin');
 * lm.score(['<s>', 'put'], 'the');
 */
export class BinaryLanguageModel implements LanguageModel {
  readonly order: number;
  private readonly listed: readonly number[];
  private readonly vocab: readonly string[];
  private readonly ids: Map<string, number>;
  /** Per order (index n - 1): last word ids (empty for unigrams), log10 probs, log10 back-offs, children. */
  private readonly word: Int32Array[];
  private readonly prob: Float32Array[];
  private readonly backoff: Float32Array[];
  private readonly next: Uint32Array[];
  private readonly unkId: number;
  private readonly unkLogProb: number;

  private constructor(f: { order: number; listed: number[]; vocab: string[]; ids: Map<string, number>; word: Int32Array[]; prob: Float32Array[]; backoff: Float32Array[]; next: Uint32Array[] }, unknownLogProb: number) {
    this.order = f.order;
    this.listed = f.listed;
    this.vocab = f.vocab;
    this.ids = f.ids;
    this.word = f.word;
    this.prob = f.prob;
    this.backoff = f.backoff;
    this.next = f.next;
    const unk = f.ids.get('<unk>');
    this.unkId = unk !== undefined && f.prob[0]![unk] !== Infinity ? unk : -1;
    this.unkLogProb = unknownLogProb;
  }

  /**
   * Read .lmbin bytes. The arrays are views of `bytes` (copied only when misaligned or on a big-endian
   * host): do not modify them afterwards. Every defect is a ModelError naming `source`, what was expected
   * and what was found: not this format, a damaged signature, another format version, truncation, trailing
   * bytes, a checksum mismatch, or an inconsistent structure.
   * `unknownLogProb` (natural log) scores out-of-vocabulary words when the model has no "<unk>"; default ln(1e-10).
   * @example
   * const lm = BinaryLanguageModel.fromBytes(await fs.readFile('en-3gram.lmbin'), 'en-3gram.lmbin');
   */
  static fromBytes(bytes: Uint8Array, source = '<lmbin>', unknownLogProb = Math.log(1e-10)): BinaryLanguageModel {
    const fail = (why: string): never => {
      throw new ModelError(source, why, HINT);
    };
    const len = bytes.length;
    if (!isBinaryLanguageModel(bytes)) {
      throw new ModelError(source, `not an earshot binary language model: it starts with ${hex(bytes.subarray(0, 8)) || 'nothing (empty file)'}, expected ${hex(LMBIN_MAGIC)}`, 'give an .lmbin file from `earshot lm compile`, or an ARPA file');
    }
    if (len < 8) fail(`truncated: the file has ${len} bytes, the header alone is ${HEADER}`);
    if (!LMBIN_MAGIC.every((b, i) => bytes[i] === b)) fail(`damaged signature: bytes 0-7 are ${hex(bytes.subarray(0, 8))}, expected ${hex(LMBIN_MAGIC)} (was the file transferred as text?)`);
    if (len < HEADER) fail(`truncated: the file has ${len} bytes, the header alone is ${HEADER}`);
    if (bytes.byteOffset % 4 !== 0) bytes = new Uint8Array(bytes); // a copy (Buffer.slice would not copy)
    const dv = new DataView(bytes.buffer, bytes.byteOffset, len);
    const u32 = (at: number): number => dv.getUint32(at, true);
    const version = u32(8);
    if (version !== LMBIN_VERSION) fail(`format version ${version}; this earshot reads version ${LMBIN_VERSION}`);
    const N = u32(16);
    const V = u32(20);
    const B = u32(24);
    if (N < 1 || N > MAX_ORDER) fail(`header: order ${N}, expected 1..${MAX_ORDER}`);
    if (V < 1) fail('header: the vocabulary is empty');
    if (len < HEADER + 8 * N) fail(`truncated: the file has ${len} bytes, the header of an order-${N} model is ${HEADER + 8 * N}`);
    const listed = Array.from({ length: N }, (_, k) => u32(HEADER + 4 * k));
    const stored = Array.from({ length: N }, (_, k) => u32(HEADER + 4 * N + 4 * k));
    if (stored[0] !== V) fail(`header: ${stored[0]} unigram entries for a vocabulary of ${V} words, expected equal`);
    stored.forEach((c, k) => {
      if (listed[k]! > c) fail(`header: ${listed[k]} listed ${k + 1}-grams but only ${c} entries`);
    });
    const pad4 = (x: number): number => Math.ceil(x / 4) * 4;
    let expected = HEADER + 8 * N + pad4(B);
    stored.forEach((c, k) => {
      expected += (k > 0 ? 4 * c : 0) + 4 * c + (k < N - 1 ? 8 * c + 4 : 0);
    });
    if (len < expected) fail(`truncated: the header describes ${expected} bytes, the file has ${len}`);
    if (len > expected) fail(`${len - expected} unexpected bytes after the ${expected} that the header describes`);
    const sum = crc32(bytes.subarray(16));
    if (sum !== u32(12)) fail(`corrupt: the CRC-32 of bytes 16-${len - 1} is ${sum.toString(16).padStart(8, '0')}, the header says ${u32(12).toString(16).padStart(8, '0')}`);
    // Vocabulary.
    let at = HEADER + 8 * N;
    let text = '';
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(at, at + B));
    } catch {
      fail('the vocabulary is not valid UTF-8');
    }
    const vocab = text.split('\n');
    if (vocab.length !== V) fail(`the vocabulary has ${vocab.length} words, the header says ${V}`);
    const ids = new Map<string, number>();
    vocab.forEach((w, i) => ids.set(w, i));
    if (ids.size !== V) fail('the vocabulary lists a word twice');
    at += pad4(B);
    // Arrays: views on little-endian hosts, decoded copies otherwise.
    const f32 = (count: number): Float32Array => {
      const a = LITTLE_ENDIAN ? new Float32Array(bytes.buffer, bytes.byteOffset + at, count) : Float32Array.from({ length: count }, (_, i) => dv.getFloat32(at + 4 * i, true));
      at += 4 * count;
      return a;
    };
    const i32 = (count: number): Int32Array => {
      const a = LITTLE_ENDIAN ? new Int32Array(bytes.buffer, bytes.byteOffset + at, count) : Int32Array.from({ length: count }, (_, i) => dv.getInt32(at + 4 * i, true));
      at += 4 * count;
      return a;
    };
    const u32a = (count: number): Uint32Array => {
      const a = LITTLE_ENDIAN ? new Uint32Array(bytes.buffer, bytes.byteOffset + at, count) : Uint32Array.from({ length: count }, (_, i) => dv.getUint32(at + 4 * i, true));
      at += 4 * count;
      return a;
    };
    const word: Int32Array[] = [];
    const prob: Float32Array[] = [];
    const backoff: Float32Array[] = [];
    const next: Uint32Array[] = [];
    stored.forEach((c, k) => {
      word.push(k > 0 ? i32(c) : new Int32Array(0));
      prob.push(f32(c));
      backoff.push(k < N - 1 ? f32(c) : new Float32Array(0));
      if (k < N - 1) next.push(u32a(c + 1));
    });
    // Structure: values in range, children ranges that tile the next order, sorted siblings.
    for (let k = 0; k < N; k++) {
      const p = prob[k]!;
      let n = 0;
      for (let i = 0; i < p.length; i++) {
        const x = p[i]!;
        if (x <= 0) n++;
        else if (x !== Infinity) fail(`${k + 1}-gram entry ${i}: log10 probability ${x}, expected a number <= 0`);
      }
      if (n !== listed[k]) fail(`${n} listed ${k + 1}-grams, the header says ${listed[k]}`);
      const b = backoff[k]!;
      for (let i = 0; i < b.length; i++) if (!Number.isFinite(b[i]!)) fail(`${k + 1}-gram entry ${i}: log10 back-off ${b[i]}, expected a finite number`);
      if (k === N - 1) break;
      const nx = next[k]!;
      const w = word[k + 1]!;
      if (nx[0] !== 0 || nx[nx.length - 1] !== stored[k + 1]) fail(`${k + 1}-gram children span entries ${nx[0]}..${nx[nx.length - 1]}, expected 0..${stored[k + 1]}`);
      for (let i = 0; i + 1 < nx.length; i++) {
        const lo = nx[i]!;
        const hi = nx[i + 1]!;
        if (hi < lo) fail(`${k + 1}-gram entry ${i}: children end at ${hi} before they start at ${lo}`);
        for (let j = lo; j < hi; j++) {
          const id = w[j]!;
          if (id < 0 || id >= V) fail(`${k + 2}-gram entry ${j}: word id ${id}, expected 0..${V - 1}`);
          if (j > lo && id <= w[j - 1]!) fail(`${k + 2}-gram entry ${j}: word ids of siblings must increase, got ${w[j - 1]} then ${id}`);
        }
      }
    }
    return new BinaryLanguageModel({ order: N, listed, vocab, ids, word, prob, backoff, next }, unknownLogProb);
  }

  /**
   * Number of listed n-grams of each order (as in the ARPA file it was made from).
   * @example
   * lm.counts // [13868, 107320, 200056]
   */
  get counts(): number[] {
    return [...this.listed];
  }

  /**
   * True when the word is a listed unigram.
   * @example
   * lm.has('shelf')
   */
  has(word: string): boolean {
    const id = this.ids.get(word);
    return id !== undefined && this.prob[0]![id] !== Infinity;
  }

  /** The extension of entry `parent` of order k + 1 by word `w`: its index in order k + 2, or -1. */
  private child(k: number, parent: number, w: number): number {
    const nx = this.next[k]!;
    const words = this.word[k + 1]!;
    let lo = nx[parent]!;
    let hi = nx[parent + 1]! - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = words[mid]!;
      if (x === w) return mid;
      if (x < w) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  /** The entry of the n-gram history[from .. to - 1]: its index in order to - from, or -1. */
  private find(history: readonly string[], from: number, to: number): number {
    let e = this.ids.get(history[from]!) ?? -1;
    for (let i = from + 1; i < to && e >= 0; i++) {
      const w = this.ids.get(history[i]!);
      e = w === undefined ? -1 : this.child(i - from - 1, e, w);
    }
    return e;
  }

  /**
   * ln P(word | history), with back-off; unknown words score as "<unk>". Same rule and operation order
   * as ArpaLanguageModel.score, on float32 log10 values.
   * @example
   * lm.score(['<s>'], 'the')
   */
  score(history: readonly string[], word: string): number {
    let w = this.ids.get(word);
    if (w === undefined || this.prob[0]![w] === Infinity) {
      if (this.unkId < 0) return this.unkLogProb;
      w = this.unkId;
    }
    const m = Math.min(history.length, this.order - 1);
    const end = history.length;
    let bo = 0;
    for (let n = m; n >= 1; n--) {
      const ctx = this.find(history, end - n, end);
      if (ctx < 0) continue;
      const e = this.child(n - 1, ctx, w);
      if (e >= 0) {
        const p = this.prob[n]![e]!;
        if (p !== Infinity) return bo + p * LN10;
      }
      bo += this.backoff[n - 1]![ctx]! * LN10;
    }
    return bo + this.prob[0]![w]! * LN10;
  }

  /**
   * Every listed n-gram, grouped by order, with its float32 log10 values (sorted by word ids, unigrams
   * in vocabulary order). `writeArpa(lm.ngrams(), { float32: true })` turns the model back into ARPA text
   * (which `lm compile` turns into the same bytes again).
   * @example
   * const arpa = writeArpa(BinaryLanguageModel.fromBytes(bytes).ngrams(), { float32: true });
   */
  ngrams(): ArpaNgram[][] {
    const N = this.order;
    const out: ArpaNgram[][] = [];
    let paths: string[][] = this.vocab.map((w) => [w]);
    for (let k = 0; k < N; k++) {
      const p = this.prob[k]!;
      const b = this.backoff[k]!;
      const list: ArpaNgram[] = [];
      for (let i = 0; i < p.length; i++) {
        if (p[i] === Infinity) continue;
        list.push(k < N - 1 ? { words: paths[i]!, log10Prob: p[i]!, log10Backoff: b[i]! } : { words: paths[i]!, log10Prob: p[i]! });
      }
      out.push(list);
      if (k === N - 1) break;
      const nx = this.next[k]!;
      const w = this.word[k + 1]!;
      const deeper: string[][] = new Array<string[]>(w.length);
      for (let i = 0; i + 1 < nx.length; i++) for (let j = nx[i]!; j < nx[i + 1]!; j++) deeper[j] = [...paths[i]!, this.vocab[w[j]!]!];
      paths = deeper;
    }
    return out;
  }
}
