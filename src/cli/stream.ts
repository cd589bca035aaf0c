/**
 * `earshot stream`: recognize audio as it arrives. With endpointing (the default) the input is cut into
 * segments at pauses and each segment's final result is printed as soon as it ends, one line each:
 * `[start --> end] text`, the times of its first and last word in seconds from the start of the input.
 * On a terminal the current partial text is shown on the line being written; with --json every partial
 * and every segment is one JSON object per line.
 */
import type { SegmentResult } from '../recognizer.js';
import { escapeNonPrintable } from '../core/errors.js';
import { ms, wordsJson } from '../format.js';
import { loadRecognizer, transcribeFile } from '../node/index.js';
import { decoderFromCli, type DecoderCliOptions } from './lm.js';
import { endpointFromCli, type EndpointCliOptions } from './endpoint.js';
import { parsePositiveInt, parseProviders, parseRaw } from './options.js';

export interface StreamCliOptions extends DecoderCliOptions, EndpointCliOptions {
  model?: string;
  ep: string;
  threads?: string;
  raw?: string;
  rate?: string;
  channels?: string;
  json: boolean;
}

/**
 * The text line of a segment: `[0.48 --> 2.04] put the cups on the shelf` (speech span; the segment's span when it has no words).
 * @example
 * segmentLine(seg) // "[5.49 --> 7.08] put the cups on the shelf"
 */
export function segmentLine(s: Pick<SegmentResult, 'start' | 'end' | 'text' | 'words'>): string {
  const start = s.words.length ? s.words[0]!.start : s.start;
  const end = s.words.length ? s.words[s.words.length - 1]!.end : s.end;
  return `[${start.toFixed(2)} --> ${end.toFixed(2)}] ${s.text}`;
}

/**
 * Run `earshot stream` on a file or stdin.
 * @example
 * await streamCommand('-', { ep: 'cpu', json: false, raw: 's16le', rate: '16000', trailingSilence: '0.8' });
 */
export async function streamCommand(file: string, o: StreamCliOptions): Promise<void> {
  const providers = parseProviders(o.ep);
  const threads = parsePositiveInt('--threads', o.threads);
  const raw = parseRaw(o.raw, o.rate, o.channels);
  const endpoint = endpointFromCli(o);
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), executionProviders: providers, ...(threads ? { threads } : {}) });
  const decoder = await decoderFromCli(o, rec);
  const tty = Boolean(process.stdout.isTTY) && !o.json;
  let last = '';
  const printSegment = (s: Pick<SegmentResult, 'start' | 'end' | 'text' | 'words'> & Partial<Pick<SegmentResult, 'segment' | 'reason'>>): void => {
    last = '';
    if (o.json) process.stdout.write(JSON.stringify({ type: 'final', segment: s.segment ?? 0, start: ms(s.start), end: ms(s.end), ...(s.reason ? { reason: s.reason } : {}), text: s.text, words: wordsJson(s.words) }) + '\n');
    else process.stdout.write(`${tty ? '\r\x1b[K' : ''}${segmentLine(s)}\n`);
  };
  // A stream's batch, not a file's: `stream` shows results as the audio arrives, even from a file.
  const result = await transcribeFile(rec, file, {
    batchFrames: rec.batchFrames,
    ...(raw ? { raw } : {}),
    ...(decoder ? { decoder } : {}),
    ...(endpoint ? { endpoint, onSegment: printSegment } : {}),
    onWarning: (m) => process.stderr.write(`earshot: warning: ${escapeNonPrintable(`${file === '-' ? 'stdin' : file}: ${m}`)}\n`),
    onPartial: (p) => {
      if (p.text === last) return;
      last = p.text;
      if (o.json) process.stdout.write(JSON.stringify({ type: 'partial', ...(p.segment !== undefined ? { segment: p.segment } : {}), text: p.text, durationSec: ms(p.durationSec) }) + '\n');
      else if (tty) process.stdout.write(`\r\x1b[K${p.text}`);
    },
  });
  // Without endpointing the whole input is one segment, printed at the end.
  if (!endpoint && result.text !== '') printSegment({ start: 0, end: result.durationSec, text: result.text, words: result.words });
  else if (tty && last !== '') process.stdout.write('\r\x1b[K');
}
