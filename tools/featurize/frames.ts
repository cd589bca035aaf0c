/**
 * The one place tools/featurize calls the engine's frontend: whole-utterance base frames (MFCC + deltas,
 * un-normalized, un-spliced) from earshot's own streaming BaseFeatureExtractor, so training features are
 * byte-identical to what the recognizer computes before normalization and splicing.
 */
import type { FeatureConfig } from '../../src/features/config.js';
import { computeBaseFeatures } from '../../src/features/index.js';

/** Base frames of one utterance, row-major: frames x baseDim(config) float32 values. */
export function baseFrames(samples: Float32Array, config: FeatureConfig): Float32Array {
  return computeBaseFeatures(samples, config).data;
}
