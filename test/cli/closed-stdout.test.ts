// A reader that closes the pipe early (`| head`) ends earshot quietly (issue 23, defect 5).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, ROOT } from '../helpers/cli.js';
import { silence, wavBytes } from '../helpers/e2e.js';
import { WavDecoder } from '../../src/audio/wav.js';
import { concatSamples } from '../../src/audio/samples.js';

/** Run `earshot <args> | head <headArgs>` in bash; earshot's stderr and exit status. */
function piped(args: string[], headArgs: string): { stderr: string; status: number; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-pipe-'));
  const err = path.join(dir, 'err');
  const quote = (s: string): string => `'${s.replace(/'/g, "'\\''")}'`;
  const cmd = `${quote(process.execPath)} ${quote(CLI)} ${args.map(quote).join(' ')} 2>${quote(err)} | head ${headArgs}; echo "rc=\${PIPESTATUS[0]}"`;
  const r = spawnSync('bash', ['-c', cmd], { cwd: ROOT, encoding: 'utf8', timeout: 120_000 });
  const rc = /rc=(\d+)/.exec(r.stdout);
  return { stderr: readFileSync(err, 'utf8'), status: rc ? Number(rc[1]) : -1, out: r.stdout };
}

describe('closed stdout', () => {
  const sample = path.join(ROOT, 'models/sample.wav');

  it('transcribe a b c … | head -c 5: no EPIPE error, no stack trace, exit 0', () => {
    const r = piped(['transcribe', ...Array<string>(6).fill(sample)], '-c 5');
    expect(r.stderr).not.toMatch(/EPIPE|Unhandled|at .*\.js/);
    expect(r.stderr).not.toMatch(/internal error/);
    expect(r.status).toBe(0);
  }, 120_000);

  it('stream --json | head -2: ends quietly', () => {
    // the sample ten times: many partials are still to come when head has its two lines
    const bytes = new Uint8Array(readFileSync(sample));
    const dec = new WavDecoder({ source: sample, totalBytes: bytes.length });
    const speech = concatSamples([...dec.pushSync(bytes), ...dec.endSync()]);
    const rate = dec.sampleRate!;
    const long = path.join(mkdtempSync(path.join(tmpdir(), 'earshot-pipe-')), 'long.wav');
    writeFileSync(long, wavBytes([concatSamples(Array.from({ length: 10 }, () => concatSamples([speech, silence(0.5, rate)])))], rate));
    const r = piped(['stream', '--json', '--no-endpoint', long], '-2');
    expect(r.out.split('\n').filter((l) => l.startsWith('{'))).toHaveLength(2);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  }, 120_000);
});
