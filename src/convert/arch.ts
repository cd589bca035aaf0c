/**
 * The architecture description: a JSON file written by the training recipe (or by hand) that says how
 * to read a weights file as an earshot MLP or TDNN and what the model's metadata is.
 *
 * ```json
 * {
 *   "kind": "mlp",
 *   "layers": [{ "weight": "net.0.weight", "bias": "net.0.bias" }, ...],   // optional
 *   "activation": "lrelu", "alpha": 0.01,
 *   "featureConfig": { ...FeatureConfig },
 *   "output": { "type": "ctc", "blankId": 0 },
 *   "labels": ["<blank>", " ", "a", ...],
 *   "provenance": { "training": { ... } }                                     // optional
 * }
 * ```
 * Without `layers`, the Linear layers are the tensors named `<prefix>.<index>.weight` (one common
 * prefix, possibly empty), sorted by index numerically, each with its `<prefix>.<index>.bias`.
 * `alpha` is required for "lrelu" (framework defaults differ: PyTorch/ONNX 0.01, TensorFlow 0.2,
 * Keras 0.3) and ignored for "relu" and "tanh".
 *
 * A time-delay network (tools/train/train.py `--model tdnn`) is described as
 * ```json
 * {
 *   "kind": "tdnn",
 *   "layers": [{ "weight": "convs.0.weight", "bias": "convs.0.bias", "dilation": 1 }, ...],  // Conv1d [out, in, 3]
 *   "kernel": 3,
 *   "outputLayer": { "weight": "out.weight", "bias": "out.bias" },                        // Linear [labels, H]
 *   "activation", "alpha", "featureConfig", "output", "labels", "provenance": as above
 * }
 * ```
 * with featureConfig.contextLeft = contextRight = the sum of the dilations (the receptive field).
 */
import { ConversionError } from '../core/errors.js';
import { featureConfigProblems, type FeatureConfig } from '../features/config.js';
import { tdnnReceptiveField, tdnnStrideAllowed, type Activation, type LmRecommendation, type OutputSpec } from '../model/metadata.js';
import { ACTIVATIONS, labelProblems, outputSpecProblems } from '../model/validate.js';

/**
 * Which tensors hold one Linear layer.
 * @example
 * const ref: LayerRef = { weight: 'net.0.weight', bias: 'net.0.bias' };
 */
export interface LayerRef {
  weight: string;
  bias: string;
}

/**
 * Which tensors hold one convolution of a TDNN, its dilation and (first layer only, optional) its stride.
 * @example
 * const ref: TdnnLayerRef = { weight: 'convs.0.weight', bias: 'convs.0.bias', dilation: 1, stride: 3 };
 */
export interface TdnnLayerRef extends LayerRef {
  dilation: number;
  /** Absent = 1. Only the first convolution may stride, by featureConfig.subsampling (train.py --tdnn-early-subsampling). */
  stride?: number;
}

/**
 * What every architecture description says besides its layers.
 * @example
 * const common: ArchCommon = parseArch(JSON.parse(text), 'arch.json');
 */
export interface ArchCommon {
  activation: Activation;
  /** Leaky-ReLU slope (0 for relu and tanh). */
  alpha: number;
  featureConfig: FeatureConfig;
  output: OutputSpec;
  labels: string[];
  /** Copied into the model's provenance (beside producer/source, which the converter sets). */
  provenance?: Record<string, unknown>;
}

/**
 * A validated TDNN architecture description (see the file comment).
 * @example
 * const arch = parseArch(json, 'arch.json');
 * if (arch.kind === 'tdnn') console.log(arch.layers.map((l: TdnnLayerRef) => l.dilation));
 */
export interface TdnnArchDescription extends ArchCommon {
  kind: 'tdnn';
  layers: TdnnLayerRef[];
  kernel: 3;
  outputLayer: LayerRef;
}

/**
 * A validated architecture description: an MLP or a TDNN (discriminated by `kind`).
 * @example
 * const arch: ArchDescription = parseArch(JSON.parse(text), 'arch.json');
 */
export type ArchDescription = MlpArchDescription | TdnnArchDescription;

/**
 * A validated MLP architecture description.
 * @example
 * const arch = parseArch(JSON.parse(text), 'arch.json') as MlpArchDescription;
 */
export interface MlpArchDescription extends ArchCommon {
  kind: 'mlp';
  /** Explicit layer tensors, input to output; absent = discover `<prefix>.<index>.weight`. */
  layers?: LayerRef[];
}

/**
 * Command-line overrides merged over the file's values.
 * @example
 * const arch = parseArch(json, 'arch.json', { activation: 'lrelu', alpha: 0.2 } satisfies ArchOverrides);
 */
export interface ArchOverrides {
  activation?: Activation;
  alpha?: number;
  labels?: string[];
  /** Recommended beam-search LM weight and word bonus, written into the CTC output spec. */
  lm?: LmRecommendation;
}

const KNOWN = ['kind', 'layers', 'activation', 'alpha', 'featureConfig', 'output', 'labels', 'provenance'];
const KNOWN_TDNN = [...KNOWN, 'kernel', 'outputLayer'];
const isRef = (o: unknown): o is LayerRef => typeof o === 'object' && o !== null && typeof (o as Record<string, unknown>).weight === 'string' && typeof (o as Record<string, unknown>).bias === 'string';
const show = (v: unknown): string => {
  const s = JSON.stringify(v);
  return s === undefined ? String(v) : s.length > 80 ? `${s.slice(0, 77)}...` : s;
};

/**
 * Validate an architecture description (already JSON-parsed), with optional overrides merged over it.
 * Throws one ConversionError listing every bad field.
 * @example
 * const arch = parseArch(JSON.parse(text), 'arch.json', { alpha: 0.2 });
 */
export function parseArch(value: unknown, source: string, overrides: ArchOverrides = {}): ArchDescription {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConversionError(source, `architecture description: expected a JSON object, got ${show(value)}`);
  const a: Record<string, unknown> = { ...(value as Record<string, unknown>) };
  const { lm, ...top } = overrides;
  for (const [k, v] of Object.entries(top)) if (v !== undefined) a[k] = v;
  if (lm !== undefined) {
    if (typeof a.output !== 'object' || a.output === null || (a.output as Record<string, unknown>).type !== 'ctc') {
      throw new ConversionError(source, `--lm-weight/--word-bonus need a CTC model; field "output" is ${show(a.output)}`);
    }
    a.output = { ...(a.output as Record<string, unknown>), lm };
  }
  const p: string[] = [];
  const tdnn = a.kind === 'tdnn';
  if (a.kind !== 'mlp' && !tdnn) p.push(`field "kind": expected "mlp" or "tdnn" (the architectures earshot converts), got ${show(a.kind)}`);
  if (tdnn) {
    if (!Array.isArray(a.layers) || a.layers.length === 0) p.push(`field "layers": a "tdnn" needs a non-empty array of {"weight": name, "bias": name, "dilation": N}, got ${show(a.layers)}`);
    else {
      a.layers.forEach((l: unknown, i) => {
        const d = (l as Record<string, unknown> | null)?.dilation;
        const s = (l as Record<string, unknown> | null)?.stride;
        if (!isRef(l) || typeof d !== 'number' || !Number.isInteger(d) || d < 1) p.push(`field "layers[${i}]": expected {"weight": "<tensor name>", "bias": "<tensor name>", "dilation": <positive integer>}, got ${show(l)}`);
        const fcSub = (a.featureConfig as Partial<FeatureConfig> | undefined)?.subsampling;
        if (s !== undefined && !tdnnStrideAllowed(i, s, fcSub)) {
          p.push(`field "layers[${i}].stride": only the first convolution may stride, and by featureConfig.subsampling (${show(fcSub)}), got ${show(s)}`);
        }
      });
    }
    if (a.kernel !== 3) p.push(`field "kernel": earshot converts TDNNs of kernel 3 only (as tools/train writes them), got ${show(a.kernel)}`);
    if (!isRef(a.outputLayer)) p.push(`field "outputLayer": expected {"weight": "<tensor name>", "bias": "<tensor name>"} (the Linear output layer), got ${show(a.outputLayer)}`);
    const fc = a.featureConfig as Partial<FeatureConfig> | undefined;
    if (Array.isArray(a.layers) && typeof fc === 'object' && fc !== null) {
      const rf = tdnnReceptiveField(a.layers.map((l: unknown) => {
        const o = l as Record<string, unknown> | null;
        return { dilation: Number(o?.dilation), kernel: 3, stride: typeof o?.stride === 'number' ? o.stride : 1 };
      }));
      if (Number.isInteger(rf) && (fc.contextLeft !== rf || fc.contextRight !== rf)) {
        p.push(`field "featureConfig": contextLeft ${show(fc.contextLeft)} and contextRight ${show(fc.contextRight)} must both equal the TDNN's receptive field, the sum of the dilations, each scaled by the earlier layers' strides (${rf})`);
      }
    }
  } else if (a.layers !== undefined) {
    if (!Array.isArray(a.layers) || a.layers.length === 0) p.push(`field "layers": expected a non-empty array of {"weight": name, "bias": name}, got ${show(a.layers)}`);
    else {
      a.layers.forEach((l: unknown, i) => {
        const o = l as Record<string, unknown> | null;
        if (typeof o !== 'object' || o === null || typeof o.weight !== 'string' || typeof o.bias !== 'string') p.push(`field "layers[${i}]": expected {"weight": "<tensor name>", "bias": "<tensor name>"}, got ${show(l)}`);
      });
    }
  }
  if (!ACTIVATIONS.includes(a.activation as Activation)) p.push(`field "activation": expected "lrelu", "relu" or "tanh", got ${show(a.activation)}`);
  let alpha = 0;
  if (a.activation === 'lrelu') {
    if (a.alpha === undefined) p.push('field "alpha": required for activation "lrelu"; write the negative slope explicitly (PyTorch and ONNX default 0.01, TensorFlow 0.2, Keras 0.3)');
    else if (typeof a.alpha !== 'number' || !Number.isFinite(a.alpha) || a.alpha < 0 || a.alpha >= 1) p.push(`field "alpha": expected a number in [0, 1), got ${show(a.alpha)}`);
    else alpha = a.alpha;
  } else if (a.alpha !== undefined && (typeof a.alpha !== 'number' || !Number.isFinite(a.alpha))) p.push(`field "alpha": expected a number, got ${show(a.alpha)}`);
  for (const q of featureConfigProblems(a.featureConfig)) p.push(`field "featureConfig": ${q}`);
  p.push(...labelProblems(a.labels, 'field "labels"'));
  p.push(...outputSpecProblems(a.output, Array.isArray(a.labels) ? a.labels.length : undefined, 'field "output"'));
  if (a.provenance !== undefined && (typeof a.provenance !== 'object' || a.provenance === null || Array.isArray(a.provenance))) p.push(`field "provenance": expected an object, got ${show(a.provenance)}`);
  const known = tdnn ? KNOWN_TDNN : KNOWN;
  for (const k of Object.keys(a)) if (!known.includes(k)) p.push(`field "${k}": unknown field for kind ${show(a.kind)} (known: ${known.join(', ')})`);
  if (p.length > 0) throw new ConversionError(source, `invalid architecture description: ${p.join('; ')}`);
  const common: ArchCommon = {
    activation: a.activation as Activation,
    alpha,
    featureConfig: a.featureConfig as FeatureConfig,
    output: a.output as OutputSpec,
    labels: [...(a.labels as string[])],
    ...(a.provenance !== undefined ? { provenance: a.provenance as Record<string, unknown> } : {}),
  };
  if (tdnn) {
    const out = a.outputLayer as LayerRef;
    return {
      kind: 'tdnn',
      layers: (a.layers as TdnnLayerRef[]).map((l) => ({ weight: l.weight, bias: l.bias, dilation: l.dilation, ...(l.stride !== undefined && l.stride !== 1 ? { stride: l.stride } : {}) })),
      kernel: 3,
      outputLayer: { weight: out.weight, bias: out.bias },
      ...common,
    };
  }
  return {
    kind: 'mlp',
    ...(a.layers !== undefined ? { layers: (a.layers as LayerRef[]).map((l) => ({ weight: l.weight, bias: l.bias })) } : {}),
    ...common,
  };
}

/**
 * Parse the text of an architecture JSON file (see parseArch).
 * @example
 * const arch = parseArchJson(await fs.readFile('arch.json', 'utf8'), 'arch.json');
 */
export function parseArchJson(text: string, source: string, overrides: ArchOverrides = {}): ArchDescription {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new ConversionError(source, `architecture description is not valid JSON (${e instanceof Error ? e.message : String(e)})`, { cause: e });
  }
  return parseArch(v, source, overrides);
}
