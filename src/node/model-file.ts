/** Model files on disk: reading them with clear errors, and the `earshot inspect` summary. */
import { promises as fs } from 'node:fs';
import { ModelError } from '../core/errors.js';
import { inputDim, outputFrameSeconds } from '../features/config.js';
import { describeModel } from '../model/load.js';
import { networkReceptiveField, type ModelMetadata } from '../model/metadata.js';
import type { ModelInfo, ValueInfo } from '../model/onnx-reader.js';

/**
 * Read a model file's bytes. Throws ModelError for a missing, unreadable or empty path, or a directory;
 * a missing file's message ends with `missingHint` (where the path came from).
 * @example
 * const bytes = await readModelFile('models/earshot-en.onnx');
 * await readModelFile(file, 'check the model path given to `earshot inspect`');
 */
export async function readModelFile(file: string, missingHint = 'check the path given to --model'): Promise<Uint8Array> {
  let st;
  try {
    st = await fs.stat(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ModelError(file, 'no such model file', missingHint, { cause: e });
    throw new ModelError(file, `cannot read the model file: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (st.isDirectory()) throw new ModelError(file, 'is a directory, not a model file', 'pass the .onnx file itself, e.g. models/earshot-en.onnx');
  try {
    // The Buffer itself (a Uint8Array): no copy, and protobufjs slices a Buffer's bytes fields without copying them.
    return await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ModelError(file, `cannot read the model file: ${code === 'EACCES' ? 'permission denied' : (e as Error).message}`, undefined, { cause: e });
  }
}

/**
 * The `earshot inspect` summary of a model: a JSON-able object and the same as readable text.
 * @example
 * const s: ModelSummary = await inspectModel('m.onnx'); console.log(s.text);
 */
export interface ModelSummary {
  json: {
    file: string;
    bytes: number;
    irVersion: number;
    opset: number;
    producer: string;
    inputs: ValueInfo[];
    outputs: ValueInfo[];
    ops: Record<string, number>;
    /** Initializer count, serialized bytes and count per element type (e.g. { float32: 6, int8: 6 }). */
    initializers: { count: number; bytes: number; types: Record<string, number> };
    metadata: ModelMetadata;
  };
  text: string;
}

const dims = (v: ValueInfo): string => `${v.name} ${v.elemTypeName} [${v.dims?.join(', ') ?? '?'}]`;

/**
 * Summarize a model from its description (pure; used by `inspectModel`).
 * @example
 * const s = summarizeModel('m.onnx', await describeModel(bytes, 'm.onnx'));
 */
export function summarizeModel(file: string, d: { info: ModelInfo; metadata: ModelMetadata }): ModelSummary {
  const { info, metadata: m } = d;
  const fc = m.featureConfig;
  const n = m.network;
  const outId = m.output.type === 'ctc'
    ? `blank id ${m.output.blankId} (${JSON.stringify(m.labels[m.output.blankId])})${m.output.lm ? `; with an LM: weight ${m.output.lm.weight}, word bonus ${m.output.lm.wordBonus} (the model's tuned beam settings)` : ''}`
    : `silence id ${m.output.silenceId} (${JSON.stringify(m.labels[m.output.silenceId])})`;
  const labelText = m.labels.length <= 40 ? m.labels.map((l) => JSON.stringify(l)).join(' ') : `${m.labels.slice(0, 40).map((l) => JSON.stringify(l)).join(' ')} ... (${m.labels.length})`;
  const training = m.provenance.training ? JSON.stringify(m.provenance.training) : undefined;
  const lines = [
    `model        ${file}`,
    `size         ${info.byteLength} bytes (weights ${info.initializerBytes} bytes in ${info.initializerCount} initializers)`,
    `format       earshot v${m.formatVersion}, ONNX IR ${info.irVersion}, opset ${info.opset}, by ${info.producerName} ${info.producerVersion}`.trimEnd(),
    `content hash ${m.contentHash} (verified)`,
    `network      ${n.kind} ${[n.inputDim, ...n.hidden, n.outputDim].join(' -> ')}, ${n.activation}${n.activation === 'lrelu' ? ` alpha=${n.alpha}` : ''}, ${n.parameters} parameters`,
    ...(n.kind === 'tdnn' ? [`convolution  kernel ${n.kernel}, dilations ${(n.dilations ?? []).join(',')}${n.strides ? `, strides ${n.strides.join(',')}` : ''} (receptive field +-${networkReceptiveField(n)} frames, fed as the spliced window)`] : []),
    `weights      ${n.weightStorage}${n.weightStorage === 'float32' ? '' : n.weightStorage === 'float16' ? ' (IEEE half, decoded with Cast; biases float32)' : ' (per-output-channel symmetric, decoded with DequantizeLinear; biases float32)'}`,
    `ops          ${Object.entries(info.opCounts).map(([k, v]) => `${k} x${v}`).join(', ')}`,
    `input        ${info.inputs.map(dims).join('; ')}`,
    `output       ${info.outputs.map(dims).join('; ')}`,
    `features     ${fc.sampleRate} Hz, ${fc.frameLength}/${fc.frameShift} samples (window ${fc.window}, fft ${fc.fftSize}), ${fc.melBands} mel, ${fc.numCeps} ceps, deltaOrder ${fc.deltaOrder}, context -${fc.contextLeft}/+${fc.contextRight}, subsampling ${fc.subsampling}, normalization ${fc.normalization.type} -> inputDim ${inputDim(fc)}`,
    `frame rate   ${(1 / outputFrameSeconds(fc)).toFixed(2)} output frames/s`,
    `decoding     ${m.output.type}, ${m.labels.length} labels, ${outId}`,
    `labels       ${labelText}`,
    `provenance   ${m.provenance.producer}${typeof m.provenance.source === 'string' ? ` from ${m.provenance.source}` : ''}`,
    ...(training ? [`training     ${training.length > 300 ? `${training.slice(0, 297)}...` : training}`] : []),
  ];
  return {
    json: {
      file,
      bytes: info.byteLength,
      irVersion: info.irVersion,
      opset: info.opset,
      producer: `${info.producerName} ${info.producerVersion}`.trim(),
      inputs: info.inputs,
      outputs: info.outputs,
      ops: info.opCounts,
      initializers: { count: info.initializerCount, bytes: info.initializerBytes, types: info.initializerTypes },
      metadata: m,
    },
    text: lines.join('\n'),
  };
}

/**
 * Read, validate and summarize a model file for `earshot inspect`. Throws ModelError like loading does.
 * @example
 * const { text } = await inspectModel('models/earshot-en.onnx');
 * console.log(text);
 */
export async function inspectModel(file: string): Promise<ModelSummary> {
  const bytes = await readModelFile(file, 'check the model path given to `earshot inspect`');
  return summarizeModel(file, await describeModel(bytes, file));
}
