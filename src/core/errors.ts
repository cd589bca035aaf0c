/**
 * Typed errors. Every error earshot throws on bad input is one of these: it says what was wrong,
 * where (file, field), what was expected and what was found, and what to do about it.
 * The CLI maps each class to its exit code.
 */

/** Process exit codes used by the `earshot` CLI. */
export const ExitCode = {
  ok: 0,
  usage: 1,
  input: 2,
  model: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * Base class of every earshot error.
 * @example
 * try { await recognizer.transcribe(samples, 16000); } catch (e) { if (e instanceof EarshotError) console.error(e.message); }
 */
export class EarshotError extends Error {
  /** Exit code the CLI uses for this error. */
  readonly exitCode: ExitCode;
  constructor(message: string, exitCode: ExitCode, options?: { cause?: unknown }) {
    super(message, options);
    // A bundler renames classes (a production build turned ModelError into "W"): subclasses set their name explicitly.
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/**
 * Wrong command-line usage or wrong API arguments.
 * @example
 * throw new UsageError('--threads must be a positive integer, got "zero"');
 */
export class UsageError extends EarshotError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, ExitCode.usage, options);
    this.name = 'UsageError';
  }
}

/**
 * Audio that cannot be read: unreadable, truncated, corrupt, unsupported, empty, non-finite samples.
 * @example
 * throw new AudioInputError('talk.wav', 'truncated WAV: data chunk declares 32000 bytes, file holds 1200');
 */
export class AudioInputError extends EarshotError {
  /** The file (or "stdin", or "<samples>") that was being read. */
  readonly source: string;
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super(`${source}: ${reason}`, ExitCode.input, options);
    this.name = 'AudioInputError';
    this.source = source;
  }
}

/**
 * A model file that is not a valid earshot model: not ONNX, missing or malformed metadata,
 * metadata that disagrees with the graph, an execution provider that cannot run it.
 * @example
 * throw new ModelError('model.onnx', 'metadata field "earshot.labels" is missing', 'convert the weights again with `earshot convert`');
 */
export class ModelError extends EarshotError {
  /** The model file (or "<bytes>") being loaded. */
  readonly source: string;
  constructor(source: string, reason: string, hint?: string, options?: { cause?: unknown }) {
    super(`${source}: ${reason}${hint ? ` (${hint})` : ''}`, ExitCode.model, options);
    this.name = 'ModelError';
    this.source = source;
  }
}

/**
 * A weights file or architecture description that cannot be converted into an earshot model.
 * @example
 * throw new ConversionError('w.safetensors', 'tensor "0.weight": data_offsets [0, 100] overlap tensor "0.bias"');
 */
export class ConversionError extends EarshotError {
  readonly source: string;
  constructor(source: string, reason: string, options?: { cause?: unknown }) {
    super(`${source}: ${reason}`, ExitCode.input, options);
    this.name = 'ConversionError';
    this.source = source;
  }
}

/** Render any thrown value as a one-line message. */
export function describeError(e: unknown): string {
  return escapeNonPrintable(e instanceof Error ? e.message : String(e));
}

/**
 * Make text that may carry bytes from an input file safe for a terminal: control characters (C0 but
 * the line feed, DEL, C1) and bidirectional overrides become `\xNN` / `\u{NNNN}` escapes, so a WAV chunk
 * id holding `ESC[2J` cannot clear the screen.
 * @example
 * escapeNonPrintable('chunk "\u001b[2J"') // 'chunk "\\x1b[2J"'
 */
export function escapeNonPrintable(s: string): string {
  return s.replace(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const n = c.charCodeAt(0);
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u{${n.toString(16)}}`;
  });
}
