/** Loading an earshot model's description: read the ONNX file, parse and check its metadata, verify its hash. */
import { ModelError } from '../core/errors.js';
import { MetadataKeys, type ModelMetadata } from './metadata.js';
import { readModelInfo, type ModelInfo } from './onnx-reader.js';
import { checkModelAgainstGraph, parseMetadata } from './validate.js';
import { CONTENT_HASH_PATTERN, computeContentHash, verifyContentHash } from './hash.js';

/**
 * A model's graph summary and its validated metadata.
 * @example
 * const d: ModelDescription = await describeModel(bytes, 'm.onnx'); d.metadata.labels;
 */
export interface ModelDescription {
  info: ModelInfo;
  metadata: ModelMetadata;
}

/**
 * Read, validate and hash-verify an earshot model. Throws ModelError when the bytes are not ONNX,
 * the metadata is missing or invalid, the metadata disagrees with the graph, or the content hash
 * does not match ("content hash mismatch: file modified or corrupt"). When the metadata is invalid
 * and a declared hash does not match either, the hash mismatch is reported: the file was damaged.
 * @example
 * const { info, metadata } = await describeModel(bytes, 'models/earshot-en.onnx');
 * console.log(metadata.labels.length, info.opCounts);
 */
export async function describeModel(bytes: Uint8Array, source: string): Promise<ModelDescription> {
  const info = readModelInfo(bytes, source);
  let metadata: ModelMetadata;
  try {
    metadata = parseMetadata(info.metadataProps, source);
    checkModelAgainstGraph(info, metadata, source);
  } catch (e) {
    // A file damaged after it was written is better described by its hash than by the damage.
    const declared = info.metadataProps[MetadataKeys.contentHash];
    if (e instanceof ModelError && declared !== undefined && CONTENT_HASH_PATTERN.test(declared) && (await computeContentHash(bytes, source)) !== declared) {
      await verifyContentHash(bytes, source, declared); // throws "content hash mismatch"
    }
    throw e;
  }
  await verifyContentHash(bytes, source, metadata.contentHash);
  return { info, metadata };
}
