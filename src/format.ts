/**
 * Transcript output formats: text, json, tsv, srt, vtt. Subtitles are cut into cues at segment
 * boundaries (when the transcript was endpointed), at pauses, at a maximum duration and a maximum
 * line length, so they are readable.
 */
import type { WordResult } from './decoder/types.js';

export const OUTPUT_FORMATS = ['text', 'json', 'srt', 'vtt', 'tsv'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/**
 * One segment (utterance) of an endpointed transcript, as the formatters use it.
 * @example
 * const seg: TranscriptSegment = { start: 0, end: 3.2, text: 'hello world', words };
 */
export interface TranscriptSegment {
  start: number;
  end: number;
  text: string;
  words: WordResult[];
  segment?: number;
  reason?: string;
}

/** What a formatter needs from a result. */
export interface Transcript {
  text: string;
  words: WordResult[];
  durationSec: number;
  /** Segments from endpointing: subtitle cues never span two of them; json lists them. */
  segments?: readonly TranscriptSegment[];
}

export interface CueOptions {
  /** Start a new cue after a pause this long, seconds. Default 0.8. */
  maxGap: number;
  /** Longest cue, seconds. Default 6. */
  maxDuration: number;
  /** Longest cue text, characters. Default 84 (two 42-character lines). */
  maxChars: number;
}

export interface Cue {
  start: number;
  end: number;
  text: string;
}

/**
 * Group words into subtitle cues.
 * @example
 * toCues(result.words).map((c) => c.text);
 */
export function toCues(words: readonly WordResult[], opts: Partial<CueOptions> = {}): Cue[] {
  const o: CueOptions = { maxGap: 0.8, maxDuration: 6, maxChars: 84, ...opts };
  const cues: Cue[] = [];
  let cur: WordResult[] = [];
  const flush = (): void => {
    if (cur.length) cues.push({ start: cur[0]!.start, end: cur[cur.length - 1]!.end, text: cur.map((w) => w.word).join(' ') });
    cur = [];
  };
  for (const w of words) {
    if (cur.length) {
      const first = cur[0]!;
      const last = cur[cur.length - 1]!;
      const chars = cur.reduce((n, x) => n + x.word.length + 1, 0) + w.word.length;
      if (w.start - last.end > o.maxGap || w.end - first.start > o.maxDuration || chars > o.maxChars) flush();
    }
    cur.push(w);
  }
  flush();
  return cues;
}

function clock(sec: number, sep: ',' | '.'): string {
  const ms = Math.max(0, Math.round(sec * 1000));
  const h = Math.floor(ms / 3600000);
  const m = Math.floor((ms % 3600000) / 60000);
  const s = Math.floor((ms % 60000) / 1000);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${sep}${pad(ms % 1000, 3)}`;
}

/** Cues of a transcript: per segment when it has segments (a cue never spans two), else over all words. */
function transcriptCues(r: Transcript): Cue[] {
  return r.segments ? r.segments.flatMap((s) => toCues(s.words)) : toCues(r.words);
}

/**
 * Render a transcript in one of the output formats. Text is one line even when the transcript has
 * segments; json then has a `segments` list; srt and vtt start a new cue at every segment.
 * @example
 * process.stdout.write(formatTranscript(result, 'srt'));
 */
export function formatTranscript(r: Transcript, format: OutputFormat, extra: Record<string, unknown> = {}): string {
  switch (format) {
    case 'text':
      return r.text + '\n';
    case 'json':
      return JSON.stringify({ ...extra, text: r.text, durationSec: r.durationSec, words: r.words, ...(r.segments ? { segments: r.segments.map(segmentJson) } : {}) }, null, 2) + '\n';
    case 'tsv':
      return ['start\tend\tword\tconfidence', ...r.words.map((w) => `${w.start.toFixed(3)}\t${w.end.toFixed(3)}\t${w.word}\t${w.confidence.toFixed(4)}`)].join('\n') + '\n';
    case 'srt':
      return transcriptCues(r).map((c, i) => `${i + 1}\n${clock(c.start, ',')} --> ${clock(c.end, ',')}\n${c.text}\n`).join('\n');
    case 'vtt':
      return 'WEBVTT\n\n' + transcriptCues(r).map((c) => `${clock(c.start, '.')} --> ${clock(c.end, '.')}\n${c.text}\n`).join('\n');
  }
}

/**
 * The JSON form of a segment: index, span, rule, text and words (tokens left out).
 * @example
 * JSON.stringify(result.segments.map(segmentJson));
 */
export function segmentJson(s: TranscriptSegment): Record<string, unknown> {
  return { segment: s.segment, start: s.start, end: s.end, reason: s.reason, text: s.text, words: s.words };
}
