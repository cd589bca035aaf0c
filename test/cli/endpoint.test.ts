/**
 * Endpointing through the CLI: models/sample.wav + 2 s of silence + models/sample.wav gives one line, cue or
 * JSON segment per copy in `earshot stream` and `earshot transcribe` (the rules and the API: test/decoder/endpoint.test.ts).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readAudioFile } from '../../src/node/audio-file.js';
import { earshot, ROOT } from '../helpers/cli.js';
import { wavBytes } from '../helpers/e2e.js';

describe('segmented recognition through the CLI', () => {
  const SENTENCE = 'put the cups on the shelf';
  let offset: number; // where the second copy starts, seconds
  let twoWav: string;

  beforeAll(async () => {
    const single = await readAudioFile(path.join(ROOT, 'models/sample.wav'));
    expect(single.sampleRate).toBe(16000);
    const gap = 2 * single.sampleRate;
    const two = new Float32Array(single.samples.length * 2 + gap);
    two.set(single.samples, 0);
    two.set(single.samples, single.samples.length + gap);
    offset = (single.samples.length + gap) / single.sampleRate;
    twoWav = path.join(mkdtempSync(path.join(tmpdir(), 'earshot-endpoint-cli-')), 'two.wav');
    writeFileSync(twoWav, wavBytes([two], single.sampleRate));
  });

  const beamArgs = (): string[] => ['--decoder', 'beam', '--lm', path.join(ROOT, 'models/en-3gram.lmbin'), '--lm-weight', '0.5', '--word-bonus', '4'];

  it('earshot stream prints one "[start --> end] text" line per segment', () => {
    const r = earshot(['stream', ...beamArgs(), twoWav]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(2);
    const times: number[][] = [];
    for (const l of lines) {
      const m = /^\[(\d+\.\d\d) --> (\d+\.\d\d)\] (.*)$/.exec(l);
      expect(m, l).not.toBeNull();
      expect(m![3]).toBe(SENTENCE);
      times.push([Number(m![1]), Number(m![2])]);
    }
    // The speech of the sample is about 0.48..2.04 s; the second copy starts `offset` seconds later.
    expect(Math.abs(times[1]![0]! - times[0]![0]! - offset)).toBeLessThan(0.1);
    expect(Math.abs(times[1]![1]! - times[0]![1]! - offset)).toBeLessThan(0.1);
    expect(times[0]![0]).toBeGreaterThan(0.4);
    expect(times[0]![1]).toBeLessThan(2.5);
  });

  it('earshot stream --json: a final object per segment; --no-endpoint: one line for the whole input', () => {
    const j = earshot(['stream', '--json', twoWav]);
    expect(j.code).toBe(0);
    const finals = j.stdout.trim().split('\n').map((l) => JSON.parse(l)).filter((o) => o.type === 'final');
    expect(finals.map((f) => f.segment)).toEqual([0, 1]);
    expect(finals[1].start).toBe(finals[0].end);
    expect(finals[0]).toMatchObject({ reason: 'pause' });
    expect(finals[1].words[0].start).toBeGreaterThan(offset);
    const one = earshot(['stream', '--no-endpoint', twoWav]);
    expect(one.code).toBe(0);
    expect(one.stdout.trimEnd().split('\n').length).toBe(1);
    expect(one.stdout).toMatch(/^\[0\.[4-6]\d --> 7\.\d\d\] put the /);
    const bad = earshot(['stream', '--max-utterance', '-3', twoWav]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--max-utterance must be a number of seconds > 0/);
  });

  it('earshot transcribe -f srt: one cue per segment; json lists the segments; text stays one line', () => {
    const srt = earshot(['transcribe', '-f', 'srt', ...beamArgs(), twoWav]);
    expect(srt.code).toBe(0);
    const cues = srt.stdout.trim().split('\n\n');
    expect(cues.length).toBe(2);
    expect(cues.map((c) => c.split('\n')[2])).toEqual([SENTENCE, SENTENCE]);
    expect(cues[1]!.split('\n')[0]).toBe('2');
    expect(cues[1]!.split('\n')[1]).toMatch(/^00:00:05,[4-7]\d\d --> 00:00:07,\d\d\d$/);
    const json = JSON.parse(earshot(['transcribe', '-f', 'json', ...beamArgs(), twoWav]).stdout);
    expect(json.segments.map((s: { text: string }) => s.text)).toEqual([SENTENCE, SENTENCE]);
    expect(json.segments[0]).toMatchObject({ segment: 0, start: 0, reason: 'pause' });
    const text = earshot(['transcribe', ...beamArgs(), twoWav]);
    expect(text.stdout).toBe(`${SENTENCE} ${SENTENCE}\n`);
    const off = JSON.parse(earshot(['transcribe', '-f', 'json', '--no-endpoint', twoWav]).stdout);
    expect(off).not.toHaveProperty('segments');
  });
});
