/** Loading an earshot model's description: read the ONNX file, parse and check its metadata, verify its hash. */
import type { ModelMetadata } from './metadata.js';
import { readModelInfo, type ModelInfo } from './onnx-reader.js';
import { checkModelAgainstGraph, parseMetadata } from './validate.js';
import { verifyContentHash } from './hash.js';

/** A model's graph summary and its validated metadata. */
export interface ModelDescription {
  info: ModelInfo;
  metadata: ModelMetadata;
}

/**
 * Read, validate and hash-verify an earshot model. Throws ModelError when the bytes are not ONNX,
 * the metadata is missing or invalid, the metadata disagrees with the graph, or the content hash
 * does not match ("content hash mismatch: file modified or corrupt").
 * @example
 * const { info, metadata } = await describeModel(bytes, 'models/earshot-en.onnx');
 * console.log(metadata.labels.length, info.opCounts);
 */
export async function describeModel(bytes: Uint8Array, source: string): Promise<ModelDescription> {
  const info = readModelInfo(bytes, source);
  const metadata = parseMetadata(info.metadataProps, source);
  checkModelAgainstGraph(info, metadata, source);
  await verifyContentHash(bytes, source, metadata.contentHash);
  return { info, metadata };
}
