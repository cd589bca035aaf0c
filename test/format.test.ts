import { describe, expect, it } from 'vitest';
import { formatTranscript, toCues, wrapCueText } from '../src/format.js';

const words = [
  { word: 'hello', start: 0.5, end: 0.9, confidence: 0.9 },
  { word: 'world', start: 1.0, end: 1.4, confidence: 0.8 },
  { word: 'again', start: 3.0, end: 3.5, confidence: 0.7 },
];
const r = { text: 'hello world again', words, durationSec: 4 };

describe('output formats', () => {
  it('splits subtitle cues at pauses longer than maxGap', () => {
    expect(toCues(words)).toEqual([
      { start: 0.5, end: 1.4, text: 'hello world' },
      { start: 3.0, end: 3.5, text: 'again' },
    ]);
  });

  it('splits cues at the maximum duration and length', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ word: 'word', start: i * 0.3, end: i * 0.3 + 0.25, confidence: 1 }));
    const cues = toCues(many);
    for (const c of cues) {
      expect(c.end - c.start).toBeLessThanOrEqual(6);
      expect(c.text.length).toBeLessThanOrEqual(85);
    }
    expect(cues.map((c) => c.text.replace('\n', ' ')).join(' ')).toBe(many.map((w) => w.word).join(' '));
  });

  it('wraps cue text at 42 characters, at most 2 lines, evenly (issue 23: one long line before)', () => {
    // 18 words of fast speech: 6 s would allow one cue, the lines do not
    const text = 'so we went down to the harbour early in the morning to watch the boats come in with the catch';
    const fast = text.split(' ').map((word, i) => ({ word, start: i * 0.25, end: i * 0.25 + 0.2, confidence: 1 }));
    const cues = toCues(fast);
    expect(cues.length).toBeGreaterThan(1);
    for (const c of cues) {
      const lines = c.text.split('\n');
      expect(lines.length).toBeLessThanOrEqual(2);
      for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(42);
    }
    expect(cues.map((c) => c.text.replace('\n', ' ')).join(' ')).toBe(text);
    expect(cues[0]!.text).toBe('so we went down to the harbour early in\nthe morning to watch the boats come in'); // 39 and 38 characters
    expect(wrapCueText(['the', 'weather', 'is', 'fine', 'today'], 13, 2)).toEqual(['the weather', 'is fine today']);
    expect(wrapCueText(['the', 'weather', 'is', 'fine', 'today'], 12, 2)).toBeUndefined();
    expect(wrapCueText(['short', 'text'], 42, 2)).toEqual(['short text']);
    expect(wrapCueText(['a'.repeat(50)], 42, 2)).toEqual(['a'.repeat(50)]);
    expect(wrapCueText(Array<string>(30).fill('word'), 42, 2)).toBeUndefined();
    const srt = formatTranscript({ text, words: fast, durationSec: 6 }, 'srt');
    expect(srt.split('\n').filter((l) => l && !/^\d+$/.test(l) && !l.includes('-->')).every((l) => l.length <= 42)).toBe(true);
  });

  it('JSON times are rounded to milliseconds (no float noise such as 0.9299999999999999)', () => {
    const noisy = [{ word: 'hi', start: 0.9299999999999999, end: 31 * 0.03, confidence: 0.5 }];
    const seg = [{ segment: 0, start: 0.30000000000000004, end: 1.0000000000000002, reason: 'pause', text: 'hi', words: noisy }];
    const out = formatTranscript({ text: 'hi', words: noisy, durationSec: 2.0000000000000004, segments: seg }, 'json');
    expect(out).not.toMatch(/\d\.\d{4,}/);
    const j = JSON.parse(out);
    expect(j.words[0]).toMatchObject({ start: 0.93, end: 0.93 });
    expect(j.segments[0]).toMatchObject({ start: 0.3, end: 1 });
    expect(j.durationSec).toBe(2);
  });

  it('writes SRT with comma milliseconds and 1-based indices', () => {
    expect(formatTranscript(r, 'srt')).toBe('1\n00:00:00,500 --> 00:00:01,400\nhello world\n\n2\n00:00:03,000 --> 00:00:03,500\nagain\n');
  });

  it('writes WebVTT with a header and dot milliseconds', () => {
    expect(formatTranscript(r, 'vtt')).toBe('WEBVTT\n\n00:00:00.500 --> 00:00:01.400\nhello world\n\n00:00:03.000 --> 00:00:03.500\nagain\n');
  });

  it('writes TSV with a header, times and confidences', () => {
    expect(formatTranscript(r, 'tsv').split('\n').slice(0, 2)).toEqual(['start\tend\tword\tconfidence', '0.500\t0.900\thello\t0.9000']);
  });

  it('writes JSON with words and extra fields, and plain text', () => {
    const j = JSON.parse(formatTranscript(r, 'json', { file: 'a.wav' }));
    expect(j).toMatchObject({ file: 'a.wav', text: 'hello world again', durationSec: 4 });
    expect(j.words).toHaveLength(3);
    expect(formatTranscript(r, 'text')).toBe('hello world again\n');
  });

  it('with segments: a cue never spans two segments, long segments are still split, json lists them, text is one line', () => {
    // "hello world" would be one cue by the gap rule (0.1 s gap); the segment boundary between them splits it.
    const segments = [
      { segment: 0, start: 0, end: 0.95, reason: 'pause', text: 'hello', words: [words[0]!] },
      { segment: 1, start: 0.95, end: 4, reason: 'end-of-input', text: 'world again', words: [words[1]!, words[2]!] },
    ];
    const seg = { ...r, segments };
    expect(formatTranscript(seg, 'srt')).toBe('1\n00:00:00,500 --> 00:00:00,900\nhello\n\n2\n00:00:01,000 --> 00:00:01,400\nworld\n\n3\n00:00:03,000 --> 00:00:03,500\nagain\n');
    expect(formatTranscript(seg, 'vtt').split('\n\n')).toHaveLength(4);
    expect(formatTranscript(seg, 'text')).toBe('hello world again\n');
    const j = JSON.parse(formatTranscript(seg, 'json'));
    expect(j.segments).toEqual(segments);
    expect(JSON.parse(formatTranscript(r, 'json'))).not.toHaveProperty('segments');
    const many = Array.from({ length: 40 }, (_, i) => ({ word: 'word', start: i * 0.3, end: i * 0.3 + 0.25, confidence: 1 }));
    const cues = formatTranscript({ text: '', words: many, durationSec: 12, segments: [{ start: 0, end: 12, text: '', words: many }] }, 'srt').trim().split('\n\n');
    expect(cues.length).toBeGreaterThan(1);
  });

  it('formats hours in subtitle clocks', () => {
    expect(formatTranscript({ text: 'x', words: [{ word: 'x', start: 3723.4567, end: 3724, confidence: 1 }], durationSec: 3725 }, 'srt')).toContain('01:02:03,457 --> 01:02:04,000');
  });
});
