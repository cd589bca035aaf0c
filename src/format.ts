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
  /** Longest line of cue text, characters. Default 42 (the broadcast convention). */
  lineChars: number;
  /** Most lines in a cue. Default 2. */
  maxLines: number;
}

/**
 * Break words into at most `maxLines` lines of at most `width` characters, as evenly as possible
 * (the longest line as short as it can be); undefined when they do not fit. A single word longer
 * than `width` is a line of its own.
 * @example
 * wrapCueText(['the', 'weather', 'is', 'fine', 'today'], 13, 2) // ['the weather', 'is fine today']
 */
export function wrapCueText(words: readonly string[], width: number, maxLines: number): string[] | undefined {
  const one = words.join(' ');
  if (one.length <= width || words.length === 1) return [one];
  if (maxLines < 2) return undefined;
  let best: string[] | undefined;
  let bestLongest = Infinity;
  for (let k = 1; k < words.length; k++) {
    const head = words.slice(0, k).join(' ');
    if (head.length > width && k > 1) break;
    const rest = wrapCueText(words.slice(k), width, maxLines - 1);
    if (!rest) continue;
    const longest = Math.max(head.length, ...rest.map((l) => l.length));
    if (longest < bestLongest) {
      bestLongest = longest;
      best = [head, ...rest];
    }
  }
  return best;
}

export interface Cue {
  start: number;
  end: number;
  text: string;
}

/**
 * Group words into subtitle cues: a new cue at a pause, at the longest duration, and where the text
 * would no longer fit in two lines of 42 characters; the cue text is wrapped into those lines.
 * @example
 * toCues(result.words).map((c) => c.text);
 */
export function toCues(words: readonly WordResult[], opts: Partial<CueOptions> = {}): Cue[] {
  const o: CueOptions = { maxGap: 0.8, maxDuration: 6, lineChars: 42, maxLines: 2, ...opts };
  const cues: Cue[] = [];
  let cur: WordResult[] = [];
  const flush = (): void => {
    if (cur.length) cues.push({ start: cur[0]!.start, end: cur[cur.length - 1]!.end, text: wrapCueText(cur.map((w) => w.word), o.lineChars, o.maxLines)!.join('\n') });
    cur = [];
  };
  for (const w of words) {
    if (cur.length) {
      const first = cur[0]!;
      const last = cur[cur.length - 1]!;
      const fits = wrapCueText([...cur.map((x) => x.word), w.word], o.lineChars, o.maxLines) !== undefined;
      if (w.start - last.end > o.maxGap || w.end - first.start > o.maxDuration || !fits) flush();
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
      return JSON.stringify({ ...extra, text: r.text, durationSec: ms(r.durationSec), words: wordsJson(r.words), ...(r.segments ? { segments: r.segments.map(segmentJson) } : {}) }, null, 2) + '\n';
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
  return { segment: s.segment, start: ms(s.start), end: ms(s.end), reason: s.reason, text: s.text, words: wordsJson(s.words) };
}

/**
 * Seconds rounded to whole milliseconds, for JSON output (frame times carry float noise: 0.9299999999999999).
 * @example
 * ms(0.9299999999999999) // 0.93
 */
export function ms(sec: number): number {
  return Math.round(sec * 1000) / 1000;
}

/**
 * Words as JSON output gives them: times rounded to milliseconds.
 * @example
 * JSON.stringify(wordsJson(result.words));
 */
export function wordsJson(words: readonly WordResult[]): WordResult[] {
  return words.map((w) => ({ ...w, start: ms(w.start), end: ms(w.end) }));
}
