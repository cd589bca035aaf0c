/** Where the shipped default model lives: models/ at the package root. */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { ModelError } from '../core/errors.js';

/** File name of the shipped default English model. */
export const DEFAULT_MODEL_FILE = 'earshot-en.onnx';

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
  const p = path.join(modelsDir(), DEFAULT_MODEL_FILE);
  if (!existsSync(p)) {
    throw new ModelError(
      p,
      'no default model is installed',
      'pass --model <file.onnx>, or build one with the training recipe (tools/recipe/README.md) and `earshot convert`',
    );
  }
  return p;
}
