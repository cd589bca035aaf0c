/**
 * The binary LM form through the CLI: `lm compile` / `lm build --binary` / `lm decompile` (atomic, no overwrite
 * without --force, the same bytes either way), and beam search with the shipped LM by default in transcribe,
 * stream and eval. The format itself: test/lm/binary.test.ts.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ArpaLanguageModel } from '../../src/lm/arpa.js';
import { writeBinaryLanguageModel } from '../../src/lm/binary.js';
import { earshot, ROOT } from '../helpers/cli.js';

describe('earshot lm compile / lm build --binary', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-lmbin-'));
    writeFileSync(path.join(dir, 'text.txt'), 'put the cups on the shelf\nput the cup down\nthe shelf is full\n');
  });

  it('decompile writes an .lmbin as ARPA text that compiles to the same bytes, refusing to overwrite without --force', () => {
    const lmbin = path.join(dir, 'd.lmbin');
    expect(earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', lmbin, '--binary']).code).toBe(0);
    const arpa = path.join(dir, 'd.arpa');
    let r = earshot(['lm', 'decompile', lmbin, arpa]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/d\.lmbin \(0\.0 MB\) -> .*d\.arpa \(0\.0 MB\): order 3, n-grams \d+\/\d+\/\d+/);
    const text = readFileSync(arpa, 'utf8');
    expect(text).toMatch(/^\\data\\\nngram 1=\d+\n/);
    expect(writeBinaryLanguageModel(ArpaLanguageModel.parse(text))).toEqual(new Uint8Array(readFileSync(lmbin)));
    r = earshot(['lm', 'decompile', lmbin, arpa]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${arpa} exists; pass --force to overwrite`);
    r = earshot(['lm', 'decompile', path.join(dir, 'nope.lmbin'), path.join(dir, 'x.arpa')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/language model .*nope\.lmbin: cannot read it \(ENOENT\)/);
  });

  it('compile writes the binary of the ARPA file, atomically, refusing to overwrite without --force; build --binary gives the same bytes', () => {
    const arpa = path.join(dir, 'lm.arpa');
    const lmbin = path.join(dir, 'lm.lmbin');
    expect(earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', arpa]).code).toBe(0);
    let r = earshot(['lm', 'compile', arpa, lmbin]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/lm\.arpa \(0\.0 MB\) -> .*lm\.lmbin \(0\.0 MB\): order 3, n-grams \d+\/\d+\/\d+/);
    const bytes = readFileSync(lmbin);
    expect(new Uint8Array(bytes)).toEqual(writeBinaryLanguageModel(ArpaLanguageModel.parse(readFileSync(arpa, 'utf8'))));
    r = earshot(['lm', 'compile', arpa, lmbin]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${lmbin} exists; pass --force to overwrite`);
    expect(earshot(['lm', 'compile', arpa, lmbin, '--force']).code).toBe(0);
    r = earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', path.join(dir, 'built.lmbin'), '--binary']);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, 'built.lmbin'))).toEqual(bytes);
    r = earshot(['lm', 'compile', lmbin, path.join(dir, 'again.lmbin')]); // an .lmbin input is read too
    expect(readFileSync(path.join(dir, 'again.lmbin'))).toEqual(bytes);
  });

  it('errors: unreadable input, a corrupt .lmbin given to --lm', () => {
    let r = earshot(['lm', 'compile', path.join(dir, 'nope.arpa'), path.join(dir, 'x.lmbin')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/language model .*nope\.arpa: cannot read it \(ENOENT\)/);
    const cut = path.join(dir, 'cut.lmbin');
    writeFileSync(cut, readFileSync(path.join(ROOT, 'models/en-3gram.lmbin')).subarray(0, 1000));
    r = earshot(['transcribe', '--decoder', 'beam', '--lm', cut, path.join(ROOT, 'models/sample.wav')]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`earshot: ${cut}: truncated: the header describes`);
    expect(r.stderr).toMatch(/the file has 1000 \(rebuild it from the ARPA file with `earshot lm compile <in\.arpa> <out\.lmbin>`\)/);
  });
});

describe('beam search uses the shipped LM by default', () => {
  const sample = path.join(ROOT, 'models/sample.wav');

  it('transcribe --decoder beam without --lm: the tuned LM decode (= explicit --lm en-3gram.lmbin with the model\'s --lm-weight 0.7 --word-bonus 6); --lm none: none', () => {
    const def = earshot(['transcribe', '--decoder', 'beam', '-f', 'json', sample]);
    expect(def.stderr).toBe('');
    expect(JSON.parse(def.stdout).text).toBe('put the cups on the shelf');
    const explicit = earshot(['transcribe', '--decoder', 'beam', '-f', 'json', '--lm', path.join(ROOT, 'models/en-3gram.lmbin'), '--lm-weight', '0.7', '--word-bonus', '6', sample]);
    expect(explicit.stdout).toBe(def.stdout);
    const arpa = path.join(mkdtempSync(path.join(tmpdir(), 'earshot-lmarpa-')), 'en-3gram.arpa');
    expect(earshot(['lm', 'decompile', path.join(ROOT, 'models/en-3gram.lmbin'), arpa]).code).toBe(0);
    const viaArpa = earshot(['transcribe', '--decoder', 'beam', '--lm', arpa, '-m', path.join(ROOT, 'models/earshot-en.onnx'), sample]);
    expect(viaArpa.stdout).toBe('put the cups on the shelf\n');
    const none = earshot(['transcribe', '--decoder', 'beam', '--lm', 'none', sample]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout.trim()).toMatch(/^put the /);
  });

  it('stream and eval use it too', () => {
    const s = earshot(['stream', '--decoder', 'beam', sample]);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stdout).toMatch(/^\[\d+\.\d\d --> \d+\.\d\d\] put the cups on the shelf\n$/);
    const dir = mkdtempSync(path.join(tmpdir(), 'earshot-lmdef-'));
    const manifest = path.join(dir, 'one.jsonl');
    writeFileSync(manifest, JSON.stringify({ audio: sample, text: 'put the cups on the shelf' }) + '\n');
    const report = (name: string): { decoding: unknown } => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as { decoding: unknown };
    const withLm = earshot(['eval', '--decoder', 'beam', '--json', path.join(dir, 'lm.json'), manifest]);
    expect(withLm.code, withLm.stderr).toBe(0);
    expect(withLm.stdout).toMatch(/one\s+1\s+0\.00\s+0\.00\s+0\.00/);
    // The LM settings in effect are the ones the shipped model recommends (its earshot.output lm).
    expect(report('lm.json').decoding).toEqual({ decoder: 'beam', beam: 16, lm: 'default', lmWeight: 0.7, wordBonus: 6 });
    const noLm = earshot(['eval', '--decoder', 'beam', '--lm', 'none', '--json', path.join(dir, 'none.json'), manifest]);
    expect(noLm.code, noLm.stderr).toBe(0);
    expect(report('none.json').decoding).toEqual({ decoder: 'beam', beam: 16, lm: null });
  });

  it('--lm with --decoder greedy is still a usage error (alone, it implies beam); a missing --lm file names it', () => {
    let r = earshot(['transcribe', '--decoder', 'greedy', '--lm', 'none', sample]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--lm needs the beam decoder: leave out --decoder greedy');
    r = earshot(['transcribe', '--lm', 'none', sample]);
    expect(r.code, r.stderr).toBe(0);
    r = earshot(['transcribe', '--decoder', 'beam', '--lm', 'missing.lmbin', sample]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('language model missing.lmbin: cannot read it (ENOENT)');
  });
});
