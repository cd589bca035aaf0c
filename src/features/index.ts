/**
 * earshot's feature frontend (platform-neutral: no fs, node:*, onnxruntime or DOM).
 *
 * samples -> frames (snip edges) -> x inputScale, pre-emphasis (continuous) -> symmetric window ->
 * zero-pad to fftSize -> Meyda MFCC (bit-exact fast path) -> deltas (+ delta-deltas) ->
 * normalization -> context splicing -> subsampling.
 *
 * High level: {@link FeatureExtractor} (streaming) and {@link computeFeatures} (whole file).
 * For training featurizers: {@link BaseFeatureExtractor} / {@link computeBaseFeatures} (MFCC + deltas),
 * then {@link normalizeFrames} and {@link spliceFrames}, and {@link computeNormStats} for global stats.
 */
export {
  type FeatureConfig,
  type Normalization,
  baseDim,
  inputDim,
  outputFrameSeconds,
  defaultFeatureConfig,
  featureConfigProblems,
} from './config.js';
export { FeatureExtractor, BaseFeatureExtractor, computeFeatures, computeBaseFeatures, type FeatureBlock } from './extractor.js';
export { normalizeFrames, computeNormStats, NormStatsAccumulator, SLIDING_VAR_FLOOR, type NormStats } from './normalize.js';
export { spliceFrames } from './splice.js';
export { computeDeltas } from './deltas.js';
export { frameCount, modelFrameCount, analysisWindow } from './framing.js';
export { FastMfcc } from './mfcc.js';
export { MeydaFft } from './fft.js';
export { meydaMfcc, meydaMelFilterBank, type MeydaMfccSettings } from './meyda.js';
