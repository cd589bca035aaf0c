import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkImports, importsOf, RULES } from './helpers/imports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WEB_ENTRIES = ['src/web/index.ts', 'src/web/worker.ts', 'src/web/mic-element.ts'];

function sourceTree(dir: string, out = new Map<string, string>()): Map<string, string> {
  for (const ent of readdirSync(path.join(ROOT, dir), { withFileTypes: true })) {
    const rel = `${dir}/${ent.name}`;
    if (ent.isDirectory()) sourceTree(rel, out);
    else if (ent.name.endsWith('.ts')) out.set(rel, readFileSync(path.join(ROOT, rel), 'utf8'));
  }
  return out;
}

describe('import directions of src/', () => {
  it('hold for every file (core -> no platform, runtime -> no build/convert, decoder -> model types only, src -> no tools)', () => {
    const files = sourceTree('src');
    expect(files.size).toBeGreaterThan(50);
    for (const entry of WEB_ENTRIES) expect(files.has(entry), entry).toBe(true);
    expect(checkImports(files, WEB_ENTRIES)).toEqual([]);
  });

  it('finds imports in every syntax and tells type-only ones apart', () => {
    const edges = importsOf('src/decoder/x.ts', [
      "import type { A } from '../model/metadata.js';",
      "import { type B, type C } from '../model/metadata.js';",
      "import { D, type E } from '../model/metadata.js';",
      "export { F } from '../model/hash.js';",
      "export type { G } from '../model/hash.js';",
      "const m = await import('../model/load.js');",
      "let h: import('../model/runtime.js').OrtModule;",
      "// import { fake } from 'node:fs';",
      "const s = \"import x from 'node:fs'\";",
    ].join('\n'));
    expect(edges.map((e) => [e.specifier, e.target, e.typeOnly])).toEqual([
      ['../model/metadata.js', 'src/model/metadata.ts', true],
      ['../model/metadata.js', 'src/model/metadata.ts', true],
      ['../model/metadata.js', 'src/model/metadata.ts', false],
      ['../model/hash.js', 'src/model/hash.ts', false],
      ['../model/hash.js', 'src/model/hash.ts', true],
      ['../model/load.js', 'src/model/load.ts', false],
      ['../model/runtime.js', 'src/model/runtime.ts', true],
    ]);
  });

  it('fails on a deliberately bad import of each kind, and passes the allowed ones', () => {
    const bad = new Map([
      ['src/core/bad.ts', "import { promises } from 'node:fs';\nimport path from 'path';"],
      ['src/features/bad.ts', "import * as ort from 'onnxruntime-node';\nimport { MicElement } from '../web/mic-element.js';"],
      ['src/model/bad.ts', "import { buildMlpModel } from './build/onnx-writer.js';\nimport { parseWeights } from '../convert/weights.js';"],
      ['src/decoder/bad.ts', "import { MetadataKeys } from '../model/metadata.js';"],
      ['src/recognizer-bad.ts', "import { x } from '../tools/bench/common.js';"],
      ['src/node/bad.ts', "import { buildTinyModel } from '../model/build/tiny.js';"],
      ['src/web/index.ts', "import { y } from './helper.js';"],
      ['src/web/helper.ts', "import { decodeFloats } from '../core/dtype.js';\nimport { numel } from '../convert/tensors.js';"],
    ]);
    const found = checkImports(bad, ['src/web/index.ts']).map((v) => `${v.from} -> ${v.specifier}`).sort();
    expect(found).toEqual([
      'src/web/helper.ts -> ../convert/tensors.js (reached from src/web/index.ts)',
      'src/core/bad.ts -> node:fs',
      'src/core/bad.ts -> path',
      'src/features/bad.ts -> ../web/mic-element.js',
      'src/features/bad.ts -> onnxruntime-node',
      'src/decoder/bad.ts -> ../model/metadata.js',
      'src/model/bad.ts -> ../convert/weights.js',
      'src/model/bad.ts -> ./build/onnx-writer.js',
      'src/node/bad.ts -> ../model/build/tiny.js',
      'src/recognizer-bad.ts -> ../tools/bench/common.js',
    ].sort());
    // Every rule is exercised by the example above.
    const rules = new Set(checkImports(bad, ['src/web/index.ts']).map((v) => v.rule));
    for (const [rule] of RULES) expect(rules.has(rule), rule).toBe(true);

    const good = new Map([
      ['src/core/ok.ts', "import { ModelError } from './errors.js';"],
      ['src/model/ok.ts', "import type { OrtModule } from 'onnxruntime-common';\nimport { halfToFloat } from '../core/dtype.js';"],
      ['src/decoder/ok.ts', "import type { OutputSpec } from '../model/metadata.js';"],
      ['src/node/ok.ts', "import { promises } from 'node:fs';\nimport * as ort from 'onnxruntime-node';\nimport { parseWeights } from '../convert/weights.js';"],
      ['src/model/build/tiny.ts', "import { buildMlpModel } from './onnx-writer.js';"],
    ]);
    expect(checkImports(good, [])).toEqual([]);
  });
});
