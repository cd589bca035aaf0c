/**
 * The binary LM form (.lmbin): equivalence with the ARPA model it is made from and error paths of the reader
 * (the `lm compile` / `lm build --binary` / `lm decompile` CLI and the default LM in beam search: test/cli/lm.test.ts).
 * The package ships the LM as .lmbin only; its ARPA form is made here with `lm decompile` (writeArpa).
 *
 * Equivalence contract: the binary model applies the ARPA model's back-off rule with the same floating-point
 * operations to log10 values rounded to float32, so scores are bit-identical when the ARPA values are
 * float32 numbers and otherwise differ by float32 rounding only (relative error <= 2^-24 per stored value).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { ArpaLanguageModel, writeArpa } from '../../src/lm/arpa.js';
import { BinaryLanguageModel, LMBIN_MAGIC, isBinaryLanguageModel, writeBinaryLanguageModel } from '../../src/lm/binary.js';
import { parseLanguageModel } from '../../src/lm/parse.js';
import { crc32 } from '../../src/core/crc32.js';
import { ModelError, UsageError } from '../../src/core/errors.js';
import { seededUniform } from '../../src/model/build/tiny.js';
import { loadLanguageModel, loadDefaultLanguageModel, defaultLanguageModelPath } from '../../src/node/index.js';
import { isDefaultModel } from '../../src/node/default-model.js';
import { ROOT } from '../helpers/cli.js';

// Float32-exact values; "x a b" has no "x a" bigram and "x" is no unigram (placeholders in the binary form).
const EXACT = `\\data\\
ngram 1=5
ngram 2=4
ngram 3=2

\\1-grams:
-99\t<s>\t-0.5
-0.75\ta\t-0.25
-1\tb\t-0.125
-0.5\t</s>
-2\t<unk>

\\2-grams:
-0.25\t<s> a\t-0.5
-0.5\ta b\t-0.375
-0.125\tb </s>
-1.5\tb a

\\3-grams:
-0.0625\t<s> a b
-0.25\tx a b

\\end\\
`;
// Not float32-exact, no <unk>.
const INEXACT = EXACT.replace('-0.75\ta\t-0.25', '-0.7781513\ta\t-0.30103').replace('-2\t<unk>\n', '-0.4771213\tc\n').replace('-0.375', '-0.1249387');

const WORDS = ['<s>', 'a', 'b', 'c', '</s>', '<unk>', 'x', 'zebra'];

/** Every history of length 0..3 over WORDS. */
function histories(): string[][] {
  const out: string[][] = [[]];
  for (let len = 1; len <= 3; len++) for (const h of out.filter((x) => x.length === len - 1)) for (const w of WORDS) out.push([...h, w]);
  return out;
}

const close = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(a));

describe('binary LM: equivalence with ARPA', () => {
  it('float32-exact values: every score is bit-identical, including back-off, placeholders and unknown words', () => {
    const arpa = ArpaLanguageModel.parse(EXACT, 'exact.arpa');
    const bin = BinaryLanguageModel.fromBytes(writeBinaryLanguageModel(arpa), 'exact.lmbin');
    expect(bin.order).toBe(3);
    expect(bin.counts).toEqual(arpa.counts);
    for (const w of WORDS) expect(bin.has(w), w).toBe(arpa.has(w));
    let n = 0;
    for (const h of histories()) for (const w of WORDS) {
      expect(bin.score(h, w), `${h.join(' ')} | ${w}`).toBe(arpa.score(h, w));
      n++;
    }
    expect(n).toBe(585 * WORDS.length);
    // Spot checks of the rule itself: the listed trigram behind the placeholder prefix, and back-off through it.
    expect(bin.score(['x', 'a'], 'b')).toBe(-0.25 * Math.LN10);
    expect(bin.score(['x', 'a'], 'a')).toBe(-0.25 * Math.LN10 + -0.75 * Math.LN10);
    expect(bin.score(['b'], 'x')).toBe(-0.125 * Math.LN10 + -2 * Math.LN10); // "x" is not a listed unigram: <unk>
  });

  it('other values: within float32 rounding; no <unk>: the unknown-word score', () => {
    const arpa = ArpaLanguageModel.parse(INEXACT, 'inexact.arpa', -30);
    const bin = BinaryLanguageModel.fromBytes(writeBinaryLanguageModel(arpa), 'inexact.lmbin', -30);
    let differ = 0;
    for (const h of histories()) for (const w of WORDS) {
      const a = arpa.score(h, w);
      const b = bin.score(h, w);
      expect(close(a, b), `${h.join(' ')} | ${w}: ${a} vs ${b}`).toBe(true);
      if (a !== b) differ++;
    }
    expect(differ).toBeGreaterThan(0); // the rounding is real: -0.30103 is no float32
    expect(bin.score(['a'], 'zebra')).toBe(-30);
  });

  it('ngrams() gives the listed n-grams back (float32 values); writeArpa of them is the same model; re-encoding gives the same bytes', () => {
    const arpa = ArpaLanguageModel.parse(EXACT, 'exact.arpa');
    const bytes = writeBinaryLanguageModel(arpa);
    const bin = BinaryLanguageModel.fromBytes(bytes);
    const key = (g: { words: readonly string[] }): string => g.words.join(' ');
    const a = arpa.ngrams().map((g) => g.map((e) => ({ ...e, words: [...e.words] })).sort((x, y) => key(x).localeCompare(key(y))));
    const b = bin.ngrams().map((g) => [...g].sort((x, y) => key(x).localeCompare(key(y))));
    expect(b).toEqual(a);
    const again = ArpaLanguageModel.parse(writeArpa(bin.ngrams()));
    for (const h of histories()) for (const w of WORDS) expect(again.score(h, w)).toBe(arpa.score(h, w));
    expect(writeBinaryLanguageModel(bin)).toEqual(bytes);
    expect(writeBinaryLanguageModel(ArpaLanguageModel.parse(EXACT))).toEqual(bytes);
  });

  it('writeArpa(..., { float32: true }) is lossless for float32 values (6 decimals do not always suffice); a zero back-off is left out', () => {
    // -0.7781513, -0.4771213 and -1.2345678e-7 need more than 6 decimals; -0.5 is written with 6, -99 as an integer.
    const text = INEXACT.replace('-0.125\tb </s>', '-1.2345678e-7\tb </s>');
    const bytes = writeBinaryLanguageModel(ArpaLanguageModel.parse(text));
    const bin = BinaryLanguageModel.fromBytes(bytes);
    const exact = writeArpa(bin.ngrams(), { float32: true });
    expect(writeBinaryLanguageModel(ArpaLanguageModel.parse(exact))).toEqual(bytes);
    expect(exact).toContain('-0.7781513\ta\t-0.301030\n'); // -0.30103 is no float32, but 6 decimals identify it
    expect(exact).toContain('-1.2345679e-7\tb </s>\n'); // the float32 nearest -1.2345678e-7, in 8 digits
    expect(exact).toContain('-99\t<s>\t-0.500000\n');
    expect(exact).toContain('-0.4771213\tc\n');
    expect(exact).toContain('-0.500000\t</s>\n'); // back-off 0: left out
    const sixDecimals = writeArpa(bin.ngrams());
    expect(sixDecimals).toContain('-0.500000\t</s>\t0\n');
    expect(writeBinaryLanguageModel(ArpaLanguageModel.parse(sixDecimals))).not.toEqual(bytes); // -1.2345678e-7 -> -0.000000
  });

  it('reads misaligned bytes (by copying) and detects the format by its magic bytes', () => {
    const bytes = writeBinaryLanguageModel(ArpaLanguageModel.parse(EXACT));
    const odd = new Uint8Array(bytes.length + 1).subarray(1);
    odd.set(bytes);
    expect(BinaryLanguageModel.fromBytes(odd).score(['<s>', 'a'], 'b')).toBe(-0.0625 * Math.LN10);
    expect(isBinaryLanguageModel(bytes)).toBe(true);
    expect(isBinaryLanguageModel(new TextEncoder().encode(EXACT))).toBe(false);
    expect(parseLanguageModel(bytes, 'x')).toBeInstanceOf(BinaryLanguageModel);
    expect(parseLanguageModel(new TextEncoder().encode(EXACT), 'x')).toBeInstanceOf(ArpaLanguageModel);
    expect(() => parseLanguageModel(new TextEncoder().encode('hello'), 'what.bin')).toThrow(UsageError);
    expect(() => parseLanguageModel(new TextEncoder().encode('hello'), 'what.bin')).toThrow(/what\.bin: not an ARPA language model: no "\\data\\" line \(nor an earshot binary LM/);
  });
});

/**
 * SHA-256 of the lines, sorted, of the ARPA file that models/en-3gram.lmbin was compiled from (`lm build` of the
 * training text, 9,029,536 bytes, sha256:17e49a1c...; no longer shipped). Its decompiled form has the same lines.
 */
const SHIPPED_ARPA_SORTED_LINES_SHA256 = 'b76b665986cb5de4e5809ff3e616a7245f25f4b465be9c7b80ca011915a99d8c';

describe('binary LM: the shipped model', () => {
  let arpaText: string;
  let arpa: ArpaLanguageModel;
  let bin: BinaryLanguageModel;
  beforeAll(async () => {
    const lm = await loadLanguageModel(path.join(ROOT, 'models/en-3gram.lmbin'));
    expect(lm).toBeInstanceOf(BinaryLanguageModel);
    bin = lm as BinaryLanguageModel;
    // The ARPA form, decompiled (the package ships no ARPA file): the ArpaLanguageModel scoring code is the reference.
    arpaText = writeArpa(bin.ngrams(), { float32: true });
    arpa = ArpaLanguageModel.parse(arpaText, 'en-3gram.arpa (decompiled)');
  });

  it('models/en-3gram.lmbin holds the ARPA model it was compiled from, line for line; `lm compile` of its ARPA form gives its bytes', () => {
    const shipped = readFileSync(path.join(ROOT, 'models/en-3gram.lmbin'));
    expect(Buffer.compare(writeBinaryLanguageModel(arpa), shipped)).toBe(0); // (toEqual on 3.6 MB is slow)
    expect(bin.counts).toEqual([13868, 107320, 200056]);
    expect(Buffer.byteLength(arpaText)).toBe(9_029_536);
    expect(createHash('sha256').update(arpaText.split('\n').sort().join('\n')).digest('hex')).toBe(SHIPPED_ARPA_SORTED_LINES_SHA256);
    expect(existsSync(path.join(ROOT, 'models/en-3gram.arpa'))).toBe(false); // the package ships the .lmbin only
  });

  it('every listed n-gram, with its own context and with <s> before it, scores as in the ARPA model', () => {
    let n = 0;
    for (const g of arpa.ngrams()) for (const e of g) {
      const w = e.words[e.words.length - 1]!;
      const h = e.words.slice(0, -1);
      for (const hist of [h, ['<s>', ...h]]) {
        const a = arpa.score(hist, w);
        const b = bin.score(hist, w);
        if (!close(a, b)) expect.fail(`${hist.join(' ')} | ${w}: ARPA ${a}, binary ${b}`);
        n++;
      }
    }
    expect(n).toBe(2 * (13868 + 107320 + 200056));
  });

  it('100,000 random queries (known, unknown and boundary words, histories of 0..4) score as in the ARPA model', () => {
    const vocab = arpa.ngrams()[0]!.map((e) => e.words[0]!);
    const pool = [...vocab, '<s>', '</s>', '<unk>', 'qwertyuiop', 'zzzz', ''];
    const rand = seededUniform(5);
    const pick = (): string => pool[Math.floor(rand() * pool.length)]!;
    let backedOff = 0;
    for (let i = 0; i < 100_000; i++) {
      const h = Array.from({ length: Math.floor(rand() * 5) }, pick);
      const w = pick();
      const a = arpa.score(h, w);
      const b = bin.score(h, w);
      if (!close(a, b)) expect.fail(`${h.join(' ')} | ${w}: ARPA ${a}, binary ${b}`);
      if (h.length >= 2 && a !== arpa.score([], w)) backedOff++;
    }
    expect(backedOff).toBeGreaterThan(1000);
    expect(bin.has('shelf')).toBe(true);
    expect(bin.has('qwertyuiop')).toBe(false);
  });

  it('loadDefaultLanguageModel loads the shipped .lmbin next to the default model', async () => {
    expect(defaultLanguageModelPath()).toBe(path.join(ROOT, 'models', 'en-3gram.lmbin'));
    const lm = await loadDefaultLanguageModel();
    expect(lm.score(['<s>', 'put'], 'the')).toBe(bin.score(['<s>', 'put'], 'the'));
    expect(isDefaultModel(undefined)).toBe(true);
    expect(isDefaultModel(path.join(ROOT, 'models/earshot-en.onnx'))).toBe(true);
    expect(isDefaultModel('my.onnx')).toBe(false);
  });
});

describe('binary LM: defective files', () => {
  const good = writeBinaryLanguageModel(ArpaLanguageModel.parse(EXACT));
  const N = 3;
  const V = 6; // <s> a b </s> <unk> x
  const dv = (b: Uint8Array): DataView => new DataView(b.buffer, b.byteOffset, b.byteLength);
  /** Offsets of the sections, from the documented layout. */
  const vocabEnd = 32 + 8 * N + Math.ceil(dv(good).getUint32(24, true) / 4) * 4;
  const bigramWords = vocabEnd + 4 * V * 3 + 4; // after unigram probs, back-offs and children
  const reCrc = (b: Uint8Array): Uint8Array => {
    dv(b).setUint32(12, crc32(b.subarray(16)), true);
    return b;
  };
  const error = (bytes: Uint8Array): ModelError => {
    try {
      BinaryLanguageModel.fromBytes(bytes, 'lm.lmbin');
    } catch (e) {
      expect(e).toBeInstanceOf(ModelError);
      expect((e as ModelError).source).toBe('lm.lmbin');
      expect((e as ModelError).exitCode).toBe(3);
      return e as ModelError;
    }
    throw new Error('no error');
  };

  it('the layout is as documented', () => {
    expect([...good.subarray(0, 8)]).toEqual([...LMBIN_MAGIC]);
    expect(dv(good).getUint32(20, true)).toBe(V);
    expect(dv(good).getInt32(bigramWords, true)).toBe(1); // the first bigram "<s> a" ends in word 1
    expect(good.byteOffset % 4).toBe(0);
  });

  it('truncation: says how many bytes the header describes and how many there are', () => {
    expect(error(good.subarray(0, good.length - 4)).message).toBe(
      `lm.lmbin: truncated: the header describes ${good.length} bytes, the file has ${good.length - 4} (rebuild it from the ARPA file with \`earshot lm compile <in.arpa> <out.lmbin>\`)`,
    );
    expect(error(good.subarray(0, 20)).message).toContain('truncated: the file has 20 bytes, the header alone is 32');
    expect(error(good.subarray(0, 6)).message).toContain('truncated: the file has 6 bytes');
  });

  it('trailing bytes, a flipped bit (checksum), another version, a signature damaged by a text-mode copy', () => {
    const longer = new Uint8Array(good.length + 8);
    longer.set(good);
    expect(error(longer).message).toContain(`8 unexpected bytes after the ${good.length} that the header describes`);
    const flipped = good.slice();
    flipped[bigramWords + 40]! ^= 0x10;
    expect(error(flipped).message).toMatch(/corrupt: the CRC-32 of bytes 16-\d+ is [0-9a-f]{8}, the header says [0-9a-f]{8}/);
    const v2 = good.slice();
    dv(v2).setUint32(8, 2, true);
    expect(error(v2).message).toContain('format version 2; this earshot reads version 1');
    const text = new Uint8Array([...good.subarray(0, 4), 0x0a, ...good.subarray(6)]); // \r\n -> \n
    expect(error(text).message).toContain('damaged signature: bytes 0-7 are 89 45 4c 4d 0a 1a 0a 01, expected 89 45 4c 4d 0d 0a 1a 0a (was the file transferred as text?)');
    expect(error(new TextEncoder().encode(EXACT)).message).toContain('not an earshot binary language model: it starts with 5c 64 61 74 61 5c 0a 6e, expected 89 45 4c 4d 0d 0a 1a 0a');
    expect(error(new Uint8Array(0)).message).toContain('it starts with nothing (empty file)');
  });

  it('inconsistent structure behind a valid checksum: word ids, sibling order, values, counts', () => {
    const badId = good.slice();
    dv(badId).setInt32(bigramWords, 99, true);
    expect(error(reCrc(badId)).message).toContain('2-gram entry 0: word id 99, expected 0..5');
    // Bigrams by ids (<s> 0, a 1, b 2, </s> 3, <unk> 4, x 5): "<s> a", "a b", "b a", "b </s>", "x a" (placeholder).
    const order = good.slice();
    dv(order).setInt32(bigramWords + 8, 3, true); // the children of "b" as "b </s>", "b a": out of order
    dv(order).setInt32(bigramWords + 12, 1, true);
    expect(error(reCrc(order)).message).toMatch(/word ids of siblings must increase, got 3 then 1/);
    const positive = good.slice();
    dv(positive).setFloat32(vocabEnd + 4, 0.5, true);
    expect(error(reCrc(positive)).message).toContain('1-gram entry 1: log10 probability 0.5, expected a number <= 0');
    const counts = good.slice();
    dv(counts).setUint32(32 + 4, 3, true);
    expect(error(reCrc(counts)).message).toContain('4 listed 2-grams, the header says 3');
  });
});
