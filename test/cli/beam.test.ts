/**
 * The beam decoder and `earshot lm build` through the built CLI, on the hand-made tone model of the e2e
 * test; --phrase-threshold also on the shipped model and models/sample.wav ("put the cups on the shelf").
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { earshot, ROOT } from '../helpers/cli.js';
import { convertToneModel, E2E_TEXT, e2eSignal, wavBytes } from '../helpers/e2e.js';

let dir: string;
let model: string;
let wav: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'earshot-beam-'));
  const c = convertToneModel(dir);
  model = c.model;
  expect(c.run.code).toBe(0);
  wav = path.join(dir, 'a.wav');
  writeFileSync(wav, wavBytes([e2eSignal(16000)], 16000));
});

describe('earshot transcribe --decoder beam', () => {
  it('gives the greedy text with beam search, with an LM, and with a lexicon', () => {
    writeFileSync(path.join(dir, 'text.txt'), 'aa b\naa b b\nb aa\n');
    const arpa = path.join(dir, 'lm.arpa');
    const b = earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', arpa, '--order', '2']);
    expect(b.code, b.stderr).toBe(0);
    expect(readFileSync(arpa, 'utf8')).toMatch(/^\\data\\\nngram 1=5\nngram 2=/);
    writeFileSync(path.join(dir, 'lex.txt'), 'aa\nb\n');
    for (const extra of [[], ['--lm', arpa], ['--lexicon', path.join(dir, 'lex.txt'), '--beam', '4']]) {
      const r = earshot(['transcribe', '-m', model, '--decoder', 'beam', ...extra, wav]);
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(E2E_TEXT);
    }
  });

  it('closed phrases: the best phrase; boost: open vocabulary', () => {
    writeFileSync(path.join(dir, 'phrases.txt'), '# commands\nb\naa b\nab\n');
    const r = earshot(['transcribe', '-m', model, '--decoder', 'beam', '--phrases', path.join(dir, 'phrases.txt'), '-f', 'json', wav]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).text).toBe('aa b');
  });

  it('bad options and files are usage errors naming the file and line', () => {
    writeFileSync(path.join(dir, 'bad.txt'), 'aa\nxyz\n');
    let r = earshot(['transcribe', '-m', model, '--decoder', 'beam', '--phrases', path.join(dir, 'bad.txt'), wav]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`phrase list ${path.join(dir, 'bad.txt')}:2: "xyz": character "x" at position 1 is not one of the model's labels`);
    r = earshot(['transcribe', '-m', model, '--decoder', 'greedy', '--lm', 'x.arpa', wav]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--lm needs the beam decoder: leave out --decoder greedy');
    r = earshot(['transcribe', '-m', model, '--decoder', 'viterbi', wav]);
    expect(r.stderr).toContain('--decoder must be greedy or beam, got "viterbi"');
    r = earshot(['transcribe', '-m', model, '--decoder', 'beam', '--lm', path.join(dir, 'nope.arpa'), wav]);
    expect(r.stderr).toMatch(/language model .*nope\.arpa: cannot read it \(ENOENT\)/);
    writeFileSync(path.join(dir, 'broken.arpa'), '\\data\\\nngram 1=1\n\n\\1-grams:\n-0.5\n\\end\\\n');
    r = earshot(['transcribe', '-m', model, '--decoder', 'beam', '--lm', path.join(dir, 'broken.arpa'), wav]);
    expect(r.stderr).toContain('broken.arpa:5: a 1-gram line needs');
    r = earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', path.join(dir, 'lm.arpa')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('exists; pass --force');
    r = earshot(['lm', 'build', path.join(dir, 'text.txt'), '-o', path.join(dir, 'x.arpa'), '--order', '9']);
    expect(r.stderr).toContain('--order must be from 1 to 6, got 9');
  });
});

describe('earshot transcribe --phrases --phrase-threshold', () => {
  const sample = path.join(ROOT, 'models/sample.wav');
  const text = (args: string[]): string => {
    const r = earshot(['transcribe', '--decoder', 'beam', ...args, '-f', 'json', sample]);
    expect(r.code, r.stderr).toBe(0);
    return (JSON.parse(r.stdout) as { text: string }).text;
  };

  it('the default threshold (0.3) gives a listed phrase; a high one rejects a near miss', () => {
    const exact = path.join(dir, 'shelf.txt');
    writeFileSync(exact, 'put the cups on the shelf\nput the cup on the shelf\nyes\nno\n');
    expect(text(['--phrases', exact])).toBe('put the cups on the shelf');
    // "self" for "shelf": the phrase explains the audio less well than the best free path
    const near = path.join(dir, 'near.txt');
    writeFileSync(near, 'put the cups on the self\nyes\nno\n');
    expect(text(['--phrases', near])).toBe('put the cups on the self');
    expect(text(['--phrases', near, '--phrase-threshold', '0.99'])).toBe('');
    expect(text(['--phrases', near, '--phrase-threshold', '0'])).toBe('put the cups on the self');
  }, 60_000);

  it('a threshold outside [0, 1], not a number, or without --phrases is a usage error naming the option', () => {
    writeFileSync(path.join(dir, 'p.txt'), 'b\naa b\n');
    const list = ['--phrases', path.join(dir, 'p.txt')];
    for (const [args, msg] of [
      [[...list, '--phrase-threshold', '1.5'], '--phrase-threshold must be a confidence between 0 and 1, got "1.5"'],
      [[...list, '--phrase-threshold', '-0.1'], '--phrase-threshold must be a confidence between 0 and 1, got "-0.1"'],
      [[...list, '--phrase-threshold', 'high'], '--phrase-threshold must be a number, got "high"'],
      [['--phrase-threshold', '0.5'], '--phrase-threshold needs --phrases'],
    ] as const) {
      const r = earshot(['transcribe', '-m', model, '--decoder', 'beam', ...args, wav]);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toContain(msg);
    }
    const g = earshot(['transcribe', '-m', model, '--phrase-threshold', '0.5', wav]);
    expect(g.code).toBe(1);
    expect(g.stderr).toContain('--phrase-threshold needs --phrases');
  });

  it('--phrases implies the beam decoder: no --decoder beam needed', () => {
    writeFileSync(path.join(dir, 'implied.txt'), 'b\naa b\nab\n');
    const r = earshot(['transcribe', '-m', model, '--phrases', path.join(dir, 'implied.txt'), '-f', 'json', wav]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).text).toBe('aa b');
  });
});
