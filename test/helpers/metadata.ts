/** Test helper: model files with edited metadata, for the error paths of the model reader and validator. */
import onnxProto from 'onnx-proto';
import { embedContentHash, hashedBytes } from '../../src/model/hash.js';

const { onnx } = onnxProto;

/**
 * Rewrite a model's metadata_props (and re-embed a correct content hash) to make a file with bad metadata.
 * @example
 * const bad = await withMetadata(bytes, (p) => { delete p['earshot.labels']; });
 */
export async function withMetadata(bytes: Uint8Array, edit: (props: Record<string, string>) => void): Promise<Uint8Array> {
  const m = onnx.ModelProto.decode(hashedBytes(bytes, 't'));
  const props: Record<string, string> = {};
  for (const e of m.metadataProps) props[e.key] = e.value;
  edit(props);
  m.metadataProps = Object.entries(props).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
  return embedContentHash(onnx.ModelProto.encode(m).finish(), 't');
}
