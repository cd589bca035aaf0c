/**
 * The import-direction rules of src/, checked on source text parsed with the TypeScript compiler (so comments,
 * strings and template text never count as imports). Pure: the caller supplies the files, so a test can check
 * the real tree and a deliberately bad in-memory example with the same code.
 */
import { builtinModules } from 'node:module';
import path from 'node:path';
import ts from 'typescript';

/** One import of one file: the specifier as written, the repository path it resolves to (relative imports only), and whether it is erased at compile time. */
export interface ImportEdge {
  from: string;
  specifier: string;
  /** Repository-relative path of the target .ts file, for relative specifiers; undefined for packages. */
  target?: string;
  typeOnly: boolean;
}

/** A broken rule: which rule, which file, which import. */
export interface Violation {
  rule: string;
  from: string;
  specifier: string;
}

/**
 * Every static import, re-export and dynamic import() of a TypeScript file.
 * @example
 * importsOf('src/a.ts', "import type { X } from './b.js';"); // [{ from: 'src/a.ts', specifier: './b.js', target: 'src/b.ts', typeOnly: true }]
 */
export function importsOf(file: string, text: string): ImportEdge[] {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edges: ImportEdge[] = [];
  const add = (spec: ts.Expression | undefined, typeOnly: boolean): void => {
    if (!spec || !ts.isStringLiteralLike(spec)) return;
    const specifier = spec.text;
    const target = specifier.startsWith('.') ? path.posix.join(path.posix.dirname(file), specifier).replace(/\.js$/, '.ts') : undefined;
    edges.push({ from: file, specifier, target, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      // `import { type A, type B } from` is erased too, as is `import type`; a bare `import 'x'` is not.
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : undefined;
      const allTypes = clause !== undefined && !clause.name && named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause?.isTypeOnly === true || allTypes);
    } else if (ts.isExportDeclaration(node)) {
      const named = node.exportClause && ts.isNamedExports(node.exportClause) ? node.exportClause.elements : undefined;
      add(node.moduleSpecifier, node.isTypeOnly || (named !== undefined && named.length > 0 && named.every((e) => e.isTypeOnly)));
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal as ts.Expression, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return edges;
}

const under = (p: string | undefined, dir: string): boolean => p !== undefined && p.startsWith(`${dir}/`);
const builtins = new Set(builtinModules);

/** Folders of platform code: the Node and browser adapters, the command line, the server and the batch workers (Node). */
const ADAPTERS = ['src/node', 'src/web', 'src/cli', 'src/server', 'src/batch'];

/** Node built-ins (`node:fs`, or `fs` written bare), onnxruntime's platform packages, and earshot's own platform adapters. */
function platformOf(e: ImportEdge): string | undefined {
  if (e.specifier.startsWith('node:') || builtins.has(e.specifier.split('/')[0]!)) return 'a Node built-in';
  if (/^onnxruntime-(node|web)(\/|$)/.test(e.specifier)) return 'an onnxruntime platform package (take an injected OrtModule; onnxruntime-common types are fine)';
  if (ADAPTERS.some((d) => under(e.target, d))) return `a platform adapter (${ADAPTERS.join(', ')})`;
  return undefined;
}

/** The platform-neutral core: everything under src/ except the adapters, the command line and the Node services. */
const isCore = (f: string): boolean => under(f, 'src') && !ADAPTERS.some((d) => under(f, d));
/** The model runtime: read, validate, load, run, hash, metadata. */
const isRuntime = (f: string): boolean => under(f, 'src/model') && !under(f, 'src/model/build');

/**
 * The rules, as [name, test] pairs; each test returns true when an edge breaks the rule.
 * @example
 * RULES.map(([name]) => name);
 */
export const RULES: readonly (readonly [string, (e: ImportEdge) => boolean])[] = [
  ['core imports no platform (node:*, onnxruntime-node/web, src/node, src/web, src/cli)', (e) => isCore(e.from) && platformOf(e) !== undefined],
  ['the model runtime imports no build or convert code (src/model/build, src/convert)', (e) => isRuntime(e.from) && (under(e.target, 'src/model/build') || under(e.target, 'src/convert'))],
  ['the decoder imports nothing from src/model but types', (e) => under(e.from, 'src/decoder') && under(e.target, 'src/model') && !e.typeOnly],
  ['src imports nothing from tools/', (e) => under(e.from, 'src') && (under(e.target, 'tools') || /(^|\/)tools\//.test(e.specifier))],
  ['only tests and tools use the test-model builder (src/model/build/tiny.ts)', (e) => under(e.from, 'src') && e.target === 'src/model/build/tiny.ts' && e.from !== e.target],
];

/**
 * Check every rule on every import of `files` (repository path -> source text), and that no value import reachable
 * from the browser entries (`entries`) is build or convert code. Returns the violations, sorted; [] when all hold.
 * @example
 * checkImports(new Map([['src/core/x.ts', "import fs from 'node:fs';"]])); // [{ rule: 'core imports no platform ...', from: 'src/core/x.ts', specifier: 'node:fs' }]
 */
export function checkImports(files: ReadonlyMap<string, string>, entries: readonly string[] = []): Violation[] {
  const edges = new Map<string, ImportEdge[]>();
  for (const [file, text] of files) edges.set(file, importsOf(file, text));
  const out: Violation[] = [];
  for (const list of edges.values()) {
    for (const e of list) for (const [rule, breaks] of RULES) if (breaks(e)) out.push({ rule, from: e.from, specifier: e.specifier });
  }
  const rule = 'the browser entries reach no build or convert code (value imports, transitively)';
  for (const entry of entries) {
    const seen = new Set<string>([entry]);
    const queue = [entry];
    while (queue.length > 0) {
      for (const e of edges.get(queue.shift()!) ?? []) {
        if (e.typeOnly || e.target === undefined || seen.has(e.target)) continue;
        if (under(e.target, 'src/model/build') || under(e.target, 'src/convert')) out.push({ rule, from: e.from, specifier: `${e.specifier} (reached from ${entry})` });
        seen.add(e.target);
        queue.push(e.target);
      }
    }
  }
  return out.sort((a, b) => a.rule.localeCompare(b.rule) || a.from.localeCompare(b.from) || a.specifier.localeCompare(b.specifier));
}
