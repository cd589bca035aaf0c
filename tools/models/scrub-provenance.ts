/**
 * Rewrite the build machine's paths out of an earshot model's provenance, touching nothing else.
 *
 * A shipped .onnx should say where its data came from, not where a machine kept it: every path in the
 * `earshot.provenance` metadata that is absolute (`/…`, `~/…`, `C:\…`) or lies under a `work-data` folder is
 * cut to its last two components (`/work/main/work-data/r13/feats/train` -> `feats/train`), as
 * tools/train/train.py's portable_path writes them for new runs. The provenance entry is replaced in place and the
 * content hash recomputed; every other byte stays where it was. Before writing, the result is read back with
 * earshot's own reader and checked: the model validates (describeModel, content hash included), its graph hash
 * (src/model/hash.ts computeGraphHash: nodes and weights) is unchanged, the other metadata entries are
 * unchanged, and the bytes with the two rewritten entries cut out are identical to the input's.
 *
 *   node dist/tools/models/scrub-provenance.js [--dry-run] models/earshot-en.onnx ...
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import protobuf from 'protobufjs/minimal.js';
import { Command } from 'commander';
import { ModelError } from '../../src/core/errors.js';
import { computeContentHash, computeGraphHash, embedContentHash } from '../../src/model/hash.js';
import { describeModel } from '../../src/model/load.js';
import { MetadataKeys } from '../../src/model/metadata.js';
import { metadataEntrySpans, readModelInfo } from '../../src/model/onnx-reader.js';
import { canonicalJson } from '../../src/model/build/onnx-writer.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { isMain } from '../corpus/util.js';

/**
 * True for a path a model must not ship: absolute (POSIX, home-relative or Windows) or under a `work-data` folder.
 * @example
 * isMachinePath('/work/main/work-data/r13/feats/train'); // true
 * isMachinePath('feats/train'); // false
 */
export function isMachinePath(s: string): boolean {
  return s.startsWith('/') || s.startsWith('~/') || /^[A-Za-z]:[\\/]/.test(s) || s.split(/[\\/]/).includes('work-data');
}

/**
 * The last two components of a path (what tools/train/train.py's portable_path keeps).
 * @example
 * portablePath('/work/main/work-data/r13/feats/train'); // 'feats/train'
 */
export function portablePath(p: string): string {
  return p.split(/[\\/]+/).filter((x) => x && x !== '.' && x !== '..' && !/^[A-Za-z]:$/.test(x)).slice(-2).join('/');
}

/**
 * One rewritten value: where in the provenance JSON, and what it was and became.
 * @example
 * const c: ProvenanceChange = { at: 'training.args.out', from: 'work-data/r13/run', to: 'r13/run' };
 */
export interface ProvenanceChange {
  at: string;
  from: string;
  to: string;
}

/**
 * A JSON value with every machine path in its strings made portable. A string may hold a comma-separated list
 * of paths (train.py's `--train a,b,c`); each element is rewritten on its own.
 * @example
 * scrubJson({ out: 'work-data/r13/run' }).value; // { out: 'r13/run' }
 */
export function scrubJson(value: unknown, at = ''): { value: unknown; changes: ProvenanceChange[] } {
  if (typeof value === 'string') {
    const parts = value.split(',');
    if (!parts.some(isMachinePath)) return { value, changes: [] };
    const to = parts.map((p) => (isMachinePath(p) ? portablePath(p) : p)).join(',');
    return { value: to, changes: [{ at, from: value, to }] };
  }
  const changes: ProvenanceChange[] = [];
  const sub = (v: unknown, key: string): unknown => {
    const r = scrubJson(v, at ? `${at}.${key}` : key);
    changes.push(...r.changes);
    return r.value;
  };
  if (Array.isArray(value)) return { value: value.map((v, i) => sub(v, String(i))), changes };
  if (value !== null && typeof value === 'object') return { value: Object.fromEntries(Object.entries(value).map(([k, v]) => [k, sub(v, k)])), changes };
  return { value, changes };
}

/** A top-level metadata_props field (ModelProto field 14: StringStringEntryProto { key = 1; value = 2 }). */
function metadataField(key: string, value: string): Uint8Array {
  const w = protobuf.Writer.create();
  w.uint32((14 << 3) | 2).fork().uint32((1 << 3) | 2).string(key).uint32((2 << 3) | 2).string(value).ldelim();
  return w.finish();
}

/** `bytes` with the given [start, end) ranges cut out. */
function cut(bytes: Uint8Array, ranges: readonly { start: number; end: number }[]): Uint8Array {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const parts: Uint8Array[] = [];
  let at = 0;
  for (const r of sorted) {
    parts.push(bytes.subarray(at, r.start));
    at = r.end;
  }
  parts.push(bytes.subarray(at));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * What scrubProvenance did to one model.
 * @example
 * const r: ScrubResult = await scrubProvenance(bytes, 'm.onnx'); r.changes.length;
 */
export interface ScrubResult {
  /** The new model bytes (the input itself when nothing changed). */
  bytes: Uint8Array;
  changes: ProvenanceChange[];
  contentHash: { before: string; after: string };
  /** The same before and after: checked. */
  graphHash: string;
}

/**
 * Rewrite the machine paths in a model's provenance and re-embed its content hash (see the module comment for
 * the checks). `rehashed` maps old content hashes of models scrubbed before to their new ones, so that a
 * re-encoded model's `reencodedFrom` keeps naming its float32 original. Throws ModelError when the input is not a
 * valid earshot model, or when a check fails.
 * @example
 * const { bytes: scrubbed, changes } = await scrubProvenance(await fs.readFile('m.onnx'), 'm.onnx');
 */
export async function scrubProvenance(bytes: Uint8Array, source: string, rehashed: ReadonlyMap<string, string> = new Map()): Promise<ScrubResult> {
  await describeModel(bytes, source);
  const graphHash = await computeGraphHash(bytes, source);
  const contentBefore = await computeContentHash(bytes, source);
  const spans = metadataEntrySpans(bytes, source);
  const prov = spans.find((s) => s.key === MetadataKeys.provenance);
  const hash = spans.find((s) => s.key === MetadataKeys.contentHash);
  if (!prov || !hash) throw new ModelError(source, 'the model has no provenance or no content hash entry', 'convert it again with `earshot convert`');
  const parsed: unknown = JSON.parse(prov.value);
  if (canonicalJson(parsed) !== prov.value) throw new ModelError(source, 'the provenance is not in the canonical JSON earshot writes, so rewriting it would change more than its paths', 'convert the model again with `earshot convert`');
  const { value, changes } = scrubJson(parsed);
  const from = (value as Record<string, unknown>).reencodedFrom;
  const renamed = typeof from === 'string' ? rehashed.get(from) : undefined;
  if (typeof from === 'string' && renamed !== undefined && renamed !== from) {
    (value as Record<string, unknown>).reencodedFrom = renamed;
    changes.push({ at: 'reencodedFrom', from, to: renamed });
  }
  if (changes.length === 0) return { bytes, changes, contentHash: { before: contentBefore, after: contentBefore }, graphHash };

  if (hash.start < prov.end) throw new ModelError(source, 'the content hash entry comes before the provenance', 'convert the model again with `earshot convert`');
  // The new provenance entry where the old one was; the content hash entry cut out and appended anew.
  const entry = metadataField(MetadataKeys.provenance, canonicalJson(value));
  const head = bytes.subarray(0, prov.start);
  const rest = cut(bytes.subarray(prov.end), [{ start: hash.start - prov.end, end: hash.end - prov.end }]);
  const unhashed = new Uint8Array(head.length + entry.length + rest.length);
  unhashed.set(head, 0);
  unhashed.set(entry, head.length);
  unhashed.set(rest, head.length + entry.length);
  const out = await embedContentHash(unhashed, source);

  // Read the result back with earshot's own reader and check that only the provenance and the hash changed.
  const fail = (what: string): never => {
    throw new ModelError(source, `rewriting the provenance would change ${what}; nothing was written`, 'report this as a bug');
  };
  const { metadata } = await describeModel(out, source);
  if ((await computeGraphHash(out, source)) !== graphHash) fail('the graph');
  const before = readModelInfo(bytes, source).metadataProps;
  const after = readModelInfo(out, source).metadataProps;
  for (const k of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (k !== MetadataKeys.provenance && k !== MetadataKeys.contentHash && before[k] !== after[k]) fail(`metadata entry ${k}`);
  }
  if (canonicalJson(metadata.provenance) !== canonicalJson(value)) fail('the provenance beyond its paths');
  const outSpans = metadataEntrySpans(out, source).filter((s) => s.key === MetadataKeys.provenance || s.key === MetadataKeys.contentHash);
  const a = cut(bytes, [prov, hash]);
  const b = cut(out, outSpans);
  if (a.length !== b.length || a.some((x, i) => x !== b[i])) fail('bytes outside the provenance and the content hash');
  return { bytes: out, changes, contentHash: { before: contentBefore, after: metadata.contentHash }, graphHash };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('scrub-provenance')
    .description('Cut absolute and work-data paths in .onnx provenance to their last two components; weights and graph untouched.')
    .argument('<model...>', 'earshot .onnx files, rewritten in place (atomically)')
    .option('--dry-run', 'report what would change, write nothing')
    .parse();
  const dryRun = o.opts<{ dryRun?: boolean }>().dryRun === true;
  // Originals first, so that the models re-encoded from them can follow their new content hash.
  const models = await Promise.all(o.args.map(async (file) => ({ file, bytes: new Uint8Array(await fs.readFile(file)) })));
  const reencoded = ({ file, bytes }: { file: string; bytes: Uint8Array }): boolean => /"reencodedFrom"/.test(readModelInfo(bytes, file).metadataProps[MetadataKeys.provenance] ?? '');
  const rehashed = new Map<string, string>();
  for (const { file, bytes } of [...models.filter((m) => !reencoded(m)), ...models.filter(reencoded)]) {
    const r = await scrubProvenance(bytes, file, rehashed);
    rehashed.set(r.contentHash.before, r.contentHash.after);
    process.stdout.write(`${path.basename(file)}: ${r.changes.length} value(s) rewritten; ${bytes.length} -> ${r.bytes.length} bytes; graph ${r.graphHash} (unchanged); content ${r.contentHash.before} -> ${r.contentHash.after}\n`);
    for (const c of r.changes) process.stdout.write(`  ${c.at}: ${c.from} -> ${c.to}\n`);
    if (!dryRun && r.changes.length > 0) await writeFileAtomic(file, r.bytes, { force: true });
  }
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`scrub-provenance: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
