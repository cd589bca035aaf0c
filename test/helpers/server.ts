/**
 * For the service tests: the built CLI run as a real process (`earshot serve`, `worker`), the CLI's own
 * answers to compare with, and speech audio made from the shipped sample.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { CLI, ROOT, type CliRun } from './cli.js';
import { makeWav, encodeSamples } from '../fixtures/audio/helpers.js';
import { readAudioFile } from '../../src/node/audio-file.js';

export const SAMPLE = path.join(ROOT, 'models/sample.wav');

/** Run the built CLI without blocking the test process (so several can run at once). */
export function earshotAsync(args: string[], opts: { timeoutMs?: number } = {}): Promise<CliRun> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` (npm test does it) before the service tests`);
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => p.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    p.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** A running `earshot serve`. */
export interface ServeProcess {
  url: string;
  proc: ChildProcess;
  stderr(): string;
  /** Resolves with the exit code when the process exits. */
  exited: Promise<number | null>;
  /** SIGTERM, then the exit code (SIGKILL after 30 s). */
  stop(): Promise<number | null>;
}

/** Start `earshot serve --port 0 …` and resolve once it listens. */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` before the service tests`);
  const proc = spawn(process.execPath, [CLI, 'serve', '--port', '0', ...args], { cwd: ROOT, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`earshot serve did not start in 90 s: ${err}`));
    }, 90_000);
    proc.stderr!.on('data', (d: Buffer) => {
      err += d.toString();
      const m = /listening on (http:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!,
          proc,
          stderr: () => err,
          exited,
          stop: async () => {
            if (proc.exitCode === null) proc.kill('SIGTERM');
            const kill = setTimeout(() => proc.kill('SIGKILL'), 30_000);
            const code = await exited;
            clearTimeout(kill);
            return code;
          },
        });
      }
    });
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`earshot serve exited with ${code} before listening: ${err}`));
    });
  });
}

/** The sample's 16 kHz mono samples. */
export async function sampleSamples(): Promise<Float32Array> {
  return (await readAudioFile(SAMPLE)).samples;
}

/**
 * Several utterances: the sample `times` times with `gapSec` of silence between, as a 16-bit WAV — long
 * enough for several segments and for real work per request.
 */
export async function speechWav(times: number, gapSec = 1.5): Promise<{ wav: Uint8Array; samples: Float32Array }> {
  const one = await sampleSamples();
  const gap = Math.round(gapSec * 16000);
  const samples = new Float32Array(times * (one.length + gap));
  for (let i = 0; i < times; i++) samples.set(one, i * (one.length + gap));
  return { wav: makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: samples }), samples };
}

/** Samples as s16le bytes (the inverse of reading a 16-bit WAV). */
export function s16le(samples: Float32Array): Uint8Array {
  return encodeSamples('s16', samples);
}
