/**
 * Peak resident memory (RSS) of `earshot transcribe` on a long file, the whole process as a user runs
 * it: the built CLI in a child process, which reports `process.resourceUsage().maxRSS` when it ends.
 * The file is models/sample.wav and 1 s of silence repeated to the length asked for (16 kHz mono
 * WAV, written to a temporary folder and removed afterwards), so memory is measured over a long
 * endpointed transcript.
 *
 *   node dist/tools/bench/rss.js [--minutes 60] [--repeat 3] [--decoder greedy|beam] [--model file.onnx] [--node-flags=--semi-space-growth-factor=2]
 *
 * The child runs with the node flags of the CLI's `#!` line (what `earshot` gets when run as a
 * command), plus --node-flags.
 *
 * Prints each run's peak RSS in MB (and wall time) and the median.
 */
import { parseArgs } from 'node:util';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({ options: { minutes: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' }, decoder: { type: 'string', default: 'greedy' }, model: { type: 'string' }, 'node-flags': { type: 'string', default: '' } } });
const minutes = Number(values.minutes);
const repeat = Number(values.repeat);

/** A 16-bit mono WAV of `sample.wav` + 1 s of silence, repeated to `seconds`. */
function longWav(seconds: number): Buffer {
  const src = readFileSync(path.join(ROOT, 'models/sample.wav'));
  const dataAt = src.indexOf('data') + 8;
  const rate = src.readUInt32LE(24);
  const speech = src.subarray(dataAt, dataAt + src.readUInt32LE(dataAt - 4));
  const unit = Buffer.concat([speech, Buffer.alloc(rate * 2)]);
  const n = Math.ceil((seconds * rate * 2) / unit.length);
  const header = Buffer.from(src.subarray(0, dataAt));
  header.writeUInt32LE(n * unit.length, dataAt - 4);
  header.writeUInt32LE(dataAt - 8 + n * unit.length, 4);
  return Buffer.concat([header, ...Array<Buffer>(n).fill(unit)]);
}

const dir = mkdtempSync(path.join(tmpdir(), 'earshot-rss-'));
try {
  const file = path.join(dir, 'long.wav');
  writeFileSync(file, longWav(minutes * 60));
  const cli = path.join(ROOT, 'dist/src/cli/main.js');
  // Run the CLI's own code, then print the peak RSS of this process (in KiB on Linux).
  const script = `process.argv.splice(1, 0, ${JSON.stringify(cli)}); process.on('exit', () => process.stderr.write('maxRSS ' + process.resourceUsage().maxRSS + '\\n')); await import(${JSON.stringify(cli)});`;
  // `#!/usr/bin/env -S node --flag ...`: the flags a user's `earshot` command runs with.
  const shebang = /^#!.*\bnode\b(.*)$/m.exec(readFileSync(cli, 'utf8').split('\n', 1)[0]!);
  const nodeFlags = [...(shebang?.[1] ?? '').trim().split(/\s+/), ...values['node-flags']!.trim().split(/\s+/)].filter((f) => f !== '');
  const args = ['transcribe', file, '--decoder', values.decoder!, ...(values.model ? ['--model', values.model] : [])];
  const peaks: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script, '--', ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
    const m = /maxRSS (\d+)/.exec(r.stderr);
    if (r.status !== 0 || !m) throw new Error(`the CLI failed (${r.status}): ${r.stderr.slice(-2000)}`);
    peaks.push(Number(m[1]) / 1024);
    const wall = (performance.now() - t0) / 1000;
    console.log(`run ${i + 1}: peak RSS ${peaks.at(-1)!.toFixed(0)} MB in ${wall.toFixed(1)} s (${minutes} min, ${values.decoder}${nodeFlags.length ? `, node ${nodeFlags.join(' ')}` : ''})`);
  }
  const sorted = [...peaks].sort((a, b) => a - b);
  console.log(`median peak RSS: ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} MB over ${repeat} runs, ${minutes}-minute file, ${values.decoder} decoder`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
