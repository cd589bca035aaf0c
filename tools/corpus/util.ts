/** Small helpers shared by the corpus tools. */
import { spawn } from 'node:child_process';
import { promises as fs, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { UsageError, describeError } from '../../src/core/errors.js';

/**
 * True when the module with this `import.meta.url` is the script node was started with.
 * @example
 * if (isMain(import.meta.url)) main();
 */
export function isMain(metaUrl: string): boolean {
  const argv1 = process.argv[1];
  if (!argv1) return false;
  try {
    return realpathSync(argv1) === realpathSync(fileURLToPath(metaUrl));
  } catch {
    return false;
  }
}

/** What a finished child process left behind. */
export interface RunResult {
  stdout: Buffer;
  stderr: string;
}

/** A child process that failed; says which command and what it printed. */
export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly code: number | null,
    readonly stderrText: string,
  ) {
    super(`${command} failed (exit ${code ?? 'signal'}): ${stderrText.trim().slice(0, 400) || 'no error output'}`);
    this.name = 'CommandError';
  }
}

/**
 * Run a program without a shell; resolve with its output, reject with {@link CommandError}.
 * @example
 * const { stdout } = await run('soxi', ['-D', 'a.wav']);
 */
export function run(cmd: string, args: readonly string[], opts: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(new CommandError(`${cmd} ${args.join(' ')}`.slice(0, 300), null, `${e.message}${(e as NodeJS.ErrnoException).code === 'ENOENT' ? ` (is ${cmd} installed?)` : ''}`));
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      const stderr = Buffer.concat(err).toString('utf8');
      if (code === 0) resolve({ stdout: Buffer.concat(out), stderr });
      else reject(new CommandError(`${cmd} ${args.join(' ')}`.slice(0, 300), code, stderr));
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * A commander option parser for a non-negative integer: a UsageError naming the option otherwise.
 * @example
 * new Command().option('--train <n>', 'training utterances', nonNegativeInt('--train'), 24000);
 */
export function nonNegativeInt(name: string): (x: string) => number {
  return (x) => {
    const n = Number(x);
    if (!Number.isInteger(n) || n < 0) throw new UsageError(`${name} must be a non-negative integer, got "${x}"`);
    return n;
  };
}

/**
 * A text file's contents; an unreadable file is a UsageError `<label>: cannot read (<why>)`, the label being how
 * the user named it (an option and the path, e.g. `--in a.jsonl`; default the path).
 * @example
 * const text = await readTextFile('real/queen.jsonl', '--in real/queen.jsonl');
 */
export async function readTextFile(file: string, label = file): Promise<string> {
  return fs.readFile(file, 'utf8').catch((e: unknown) => {
    throw new UsageError(`${label}: cannot read (${describeError(e)})`);
  });
}
