/**
 * The description an earshot model carries in its ONNX `metadata_props`.
 * One `.onnx` file is the whole model: the frontend, the decoder and the label set come from here.
 *
 * Keys (values are JSON unless noted):
 * - `earshot.format_version`  "1" (plain string)
 * - `earshot.feature_config`  FeatureConfig
 * - `earshot.output`          OutputSpec
 * - `earshot.labels`          string[] (index = output unit id)
 * - `earshot.network`         NetworkSummary
 * - `earshot.provenance`      Provenance
 * - `earshot.content_hash`    "sha256:<hex>" of the model bytes with this entry cut out (plain string; see hash.ts)
 */
import type { FeatureConfig } from '../features/config.js';

export const FORMAT_VERSION = '1';

export const MetadataKeys = {
  formatVersion: 'earshot.format_version',
  featureConfig: 'earshot.feature_config',
  output: 'earshot.output',
  labels: 'earshot.labels',
  network: 'earshot.network',
  provenance: 'earshot.provenance',
  contentHash: 'earshot.content_hash',
} as const;

/** What the network's outputs mean. */
export type OutputSpec =
  /**
   * CTC over `labels`; `blankId` is the blank unit. `lm`: the beam-search language-model weight and
   * word bonus this model was tuned with (on its dev set), used when the caller gives an LM but not
   * these two numbers.
   */
  | { type: 'ctc'; blankId: number; lm?: LmRecommendation }
  /** Per-frame labels; `silenceId` marks frames with no token. Repeats are collapsed. */
  | { type: 'frame'; silenceId: number };

/**
 * Beam-search settings a model recommends for decoding with a word LM.
 * @example
 * const lm: LmRecommendation = { weight: 0.7, wordBonus: 6 };
 */
export interface LmRecommendation {
  /** LM log-probability weight, in LM_WEIGHT_RANGE (decoder/types.ts). */
  weight: number;
  /** Per-word score bonus, in WORD_BONUS_RANGE (decoder/types.ts). */
  wordBonus: number;
}


export type Activation = 'lrelu' | 'relu' | 'tanh';

/**
 * Element type of the stored layer weights (see build/weight-storage.ts for the encodings). Biases are float32 in all.
 * @example
 * const s: WeightStorage = 'float16';
 */
export type WeightStorage = 'float32' | 'float16' | 'int8';

/**
 * Every weight storage type, in order of decreasing size.
 * @example
 * WEIGHT_STORAGES.join(' | '); // "float32 | float16 | int8"
 */
export const WEIGHT_STORAGES: readonly WeightStorage[] = ['float32', 'float16', 'int8'];

/**
 * A short description of the network, for `earshot inspect` and validation.
 * @example
 * const net: NetworkSummary = { kind: 'tdnn', inputDim: 507, hidden: [16, 16, 16], outputDim: 29, activation: 'lrelu', alpha: 0.01, parameters: 4301, weightStorage: 'float32', dilations: [1, 2, 3], kernel: 3 };
 */
export interface NetworkSummary {
  /** "mlp" (spliced frames -> affine layers) or "tdnn" (spliced window -> dilated valid convolutions -> affine). */
  kind: string;
  /** Input feature dimension per frame (= inputDim(featureConfig)). */
  inputDim: number;
  /** Widths of the hidden layers, in order (for a TDNN: the output channels of each convolution). */
  hidden: number[];
  /** Output dimension (= labels.length). */
  outputDim: number;
  activation: Activation;
  /** Leaky-ReLU negative slope, written explicitly (0.01 in the paper, ONNX and PyTorch). */
  alpha: number;
  /** Number of trainable parameters. */
  parameters: number;
  /**
   * How the layer weights are stored in the file. Models written before this field existed omit it;
   * they are float32, and parseMetadata fills that in.
   */
  weightStorage: WeightStorage;
  /**
   * TDNN only: the dilation of each convolution (one per hidden layer). The receptive field
   * (networkReceptiveField: the dilations, each scaled by the earlier strides) per side equals the feature
   * config's contextLeft and contextRight.
   */
  dilations?: number[];
  /**
   * TDNN only, absent when every convolution has stride 1: the stride of each convolution. Only the first may
   * stride, by the feature config's subsampling ("early subsampling": the later layers run at the output rate).
   */
  strides?: number[];
  /** TDNN only: the convolution kernel width (3). */
  kernel?: number;
}

/**
 * Receptive field per side, in base frames, of a stack of valid convolutions: the sum over layers of
 * dilation x (kernel - 1) / 2 x the product of the earlier layers' strides (a missing stride is 1).
 * @example
 * tdnnReceptiveField([{ dilation: 1, kernel: 3 }, { dilation: 2, kernel: 3 }]); // 3
 * tdnnReceptiveField([{ dilation: 1, kernel: 3, stride: 3 }, { dilation: 2, kernel: 3 }]); // 1 + 2 x 3 = 7
 */
export function tdnnReceptiveField(convs: ReadonlyArray<{ dilation: number; kernel: number; stride?: number }>): number {
  let rf = 0;
  let scale = 1;
  for (const c of convs) {
    rf += (c.dilation * (c.kernel - 1) / 2) * scale;
    scale *= c.stride ?? 1;
  }
  return rf;
}

/**
 * The receptive field per side of a TDNN's network summary (its dilations, strides and kernel).
 * @example
 * networkReceptiveField({ ...net, dilations: [1, 1, 2, 4, 8], strides: [3, 1, 1, 1, 1], kernel: 3 }); // 46
 */
export function networkReceptiveField(n: Pick<NetworkSummary, 'dilations' | 'strides' | 'kernel'>): number {
  return tdnnReceptiveField((n.dilations ?? []).map((dilation, i) => ({ dilation, kernel: n.kernel ?? 3, stride: n.strides?.[i] })));
}

/**
 * Whether convolution `index` of a TDNN may have `stride`: 1 always; otherwise only the first convolution, and
 * only by the feature config's subsampling (early subsampling; the later layers then run at the output rate).
 * @example
 * tdnnStrideAllowed(0, 3, 3); // true
 * tdnnStrideAllowed(1, 3, 3); // false
 */
export function tdnnStrideAllowed(index: number, stride: unknown, subsampling: unknown): boolean {
  return stride === 1 || (index === 0 && stride === subsampling);
}

/** Where the weights came from. Free-form fields are allowed beside these. */
export interface Provenance {
  /** Tool that wrote the file, e.g. "earshot convert 0.1.0". */
  producer: string;
  /** Source weights file name (no directories). */
  source?: string;
  /** Training description: data, steps, time, metrics. */
  training?: Record<string, unknown>;
  [key: string]: unknown;
}

/** The parsed and validated metadata of an earshot model. */
export interface ModelMetadata {
  formatVersion: string;
  featureConfig: FeatureConfig;
  output: OutputSpec;
  labels: string[];
  network: NetworkSummary;
  provenance: Provenance;
  contentHash: string;
}
