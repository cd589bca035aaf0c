/** `earshot stream`: print partial results while audio arrives, then the final result. */
import { loadRecognizer, transcribeFile } from '../node/index.js';
import { decoderFromCli, type DecoderCliOptions } from './lm.js';
import { parsePositiveInt, parseProviders, parseRaw } from './options.js';

export interface StreamCliOptions extends DecoderCliOptions {
  model?: string;
  ep: string;
  threads?: string;
  raw?: string;
  rate?: string;
  channels?: string;
  json: boolean;
}

export async function streamCommand(file: string, o: StreamCliOptions): Promise<void> {
  const providers = parseProviders(o.ep);
  const threads = parsePositiveInt('--threads', o.threads);
  const raw = parseRaw(o.raw, o.rate, o.channels);
  const rec = await loadRecognizer({ ...(o.model ? { model: o.model } : {}), executionProviders: providers, ...(threads ? { threads } : {}) });
  const decoder = await decoderFromCli(o, rec);
  const tty = Boolean(process.stdout.isTTY) && !o.json;
  let last = '';
  const result = await transcribeFile(rec, file, {
    ...(raw ? { raw } : {}),
    ...(decoder ? { decoder } : {}),
    onPartial: (p) => {
      if (p.text === last) return;
      last = p.text;
      if (o.json) process.stdout.write(JSON.stringify({ type: 'partial', text: p.text, durationSec: p.durationSec }) + '\n');
      else if (tty) process.stdout.write(`\r\x1b[K${p.text}`);
      else process.stdout.write(`partial: ${p.text}\n`);
    },
  });
  if (o.json) process.stdout.write(JSON.stringify({ type: 'final', text: result.text, durationSec: result.durationSec, words: result.words }) + '\n');
  else if (tty) process.stdout.write(`\r\x1b[K${result.text}\n`);
  else process.stdout.write(`final: ${result.text}\n`);
}
