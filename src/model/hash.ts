/**
 * The content hash of an earshot model, stored in its own metadata (`earshot.content_hash`).
 *
 * Definition: `"sha256:" + hex(SHA-256(B'))`, where B' is the model file's bytes with the one
 * top-level ModelProto `metadata_props` field (field 14) whose key is `earshot.content_hash` cut out
 * whole — its tag, its length varint and its payload. Every other byte, including the other metadata
 * entries and every weight, is covered. The writer serializes the model without that entry, hashes
 * those bytes, then appends the entry as the last top-level field (protobuf merges repeated fields,
 * so the result is a valid ModelProto, and cutting the entry out gives back exactly the hashed bytes).
 *
 * Computed with WebCrypto (`globalThis.crypto.subtle`), present in Node >= 20 and in browsers
 * (secure contexts), so the same code verifies a model on both.
 */
import protobuf from 'protobufjs/minimal.js';
import { ModelError } from '../core/errors.js';
import { MetadataKeys } from './metadata.js';
import { graphBytes, metadataEntrySpans } from './onnx-reader.js';

/**
 * Format of a content hash value.
 * @example
 * CONTENT_HASH_PATTERN.test(meta.contentHash); // true
 */
export const CONTENT_HASH_PATTERN = /^sha256:[0-9a-f]{64}$/;

/**
 * SHA-256 of `data` as lowercase hex, with WebCrypto.
 * @example
 * await sha256Hex(new TextEncoder().encode('abc')); // "ba7816bf..."
 */
export async function sha256Hex(data: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new ModelError('<hash>', 'WebCrypto (crypto.subtle) is not available', 'use Node >= 20, or a browser page served over https or localhost');
  // digest() wants a BufferSource, not a SharedArrayBuffer view: copy only then (a model is megabytes, and
  // every copy adds to the loading process's peak memory).
  let source: Uint8Array<ArrayBuffer>;
  if (data.buffer instanceof ArrayBuffer) source = data as Uint8Array<ArrayBuffer>;
  else {
    source = new Uint8Array(data.length);
    source.set(data);
  }
  const digest = new Uint8Array(await subtle.digest('SHA-256', source));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}

/**
 * The bytes the content hash covers: the model with its `earshot.content_hash` entry cut out.
 * Throws ModelError if the bytes are not ONNX or hold the entry more than once.
 * @example
 * const covered = hashedBytes(modelBytes, 'model.onnx');
 */
export function hashedBytes(bytes: Uint8Array, source: string): Uint8Array {
  const spans = metadataEntrySpans(bytes, source).filter((s) => s.key === MetadataKeys.contentHash);
  if (spans.length > 1) throw new ModelError(source, `metadata key "${MetadataKeys.contentHash}" appears ${spans.length} times`, 'the file was edited or corrupted; convert the weights again with `earshot convert`');
  const s = spans[0];
  if (!s) return bytes;
  // embedContentHash appends the entry, so it is normally last: a view then, not a copy of the model.
  if (s.end === bytes.length) return bytes.subarray(0, s.start);
  const out = new Uint8Array(bytes.length - (s.end - s.start));
  out.set(bytes.subarray(0, s.start), 0);
  out.set(bytes.subarray(s.end), s.start);
  return out;
}

/**
 * Compute the content hash of a model (the value its `earshot.content_hash` entry must hold).
 * Works whether or not the entry is present.
 * @example
 * const h = await computeContentHash(bytes, 'model.onnx'); // "sha256:3f1c..."
 */
export async function computeContentHash(bytes: Uint8Array, source: string): Promise<string> {
  return `sha256:${await sha256Hex(hashedBytes(bytes, source))}`;
}

/**
 * The hash of what a model computes: `"sha256:" + hex(SHA-256(G))` where G is the serialized graph (the
 * ModelProto `graph` field's payload: nodes, weights, inputs, outputs). Unlike the content hash it leaves out
 * the metadata, so a rewrite of the provenance alone (tools/models/scrub-provenance.ts) keeps it.
 * @example
 * const g = await computeGraphHash(bytes, 'model.onnx'); // "sha256:9d0e..."
 */
export async function computeGraphHash(bytes: Uint8Array, source: string): Promise<string> {
  return `sha256:${await sha256Hex(graphBytes(bytes, source))}`;
}

/**
 * Append the `earshot.content_hash` entry to a serialized model that does not have one yet,
 * returning the final model bytes.
 * @example
 * const finalBytes = await embedContentHash(bytesWithoutHash, 'model.onnx');
 */
export async function embedContentHash(bytes: Uint8Array, source: string): Promise<Uint8Array> {
  if (metadataEntrySpans(bytes, source).some((s) => s.key === MetadataKeys.contentHash)) {
    throw new ModelError(source, `the model already has a "${MetadataKeys.contentHash}" entry`, 'embed the hash once, into bytes written without it');
  }
  const hash = `sha256:${await sha256Hex(bytes)}`;
  // ModelProto field 14 (metadata_props), StringStringEntryProto { key = 1; value = 2; }.
  const w = protobuf.Writer.create();
  w.uint32((14 << 3) | 2).fork().uint32((1 << 3) | 2).string(MetadataKeys.contentHash).uint32((2 << 3) | 2).string(hash).ldelim();
  const entry = w.finish();
  const out = new Uint8Array(bytes.length + entry.length);
  out.set(bytes, 0);
  out.set(entry, bytes.length);
  return out;
}

/**
 * Check that a model's bytes match the content hash it declares. Returns the hash; throws ModelError
 * "content hash mismatch: file modified or corrupt" when they differ, or when the entry is missing
 * or malformed.
 * @example
 * await verifyContentHash(bytes, 'model.onnx');
 */
export async function verifyContentHash(bytes: Uint8Array, source: string, declared?: string): Promise<string> {
  const spans = metadataEntrySpans(bytes, source).filter((s) => s.key === MetadataKeys.contentHash);
  const value = declared ?? spans[0]?.value;
  if (spans.length === 0 || value === undefined) throw new ModelError(source, `metadata key "${MetadataKeys.contentHash}" is missing`, 'convert the weights again with `earshot convert`');
  if (!CONTENT_HASH_PATTERN.test(value)) throw new ModelError(source, `metadata key "${MetadataKeys.contentHash}": expected "sha256:" and 64 lowercase hex digits, got ${JSON.stringify(value)}`, 'convert the weights again with `earshot convert`');
  const actual = await computeContentHash(bytes, source);
  if (actual !== value) {
    throw new ModelError(source, `content hash mismatch: file modified or corrupt (declared ${value}, computed ${actual})`, 'download or convert the model again; do not edit .onnx files by hand');
  }
  return actual;
}
