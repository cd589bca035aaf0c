/**
 * Estimate an interpolated modified Kneser-Ney n-gram model (Chen & Goodman 1998, as in KenLM's lmplz
 * and SRILM's `-kndiscount -interpolate`) from sentences, as ARPA n-grams.
 *
 * - Counts: the highest order uses raw counts; lower orders use continuation counts (the number of
 *   distinct words seen before the n-gram), except n-grams starting with "<s>", which keep raw counts.
 * - Discounts per order from the counts-of-counts n1..n4: Y = n1 / (n1 + 2 n2),
 *   D1 = 1 - 2Y n2/n1, D2 = 2 - 3Y n3/n2, D3+ = 3 - 4Y n4/n3 (fallback 0.5, 1, 1.5 when the data are too
 *   small for the estimate, or set them with `discounts`).
 * - P(w | h) = max(a(hw) - D(a(hw)), 0) / a(h.) + gamma(h) P(w | h'),
 *   gamma(h) = (D1 N1(h.) + D2 N2(h.) + D3 N3+(h.)) / a(h.); the unigrams interpolate with the
 *   uniform distribution over the vocabulary (with "</s>" and "<unk>", without "<s>").
 * - ARPA back-off weight of a context h = gamma(h), so back-off reproduces the interpolated model.
 */
import { UsageError } from '../core/errors.js';
import type { ArpaNgram } from './arpa.js';

/**
 * Options of buildKneserNey.
 * @example
 * const opts: KneserNeyOptions = { order: 3 };
 */
export interface KneserNeyOptions {
  /** n-gram order, 1..6. */
  order: number;
  /** Fixed discounts [D1, D2, D3+] per order (index 0 = unigrams), instead of the estimates. */
  discounts?: readonly (readonly [number, number, number])[];
}

const DEFAULT_D: [number, number, number] = [0.5, 1, 1.5];

/**
 * The discounts [D1, D2, D3+] estimated from counts-of-counts, or the fallback when they cannot be.
 * @example
 * discountsFromCounts([100, 40, 20, 10])
 */
export function discountsFromCounts(nk: readonly number[]): [number, number, number] {
  const [n1 = 0, n2 = 0, n3 = 0, n4 = 0] = nk;
  if (n1 === 0 || n2 === 0 || n3 === 0 || n4 === 0) return [...DEFAULT_D];
  const y = n1 / (n1 + 2 * n2);
  const d: [number, number, number] = [1 - (2 * y * n2) / n1, 2 - (3 * y * n3) / n2, 3 - (4 * y * n4) / n3];
  return d.every((x, k) => x > 0 && x <= k + 1) ? d : [...DEFAULT_D];
}

interface Stats {
  total: number;
  n1: number;
  n2: number;
  n3: number;
}

/**
 * Estimate the model. `sentences` are word lists (without <s> and </s>); returns ngrams[n - 1] = the n-grams of order n.
 * @example
 * const ngrams = buildKneserNey([['a', 'b'], ['b']], { order: 2 });
 * const arpa = writeArpa(ngrams);
 */
export function buildKneserNey(sentences: Iterable<readonly string[]>, opts: KneserNeyOptions): ArpaNgram[][] {
  const N = opts.order;
  if (!Number.isInteger(N) || N < 1 || N > 6) throw new UsageError(`lm build: order must be an integer from 1 to 6, got ${N}`);
  if (opts.discounts !== undefined) {
    if (opts.discounts.length !== N) throw new UsageError(`lm build: give ${N} discount triples (one per order), got ${opts.discounts.length}`);
    opts.discounts.forEach((d, k) => d.forEach((x, j) => {
      if (!(x >= 0 && x <= j + 1)) throw new UsageError(`lm build: discount D${j + 1} of order ${k + 1} must be in [0, ${j + 1}], got ${x}`);
    }));
  }
  // raw[n - 1]: every n-gram window of the padded sentences with its raw count.
  const raw: Map<string, number>[] = Array.from({ length: N }, () => new Map());
  let count = 0;
  for (const words of sentences) {
    for (const w of words) if (w === '<s>' || w === '</s>' || /\s/.test(w) || w === '') throw new UsageError(`lm build: sentence ${count + 1} has the word ${JSON.stringify(w)}; words must be non-empty, without spaces, and not <s> or </s>`);
    count++;
    const s = ['<s>', ...words, '</s>'];
    for (let n = 1; n <= N; n++) {
      const m = raw[n - 1]!;
      for (let i = 0; i + n <= s.length; i++) {
        const key = n === 1 ? s[i]! : s.slice(i, i + n).join(' ');
        m.set(key, (m.get(key) ?? 0) + 1);
      }
    }
  }
  if (count === 0) throw new UsageError('lm build: the text has no sentences');
  // Adjusted counts.
  const adj: Map<string, number>[] = raw.map(() => new Map());
  adj[N - 1] = raw[N - 1]!;
  for (let n = N - 1; n >= 1; n--) {
    const a = adj[n - 1]!;
    for (const [key, c] of raw[n - 1]!) if (key === '<s>' || key.startsWith('<s> ')) a.set(key, c);
    for (const key of raw[n]!.keys()) {
      const suffix = key.slice(key.indexOf(' ') + 1);
      a.set(suffix, (a.get(suffix) ?? 0) + 1);
    }
  }
  adj[0]!.delete('<s>');
  // Discounts per order.
  const D = adj.map((a, k) => {
    if (opts.discounts) return opts.discounts[k]! as [number, number, number];
    const nk = [0, 0, 0, 0];
    for (const c of a.values()) if (c <= 4) nk[c - 1]!++;
    return discountsFromCounts(nk);
  });
  const disc = (k: number, c: number): number => D[k]![Math.min(c, 3) - 1]!;
  // Context statistics per order: context = the n-gram without its last word ("" for unigrams).
  const ctx: Map<string, Stats>[] = adj.map((a) => {
    const m = new Map<string, Stats>();
    for (const [key, c] of a) {
      const sp = key.lastIndexOf(' ');
      const h = sp < 0 ? '' : key.slice(0, sp);
      let st = m.get(h);
      if (!st) m.set(h, (st = { total: 0, n1: 0, n2: 0, n3: 0 }));
      st.total += c;
      if (c === 1) st.n1++;
      else if (c === 2) st.n2++;
      else st.n3++;
    }
    return m;
  });
  const gamma = (k: number, st: Stats): number => (D[k]![0] * st.n1 + D[k]![1] * st.n2 + D[k]![2] * st.n3) / st.total;
  // Interpolated probabilities, lowest order first.
  const prob: Map<string, number>[] = [];
  const uni = new Map<string, number>();
  const vocab = adj[0]!.size + (adj[0]!.has('<unk>') ? 0 : 1);
  const st0 = ctx[0]!.get('')!;
  const g0 = gamma(0, st0);
  for (const [w, c] of adj[0]!) uni.set(w, Math.max(c - disc(0, c), 0) / st0.total + g0 / vocab);
  if (!uni.has('<unk>')) uni.set('<unk>', g0 / vocab);
  prob.push(uni);
  for (let n = 2; n <= N; n++) {
    const k = n - 1;
    const p = new Map<string, number>();
    const lower = prob[k - 1]!;
    for (const [key, c] of adj[k]!) {
      const sp = key.lastIndexOf(' ');
      const st = ctx[k]!.get(key.slice(0, sp))!;
      const lowerKey = key.slice(key.indexOf(' ') + 1);
      const pl = lower.get(lowerKey);
      if (pl === undefined) throw new Error(`lm build: internal error: ${n}-gram "${key}" has no lower-order "${lowerKey}"`);
      p.set(key, Math.max(c - disc(k, c), 0) / st.total + gamma(k, st) * pl);
    }
    prob.push(p);
  }
  // ARPA n-grams: back-off weight of each n-gram that is a context of the next order.
  const out: ArpaNgram[][] = [];
  for (let n = 1; n <= N; n++) {
    const list: ArpaNgram[] = [];
    const next = n < N ? ctx[n]! : undefined;
    const entry = (key: string, p: number): ArpaNgram => {
      const st = next?.get(key);
      const e: ArpaNgram = { words: key.split(' '), log10Prob: p };
      if (st) {
        const g = gamma(n, st);
        e.log10Backoff = g > 0 ? Math.log10(g) : -99;
      }
      return e;
    };
    if (n === 1) list.push(entry('<s>', -99));
    for (const [key, p] of prob[n - 1]!) list.push(entry(key, Math.log10(p)));
    out.push(list);
  }
  return out;
}
