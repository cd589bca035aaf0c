/**
 * Streaming CTC prefix beam search with optional shallow fusion: a word n-gram LM and word-insertion
 * bonus applied at word boundaries, a lexicon (closed word set), a closed phrase list (the result is
 * one of the phrases, or nothing) and boosted phrases (hotwords).
 *
 * Scoring. Each prefix y carries the CTC probabilities, in log space, of all alignments of the frames
 * so far that collapse to y and end in blank (pb) or in y's last label (pnb). Its rank is
 *   score(y) = logaddexp(pb, pnb) + fusion(y)
 *   fusion(y) = sum over completed words w_i of [ lmWeight * ln P_lm(w_i | w_<i) + wordBonus ] + boost(y)
 * fusion depends only on the label sequence, so merging alignments stays exact. A word completes
 * when a separator label follows it; at the end of input the open word and "</s>" are scored too.
 * The state (the beam, the frame index) carries across accept() calls: any chunking gives the same
 * result as one call.
 */
import { UsageError } from '../core/errors.js';
import type { LmRecommendation, OutputSpec } from '../model/metadata.js';
import type { LanguageModel } from '../lm/types.js';
import { LM_WEIGHT_RANGE, WORD_BONUS_RANGE, type DecodeResult, type TokenResult } from './types.js';
import { pauseFrames, tokensToWords } from './words.js';
import { LabelSet, buildTrie, type TrieNode } from './trie.js';
import { ctcLogLikelihood } from './ctc-score.js';

/**
 * Options of the beam decoder (all optional but `type`).
 * @example
 * const opts: BeamSearchOptions = { type: 'beam', beam: 16, lm, lmWeight: 0.7, wordBonus: 6 };
 */
export interface BeamSearchOptions {
  type: 'beam';
  /** Prefixes kept per frame. Default 16. */
  beam?: number;
  /** Labels expanded per frame: the `topK` most likely... Default 16. */
  topK?: number;
  /** ...of those with posterior >= this (the best label is always expanded). Default 1e-4. */
  labelThreshold?: number;
  /** Word language model for shallow fusion. */
  lm?: LanguageModel;
  /** Weight of ln P_lm per word. Default 0.7 with an LM (tuned with the shipped model and LM on its dev set), else 0. */
  lmWeight?: number;
  /** Score added per completed word (natural log units). Default 6 with an LM (tuned with the shipped model and LM on its dev set), else 0. */
  wordBonus?: number;
  /** Closed word set: prefixes that spell no listed word are pruned. */
  lexicon?: readonly string[];
  /** Closed phrase list: the result is one phrase, or empty when no phrase scores >= phraseThreshold. */
  phrases?: readonly string[];
  /** Minimum phrase confidence in [0, 1] (see DecodeResult.phrase). Default 0.3. */
  phraseThreshold?: number;
  /** Hotwords / phrases to favour (open vocabulary). */
  boost?: readonly string[];
  /** Bonus per matched label of a boosted phrase, natural log units. Default 1.5. */
  boostScore?: number;
  /** A pause of this many seconds (or more) between two letters ends a word, as a separator would. Default 0.3; Infinity: never. */
  pauseSeconds?: number;
}

/** Settings resolved and tries built once per recognizer, shared by its streams. */
export interface CompiledBeamOptions {
  readonly labelSet: LabelSet;
  readonly beam: number;
  readonly topK: number;
  readonly logThreshold: number;
  readonly lm: LanguageModel | undefined;
  readonly lmWeight: number;
  readonly wordBonus: number;
  readonly lexicon: TrieNode | undefined;
  readonly phrases: TrieNode | undefined;
  readonly phraseTexts: readonly string[];
  readonly phraseThreshold: number;
  readonly boost: TrieNode | undefined;
  readonly boostScore: number;
  readonly pauseSeconds: number | undefined;
}

function checkNumber(name: string, v: unknown, min: number, max: number, integer = false): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max || (integer && !Number.isInteger(v))) {
    throw new UsageError(`beam decoder: ${name} must be ${integer ? 'an integer' : 'a number'} in [${min}, ${max}], got ${String(v)}`);
  }
}

function checkList(name: string, v: unknown): asserts v is readonly string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new UsageError(`beam decoder: ${name} must be an array of strings`);
  if (v.length === 0) throw new UsageError(`beam decoder: ${name} is empty; give at least one entry or leave the option out`);
}

/** LM weight and word bonus for a model that recommends none (tuned for the first shipped English model). */
const FALLBACK_LM: LmRecommendation = { weight: 0.7, wordBonus: 6 };

/**
 * Validate options against a model's labels and build the tries. Throws UsageError on any bad value.
 * @example
 * const compiled = compileBeamOptions({ type: 'beam', phrases: ['yes', 'no'] }, labels, { type: 'ctc', blankId: 0 });
 */
export function compileBeamOptions(opts: BeamSearchOptions, labels: readonly string[], output: OutputSpec): CompiledBeamOptions {
  if (output.type !== 'ctc') throw new UsageError('the beam decoder needs a CTC model; this model has frame labels: use the greedy decoder');
  if (output.blankId < 0 || output.blankId >= labels.length) throw new UsageError(`beam decoder: blank id ${output.blankId} is outside the ${labels.length} labels`);
  const beam = opts.beam ?? 16;
  checkNumber('beam', beam, 1, 10000, true);
  const topK = opts.topK ?? 16;
  checkNumber('topK', topK, 1, 1e6, true);
  const labelThreshold = opts.labelThreshold ?? 1e-4;
  checkNumber('labelThreshold', labelThreshold, 0, 1);
  const hasLm = opts.lm !== undefined;
  if (hasLm && typeof opts.lm?.score !== 'function') throw new UsageError('beam decoder: lm must have a score(history, word) method (load one with loadLanguageModel, ArpaLanguageModel.parse or BinaryLanguageModel.fromBytes)');
  // With an LM: the caller's numbers, else the model's own recommendation (output.lm), else 0.7 and 6.
  const rec = hasLm ? (output.lm ?? FALLBACK_LM) : { weight: 0, wordBonus: 0 };
  const lmWeight = opts.lmWeight ?? rec.weight;
  checkNumber('lmWeight', lmWeight, ...LM_WEIGHT_RANGE);
  const wordBonus = opts.wordBonus ?? rec.wordBonus;
  checkNumber('wordBonus', wordBonus, ...WORD_BONUS_RANGE);
  const phraseThreshold = opts.phraseThreshold ?? 0.3;
  checkNumber('phraseThreshold', phraseThreshold, 0, 1);
  const boostScore = opts.boostScore ?? 1.5;
  checkNumber('boostScore', boostScore, 0, 100);
  pauseFrames(opts.pauseSeconds, 1); // validates
  const labelSet = new LabelSet(labels, output.blankId);
  let lexicon: TrieNode | undefined;
  if (opts.lexicon !== undefined) {
    checkList('lexicon', opts.lexicon);
    opts.lexicon.forEach((w, i) => {
      if (/\s/.test(w.trim())) throw new UsageError(`beam decoder: lexicon entry ${i + 1} "${w}" has a space; a lexicon lists single words (use phrases for multi-word entries)`);
    });
    lexicon = buildTrie(labelSet, opts.lexicon, 'lexicon entry');
  }
  let phrases: TrieNode | undefined;
  if (opts.phrases !== undefined) {
    checkList('phrases', opts.phrases);
    phrases = buildTrie(labelSet, opts.phrases, 'phrase');
  }
  let boost: TrieNode | undefined;
  if (opts.boost !== undefined) {
    checkList('boost', opts.boost);
    boost = buildTrie(labelSet, opts.boost, 'boost phrase');
  }
  return {
    labelSet, beam, topK, logThreshold: Math.log(labelThreshold), lm: opts.lm, lmWeight, wordBonus, lexicon, phrases,
    phraseTexts: (opts.phrases ?? []).map((p) => labelSet.normalize(p)), phraseThreshold, boost, boostScore,
    pauseSeconds: opts.pauseSeconds,
  };
}

/** Phrase state after a complete phrase and a separator: it keeps the phrase index; only separators may follow. */
const phraseEnds = new WeakMap<TrieNode, TrieNode>();
function phraseEnd(node: TrieNode): TrieNode {
  let e = phraseEnds.get(node);
  if (!e) {
    e = { children: new Map(), terminal: node.terminal, parent: node, label: -1 };
    phraseEnds.set(node, e);
  }
  return e;
}

/** What the fusion scoring knows of a label sequence: a part of Hyp. */
interface Fusion {
  /** Fusion score of the label sequence (LM, word bonus, boost). */
  readonly fusion: number;
  /** Completed words, "<s>" first, trimmed to the LM's context. */
  readonly history: readonly string[];
  /** The open word's text. */
  readonly word: string;
  readonly lex: TrieNode | undefined;
  readonly phrase: TrieNode | undefined;
  /** Boost trie position (undefined: no match in progress until the next separator) and the bonus not yet confirmed. */
  readonly boostNode: TrieNode | undefined;
  readonly boostPending: number;
}

/** One prefix (label sequence) in the search. Prefixes form a tree through `parent`. */
interface Hyp extends Fusion {
  readonly id: number;
  readonly parent: Hyp | null;
  /** Last label id, -1 for the empty prefix. */
  readonly label: number;
  /** Log CTC probability of the prefix ending in blank / in its last label, at the current frame. */
  pb: number;
  pnb: number;
  /** Accumulators for the next frame; valid when `stamp` equals the frame being computed. */
  nb: number;
  nnb: number;
  stamp: number;
  /** The last label starts a new word after a pause (an implied separator before it). */
  readonly pause: boolean;
  /** The last token's run: first frame, end frame (exclusive), posterior sum and frame count. */
  start: number;
  end: number;
  probSum: number;
  runFrames: number;
  /** The last token has been the frame's best label on a frame of its run (until then its times are provisional). */
  confirmed: boolean;
  /** The parent's last-token run as it was when this prefix branched off it. */
  readonly parentRun: Run | null;
}

interface Run {
  start: number;
  end: number;
  probSum: number;
  runFrames: number;
  confirmed: boolean;
}

const NEG = -Infinity;

function logAdd(a: number, b: number): number {
  if (a === NEG) return b;
  if (b === NEG) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/**
 * Streaming CTC prefix beam search decoder.
 * @example
 * const dec = new BeamDecoder(compileBeamOptions({ type: 'beam', beam: 8 }, labels, output), 0.03);
 * dec.accept(logprobs, frames);
 * console.log(dec.finalResult().text);
 */
export class BeamDecoder {
  private readonly o: CompiledBeamOptions;
  private readonly frameSeconds: number;
  /** Frames without a letter after which the next letter starts a new word. */
  private readonly pauseFrames: number;
  private readonly v: number;
  private beamList: Hyp[] = [];
  private nextId = 0;
  private frame = 0;
  /** Sum over frames of the best label's log posterior: the score of the best unconstrained path. */
  private bestPathLogProb = 0;
  /** Frames whose best label is not blank (speech frames), for the phrase confidence. */
  private speechFrames = 0;
  private readonly ctxLen: number;
  private readonly cand: Int32Array;
  /** Closed-phrase mode: the posteriors of this utterance, to score every phrase exactly if the search loses them all. */
  private stored: Float32Array[] = [];
  /** Whether finalResult may fall back to exact phrase scores (not inside that fallback's own alignment). */
  private exactFallback = true;

  constructor(compiled: CompiledBeamOptions, frameSeconds: number) {
    if (!(frameSeconds > 0)) throw new UsageError(`BeamDecoder: frameSeconds must be > 0, got ${frameSeconds}`);
    this.o = compiled;
    this.frameSeconds = frameSeconds;
    this.pauseFrames = pauseFrames(compiled.pauseSeconds, frameSeconds);
    this.v = compiled.labelSet.labels.length;
    this.ctxLen = Math.max(1, (compiled.lm?.order ?? 1) - 1);
    this.cand = new Int32Array(this.v);
    this.reset();
  }

  /** Index of the next frame: frames accepted so far, plus the start frame given to reset. */
  get framesDecoded(): number {
    return this.frame;
  }

  /**
   * Forget everything: start a new utterance (LM context "<s>"). Its first frame is `startFrame`
   * (default 0), so times stay measured from the start of the stream when a stream is cut into segments.
   * @example
   * dec.reset(dec.framesDecoded); // next segment, absolute times
   */
  reset(startFrame = 0): void {
    if (!Number.isInteger(startFrame) || startFrame < 0) throw new UsageError(`BeamDecoder.reset: startFrame must be a non-negative integer, got ${startFrame}`);
    this.nextId = 0;
    this.frame = startFrame;
    this.bestPathLogProb = 0;
    this.speechFrames = 0;
    this.stored = [];
    const root: Hyp = {
      id: this.nextId++, parent: null, label: -1, pb: 0, pnb: NEG, nb: NEG, nnb: NEG, stamp: -1, fusion: 0,
      history: ['<s>'], word: '', lex: this.o.lexicon, phrase: this.o.phrases, boostNode: this.o.boost, boostPending: 0,
      start: 0, end: 0, probSum: 0, runFrames: 0, parentRun: null, pause: false, confirmed: true,
    };
    this.beamList = [root];
  }

  /**
   * The prefix `h` + label `c`, or undefined when the lexicon or phrase list forbids it. With `pause`
   * (see isPause) the letter starts a new word: the search passes through a separator first, so the
   * LM, lexicon and phrases see two words. The paused and unpaused extensions are distinct prefixes.
   */
  private extend(h: Hyp, c: number, t: number, p: number, pause: boolean, best: number): Hyp | undefined {
    const ls = this.o.labelSet;
    let state: Fusion | undefined = h;
    let prevLabel = h.label;
    if (pause) {
      state = this.step(state, prevLabel, ls.separatorId);
      prevLabel = ls.separatorId;
    }
    if (state !== undefined) state = this.step(state, prevLabel, c);
    if (state === undefined) return undefined;
    return {
      id: this.nextId++, parent: h, label: c, pb: NEG, pnb: NEG, nb: NEG, nnb: NEG, stamp: -1, ...state,
      start: t, end: t + 1, probSum: p, runFrames: 1, pause, confirmed: c === best,
      parentRun: h.label < 0 ? null : { start: h.start, end: h.end, probSum: h.probSum, runFrames: h.runFrames, confirmed: h.confirmed },
    };
  }

  /**
   * Whether letter `c` at frame `t` follows `h`'s last letter after a pause: a run of at least
   * pauseFrames frames since that letter's run ended (a separator label in between is a boundary already).
   */
  private isPause(h: Hyp, c: number, t: number): boolean {
    const ls = this.o.labelSet;
    return ls.separatorId >= 0 && h.label >= 0 && ls.isSeparator[c] !== 1 && ls.isSeparator[h.label] !== 1 && t - h.end >= this.pauseFrames;
  }

  /** The fusion state after label `c` follows label `prev` (-1: none), or undefined when the lexicon or phrase list forbids it. */
  private step(h: Fusion, prev: number, c: number): Fusion | undefined {
    const o = this.o;
    const ls = o.labelSet;
    const sep = ls.isSeparator[c] === 1;
    const cc = ls.canonical[c]!;
    let fusion = h.fusion;
    let history = h.history;
    let word = h.word;
    let lex = h.lex;
    // Closed phrase list.
    let phrase = h.phrase;
    if (phrase !== undefined) {
      if (sep) {
        const afterSep = prev < 0 || ls.isSeparator[prev] === 1;
        if (!afterSep) {
          const next = phrase.children.get(cc);
          if (next) phrase = next;
          else if (phrase.terminal >= 0) phrase = phraseEnd(phrase);
          else return undefined;
        }
      } else {
        phrase = phrase.children.get(cc);
        if (!phrase) return undefined;
      }
    }
    // Words: lexicon and LM at the boundary.
    if (sep) {
      if (word !== '') {
        if (lex !== undefined && lex.terminal < 0) return undefined;
        fusion += this.wordScore(history, word);
        history = this.push(history, word);
        word = '';
      }
      lex = o.lexicon;
    } else {
      if (lex !== undefined) {
        lex = lex.children.get(cc);
        if (!lex) return undefined;
      }
      word += ls.labels[c];
    }
    // Boosting: bonus per matched label; revoked when the match fails, kept when a phrase completes at a word boundary.
    let boostNode = h.boostNode;
    let boostPending = h.boostPending;
    if (o.boost !== undefined) {
      const atBoundaryStart = prev < 0 || ls.isSeparator[prev] === 1;
      if (boostNode === undefined) {
        if (sep) boostNode = o.boost;
      } else if (sep && boostNode === o.boost && atBoundaryStart) {
        // Leading or repeated separators: still waiting at the root.
      } else {
        const next = boostNode.children.get(cc);
        if (sep && boostNode.terminal >= 0) boostPending = 0; // a listed phrase just completed
        if (next) {
          boostNode = next;
          fusion += o.boostScore;
          boostPending += o.boostScore;
        } else {
          fusion -= boostPending;
          boostPending = 0;
          boostNode = sep ? o.boost : undefined;
        }
      }
    }
    return { fusion, history, word, lex, phrase, boostNode, boostPending };
  }

  private wordScore(history: readonly string[], word: string): number {
    const o = this.o;
    return (o.lm ? o.lmWeight * o.lm.score(history, word) : 0) + o.wordBonus;
  }

  private push(history: readonly string[], word: string): readonly string[] {
    const h = history.length >= this.ctxLen ? history.slice(history.length - this.ctxLen + 1) : history.slice();
    h.push(word);
    return h;
  }

  /**
   * Decode `frames` frames of log-posteriors (row-major, frames x labels.length).
   * @example
   * dec.accept(chunk, chunk.length / labels.length);
   */
  accept(logprobs: Float32Array, frames: number): void {
    const v = this.v;
    if (logprobs.length !== frames * v) throw new UsageError(`BeamDecoder.accept: expected ${frames} x ${v} = ${frames * v} values, got ${logprobs.length}`);
    const o = this.o;
    const blank = o.labelSet.blankId;
    const cand = this.cand;
    if (o.phrases) this.stored.push(logprobs.slice());
    for (let t = 0; t < frames; t++) {
      const row = t * v;
      const f = this.frame + t;
      // Candidate labels: the topK most likely with posterior >= threshold, at least the best one.
      let best = 0;
      for (let k = 1; k < v; k++) if (logprobs[row + k]! > logprobs[row + best]!) best = k;
      this.bestPathLogProb += logprobs[row + best]!;
      if (best !== blank) this.speechFrames++;
      let nc = 0;
      for (let k = 0; k < v; k++) if (k !== blank && (k === best || logprobs[row + k]! >= o.logThreshold)) cand[nc++] = k;
      if (nc > o.topK) {
        const sorted = Array.from(cand.subarray(0, nc)).sort((a, b) => logprobs[row + b]! - logprobs[row + a]!);
        nc = o.topK;
        for (let i = 0; i < nc; i++) cand[i] = sorted[i]!;
      }
      const lpBlank = logprobs[row + blank]!;
      // Hypotheses of the previous frame by key (parent id, label), so extensions merge into them.
      const prev = new Map<number, Hyp>();
      for (const h of this.beamList) prev.set(hypKey(h, v), h);
      const next = new Map<number, Hyp>();
      const touch = (key: number, h: Hyp): Hyp => {
        if (h.stamp !== f) {
          h.stamp = f;
          h.nb = NEG;
          h.nnb = NEG;
          next.set(key, h);
        }
        return h;
      };
      const created = new Set<Hyp>();
      for (const h of this.beamList) {
        const hKey = hypKey(h, v);
        const total = logAdd(h.pb, h.pnb);
        touch(hKey, h);
        h.nb = logAdd(h.nb, total + lpBlank);
        if (h.label >= 0) h.nnb = logAdd(h.nnb, h.pnb + logprobs[row + h.label]!);
        for (let i = 0; i < nc; i++) {
          const c = cand[i]!;
          const lp = logprobs[row + c]!;
          const from = c === h.label ? h.pb : total;
          if (from === NEG) continue;
          const pause = this.isPause(h, c, f);
          const key = childKey(h.id, c, pause, v);
          let g = next.get(key);
          if (g === undefined) {
            g = prev.get(key);
            if (g === undefined) {
              g = this.extend(h, c, f, Math.exp(lp), pause, best);
              if (g === undefined) continue;
              created.add(g);
            }
            touch(key, g);
          }
          // A repeated label only extends through a blank; without one it is the "stay" path above.
          g.nnb = logAdd(g.nnb, from + lp);
        }
      }
      const all = Array.from(next.values()).filter((h) => h.nb !== NEG || h.nnb !== NEG);
      for (const h of all) {
        h.pb = h.nb;
        h.pnb = h.nnb;
        // The last token is "being emitted" on this frame when ending in it is likelier than ending in blank.
        if (!created.has(h) && h.label >= 0 && h.pnb > h.pb) {
          if (!h.confirmed && h.label === best) {
            // Created early from an unlikely frame: the token's run really starts where it is the best label.
            h.confirmed = true;
            h.start = f;
            h.probSum = 0;
            h.runFrames = 0;
          }
          h.end = f + 1;
          h.probSum += Math.exp(logprobs[row + h.label]!);
          h.runFrames++;
        }
      }
      const score = new Map<Hyp, number>();
      for (const h of all) score.set(h, logAdd(h.pb, h.pnb) + h.fusion);
      all.sort((a, b) => {
        const sa = score.get(a)!;
        const sb = score.get(b)!;
        return sb > sa ? 1 : sb < sa ? -1 : a.id - b.id;
      });
      if (all.length > o.beam) all.length = o.beam;
      this.beamList = all;
    }
    this.frame += frames;
  }

  /** Score added at the end of input: the open word, "</s>", lexicon/phrase completeness, unconfirmed boosts. */
  private finalBonus(h: Hyp): number {
    const o = this.o;
    let s = 0;
    let history = h.history;
    if (h.word !== '') {
      if (h.lex !== undefined && h.lex.terminal < 0) return NEG;
      s += this.wordScore(history, h.word);
      history = this.push(history, h.word);
    }
    if (o.lm) s += o.lmWeight * o.lm.score(history, '</s>');
    if (h.phrase !== undefined && phraseIndex(h.phrase, this.o.labelSet.separatorId) < 0) return NEG;
    if (o.boost !== undefined && h.boostPending > 0 && !(h.boostNode !== undefined && h.boostNode.terminal >= 0 && h.word !== '')) s -= h.boostPending;
    return s;
  }

  private tokensOf(h: Hyp): TokenResult[] {
    const fs = this.frameSeconds;
    const labels = this.o.labelSet.labels;
    const out: TokenResult[] = [];
    let run: Run = h;
    for (let n: Hyp | null = h; n && n.label >= 0; n = n.parent) {
      out.push({ id: n.label, label: labels[n.label]!, start: run.start * fs, end: run.end * fs, confidence: run.probSum / run.runFrames });
      const p = n.parent;
      let pr = n.parentRun ?? run;
      // Branched off while the parent's times were provisional: take its confirmed run, up to where this token starts.
      if (p && !pr.confirmed && p.confirmed && p.start < run.start) pr = { start: p.start, end: Math.min(p.end, run.start), probSum: p.probSum, runFrames: p.runFrames, confirmed: true };
      run = pr;
    }
    return out.reverse();
  }

  private toResult(h: Hyp | undefined): DecodeResult {
    if (!h) return { text: '', words: [], tokens: [] };
    const tokens = this.tokensOf(h);
    // Token times are the runs the search saw, so the pauses split words exactly where extend() did.
    const words = tokensToWords(tokens, this.pauseFrames * this.frameSeconds);
    return { text: words.map((w) => w.word).join(' '), words, tokens };
  }

  /**
   * The current beam, best first: each prefix's label ids, its CTC log probability (all alignments so
   * far, natural log) and its rank score (log probability + fusion). For n-best lists and inspection.
   * @example
   * for (const h of dec.hypotheses()) console.log(h.ids, h.logProb);
   */
  hypotheses(): { ids: number[]; logProb: number; score: number }[] {
    return this.beamList.map((h) => {
      const ids: number[] = [];
      for (let n: Hyp | null = h; n && n.label >= 0; n = n.parent) ids.push(n.label);
      const logProb = logAdd(h.pb, h.pnb);
      return { ids: ids.reverse(), logProb, score: logProb + h.fusion };
    });
  }

  /**
   * The best hypothesis so far (a partial result: the open word is not yet scored by the LM).
   * @example
   * dec.result().text
   */
  result(): DecodeResult {
    const r = this.toResult(this.beamList[0]);
    return this.o.phrases ? { ...r, phrase: null } : r;
  }

  /**
   * The result at the end of input: every hypothesis is completed (open word, "</s>", lexicon and
   * phrase checks) and the best is returned. In closed-phrase mode the text is the matched phrase,
   * or empty with `phrase: null` when none reaches the threshold. Does not change the state.
   * @example
   * const { text, phrase } = dec.finalResult();
   */
  finalResult(): DecodeResult {
    let best: Hyp | undefined;
    let bestScore = NEG;
    for (const h of this.beamList) {
      const s = logAdd(h.pb, h.pnb) + h.fusion + this.finalBonus(h);
      if (s > bestScore) {
        bestScore = s;
        best = h;
      }
    }
    if (!this.o.phrases) return this.toResult(best);
    const none: DecodeResult = { text: '', words: [], tokens: [], phrase: null };
    // Every phrase fell out of the beam (short clips, many phrases): score each one exactly instead.
    const lost = best === undefined && this.exactFallback ? this.bestPhraseExact() : undefined;
    if (!best && !lost) return none;
    const index = best ? phraseIndex(best.phrase!, this.o.labelSet.separatorId) : lost!.index;
    const logProb = best ? logAdd(best.pb, best.pnb) : lost!.logProb;
    // Confidence: likelihood ratio of the phrase (all its alignments) to the best free path, per speech frame.
    const frames = Math.max(1, this.speechFrames);
    const confidence = Math.min(1, Math.exp((logProb - this.bestPathLogProb) / frames));
    if (confidence < this.o.phraseThreshold) return none;
    const r = best ? this.toResult(best) : this.alignPhrase(index);
    return { ...r, text: this.o.phraseTexts[index]!, phrase: { index, text: this.o.phraseTexts[index]!, confidence } };
  }

  /** The phrase with the highest CTC likelihood over the stored frames (with or without its word separators), or undefined when none fits in them. */
  private bestPhraseExact(): { index: number; logProb: number } | undefined {
    const ls = this.o.labelSet;
    const frames = this.stored.reduce((n, c) => n + c.length, 0) / this.v;
    const all = new Float32Array(frames * this.v);
    let at = 0;
    for (const c of this.stored) {
      all.set(c, at);
      at += c.length;
    }
    let best: { index: number; logProb: number } | undefined;
    this.o.phraseTexts.forEach((text, index) => {
      const ids = ls.encode(text);
      const bare = ids.filter((id) => ls.isSeparator[id] !== 1);
      let lp = ctcLogLikelihood(all, frames, this.v, ids, ls.blankId);
      if (bare.length !== ids.length) lp = logAdd(lp, ctcLogLikelihood(all, frames, this.v, bare, ls.blankId));
      if (lp > NEG && (!best || lp > best.logProb)) best = { index, logProb: lp };
    });
    return best;
  }

  /** Words and tokens of phrase `index` over the stored frames: a search over that phrase alone (empty if even that loses it). */
  private alignPhrase(index: number): DecodeResult {
    const o = this.o;
    // Beam wide enough for every prefix of the one phrase (with and without a pause before each letter): it cannot be pruned.
    const beam = Math.max(o.beam, 2 * (o.labelSet.encode(o.phraseTexts[index]!).length + 1));
    const compiled = compileBeamOptions({ type: 'beam', beam, topK: o.topK, labelThreshold: Math.exp(o.logThreshold), phrases: [o.phraseTexts[index]!], phraseThreshold: 0, ...(o.pauseSeconds !== undefined ? { pauseSeconds: o.pauseSeconds } : {}) }, o.labelSet.labels, { type: 'ctc', blankId: o.labelSet.blankId });
    const one = new BeamDecoder(compiled, this.frameSeconds);
    one.exactFallback = false;
    const frames = this.stored.reduce((n, c) => n + c.length, 0) / this.v;
    one.reset(this.frame - frames); // times from the start of the stream, as this decoder's
    for (const c of this.stored) one.accept(c, c.length / this.v);
    const r = one.finalResult();
    return r.phrase ? { text: r.text, words: r.words, tokens: r.tokens } : { text: '', words: [], tokens: [] };
  }
}

/** Key of the prefix `parent` + `label` (with or without a pause before it) in a frame's map; -1 for the empty prefix. */
function childKey(parentId: number, label: number, pause: boolean, v: number): number {
  return (parentId * v + label) * 2 + (pause ? 1 : 0);
}

function hypKey(h: Hyp, v: number): number {
  return h.parent ? childKey(h.parent.id, h.label, h.pause, v) : -1;
}

/** The phrase completed at a phrase-trie state (-1 if none): the node itself, or the phrase before a trailing separator. */
function phraseIndex(node: TrieNode, separatorId: number): number {
  if (node.terminal >= 0) return node.terminal;
  if (node.label === separatorId && node.parent && node.parent.terminal >= 0) return node.parent.terminal;
  return -1;
}
