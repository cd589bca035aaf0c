/** Test helpers: model files with edited metadata (for the error paths of the model reader and validator), and a model file's layers. */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { embedContentHash, hashedBytes } from '../../src/model/hash.js';
import { describeModel } from '../../src/model/load.js';
import type { ModelMetadata } from '../../src/model/metadata.js';
import { readTdnnModelLayers } from '../../src/model/build/onnx-layers.js';
import type { ConvLayer, DenseLayer } from '../../src/model/build/layers.js';

const { onnx } = onnxProto;

/**
 * Rewrite a model's metadata_props (and re-embed a correct content hash) to make a file with bad metadata.
 * @example
 * const bad = await withMetadata(bytes, (p) => { delete p['earshot.labels']; });
 */
export async function withMetadata(bytes: Uint8Array, edit: (props: Record<string, string>) => void): Promise<Uint8Array> {
  const m = onnx.ModelProto.decode(hashedBytes(bytes, 't'));
  const props: Record<string, string> = {};
  for (const e of m.metadataProps) props[e.key ?? ''] = e.value ?? '';
  edit(props);
  m.metadataProps = Object.entries(props).map(([key, value]) => onnx.StringStringEntryProto.create({ key, value }));
  return embedContentHash(onnx.ModelProto.encode(m).finish(), 't');
}

/**
 * A TDNN model file's metadata and its layers (PyTorch layout, the weights it computes with).
 * @example
 * const { metadata, convs, output } = await tdnnFileLayers('models/earshot-en.onnx');
 */
export async function tdnnFileLayers(file: string): Promise<{ metadata: ModelMetadata; convs: ConvLayer[]; output: DenseLayer }> {
  const bytes = readFileSync(file);
  const { metadata } = await describeModel(bytes, file);
  return { metadata, ...readTdnnModelLayers(bytes, file, metadata) };
}
