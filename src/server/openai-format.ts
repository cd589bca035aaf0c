/**
 * The bodies of `POST /v1/audio/transcriptions` in OpenAI's response formats, built from a recognizer
 * result with the library's own formatters (src/format.ts) for text, srt and vtt.
 */
import { formatTranscript } from '../format.js';
import type { RecognitionResult, SegmentResult } from '../recognizer.js';

/**
 * OpenAI's `response_format` values.
 * @example
 * oneOf(fields, 'response_format', RESPONSE_FORMATS, 'json');
 */
export const RESPONSE_FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
/**
 * @example
 * const f: ResponseFormat = 'verbose_json';
 */
export type ResponseFormat = (typeof RESPONSE_FORMATS)[number];

/**
 * OpenAI's `timestamp_granularities[]` values.
 * @example
 * GRANULARITIES.includes('word') // true
 */
export const GRANULARITIES = ['word', 'segment'] as const;
/**
 * @example
 * const g: Granularity[] = ['word', 'segment'];
 */
export type Granularity = (typeof GRANULARITIES)[number];

const ms = (s: number): number => Math.round(s * 1000) / 1000;

/** A verbose_json segment: OpenAI's fields that earshot can fill truthfully, plus why the segment ended. */
function verboseSegment(s: Pick<SegmentResult, 'start' | 'end' | 'text' | 'tokens'> & Partial<Pick<SegmentResult, 'reason'>>, id: number): Record<string, unknown> {
  const logs = s.tokens.map((t) => Math.log(Math.max(t.confidence, 1e-10)));
  return {
    id,
    // Whisper's seek is the segment's offset in 10 ms frames.
    seek: Math.round(s.start * 100),
    start: ms(s.start),
    end: ms(s.end),
    text: s.text,
    tokens: s.tokens.map((t) => t.id),
    // Greedy and beam CTC decoding are deterministic: temperature 0.
    temperature: 0,
    avg_logprob: logs.length ? ms(logs.reduce((a, b) => a + b, 0) / logs.length) : 0,
    ...(s.reason ? { reason: s.reason } : {}),
  };
}

/**
 * A response body and its content type.
 * @example
 * const { body, contentType } = renderTranscription(result, 'srt', { language: 'en', granularities: [] });
 */
export function renderTranscription(r: RecognitionResult, format: ResponseFormat, o: { language: string; granularities: readonly Granularity[] }): { body: string; contentType: string } {
  switch (format) {
    case 'json':
      return { body: JSON.stringify({ text: r.text }), contentType: 'application/json; charset=utf-8' };
    case 'text':
      return { body: formatTranscript(r, 'text'), contentType: 'text/plain; charset=utf-8' };
    case 'srt':
      return { body: formatTranscript(r, 'srt'), contentType: 'text/plain; charset=utf-8' };
    case 'vtt':
      return { body: formatTranscript(r, 'vtt'), contentType: 'text/vtt; charset=utf-8' };
    case 'verbose_json': {
      const segments = r.segments ?? (r.text === '' ? [] : [{ start: 0, end: r.durationSec, text: r.text, tokens: r.tokens }]);
      const wantSegments = o.granularities.length === 0 || o.granularities.includes('segment');
      const body = {
        task: 'transcribe',
        language: o.language,
        duration: ms(r.durationSec),
        text: r.text,
        ...(wantSegments ? { segments: segments.map(verboseSegment) } : {}),
        ...(o.granularities.includes('word') ? { words: r.words.map((w) => ({ word: w.word, start: ms(w.start), end: ms(w.end) })) } : {}),
      };
      return { body: JSON.stringify(body), contentType: 'application/json; charset=utf-8' };
    }
  }
}
