/**
 * An evaluation set as a user's compressed files: every entry of a manifest encoded once with ffmpeg (MP3 with
 * libmp3lame or Opus in Ogg with libopus, at a given bit rate) and written beside a manifest that points at the
 * encoded files, so `earshot eval` decodes them exactly as `earshot transcribe` would a user's file. Encoding is
 * repeatable (`-bitexact`, one thread) and resumable (finished files are kept; each is written atomically).
 *
 * CLI: `node dist/tools/corpus/codec-copy.js --in test.jsonl --out DIR --codec mp3 --kbps 24` writes
 * `DIR/test_mp3_24k.jsonl` and `DIR/test_mp3_24k/<id>.mp3`.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { UsageError } from '../../src/core/errors.js';
import { jsonlRecords } from '../../src/core/jsonl.js';
import { writeFileAtomic } from '../../src/node/atomic-write.js';
import { isMain, readTextFile, run } from './util.js';

export const CODECS = { mp3: { ext: 'mp3', args: ['-c:a', 'libmp3lame'] }, opus: { ext: 'opus', args: ['-c:a', 'libopus', '-application', 'audio'] } } as const;
export type CodecName = keyof typeof CODECS;

/**
 * The ffmpeg arguments that encode `input` to `output` with `codec` at `kbps`, repeatably.
 * @example
 * ffmpegArgs('a.wav', 'a.mp3', 'mp3', 24); // [..., '-c:a', 'libmp3lame', '-b:a', '24k', ...]
 */
export function ffmpegArgs(input: string, output: string, codec: CodecName, kbps: number): string[] {
  return ['-hide_banner', '-v', 'error', '-nostdin', '-y', '-threads', '1', '-i', input, '-ac', '1', ...CODECS[codec].args, '-b:a', `${kbps}k`, '-bitexact', '-f', codec === 'mp3' ? 'mp3' : 'ogg', output];
}

/**
 * Encode every entry of `manifest` into `outDir` and write the manifest of the encoded copies; returns its path.
 * @example
 * await codecCopy('work-data/corpus/test.jsonl', 'work-data/codec', 'mp3', 24);
 */
export async function codecCopy(manifest: string, outDir: string, codec: CodecName, kbps: number): Promise<string> {
  const text = await readTextFile(manifest, `--in ${manifest}`);
  const name = `${path.basename(manifest).replace(/\.jsonl$/, '')}_${codec}_${kbps}k`;
  const dir = path.join(outDir, name);
  await fs.mkdir(dir, { recursive: true });
  const inDir = path.dirname(path.resolve(manifest));
  const lines: string[] = [];
  for (const { where, record } of jsonlRecords(text, manifest, 'a JSONL manifest')) {
    const { id, audio } = record;
    if (typeof id !== 'string' || !/^[\w.-]+$/.test(id)) throw new UsageError(`${where}: "id" must be a file-name-safe string, got ${JSON.stringify(id)}`);
    if (typeof audio !== 'string') throw new UsageError(`${where}: "audio" must be a path string`);
    if (record.via_rate !== undefined) throw new UsageError(`${where}: an entry with via_rate cannot be encoded as a user's file; drop the via-rate copies first`);
    const out = path.join(dir, `${id}.${CODECS[codec].ext}`);
    if (!existsSync(out)) {
      const part = `${out}.partial.${CODECS[codec].ext}`;
      await run('ffmpeg', ffmpegArgs(path.resolve(inDir, audio), part, codec, kbps));
      await fs.rename(part, out);
    }
    lines.push(JSON.stringify({ ...record, id, audio: path.relative(path.resolve(outDir), out), codec: { name: codec, kbps } }));
  }
  const file = path.join(outDir, `${name}.jsonl`);
  await writeFileAtomic(file, lines.map((l) => `${l}\n`).join(''), { force: true });
  return file;
}

async function main(): Promise<void> {
  const o = new Command()
    .name('codec-copy')
    .description('Encode a manifest\'s audio with a low-bitrate codec (ffmpeg) and write a manifest of the encoded files.')
    .requiredOption('--in <file>', 'JSONL manifest')
    .requiredOption('--out <dir>', 'output directory')
    .option('--codec <name>', 'mp3 | opus', 'mp3')
    .option('--kbps <n>', 'bit rate in kbit/s', '24')
    .parse()
    .opts<{ in: string; out: string; codec: string; kbps: string }>();
  if (!(o.codec in CODECS)) throw new UsageError(`--codec must be one of ${Object.keys(CODECS).join(', ')}, got "${o.codec}"`);
  const kbps = Number(o.kbps);
  if (!Number.isInteger(kbps) || kbps < 6 || kbps > 320) throw new UsageError(`--kbps must be an integer from 6 to 320, got "${o.kbps}"`);
  const file = await codecCopy(o.in, o.out, o.codec as CodecName, kbps);
  process.stderr.write(`codec-copy: ${file}\n`);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`codec-copy: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
