/**
 * Import real recordings into the corpus manifest format, without copying audio:
 * - a LibriSpeech tree (`<speaker>/<chapter>/<speaker>-<chapter>.trans.txt` beside `<id>.flac`),
 *   found anywhere under the given directory;
 * - a generic manifest of `path<TAB>text` lines (paths relative to that file, or absolute).
 * Text is normalised to the labels (lines that cannot be are skipped and counted); durations come
 * from the FLAC STREAMINFO or WAV header, or `soxi -D` for anything else.
 *
 * CLI: `node dist/tools/corpus/import.js --librispeech DIR | --tsv FILE --manifest OUT.jsonl [--name ls-dev]`
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { normalizeLabel } from './normalize.js';
import type { ManifestEntry } from './synth.js';
import { isMain, run } from './util.js';

/**
 * Duration in seconds from a FLAC STREAMINFO block, or null when the bytes are not FLAC or the
 * total sample count is unknown (0).
 * @example
 * flacDuration(await readHead('a.flac')); // 12.345
 */
export function flacDuration(head: Buffer): number | null {
  if (head.length < 42 || head.toString('ascii', 0, 4) !== 'fLaC') return null;
  // Metadata block header at 4: type (7 bits) must be 0 = STREAMINFO; body at 8.
  if ((head[4]! & 0x7f) !== 0) return null;
  const b = 8;
  const rate = (head[b + 10]! << 12) | (head[b + 11]! << 4) | (head[b + 12]! >> 4);
  const total = (head[b + 13]! & 0x0f) * 2 ** 32 + head.readUInt32BE(b + 14);
  if (!rate || !total) return null;
  return total / rate;
}

/**
 * Duration in seconds from a PCM/float WAV header, or null when the bytes are not WAV.
 * @example
 * wavDuration(await readHead('a.wav'));
 */
export function wavDuration(head: Buffer): number | null {
  if (head.length < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
  let p = 12;
  let byteRate = 0;
  while (p + 8 <= head.length) {
    const id = head.toString('ascii', p, p + 4);
    const size = head.readUInt32LE(p + 4);
    if (id === 'fmt ' && p + 16 <= head.length) byteRate = head.readUInt32LE(p + 16);
    if (id === 'data') return byteRate ? size / byteRate : null;
    p += 8 + size + (size % 2);
  }
  return null;
}

async function readHead(file: string, n = 4096): Promise<Buffer> {
  const h = await fs.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await h.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await h.close();
  }
}

/**
 * Duration of an audio file: header parse for FLAC and WAV, else `soxi -D`.
 * @example
 * await audioDuration('x/19-198-0001.flac');
 */
export async function audioDuration(file: string): Promise<number> {
  const head = await readHead(file);
  const d = flacDuration(head) ?? wavDuration(head);
  if (d !== null) return d;
  const { stdout } = await run('soxi', ['-D', file]);
  const s = Number(stdout.toString().trim());
  if (!Number.isFinite(s)) throw new Error(`soxi could not read the duration of ${file}`);
  return s;
}

async function walk(dir: string, match: (name: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await walk(p, match)));
    else if (match(e.name)) out.push(p);
  }
  return out.sort();
}

/** A recording to import. */
export interface Recording {
  id: string;
  file: string;
  text: string;
  speaker: string;
  /** The licence of the recording as its package states it (written to the manifest and the model card). */
  licence?: string;
}

/**
 * Every utterance of a LibriSpeech tree.
 * @example
 * const recs = await librispeechRecordings('/data/LibriSpeech/dev-clean');
 */
export async function librispeechRecordings(root: string): Promise<Recording[]> {
  const trans = await walk(root, (n) => n.endsWith('.trans.txt'));
  if (!trans.length) throw new UsageError(`no *.trans.txt under ${root}: expected LibriSpeech's <speaker>/<chapter>/<speaker>-<chapter>.trans.txt layout`);
  const out: Recording[] = [];
  for (const t of trans) {
    const dir = path.dirname(t);
    for (const line of (await fs.readFile(t, 'utf8')).split('\n')) {
      const m = /^(\S+)\s+(.*)$/.exec(line.trim());
      if (!m) continue;
      const id = m[1]!;
      out.push({ id, file: path.join(dir, `${id}.flac`), text: m[2]!, speaker: id.split('-')[0]! });
    }
  }
  return out;
}

/**
 * Every line of a `path<TAB>text` manifest (blank lines and `#` comments skipped).
 * @example
 * const recs = await tsvRecordings('my-recordings/list.tsv');
 */
export async function tsvRecordings(file: string): Promise<Recording[]> {
  const dir = path.dirname(path.resolve(file));
  const out: Recording[] = [];
  const lines = (await fs.readFile(file, 'utf8')).split('\n');
  lines.forEach((line, i) => {
    if (!line.trim() || line.startsWith('#')) return;
    const tab = line.indexOf('\t');
    if (tab < 0) throw new UsageError(`${file}:${i + 1}: expected "path<TAB>text", found no tab`);
    const p = line.slice(0, tab).trim();
    const abs = path.isAbsolute(p) ? p : path.join(dir, p);
    out.push({ id: path.basename(p).replace(/\.[^.]+$/, ''), file: abs, text: line.slice(tab + 1).trim(), speaker: 'unknown' });
  });
  return out;
}

export interface ImportResult {
  entries: ManifestEntry[];
  skipped: { id: string; reason: string }[];
}

/**
 * Turn recordings into manifest entries (audio paths relative to `manifestDir`).
 * @example
 * const { entries } = await importRecordings(recs, 'work-data/real', 'librispeech');
 */
export async function importRecordings(recs: Recording[], manifestDir: string, source: string): Promise<ImportResult> {
  const entries: ManifestEntry[] = [];
  const skipped: { id: string; reason: string }[] = [];
  const ids = new Set<string>();
  for (const r of recs) {
    const label = normalizeLabel(r.text);
    if (!label) {
      skipped.push({ id: r.id, reason: `text cannot be written in the label alphabet: "${r.text.slice(0, 80)}"` });
      continue;
    }
    let id = r.id;
    for (let k = 2; ids.has(id); k++) id = `${r.id}_${k}`;
    ids.add(id);
    let duration: number;
    try {
      duration = await audioDuration(r.file);
    } catch (e) {
      skipped.push({ id: r.id, reason: `cannot read ${r.file}: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    entries.push({
      id,
      audio: path.relative(path.resolve(manifestDir), path.resolve(r.file)),
      text: label,
      voice: r.speaker,
      engine: 'human',
      augmentation: {},
      duration: Math.round(duration * 1000) / 1000,
      source,
      ...(r.licence ? { licence: r.licence } : {}),
    });
  }
  return { entries, skipped };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('import')
    .description('Import LibriSpeech or path<TAB>text recordings into a JSONL manifest (audio stays where it is).')
    .option('--librispeech <dir>', 'LibriSpeech directory (any level above the speaker folders)')
    .option('--tsv <file>', 'path<TAB>text manifest')
    .requiredOption('--manifest <file>', 'JSONL manifest to write')
    .option('--name <source>', 'source name written into each entry')
    .parse()
    .opts<{ librispeech?: string; tsv?: string; manifest: string; name?: string }>();
  if (Boolean(o.librispeech) === Boolean(o.tsv)) throw new UsageError('give exactly one of --librispeech DIR or --tsv FILE');
  const recs = o.librispeech ? await librispeechRecordings(o.librispeech) : await tsvRecordings(o.tsv!);
  const source = o.name ?? (o.librispeech ? `librispeech/${path.basename(path.resolve(o.librispeech))}` : `tsv/${path.basename(o.tsv!)}`);
  await writeImport(o.manifest, recs, source, 'import');
}

/**
 * Import `recs` into the JSONL manifest `file` (written atomically, audio paths relative to it) and report the
 * count, hours, speakers and the first skipped recordings on stderr, prefixed with `tool`.
 * @example
 * await writeImport('work-data/real/mine.jsonl', await tsvRecordings('list.tsv'), 'tsv/list.tsv', 'import');
 */
export async function writeImport(file: string, recs: Recording[], source: string, tool: string): Promise<ImportResult> {
  const dir = path.dirname(path.resolve(file));
  const result = await importRecordings(recs, dir, source);
  const { entries, skipped } = result;
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(file, entries.map((e) => `${JSON.stringify(e)}\n`).join(''), { force: true });
  const hours = entries.reduce((a, e) => a + e.duration, 0) / 3600;
  process.stderr.write(`${tool}: ${entries.length} utterances (${hours.toFixed(2)} h, ${new Set(entries.map((e) => e.voice)).size} speakers) -> ${file}; skipped ${skipped.length}\n`);
  for (const s of skipped.slice(0, 20)) process.stderr.write(`  skipped ${s.id}: ${s.reason}\n`);
  return result;
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`import: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
