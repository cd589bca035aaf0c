/**
 * `earshot eval` through the built CLI, on the hand-made tone model of the e2e test (its hypothesis is
 * known: "aa b"): error counts per subset and overall, and the real-time factors in total and of the
 * acoustic model and of the decoder alone.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { earshot } from '../helpers/cli.js';
import { convertToneModel, E2E_TEXT, e2eSignal, wavBytes } from '../helpers/e2e.js';
import { readAudioFile } from '../../src/node/audio-file.js';

let dir: string;
let model: string;

interface Row {
  subset: string;
  utterances: number;
  failed: number;
  wordErrors: number;
  words: number;
  wer: number;
  audioSec: number;
  rtf: number;
  rtfAcoustic: number;
  rtfDecoder: number;
  stageSec: Record<'resample' | 'features' | 'acoustic' | 'decoder', number>;
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'earshot-eval-'));
  const c = convertToneModel(dir);
  model = c.model;
  expect(c.run.code).toBe(0);
  writeFileSync(path.join(dir, 'a.wav'), wavBytes([e2eSignal(16000)], 16000));
  // Subset "right": the reference is the hypothesis. Subset "wrong": one word substituted, one deleted.
  writeFileSync(path.join(dir, 'right.jsonl'), `${JSON.stringify({ id: 'r1', audio: 'a.wav', text: E2E_TEXT })}\n`);
  writeFileSync(path.join(dir, 'wrong.jsonl'), `${JSON.stringify({ id: 'w1', audio: 'a.wav', text: 'aa aa b' })}\n${JSON.stringify({ id: 'w2', audio: 'a.wav', text: 'b b' })}\n`);
});

describe('earshot eval', () => {
  for (const decoder of [[], ['--decoder', 'beam']]) {
    it(`scores the known hypothesis and reports the acoustic and decoder RTF (${decoder.join(' ') || 'greedy'})`, () => {
      const json = path.join(dir, `report${decoder.length}.json`);
      const r = earshot(['eval', '-m', model, '--threads', '1', ...decoder, '--json', json, path.join(dir, 'right.jsonl'), path.join(dir, 'wrong.jsonl')]);
      expect(r.code, r.stderr).toBe(0);
      const [head, ...lines] = r.stdout.trimEnd().split('\n');
      expect(head!.split(/\s{2,}/)).toEqual(['subset', 'utts', 'audio h', 'WER %', 'CER %', 'RTF', 'AM RTF', 'dec RTF']);
      expect(lines.map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
        ['right', '1', '0.00', '0.00'],
        ['wrong', '2', '0.00', '40.00'],
        ['overall', '3', '0.00', '28.57'],
      ]);
      const report = JSON.parse(readFileSync(json, 'utf8')) as { subsets: Row[]; decoding: unknown };
      // The report says how it decoded: this model is not the default one, so beam search has no LM unless given.
      expect(report.decoding).toEqual(decoder.length ? { decoder: 'beam', beam: 16, lm: null } : { decoder: 'greedy' });
      expect(report.subsets.map((s) => [s.subset, s.wordErrors, s.words])).toEqual([['right', 0, 2], ['wrong', 2, 5], ['overall', 2, 7]]);
      for (const s of report.subsets) {
        expect(s.audioSec).toBeCloseTo(2.3 * s.utterances, 3);
        // The features, model and decoder ran on every utterance (16 kHz input: resampling may take no time); the stages
        // are disjoint parts of each utterance's wall time, so they sum to at most the total (rtf x audio seconds).
        const stages = ['resample', 'features', 'acoustic', 'decoder'] as const;
        for (const k of stages) expect(s.stageSec[k], k).toBeGreaterThanOrEqual(0);
        for (const k of ['features', 'acoustic', 'decoder'] as const) expect(s.stageSec[k], k).toBeGreaterThan(0);
        expect(stages.reduce((sum, k) => sum + s.stageSec[k], 0)).toBeLessThanOrEqual(s.rtf * s.audioSec * (1 + 1e-12));
        expect(s.rtfAcoustic).toBeGreaterThan(0);
        expect(s.rtfAcoustic).toBeCloseTo(s.stageSec.acoustic / s.audioSec, 12);
        expect(s.rtfDecoder).toBeCloseTo(s.stageSec.decoder / s.audioSec, 12);
        expect(s.rtfAcoustic + s.rtfDecoder).toBeLessThanOrEqual(s.rtf);
      }
      // The overall row sums the subsets' stage times.
      const [a, b, all] = report.subsets;
      expect(all!.stageSec.acoustic).toBeCloseTo(a!.stageSec.acoustic + b!.stageSec.acoustic, 12);
      expect(all!.stageSec.decoder).toBeCloseTo(a!.stageSec.decoder + b!.stageSec.decoder, 12);
      // The table shows the same numbers as the JSON.
      lines.forEach((l, i) => {
        const cells = l.split(/\s+/);
        const s = report.subsets[i]!;
        expect(cells.slice(5)).toEqual([s.rtf.toFixed(4), s.rtfAcoustic.toFixed(4), s.rtfDecoder.toFixed(4)]);
      });
    });
  }

  it('adds 95 % bootstrap intervals of WER and CER with --bootstrap, in the table and the JSON, the same on every run', () => {
    const json = path.join(dir, 'report-ci.json');
    const args = ['eval', '-m', model, '--threads', '1', '--bootstrap', '500', path.join(dir, 'right.jsonl'), path.join(dir, 'wrong.jsonl')];
    const r = earshot([...args, '--json', json]);
    expect(r.code, r.stderr).toBe(0);
    const [head, ...lines] = r.stdout.trimEnd().split('\n');
    expect(head!.split(/\s{2,}/)).toEqual(['subset', 'utts', 'audio h', 'WER %', 'CER %', 'WER 95% CI', 'CER 95% CI', 'RTF', 'AM RTF', 'dec RTF']);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { subsets: (Row & { cer: number; werInterval: { low: number; high: number }; cerInterval: { low: number; high: number } })[] };
    const [right, wrong, overall] = report.subsets;
    // One error-free utterance: nothing to vary. "wrong": w1 has 1 word error of 3, w2 1 of 2, so a resample
    // scores 1/3, 2/5 or 1/2: the interval lies within those and holds the set's own 2/5.
    expect(right!.werInterval).toEqual({ low: 0, high: 0 });
    expect(wrong!.werInterval.low).toBeGreaterThanOrEqual(1 / 3 - 1e-12);
    expect(wrong!.werInterval.high).toBeLessThanOrEqual(1 / 2 + 1e-12);
    expect(wrong!.werInterval.low).toBeLessThan(0.4);
    expect(wrong!.werInterval.high).toBeGreaterThan(0.4);
    for (const s of [right!, wrong!, overall!]) {
      expect(s.cerInterval.low).toBeLessThanOrEqual(s.cer);
      expect(s.cerInterval.high).toBeGreaterThanOrEqual(s.cer);
    }
    lines.forEach((l, i) => {
      const s = report.subsets[i]!;
      expect(l.split(/\s+/).slice(5, 7)).toEqual([`${(100 * s.werInterval.low).toFixed(2)}-${(100 * s.werInterval.high).toFixed(2)}`, `${(100 * s.cerInterval.low).toFixed(2)}-${(100 * s.cerInterval.high).toFixed(2)}`]);
    });
    expect(earshot(args).stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 7))).toEqual(r.stdout.split('\n').map((l) => l.split(/\s+/).slice(0, 7)));
  });

  it('refuses a --bootstrap that is not a positive whole number, saying so', () => {
    const r = earshot(['eval', '-m', model, '--bootstrap', '0', path.join(dir, 'right.jsonl')]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/--bootstrap/);
  });

  it('closed phrases (--phrases): the chosen phrase is the hypothesis', () => {
    writeFileSync(path.join(dir, 'phrases.txt'), 'aa b\nb\n');
    writeFileSync(path.join(dir, 'words.jsonl'), `${JSON.stringify({ id: 'p1', audio: 'a.wav', text: 'aa b' })}\n`);
    const hyp = path.join(dir, 'hyp.jsonl');
    const r = earshot(['eval', '-m', model, '--decoder', 'beam', '--phrases', path.join(dir, 'phrases.txt'), '--hyp', hyp, path.join(dir, 'words.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/\nwords\s+1\s+0\.00\s+0\.00\s+0\.00\s/);
    expect(JSON.parse(readFileSync(hyp, 'utf8').trim()).hyp).toBe('aa b');
  });

  it('normalizes punctuation and case in references and hypotheses alike, and says how in --json', () => {
    // the E2E model says "aa b"; the references carry punctuation and capitals a transcriber would write
    writeFileSync(path.join(dir, 'punct.jsonl'), `${JSON.stringify({ id: 'p1', audio: 'a.wav', text: '"Aa, B."' })}\n${JSON.stringify({ id: 'p2', audio: 'a.wav', text: 'AA -- b!' })}\n`);
    const json = path.join(dir, 'report-punct.json');
    const r = earshot(['eval', '-m', model, '--threads', '1', '--json', json, path.join(dir, 'punct.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(readFileSync(json, 'utf8')) as { subsets: Row[]; scoring: { normalization: string; appliedTo: string } };
    expect(report.subsets.map((s) => [s.subset, s.wordErrors, s.words])).toEqual([['punct', 0, 4]]);
    expect(report.scoring.appliedTo).toBe('reference and hypothesis');
    expect(report.scoring.normalization).toMatch(/lower case.*not a letter, digit or apostrophe.*becomes a space/);
  });

  it('reads path<TAB>text manifests as well as JSONL, ids defaulting to the audio path', () => {
    writeFileSync(path.join(dir, 'wrong.tsv'), `# the "wrong" subset as a plain list\na.wav\taa aa b\na.wav\tb b\n`);
    const hyp = path.join(dir, 'tsv-hyp.jsonl');
    const r = earshot(['eval', '-m', model, '--threads', '1', '--hyp', hyp, path.join(dir, 'wrong.tsv')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[1]!.split(/\s+/).slice(0, 4)).toEqual(['wrong', '2', '0.00', '40.00']);
    expect(readFileSync(hyp, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a.wav', 'a.wav']);
  });

  it('labels manifests that share a name by their file names: `eval wrong.tsv wrong.jsonl` is not two rows called "wrong"', () => {
    const r = earshot(['eval', '-m', model, '--threads', '1', path.join(dir, 'wrong.tsv'), path.join(dir, 'wrong.jsonl'), path.join(dir, 'right.jsonl')]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['wrong.tsv', 'wrong.jsonl', 'right', 'overall']);
  });

  it('refuses a malformed or empty manifest with the file, the line and what it expected, exit 1', () => {
    const cases: [string, string, RegExp][] = [
      ['bad.jsonl', `${JSON.stringify({ audio: 'a.wav', text: 'b' })}\n{"audio": "a.wav", "text": 7}\n`, /bad\.jsonl:2: expected string fields "audio" and "text", got text: 7/],
      ['cut.jsonl', '{"audio": "a.wav", "te\n', /cut\.jsonl:1: not valid JSON \(.+\); expected a manifest line/],
      ['empty.jsonl', '\n# nothing\n', /empty\.jsonl: no entries \(expected JSONL \{"audio","text"\} or path<TAB>text lines\)/],
    ];
    for (const [name, text, message] of cases) {
      writeFileSync(path.join(dir, name), text);
      const r = earshot(['eval', '-m', model, path.join(dir, name)]);
      expect(r.code, name).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(r.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
    }
    const missing = earshot(['eval', '-m', model, path.join(dir, 'nope.jsonl')]);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/manifest .*nope\.jsonl: cannot read \(ENOENT/)]);
  });

  it('hears a via_rate entry as a recording made at that rate: the same hypothesis as the file resampled to it', async () => {
    // Via 4 kHz (a 2 kHz band) the 3 kHz tone of "b" is gone; the 500 Hz tones of "aa" stay.
    const { samples } = await readAudioFile(path.join(dir, 'a.wav'), 4000);
    writeFileSync(path.join(dir, 'a-4k.wav'), wavBytes([samples], 4000, 'f32'));
    writeFileSync(path.join(dir, 'via.jsonl'), `${JSON.stringify({ id: 'v1', audio: 'a.wav', text: E2E_TEXT, via_rate: 4000 })}\n`);
    writeFileSync(path.join(dir, 'at4k.jsonl'), `${JSON.stringify({ id: 'v1', audio: 'a-4k.wav', text: E2E_TEXT })}\n`);
    const hyps = ['via', 'at4k'].map((name) => {
      const hyp = path.join(dir, `${name}-hyp.jsonl`);
      const r = earshot(['eval', '-m', model, '--threads', '1', '--hyp', hyp, path.join(dir, `${name}.jsonl`)]);
      expect(r.code, r.stderr).toBe(0);
      return (JSON.parse(readFileSync(hyp, 'utf8').trim()) as { hyp: string }).hyp;
    });
    expect(hyps[0]).toBe(hyps[1]);
    expect(hyps[0]).not.toBe(E2E_TEXT);
  });
});
