/**
 * Platform-neutral audio input: format detection, streaming decoders (WAV, raw PCM, FLAC, Ogg
 * Vorbis, Ogg Opus, MP3) with mixdown to mono, and streaming band-limited resampling.
 * @example
 * import { openAudioStream, createResampler } from './audio/index.js';
 * const audio = await openAudioStream(byteChunks, { source: 'talk.wav' });
 * const rs = await createResampler(audio.sampleRate, 16000);
 * for await (const c of audio.chunks()) feed(rs.process(c));
 * feed(rs.flush());
 */
export type { AudioDecoder, DecoderOptions } from './types.js';
export { WarningSink } from './types.js';
export { WavDecoder, wavFormatTagName, type WavFormat } from './wav.js';
export { RawPcmDecoder, RAW_ENCODINGS, validateRawPcmSpec, type RawEncoding, type RawPcmSpec } from './pcm.js';
export { createAudioDecoder, createDecoderFor, detectAudioFormat, SUPPORTED_FORMATS, type DetectedFormat } from './decode.js';
export { createResampler, type Resampler, type ResamplerOptions, type ResamplerQuality } from './resample.js';
export { openAudioStream, type AudioStream, type OpenAudioStreamOptions } from './stream.js';
export {
  assertFiniteSamples,
  concatSamples,
  mixToMono,
  bytesPerSample,
  describeBytes,
  InterleavedFrameDecoder,
  nonFiniteSampleError,
  type SampleEncoding,
} from './samples.js';
export { OggPageTracker } from './ogg.js';
