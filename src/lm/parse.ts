/** One entry point for language-model bytes: earshot's binary form (detected by its magic bytes) or ARPA text. */
import { ArpaLanguageModel } from './arpa.js';
import { BinaryLanguageModel, isBinaryLanguageModel } from './binary.js';

/**
 * Read a language model from its file's bytes: `.lmbin` (BinaryLanguageModel) when they start with the
 * binary magic "\x89ELM", ARPA text (ArpaLanguageModel, UTF-8) otherwise. The file name or extension
 * plays no part. Errors name `source`: ModelError for a defective binary file, UsageError for bad ARPA.
 * @example
 * const lm = parseLanguageModel(new Uint8Array(await (await fetch(url)).arrayBuffer()), url);
 */
export function parseLanguageModel(bytes: Uint8Array, source = '<lm>', unknownLogProb?: number): ArpaLanguageModel | BinaryLanguageModel {
  if (isBinaryLanguageModel(bytes)) return BinaryLanguageModel.fromBytes(bytes, source, unknownLogProb);
  return ArpaLanguageModel.parse(new TextDecoder().decode(bytes), source, unknownLogProb);
}
