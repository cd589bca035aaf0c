/** Where the shipped default model and its language model live: models/ at the package root. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ModelError } from '../core/errors.js';

/** File name of the shipped default English model. */
export const DEFAULT_MODEL_FILE = 'earshot-en.onnx';

/** File name of the shipped word trigram LM (binary form) that goes with the default model. */
export const DEFAULT_LM_FILE = 'en-3gram.lmbin';

/** The package's models/ directory (works from src/ via tsx and from dist/src/). */
export function modelsDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'models'))) return path.join(dir, 'models');
    dir = path.dirname(dir);
  }
  return path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../models');
}

/**
 * Path of the default model, or a ModelError saying that none is installed and how to get one.
 * @example
 * const p = defaultModelPath();
 */
export function defaultModelPath(): string {
  return shippedFile(DEFAULT_MODEL_FILE, 'no default model is installed',
    'pass --model <file.onnx>, or build one with the training recipe (tools/recipe/README.md) and `earshot convert`');
}

/** A file of models/, or a ModelError saying it is missing and what to do instead. */
function shippedFile(name: string, problem: string, fix: string): string {
  const p = path.join(modelsDir(), name);
  if (!existsSync(p)) throw new ModelError(p, problem, fix);
  return p;
}

/**
 * Path of the shipped language model (models/en-3gram.lmbin, next to the default model), or a ModelError
 * saying that none is installed and what to do instead.
 * @example
 * const p = defaultLanguageModelPath();
 */
export function defaultLanguageModelPath(): string {
  return shippedFile(DEFAULT_LM_FILE, 'no default language model is installed',
    'pass --lm <file.lmbin|file.arpa> (see `earshot lm build` and `earshot lm compile`), or --lm none for beam search without an LM');
}

/**
 * True when `model` (a --model value; undefined = none given) is the shipped default model, whose LM
 * weight and word bonus were tuned with the shipped LM.
 * @example
 * if (isDefaultModel(opts.model)) lm = await loadDefaultLanguageModel();
 */
export function isDefaultModel(model: string | undefined): boolean {
  return model === undefined || path.resolve(model) === path.join(modelsDir(), DEFAULT_MODEL_FILE);
}
