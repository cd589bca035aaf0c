/**
 * The typed protocol between the server's event loop and its decode workers (one message type per
 * action), and the JSON messages of the `/v1/stream` WebSocket. Everything here crosses a thread
 * boundary by structured clone, so it is plain data: no classes, no functions.
 */
import type { MessagePort } from 'node:worker_threads';
import type { RawPcmSpec } from '../audio/pcm.js';
import { ms, segmentJson } from '../format.js';
import type { RecognitionResult, SegmentResult, PartialResult } from '../recognizer.js';

/**
 * Which decoder a request asked for, as plain data (a worker turns it into DecoderOptions with the
 * model's labels and LM). Phrases and boost lists are checked against the model's labels there.
 * @example
 * const spec: DecoderSpec = { type: 'beam', boost: ['earshot'] };
 */
export type DecoderSpec = { type: 'greedy' } | { type: 'beam'; beam?: number; phrases?: string[]; phraseThreshold?: number; boost?: string[] };

/**
 * Limits a worker enforces while decoding, so that a request cannot hold a thread for ever.
 * @example
 * const limits: DecodeLimits = { maxAudioSeconds: 3600, deadline: Date.now() + 300_000 };
 */
export interface DecodeLimits {
  /** Longest audio accepted, seconds. */
  maxAudioSeconds: number;
  /** Wall-clock time (ms since the epoch) after which the work is abandoned. */
  deadline: number;
}

/**
 * Decode a whole uploaded file (its bytes, any format the CLI reads).
 * @example
 * const task: FileTask = { kind: 'file', bytes, source: 'upload.wav', decoder: { type: 'greedy' }, limits };
 */
export interface FileTask {
  kind: 'file';
  bytes: Uint8Array;
  /** Name used in error messages (the uploaded file name). */
  source: string;
  decoder: DecoderSpec;
  limits: DecodeLimits;
}

/**
 * Decode a live stream whose bytes arrive over `port` ({@link StreamInput} messages); partial and
 * segment results go back over the same port ({@link StreamOutput}). Without `raw` the bytes are an
 * encoded file (WAV, FLAC, Ogg, MP3) arriving in pieces.
 * @example
 * const { port1, port2 } = new MessageChannel();
 * const task: StreamTask = { kind: 'stream', port: port2, source: 'ws', decoder: { type: 'greedy' }, raw: { encoding: 's16le', rate: 16000 }, maxAudioSeconds: 3600 };
 */
export interface StreamTask {
  kind: 'stream';
  port: MessagePort;
  source: string;
  decoder: DecoderSpec;
  raw?: RawPcmSpec;
  maxAudioSeconds: number;
}

/**
 * Load the model now (the server sends one per thread at start, so that a bad model fails the start and
 * the first request is not slow); resolves to the model's sample rate.
 * @example
 * const outcome = await pool.run({ kind: 'load' } satisfies LoadTask);
 */
export interface LoadTask {
  kind: 'load';
}

/**
 * Work for a decode worker.
 * @example
 * const outcome = await piscina.run(task satisfies DecodeTask);
 */
export type DecodeTask = FileTask | StreamTask | LoadTask;

/**
 * A loaded model.
 * @example
 * const ok: LoadSuccess = { ok: true, sampleRate: 16000 };
 */
export interface LoadSuccess {
  ok: true;
  sampleRate: number;
}

/**
 * Why decoding failed, as the HTTP layer needs to know it: `usage` (bad request field), `audio`
 * (unreadable or corrupt audio), `too_long` (audio over the limit), `timeout` (over the request time),
 * `internal` (a bug: logged, reported as 500).
 * @example
 * const kind: DecodeFailureKind = 'too_long';
 */
export type DecodeFailureKind = 'usage' | 'audio' | 'too_long' | 'timeout' | 'internal';

/**
 * A failure as plain data (error classes do not survive structured clone).
 * @example
 * const f: DecodeFailure = { ok: false, kind: 'audio', message: 'a.wav: truncated' };
 */
export interface DecodeFailure {
  ok: false;
  kind: DecodeFailureKind;
  message: string;
}

/**
 * A decoded file: the recognizer's result, the audio format found, and the seconds the worker spent.
 * @example
 * if (outcome.ok) console.log(outcome.result.text, outcome.format, outcome.processingSec);
 */
export interface FileSuccess {
  ok: true;
  result: RecognitionResult;
  format: string;
  processingSec: number;
}

/**
 * A finished stream: its final result (all segments) and the seconds the worker spent.
 * @example
 * if (outcome.ok) ws.send(JSON.stringify(endMessage(outcome.result)));
 */
export interface StreamSuccess {
  ok: true;
  result: RecognitionResult;
  processingSec: number;
}

/**
 * What a file task resolves to.
 * @example
 * const outcome: FileOutcome = await pool.decodeFile(task);
 */
export type FileOutcome = FileSuccess | DecodeFailure;
/**
 * What a load task resolves to.
 * @example
 * const loaded = (await piscina.run({ kind: 'load' })) as LoadOutcome;
 */
export type LoadOutcome = LoadSuccess | DecodeFailure;
/**
 * What a stream task resolves to.
 * @example
 * const outcome: StreamOutcome = await pool.openStream(task).done;
 */
export type StreamOutcome = StreamSuccess | DecodeFailure;

/**
 * Event loop -> worker, on a stream's port: audio bytes (transferred), or the end of input.
 * @example
 * port.postMessage({ type: 'audio', bytes } satisfies StreamInput, [bytes.buffer]);
 */
export type StreamInput = { type: 'audio'; bytes: Uint8Array } | { type: 'eof' };

/**
 * Worker -> event loop, on a stream's port: a partial (text so far of the current segment), a
 * segment's final result, or how many input bytes are done (for flow control).
 * @example
 * port.on('message', (m: StreamOutput) => { if (m.type === 'partial') console.log(m.partial.text); });
 */
export type StreamOutput =
  | { type: 'partial'; partial: PartialResult }
  | { type: 'segment'; segment: SegmentResult }
  | { type: 'consumed'; bytes: number }
  /** The worker's last message on the port: everything it sent is before this. */
  | { type: 'end' };

/**
 * A `/v1/stream` partial message: the text of the current segment so far (sent when it changes), with
 * the seconds of audio accepted (a client times latency from the chunk that brought it this far).
 * @example
 * ws.send(JSON.stringify(partialMessage(p))); // {"type":"partial","segment":0,"text":"put the","durationSec":1.28}
 */
export function partialMessage(p: PartialResult): { type: 'partial'; segment: number; text: string; durationSec: number } {
  return { type: 'partial', segment: p.segment ?? 0, text: p.text, durationSec: ms(p.durationSec) };
}

/**
 * A `/v1/stream` final message for one segment: the same object `earshot stream --json` prints.
 * @example
 * ws.send(JSON.stringify(finalMessage(seg))); // {"type":"final","segment":0,"start":0,"end":2.1,"reason":"silence","text":"...","words":[...]}
 */
export function finalMessage(s: SegmentResult): Record<string, unknown> {
  return { type: 'final', ...segmentJson(s) };
}

/**
 * The last `/v1/stream` message before the server closes the socket: the whole transcript, which is
 * what `earshot transcribe` prints for the same audio.
 * @example
 * ws.send(JSON.stringify(endMessage(result))); // {"type":"end","text":"...","durationSec":4.2,"segments":2}
 */
export function endMessage(r: RecognitionResult): { type: 'end'; text: string; durationSec: number; segments: number } {
  return { type: 'end', text: r.text, durationSec: ms(r.durationSec), segments: r.segments?.length ?? (r.text === '' ? 0 : 1) };
}
