/**
 * Reading a request's fields (multipart form fields of an upload, query parameters of a stream) into
 * checked values. Every problem is a 400 {@link HttpError} naming the field, what it must be and what came.
 */
import { HttpError } from './http-error.js';
import type { DecoderSpec } from './protocol.js';
import type { RawPcmSpec } from '../audio/pcm.js';
import { RAW_ENCODINGS, type RawEncoding } from '../audio/pcm.js';

/**
 * Field name -> its values, in the order sent (a field may repeat).
 * @example
 * const fields: Fields = { model: ['earshot-en'], boost: ['cups', 'shelf'] };
 */
export type Fields = Record<string, string[]>;

/**
 * Fields from a parsed query string (`string | string[]` values), with `name[]` folded into `name`.
 * @example
 * fieldsFromQuery({ rate: '16000', 'boost[]': ['a', 'b'] }) // { rate: ['16000'], boost: ['a', 'b'] }
 */
export function fieldsFromQuery(query: unknown): Fields {
  const out: Fields = {};
  if (query === null || typeof query !== 'object') return out;
  for (const [k, v] of Object.entries(query as Record<string, unknown>)) {
    const name = k.endsWith('[]') ? k.slice(0, -2) : k;
    const values = Array.isArray(v) ? v.map(String) : [String(v)];
    (out[name] ??= []).push(...values);
  }
  return out;
}

function bad(field: string, message: string): HttpError {
  return new HttpError(400, 'bad_request', `${field}: ${message}`, field);
}

/**
 * Refuse fields the endpoint does not know, so a typo is not silently ignored.
 * @example
 * rejectUnknown(fields, ['model', 'language'], 'POST /v1/audio/transcriptions');
 */
export function rejectUnknown(fields: Fields, known: readonly string[], where: string): void {
  for (const k of Object.keys(fields)) if (!known.includes(k)) throw bad(k, `unknown field for ${where}; it takes ${known.join(', ')}`);
}

/**
 * The single value of a field, or undefined when absent; sent twice is an error.
 * @example
 * single(fields, 'model') // 'earshot-en'
 */
export function single(fields: Fields, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined || v.length === 0) return undefined;
  if (v.length > 1) throw bad(name, `given ${v.length} times; give it once`);
  return v[0];
}

/**
 * One of a fixed set of values.
 * @example
 * oneOf(fields, 'response_format', ['json', 'text'], 'json')
 */
export function oneOf<T extends string>(fields: Fields, name: string, allowed: readonly T[], fallback: T): T {
  const v = single(fields, name);
  if (v === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(v)) throw bad(name, `must be one of ${allowed.join(', ')}, got ${JSON.stringify(v.slice(0, 80))}`);
  return v as T;
}

/**
 * A number field in a range (inclusive), or undefined when absent.
 * @example
 * numberField(fields, 'temperature', 0, 1) // 0
 */
export function numberField(fields: Fields, name: string, min: number, max: number, integer = false): number | undefined {
  const v = single(fields, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    throw bad(name, `must be ${integer ? 'an integer' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 80))}`);
  }
  return n;
}

/** A list field: repeated, or one value with one entry per line; blank lines and # comments skipped. */
function listField(fields: Fields, name: string): string[] | undefined {
  const v = fields[name];
  if (v === undefined) return undefined;
  const items = v.flatMap((s) => s.split(/\r?\n/)).map((s) => s.trim()).filter((s) => s !== '' && !s.startsWith('#'));
  if (items.length === 0) throw bad(name, 'is empty: give one entry per line, or the field once per entry');
  return items;
}

/**
 * The fields that choose the decoder, as both endpoints take them.
 * @example
 * rejectUnknown(fields, [...RAW_FIELDS, ...DECODER_FIELDS], 'GET /v1/stream');
 */
export const DECODER_FIELDS = ['decoder', 'beam', 'phrases', 'phrase_threshold', 'boost'] as const;

/**
 * The decoder a request asks for: `decoder` greedy (default) or beam; `phrases` (a closed list: the best
 * phrase or nothing) and `boost` (words to favour) imply beam; `beam` and `phrase_threshold` tune it.
 * @example
 * decoderSpec({ boost: ['earshot'] }) // { type: 'beam', boost: ['earshot'] }
 */
export function decoderSpec(fields: Fields): DecoderSpec {
  const phrases = listField(fields, 'phrases');
  const boost = listField(fields, 'boost');
  const beam = numberField(fields, 'beam', 1, 256, true);
  const phraseThreshold = numberField(fields, 'phrase_threshold', 0, 1);
  const beamOnly = phrases !== undefined || boost !== undefined || beam !== undefined || phraseThreshold !== undefined;
  const type = oneOf(fields, 'decoder', ['greedy', 'beam'] as const, beamOnly ? 'beam' : 'greedy');
  if (type === 'greedy') {
    if (beamOnly) throw bad('decoder', 'is "greedy", but phrases, boost, beam and phrase_threshold need the beam decoder; leave decoder out or set it to "beam"');
    return { type };
  }
  if (phrases && boost) throw bad('boost', 'cannot be combined with phrases (a closed list decodes only its own phrases)');
  if (phraseThreshold !== undefined && !phrases) throw bad('phrase_threshold', 'needs phrases (it is the confidence a phrase of that list needs)');
  return { type, ...(beam !== undefined ? { beam } : {}), ...(phrases ? { phrases } : {}), ...(phraseThreshold !== undefined ? { phraseThreshold } : {}), ...(boost ? { boost } : {}) };
}

/**
 * The fields that describe a stream's headerless PCM.
 * @example
 * rejectUnknown(fields, [...RAW_FIELDS, ...DECODER_FIELDS], 'GET /v1/stream');
 */
export const RAW_FIELDS = ['rate', 'encoding', 'channels'] as const;

/**
 * Headerless PCM from `rate` (Hz), `encoding` (s16le default, s32le, f32le, u8) and `channels` (1
 * default); without `rate`, undefined: the bytes are an encoded file (WAV, FLAC, Ogg, MP3).
 * @example
 * rawSpec({ rate: ['16000'] }) // { encoding: 's16le', rate: 16000, channels: 1 }
 */
export function rawSpec(fields: Fields): RawPcmSpec | undefined {
  const rate = numberField(fields, 'rate', 1000, 384000, true);
  const encoding = oneOf<RawEncoding>(fields, 'encoding', RAW_ENCODINGS, 's16le');
  const channels = numberField(fields, 'channels', 1, 32, true);
  if (rate === undefined) {
    if (fields.encoding || fields.channels) throw bad('rate', 'is needed with encoding and channels (headerless PCM); leave all three out to send an encoded file (WAV, FLAC, Ogg, MP3)');
    return undefined;
  }
  return { encoding, rate, channels: channels ?? 1 };
}
