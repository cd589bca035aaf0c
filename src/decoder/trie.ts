/**
 * Label tries for the beam decoder: text -> model label ids, and prefix tries over label sequences
 * (the lexicon, closed phrase lists, boosted phrases). Word separators (" " or "|") all map to one
 * canonical separator id, so a trie built with " " also matches a model that emits "|".
 */
import { UsageError } from '../core/errors.js';
import { isWordSeparator } from './words.js';

/**
 * One node of a label trie. `terminal` is the index of the entry that ends here, or -1.
 * @example
 * const child = node.children.get(labelId);
 */
export interface TrieNode {
  readonly children: Map<number, TrieNode>;
  terminal: number;
  readonly parent: TrieNode | null;
  /** The (canonical) label id on the edge from the parent; -1 at the root. */
  readonly label: number;
}

/**
 * How text maps onto a model's labels.
 * @example
 * const lab = new LabelSet(['<b>', ' ', 'a', 'b'], 0);
 * lab.encode('ab a') // [2, 3, 1, 2]
 */
export class LabelSet {
  readonly labels: readonly string[];
  readonly blankId: number;
  /** The separator id text is encoded with (" " if present, else "|"), or -1 if the model has none. */
  readonly separatorId: number;
  /** isSeparator[id]: the label separates words. */
  readonly isSeparator: Uint8Array;
  /** canonical[id]: the id used in tries (all separators -> separatorId). */
  readonly canonical: Int32Array;
  /** True when no label has an upper-case letter: text is lower-cased before encoding. */
  private readonly lowerOnly: boolean;
  private readonly byText: Map<string, number>;
  private readonly maxLen: number;

  constructor(labels: readonly string[], blankId: number) {
    this.labels = labels;
    this.blankId = blankId;
    this.isSeparator = new Uint8Array(labels.length);
    this.canonical = new Int32Array(labels.length);
    this.byText = new Map();
    let sep = -1;
    let maxLen = 1;
    labels.forEach((l, i) => {
      if (i === blankId) return;
      if (isWordSeparator(l)) {
        this.isSeparator[i] = 1;
        if (sep < 0 || l === ' ') sep = i;
      } else if (!this.byText.has(l)) {
        this.byText.set(l, i);
        maxLen = Math.max(maxLen, l.length);
      }
    });
    this.separatorId = sep;
    this.maxLen = maxLen;
    for (let i = 0; i < labels.length; i++) this.canonical[i] = this.isSeparator[i] ? sep : i;
    this.lowerOnly = !labels.some((l) => l !== l.toLowerCase());
  }

  /** Normalize text as encode() sees it: trimmed, single spaces, lower-cased for lower-case models. */
  normalize(text: string): string {
    const t = text.trim().replace(/\s+/g, ' ');
    return this.lowerOnly ? t.toLowerCase() : t;
  }

  /**
   * Encode text as label ids (longest match first; spaces -> the separator).
   * Throws a UsageError naming `where` and the first character the model cannot spell.
   * @example
   * labelSet.encode('turn on', 'phrases.txt:3')
   */
  encode(text: string, where = 'text'): number[] {
    const t = this.normalize(text);
    if (t === '') throw new UsageError(`${where}: empty text`);
    const out: number[] = [];
    let i = 0;
    while (i < t.length) {
      if (t[i] === ' ') {
        if (this.separatorId < 0) throw new UsageError(`${where}: "${t}" has several words but the model has no word separator label`);
        out.push(this.separatorId);
        i++;
        continue;
      }
      let found = -1;
      let len = Math.min(this.maxLen, t.length - i);
      for (; len > 0; len--) {
        const id = this.byText.get(t.slice(i, i + len));
        if (id !== undefined) {
          found = id;
          break;
        }
      }
      if (found < 0) throw new UsageError(`${where}: "${t}": character "${t[i]}" at position ${i + 1} is not one of the model's labels (${this.labels.filter((_, k) => k !== this.blankId).map((l) => JSON.stringify(l)).join(' ')})`);
      out.push(found);
      i += len;
    }
    return out;
  }
}

/**
 * An empty trie root.
 * @example
 * const root = newTrie(); insert(root, [2, 3], 0);
 */
export function newTrie(): TrieNode {
  return { children: new Map(), terminal: -1, parent: null, label: -1 };
}

/**
 * Insert a label sequence ending in entry `index` (the first entry wins when two are equal).
 * @example
 * insert(root, labelSet.encode('yes'), 0);
 */
export function insert(root: TrieNode, ids: readonly number[], index: number): void {
  let node = root;
  for (const id of ids) {
    let next = node.children.get(id);
    if (!next) {
      next = { children: new Map(), terminal: -1, parent: node, label: id };
      node.children.set(id, next);
    }
    node = next;
  }
  if (node.terminal < 0) node.terminal = index;
}

/**
 * Build a trie from texts; the terminal index is the text's position in `texts`.
 * @example
 * const root = buildTrie(labelSet, ['yes', 'no'], 'phrase');
 */
export function buildTrie(labelSet: LabelSet, texts: readonly string[], what: string): TrieNode {
  const root = newTrie();
  texts.forEach((t, i) => insert(root, labelSet.encode(t, `${what} ${i + 1}`), i));
  return root;
}
