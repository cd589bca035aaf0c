// transcribe --output-dir: the folder is created, and every input gets its own output (issue 23, defect 6).
import { describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { outputNames } from '../../src/cli/output-names.js';
import { earshot } from '../helpers/cli.js';
import { convertToneModel, e2eSignal, wavBytes } from '../helpers/e2e.js';

describe('outputNames', () => {
  it('drops the extension when the names are distinct', () => {
    expect(outputNames(['a/talk.wav', 'b/lecture.mp3', '-'], 'srt')).toEqual(['talk.srt', 'lecture.srt', 'stdin.srt']);
  });
  it('keeps the extension of inputs that would share a name', () => {
    expect(outputNames(['long.flac', 'long.ogg', 'short.wav'], 'srt')).toEqual(['long.flac.srt', 'long.ogg.srt', 'short.srt']);
  });
  it('numbers the same file name in two folders, in input order, and never repeats a name', () => {
    expect(outputNames(['a/x.wav', 'b/x.wav', 'c/X.WAV'], 'txt')).toEqual(['x.wav.txt', 'x.wav-2.txt', 'X.WAV-3.txt']);
    const many = outputNames(['a', 'a.b', 'a.c', 'x/a.b', 'a.b-2', '.hidden', '.hidden'], 'json');
    expect(new Set(many.map((n) => n.toLowerCase())).size).toBe(many.length);
  });
});

describe('transcribe --output-dir', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-outdir-'));
  const { model } = convertToneModel(dir);
  const wav = path.join(dir, 'long.wav');
  writeFileSync(wav, wavBytes([e2eSignal(16000)], 16000));
  mkdirSync(path.join(dir, 'other'));
  // the same audio under a name that maps to the same output, and the same file name in another folder
  copyFileSync(wav, path.join(dir, 'long.wave'));
  copyFileSync(wav, path.join(dir, 'other', 'long.wav'));

  it('creates a missing output folder (the README\'s `-o subs`)', () => {
    const out = path.join(dir, 'subs', 'nested');
    const r = earshot(['transcribe', '-m', model, '-f', 'srt', '-o', out, wav]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(readdirSync(out)).toEqual(['long.srt']);
  });

  it('gives inputs that map to one name their own files, also with --force', () => {
    const out = path.join(dir, 'clash');
    const inputs = [wav, path.join(dir, 'long.wave'), path.join(dir, 'other', 'long.wav')];
    for (const force of [[], ['--force']]) {
      const r = earshot(['transcribe', '-m', model, '-f', 'srt', '-o', out, ...force, ...inputs]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(readdirSync(out).sort()).toEqual(['long.wav-2.srt', 'long.wav.srt', 'long.wave.srt']);
      for (const f of readdirSync(out)) expect(readFileSync(path.join(out, f), 'utf8')).toMatch(/-->/);
      if (!force.length) expect(earshot(['transcribe', '-m', model, '-f', 'srt', '-o', out, ...inputs]).code).toBe(1); // still no silent overwrite
    }
  });

  it('an output path that is a file is a usage error naming it', () => {
    const r = earshot(['transcribe', '-m', model, '-f', 'srt', '-o', wav, wav]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--output-dir .*long\.wav: exists and is not a directory/);
    expect(existsSync(`${wav}.srt`)).toBe(false);
  });
});
