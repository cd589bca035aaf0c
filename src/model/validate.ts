/**
 * Validation of an earshot model's metadata (`earshot.*` metadata_props) and of its agreement with
 * the ONNX graph. Every problem is reported, each naming the key or field, what was expected and
 * what was found; the error says how to fix it.
 */
import { ModelError } from '../core/errors.js';
import { featureConfigProblems, inputDim, type FeatureConfig } from '../features/config.js';
import { LM_WEIGHT_RANGE, WORD_BONUS_RANGE } from '../decoder/types.js';
import { FORMAT_VERSION, MetadataKeys, WEIGHT_STORAGES, networkReceptiveField, tdnnStrideAllowed, type Activation, type ModelMetadata, type NetworkSummary, type OutputSpec, type Provenance } from './metadata.js';
import { ONNX_FLOAT, type ModelInfo, type ValueInfo } from './onnx-reader.js';
import { CONTENT_HASH_PATTERN } from './hash.js';

const RECONVERT = 'convert the weights again with `earshot convert`';

const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInt = (v: unknown, min = 0): v is number => typeof v === 'number' && Number.isInteger(v) && v >= min;

/**
 * Activations earshot models may use.
 * @example
 * if (!ACTIVATIONS.includes(name as Activation)) throw new Error(`unknown activation ${name}`);
 */
export const ACTIVATIONS: readonly Activation[] = ['lrelu', 'relu', 'tanh'];

/**
 * Problems with an OutputSpec value (empty when valid). `labelCount` checks the id range.
 * @example
 * outputSpecProblems({ type: 'ctc', blankId: 0 }, 29); // []
 */
export function outputSpecProblems(v: unknown, labelCount?: number, field = 'output'): string[] {
  if (!isObj(v)) return [`${field}: expected {"type":"ctc","blankId":N} or {"type":"frame","silenceId":N}, got ${show(v)}`];
  const idKey = v.type === 'ctc' ? 'blankId' : v.type === 'frame' ? 'silenceId' : undefined;
  if (!idKey) return [`${field}.type: expected "ctc" or "frame", got ${show(v.type)}`];
  const p: string[] = [];
  const id = v[idKey];
  if (!isInt(id)) p.push(`${field}.${idKey}: expected a non-negative integer, got ${show(id)}`);
  else if (labelCount !== undefined && id >= labelCount) p.push(`${field}.${idKey}: ${id} is out of range for ${labelCount} labels (expected 0..${labelCount - 1})`);
  if (v.type === 'ctc' && v.lm !== undefined) p.push(...lmRecommendationProblems(v.lm, `${field}.lm`));
  for (const k of Object.keys(v)) if (k !== 'type' && k !== idKey && !(k === 'lm' && v.type === 'ctc')) p.push(`${field}.${k}: unknown field for output type "${String(v.type)}"`);
  return p;
}

/**
 * Problems with a CTC output's `lm` recommendation (empty when valid).
 * @example
 * lmRecommendationProblems({ weight: 0.7, wordBonus: 6 }, 'output.lm'); // []
 */
export function lmRecommendationProblems(v: unknown, field: string): string[] {
  if (!isObj(v)) return [`${field}: expected {"weight": 0..100, "wordBonus": -100..100}, got ${show(v)}`];
  const p: string[] = [];
  const [w0, w1] = LM_WEIGHT_RANGE;
  const [b0, b1] = WORD_BONUS_RANGE;
  if (typeof v.weight !== 'number' || !(v.weight >= w0 && v.weight <= w1)) p.push(`${field}.weight: expected a number from ${w0} to ${w1}, got ${show(v.weight)}`);
  if (typeof v.wordBonus !== 'number' || !(v.wordBonus >= b0 && v.wordBonus <= b1)) p.push(`${field}.wordBonus: expected a number from ${b0} to ${b1}, got ${show(v.wordBonus)}`);
  for (const k of Object.keys(v)) if (k !== 'weight' && k !== 'wordBonus') p.push(`${field}.${k}: unknown field (known: weight, wordBonus)`);
  return p;
}

/**
 * Problems with a label list (empty when valid): must be a non-empty array of distinct strings.
 * @example
 * labelProblems(['<blank>', ' ', 'a']); // []
 */
export function labelProblems(v: unknown, field = 'labels'): string[] {
  if (!Array.isArray(v) || v.length === 0) return [`${field}: expected a non-empty array of strings, got ${show(v)}`];
  const p: string[] = [];
  const seen = new Map<string, number>();
  v.forEach((l, i) => {
    if (typeof l !== 'string') p.push(`${field}[${i}]: expected a string, got ${show(l)}`);
    else if (seen.has(l)) p.push(`${field}[${i}]: ${show(l)} repeats ${field}[${seen.get(l)}]; every output unit needs a distinct label`);
    else seen.set(l, i);
  });
  return p;
}

function networkProblems(v: unknown, field: string): string[] {
  if (!isObj(v)) return [`${field}: expected an object {kind, inputDim, hidden, outputDim, activation, alpha, parameters}, got ${show(v)}`];
  const p: string[] = [];
  if (typeof v.kind !== 'string' || v.kind === '') p.push(`${field}.kind: expected a string such as "mlp", got ${show(v.kind)}`);
  for (const k of ['inputDim', 'outputDim'] as const) if (!isInt(v[k], 1)) p.push(`${field}.${k}: expected a positive integer, got ${show(v[k])}`);
  if (!isInt(v.parameters)) p.push(`${field}.parameters: expected a non-negative integer, got ${show(v.parameters)}`);
  if (!Array.isArray(v.hidden) || !v.hidden.every((h) => isInt(h, 1))) p.push(`${field}.hidden: expected an array of positive integers, got ${show(v.hidden)}`);
  if (!ACTIVATIONS.includes(v.activation as Activation)) p.push(`${field}.activation: expected "lrelu", "relu" or "tanh", got ${show(v.activation)}`);
  if (typeof v.alpha !== 'number' || !Number.isFinite(v.alpha) || v.alpha < 0 || v.alpha >= 1) p.push(`${field}.alpha: expected a number in [0, 1), got ${show(v.alpha)}`);
  if (v.weightStorage !== undefined && !(WEIGHT_STORAGES as readonly unknown[]).includes(v.weightStorage)) {
    p.push(`${field}.weightStorage: expected ${WEIGHT_STORAGES.map((w) => `"${w}"`).join(', ')} (or no field, meaning "float32"), got ${show(v.weightStorage)}`);
  }
  if (v.kind === 'tdnn') {
    const layers = Array.isArray(v.hidden) ? v.hidden.length : undefined;
    if (!Array.isArray(v.dilations) || !v.dilations.every((d) => isInt(d, 1)) || (layers !== undefined && v.dilations.length !== layers)) {
      p.push(`${field}.dilations: a "tdnn" needs one positive integer dilation per hidden layer (${layers ?? '?'}), got ${show(v.dilations)}`);
    }
    if (v.strides !== undefined && (!Array.isArray(v.strides) || !v.strides.every((s) => isInt(s, 1)) || (layers !== undefined && v.strides.length !== layers) || v.strides.slice(1).some((s) => s !== 1))) {
      p.push(`${field}.strides: a "tdnn" has one positive integer stride per hidden layer (${layers ?? '?'}), of which only the first may differ from 1, got ${show(v.strides)}`);
    }
    if (v.kernel !== 3) p.push(`${field}.kernel: a "tdnn" has kernel 3, got ${show(v.kernel)}`);
  } else if (v.dilations !== undefined || v.kernel !== undefined || v.strides !== undefined) {
    p.push(`${field}: dilations, strides and kernel belong to kind "tdnn", not ${show(v.kind)}`);
  }
  return p;
}

/**
 * Parse and validate the `earshot.*` metadata of a model. Throws one ModelError listing every problem:
 * missing keys, bad JSON, an unknown format version, an invalid FeatureConfig, labels that disagree
 * with the output spec or the network summary, a malformed content hash.
 * @example
 * const meta = parseMetadata(readModelInfo(bytes, 'm.onnx').metadataProps, 'm.onnx');
 * console.log(meta.labels.length, meta.featureConfig.sampleRate);
 */
export function parseMetadata(props: Record<string, string>, source: string): ModelMetadata {
  const problems: string[] = [];
  const missing: string[] = [];
  const raw = (key: string): string | undefined => {
    const v = Object.prototype.hasOwnProperty.call(props, key) ? props[key] : undefined;
    if (v === undefined) missing.push(key);
    return v;
  };
  const json = (key: string): unknown => {
    const text = raw(key);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (e) {
      problems.push(`metadata key "${key}": not valid JSON (${e instanceof Error ? e.message : String(e)}): ${show(text)}`);
      return undefined;
    }
  };

  const formatVersion = raw(MetadataKeys.formatVersion);
  if (formatVersion !== undefined && formatVersion !== FORMAT_VERSION) {
    throw new ModelError(
      source,
      `unsupported metadata format version: key "${MetadataKeys.formatVersion}" is ${show(formatVersion)}, this earshot reads version "${FORMAT_VERSION}"`,
      'use the earshot release that wrote the model, or convert the weights again with this one',
    );
  }
  const featureConfig = json(MetadataKeys.featureConfig);
  if (featureConfig !== undefined) for (const q of featureConfigProblems(featureConfig)) problems.push(`metadata key "${MetadataKeys.featureConfig}": ${q}`);
  const labels = json(MetadataKeys.labels);
  if (labels !== undefined) problems.push(...labelProblems(labels, `metadata key "${MetadataKeys.labels}"`));
  const labelCount = Array.isArray(labels) ? labels.length : undefined;
  const output = json(MetadataKeys.output);
  if (output !== undefined) problems.push(...outputSpecProblems(output, labelCount, `metadata key "${MetadataKeys.output}"`));
  const network = json(MetadataKeys.network);
  if (network !== undefined) {
    const np = networkProblems(network, `metadata key "${MetadataKeys.network}"`);
    problems.push(...np);
    if (np.length === 0) {
      const n = network as unknown as NetworkSummary;
      if (labelCount !== undefined && n.outputDim !== labelCount) {
        problems.push(`metadata key "${MetadataKeys.network}": outputDim is ${n.outputDim} but "${MetadataKeys.labels}" has ${labelCount} labels (they must be equal: one label per output unit)`);
      }
      if (featureConfig !== undefined && featureConfigProblems(featureConfig).length === 0) {
        const d = inputDim(featureConfig as FeatureConfig);
        if (n.inputDim !== d) problems.push(`metadata key "${MetadataKeys.network}": inputDim is ${n.inputDim} but the feature config gives inputDim ${d}`);
        const fc = featureConfig as FeatureConfig;
        const rf = n.kind === 'tdnn' ? networkReceptiveField(n) : undefined;
        if (rf !== undefined && (fc.contextLeft !== rf || fc.contextRight !== rf)) {
          const strided = n.strides ? ` and strides ${show(n.strides)}` : '';
          problems.push(`metadata key "${MetadataKeys.network}": a "tdnn" with dilations ${show(n.dilations)}${strided} sees ${rf} frames each side, but the feature config's context is -${fc.contextLeft}/+${fc.contextRight} (they must be equal)`);
        }
        const stride = n.strides?.[0] ?? 1;
        if (n.kind === 'tdnn' && !tdnnStrideAllowed(0, stride, fc.subsampling)) {
          problems.push(`metadata key "${MetadataKeys.network}": a "tdnn" whose first convolution strides by ${stride} must have subsampling ${stride}, but the feature config's subsampling is ${fc.subsampling}`);
        }
      }
    }
  }
  const provenance = json(MetadataKeys.provenance);
  if (provenance !== undefined && (!isObj(provenance) || typeof provenance.producer !== 'string')) {
    problems.push(`metadata key "${MetadataKeys.provenance}": expected an object with a string "producer", got ${show(provenance)}`);
  }
  const contentHash = raw(MetadataKeys.contentHash);
  if (contentHash !== undefined && !CONTENT_HASH_PATTERN.test(contentHash)) {
    problems.push(`metadata key "${MetadataKeys.contentHash}": expected "sha256:" and 64 lowercase hex digits, got ${show(contentHash)}`);
  }

  const all = [...missing.map((k) => `metadata key "${k}" is missing`), ...problems];
  if (all.length > 0) {
    const notEarshot = missing.length === Object.values(MetadataKeys).length;
    throw new ModelError(
      source,
      notEarshot ? `not an earshot model: none of the earshot.* metadata keys are present (missing ${missing.join(', ')})` : `invalid earshot metadata: ${all.join('; ')}`,
      notEarshot ? 'earshot models are written by `earshot convert`, which adds the metadata the recognizer needs' : RECONVERT,
    );
  }
  return {
    formatVersion: formatVersion as string,
    featureConfig: featureConfig as FeatureConfig,
    output: output as OutputSpec,
    labels: labels as string[],
    // Models written before weightStorage existed store float32 weights.
    network: { ...(network as NetworkSummary), weightStorage: (network as Partial<NetworkSummary>).weightStorage ?? 'float32' },
    provenance: provenance as Provenance,
    contentHash: contentHash as string,
  };
}

const dimsText = (v: ValueInfo): string => (v.dims === null ? 'no shape' : `[${v.dims.join(', ')}]`);

/**
 * Check a model's graph against its metadata: exactly one float32 3-D input [batch, time, inputDim] and
 * one float32 3-D output [batch, time, outputDim], with inputDim = inputDim(featureConfig) =
 * network.inputDim and outputDim = labels.length = network.outputDim, weights stored inside the file,
 * and float16 / int8 initializers present exactly when network.weightStorage says so.
 * Throws ModelError listing every disagreement.
 * @example
 * checkModelAgainstGraph(info, meta, 'model.onnx');
 */
export function checkModelAgainstGraph(info: ModelInfo, meta: ModelMetadata, source: string): void {
  const p: string[] = [];
  const want = { input: inputDim(meta.featureConfig), output: meta.labels.length };
  const io = (kind: 'input' | 'output', list: ValueInfo[], dim: number, why: string): void => {
    if (list.length !== 1) {
      p.push(`the graph has ${list.length} ${kind}s (${list.map((v) => v.name).join(', ') || 'none'}), expected exactly one`);
      return;
    }
    const v = list[0]!;
    if (v.elemType !== ONNX_FLOAT) p.push(`graph ${kind} "${v.name}": expected float32, got ${v.elemTypeName}`);
    if (v.dims === null || v.dims.length !== 3) p.push(`graph ${kind} "${v.name}": expected 3 dims [batch, time, ${dim}], got ${dimsText(v)}`);
    else if (v.dims[2] !== dim) p.push(`graph ${kind} "${v.name}": last dim is ${String(v.dims[2])} but ${why} is ${dim}`);
  };
  io('input', info.inputs, want.input, 'inputDim(featureConfig)');
  io('output', info.outputs, want.output, `"${MetadataKeys.labels}".length`);
  if (meta.network.inputDim !== want.input) p.push(`network.inputDim is ${meta.network.inputDim} but inputDim(featureConfig) is ${want.input}`);
  if (meta.network.outputDim !== want.output) p.push(`network.outputDim is ${meta.network.outputDim} but there are ${want.output} labels`);
  const id = meta.output.type === 'ctc' ? meta.output.blankId : meta.output.silenceId;
  if (id >= want.output) p.push(`output ${meta.output.type === 'ctc' ? 'blankId' : 'silenceId'} ${id} is out of range for ${want.output} labels`);
  const types = info.initializerTypes;
  const storage = meta.network.weightStorage;
  const stored = storage === 'int8' ? 'int8' : storage === 'float16' ? 'float16' : undefined;
  if (stored !== undefined && (types[stored] ?? 0) === 0) p.push(`network.weightStorage is "${storage}" but the graph has no ${stored} initializers`);
  for (const other of ['float16', 'int8']) {
    if (other !== stored && (types[other] ?? 0) > 0) p.push(`the graph has ${types[other]} ${other} initializers but network.weightStorage is "${storage}"`);
  }
  if (info.externalInitializers > 0) p.push(`${info.externalInitializers} initializers keep their data in external files; an earshot model must be one self-contained .onnx file`);
  if (p.length > 0) throw new ModelError(source, `model metadata disagrees with the graph: ${p.join('; ')}`, RECONVERT);
}
