/** `earshot transcribe`: files in, transcripts out; one bad file does not stop the batch. */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { EarshotError, ExitCode, UsageError, describeError, escapeNonPrintable } from '../core/errors.js';
import { formatTranscript, ms, segmentJson, wordsJson, type OutputFormat } from '../format.js';
import { loadRecognizer, transcribeFile } from '../node/index.js';
import { writeFileAtomic } from '../node/atomic-write.js';
import { decoderFromCli, type DecoderCliOptions } from './lm.js';
import { endpointFromCli, type EndpointCliOptions } from './endpoint.js';
import { parseFormat, parsePositiveInt, parseProviders, parseRaw } from './options.js';
import { Progress } from './progress.js';
import { outputNames } from './output-names.js';

export interface TranscribeCliOptions extends DecoderCliOptions, EndpointCliOptions {
  model?: string;
  ep: string;
  threads?: string;
  format: string;
  outputDir?: string;
  force: boolean;
  raw?: string;
  rate?: string;
  channels?: string;
}

const EXT: Record<OutputFormat, string> = { text: 'txt', json: 'json', srt: 'srt', vtt: 'vtt', tsv: 'tsv' };

export async function transcribeCommand(files: string[], o: TranscribeCliOptions): Promise<void> {
  const format = parseFormat(o.format);
  const providers = parseProviders(o.ep);
  const threads = parsePositiveInt('--threads', o.threads);
  const raw = parseRaw(o.raw, o.rate, o.channels);
  // Segments at pauses (on unless --no-endpoint): subtitle cues and json segments follow them.
  const endpoint = endpointFromCli(o);
  if (files.filter((f) => f === '-').length > 1) throw new UsageError('stdin ("-") can be given only once');
  if (!o.outputDir && files.length > 1 && format !== 'text' && format !== 'json') {
    throw new UsageError(`--format ${format} for ${files.length} files needs --output-dir (one ${format} file per input)`);
  }
  if (o.outputDir) {
    const st = await fs.stat(o.outputDir).catch(() => undefined);
    if (st && !st.isDirectory()) throw new UsageError(`--output-dir ${o.outputDir}: exists and is not a directory; give a directory (it is created when missing)`);
    await fs.mkdir(o.outputDir, { recursive: true }).catch((e: NodeJS.ErrnoException) => {
      throw new UsageError(`--output-dir ${o.outputDir}: cannot create it (${e.code ?? e.message}); give a directory you can write to`);
    });
  }
  // One distinct name per input: no output of this run overwrites another (see output-names.ts).
  const outNames = outputNames(files, EXT[format]);
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), executionProviders: providers, ...(threads ? { threads } : {}) });
  const decoder = await decoderFromCli(o, rec);
  for (const f of rec.providerFailures) process.stderr.write(`earshot: execution provider ${f.provider} unavailable: ${f.reason}; using ${rec.provider}\n`);

  const progress = new Progress(process.stderr, files.length);
  const failures: { file: string; error: unknown }[] = [];
  for (const [i, file] of files.entries()) {
    progress.startFile(i, file);
    try {
      const result = await transcribeFile(rec, file, { ...(raw ? { raw } : {}), ...(decoder ? { decoder } : {}), endpoint, onProgress: (sec) => progress.update(sec), onWarning: (m) => process.stderr.write(`earshot: warning: ${escapeNonPrintable(`${file}: ${m}`)}\n`) });
      progress.endFile();
      if (o.outputDir) {
        const out = path.join(o.outputDir, outNames[i]!);
        try {
          await writeFileAtomic(out, formatTranscript(result, format, { file }), { force: o.force });
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new UsageError(`${out} exists; pass --force to overwrite`);
          throw e;
        }
      } else if (files.length > 1 && format === 'text') {
        process.stdout.write(`${file}\t${result.text}\n`);
      } else if (files.length > 1 && format === 'json') {
        process.stdout.write(JSON.stringify({ file, text: result.text, durationSec: ms(result.durationSec), words: wordsJson(result.words), ...(result.segments ? { segments: result.segments.map(segmentJson) } : {}) }) + '\n');
      } else {
        process.stdout.write(formatTranscript(result, format, { file }));
      }
    } catch (e) {
      progress.endFile();
      if (!(e instanceof EarshotError)) throw e;
      failures.push({ file, error: e });
      if (files.length > 1) process.stderr.write(`earshot: ${describeError(e)}\n`);
      else throw e;
    }
  }
  if (failures.length) {
    process.stderr.write(`earshot: ${failures.length} of ${files.length} files failed:\n${failures.map((f) => `  ${describeError(f.error)}`).join('\n')}\n`);
    const codes = failures.map((f) => (f.error instanceof EarshotError ? f.error.exitCode : ExitCode.input));
    process.exitCode = Math.max(...codes);
  }
}
