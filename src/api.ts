/**
 * earshot's public API, written once: everything the Node entry (src/node/index.ts) and the browser entry
 * (src/web/index.ts) both export. Each entry re-exports this module and adds only its platform's loading
 * (onnxruntime-node and files, or an injected `ort` and fetch), the way onnxruntime's js/node and js/web
 * packages re-export onnxruntime-common. Platform-neutral: imports no Node built-in, no onnxruntime
 * package and no DOM API. test/entrypoints.test.ts pins this list and both entries'.
 * @example
 * import { Recognizer, formatTranscript, type LoadOptions } from 'earshot'; // either entry
 */
export type { LoadOptions, ModelSource } from './load.js';
export { Recognizer, RecognitionStream, WHOLE_INPUT_BATCH_FRAMES, DEFAULT_LEADING_SILENCE_SECONDS, QUIET_START_SECONDS } from './recognizer.js';
export type { RecognitionResult, PartialResult, SegmentResult, StageTimings, RecognizerOptions, StreamOptions } from './recognizer.js';
export type { EndpointConfig, EndpointReason } from './decoder/endpoint.js';
export type { DecoderOptions, GreedyOptions } from './decoder/select.js';
export type { BeamSearchOptions } from './decoder/beam.js';
export type { DecodeResult, TokenResult, WordResult, PhraseMatch } from './decoder/types.js';
export type { LanguageModel } from './lm/types.js';
export { ArpaLanguageModel } from './lm/arpa.js';
export { BinaryLanguageModel } from './lm/binary.js';
export { parseLanguageModel } from './lm/parse.js';
export type { FeatureConfig, Normalization } from './features/config.js';
export type { ModelMetadata, OutputSpec, NetworkSummary, Provenance } from './model/metadata.js';
export type { ExecutionProviderName, OrtModule } from './model/runtime.js';
export { EarshotError, UsageError, AudioInputError, ModelError, ConversionError, ExitCode } from './core/errors.js';
export { formatTranscript, toCues } from './format.js';
export type { Transcript, TranscriptSegment, OutputFormat, Cue, CueOptions } from './format.js';
