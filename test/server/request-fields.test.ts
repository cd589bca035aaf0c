/** The server's request checking and response rendering, and `earshot serve`'s flags, without a server. */
import { describe, expect, it } from 'vitest';
import { decoderSpec, fieldsFromQuery, numberField, oneOf, rawSpec, rejectUnknown, single } from '../../src/server/request-fields.js';
import { HttpError, failureToHttp } from '../../src/server/http-error.js';
import { renderTranscription } from '../../src/server/openai-format.js';
import { serveConfigFromCli } from '../../src/cli/serve.js';
import type { RecognitionResult } from '../../src/recognizer.js';

function fails(f: () => unknown): HttpError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(HttpError);
    return e as HttpError;
  }
  throw new Error('expected an HttpError');
}

describe('request fields', () => {
  it('query strings fold name[] into name and keep repeats', () => {
    expect(fieldsFromQuery({ rate: '16000', 'boost[]': ['a', 'b'], boost: 'c' })).toEqual({ rate: ['16000'], boost: ['a', 'b', 'c'] });
    expect(fieldsFromQuery(undefined)).toEqual({});
  });

  it('every bad value is a 400 naming the field, what it must be and what came', () => {
    expect(fails(() => single({ model: ['a', 'b'] }, 'model'))).toMatchObject({ status: 400, param: 'model', message: 'model: given 2 times; give it once' });
    expect(fails(() => oneOf({ f: ['x'] }, 'f', ['a', 'b'], 'a')).message).toBe('f: must be one of a, b, got "x"');
    expect(fails(() => numberField({ t: ['2'] }, 't', 0, 1)).message).toBe('t: must be a number from 0 to 1, got "2"');
    expect(fails(() => numberField({ n: ['1.5'] }, 'n', 1, 9, true)).message).toBe('n: must be an integer from 1 to 9, got "1.5"');
    expect(fails(() => numberField({ n: [''] }, 'n', 0, 9)).param).toBe('n');
    expect(fails(() => rejectUnknown({ modle: ['x'] }, ['model'], 'POST /x')).message).toBe('modle: unknown field for POST /x; it takes model');
  });

  it('decoder fields: greedy by default, lists one per line or repeated, boost and phrases imply beam', () => {
    expect(decoderSpec({})).toEqual({ type: 'greedy' });
    expect(decoderSpec({ boost: ['cups\n# comment\n\nshelf', 'table'] })).toEqual({ type: 'beam', boost: ['cups', 'shelf', 'table'] });
    expect(decoderSpec({ phrases: ['yes\nno'], phrase_threshold: ['0.5'], beam: ['8'] })).toEqual({ type: 'beam', beam: 8, phrases: ['yes', 'no'], phraseThreshold: 0.5 });
    expect(fails(() => decoderSpec({ decoder: ['greedy'], beam: ['4'] })).param).toBe('decoder');
    expect(fails(() => decoderSpec({ phrases: ['a'], boost: ['b'] })).param).toBe('boost');
    expect(fails(() => decoderSpec({ phrase_threshold: ['0.2'] })).message).toMatch(/^phrase_threshold: needs phrases/);
    expect(fails(() => decoderSpec({ boost: ['\n# only a comment\n'] })).message).toMatch(/^boost: is empty/);
  });

  it('stream audio: PCM with a rate (s16le mono by default), else an encoded file', () => {
    expect(rawSpec({})).toBeUndefined();
    expect(rawSpec({ rate: ['16000'] })).toEqual({ encoding: 's16le', rate: 16000, channels: 1 });
    expect(rawSpec({ rate: ['48000'], encoding: ['f32le'], channels: ['2'] })).toEqual({ encoding: 'f32le', rate: 48000, channels: 2 });
    expect(fails(() => rawSpec({ encoding: ['s16le'] })).param).toBe('rate');
    expect(fails(() => rawSpec({ rate: ['16000'], encoding: ['s24le'] })).message).toMatch(/^encoding: must be one of s16le, s32le, f32le, u8/);
  });

  it('decode failures map to statuses; internal ones say to report them', () => {
    expect(failureToHttp('audio', 'a.wav: corrupt')).toMatchObject({ status: 400, kind: 'audio', param: 'file' });
    expect(failureToHttp('too_long', 'x')).toMatchObject({ status: 413, kind: 'too_long' });
    expect(failureToHttp('timeout', 'x')).toMatchObject({ status: 503, kind: 'timeout' });
    expect(failureToHttp('internal', 'boom').body().error).toMatchObject({ type: 'server_error', message: expect.stringMatching(/boom.*report/) });
  });
});

describe('OpenAI response formats', () => {
  const word = (w: string, start: number, end: number) => ({ word: w, start, end, confidence: 0.9 });
  const tok = (id: number, c: number) => ({ id, label: 'x', start: 0, end: 0.03, confidence: c });
  const result: RecognitionResult = {
    text: 'yes no', words: [word('yes', 0.5, 0.8), word('no', 2.5, 2.7)], tokens: [tok(3, 0.5), tok(4, 0.5)], durationSec: 3.0004, provider: 'cpu', isFinal: true,
    timings: { resample: 0, features: 0, acoustic: 0, decoder: 0 },
    segments: [
      { segment: 0, start: 0, end: 1.8, reason: 'silence', text: 'yes', words: [word('yes', 0.5, 0.8)], tokens: [tok(3, 0.5)], isFinal: true },
      { segment: 1, start: 1.8, end: 3.0004, reason: 'end-of-input', text: 'no', words: [word('no', 2.5, 2.7)], tokens: [tok(4, Math.exp(-2))], isFinal: true },
    ],
  };

  it('json is {text}; text is a line; verbose_json has segments by default and words when asked', () => {
    expect(renderTranscription(result, 'json', { language: 'en', granularities: [] })).toEqual({ body: '{"text":"yes no"}', contentType: 'application/json; charset=utf-8' });
    expect(renderTranscription(result, 'text', { language: 'en', granularities: [] }).body).toBe('yes no\n');
    expect(renderTranscription(result, 'vtt', { language: 'en', granularities: [] }).contentType).toBe('text/vtt; charset=utf-8');
    const v = JSON.parse(renderTranscription(result, 'verbose_json', { language: 'en', granularities: [] }).body) as Record<string, unknown>;
    expect(v).toEqual({
      task: 'transcribe', language: 'en', duration: 3, text: 'yes no',
      segments: [
        { id: 0, seek: 0, start: 0, end: 1.8, text: 'yes', tokens: [3], temperature: 0, avg_logprob: Math.round(Math.log(0.5) * 1000) / 1000, reason: 'silence' },
        { id: 1, seek: 180, start: 1.8, end: 3, text: 'no', tokens: [4], temperature: 0, avg_logprob: -2, reason: 'end-of-input' },
      ],
    });
    const words = JSON.parse(renderTranscription(result, 'verbose_json', { language: 'en', granularities: ['word'] }).body) as Record<string, unknown>;
    expect(words.segments).toBeUndefined();
    expect(words.words).toEqual([{ word: 'yes', start: 0.5, end: 0.8 }, { word: 'no', start: 2.5, end: 2.7 }]);
  });
});

describe('earshot serve flags', () => {
  it('defaults: loopback, no token, bounded queue and limits', () => {
    const c = serveConfigFromCli({}, {});
    expect(c).toMatchObject({ host: '127.0.0.1', port: 8080, token: undefined, maxStreams: 64, maxUploadBytes: 64 * 1024 * 1024, maxAudioSeconds: 3600, requestTimeoutSec: 300, idleTimeoutSec: 30, language: 'en' });
    expect(c.queueSize).toBe(4 * c.threads);
  });

  it('flags and EARSHOT_TOKEN are read and checked', () => {
    expect(serveConfigFromCli({ port: '0', threads: '2', queueSize: '0', maxUploadMb: '0.5' }, { EARSHOT_TOKEN: 'abcdefgh12' })).toMatchObject({ port: 0, threads: 2, queueSize: 0, maxUploadBytes: 524288, token: 'abcdefgh12' });
    expect(() => serveConfigFromCli({ port: '70000' }, {})).toThrow('--port must be an integer from 0 to 65535');
    expect(() => serveConfigFromCli({ threads: '0' }, {})).toThrow('--threads must be a positive integer');
    expect(() => serveConfigFromCli({ token: 'short' }, {})).toThrow('at least 8 characters');
    expect(() => serveConfigFromCli({ requestTimeout: '-1' }, {})).toThrow('--request-timeout must be a number of seconds > 0');
  });
});
