/** Errors of the browser frontend, and how they cross the worker boundary. */
import { EarshotError, ExitCode } from '../core/errors.js';
import type { WireError } from './protocol.js';

/** What went wrong, for code that reacts to it. */
export type SpeechErrorCode =
  /** The model could not be fetched, is not a valid earshot model, or no provider could run it. */
  | 'model'
  /** The user (or the page's permissions policy) refused the microphone. */
  | 'permission-denied'
  /** No microphone is connected. */
  | 'no-device'
  /** The microphone disappeared while recording (unplugged, revoked). */
  | 'device-lost'
  /** The AudioContext stays suspended (autoplay policy): start the microphone from a user gesture. */
  | 'audio-suspended'
  /** Audio that cannot be decoded or recognized. */
  | 'audio'
  /** Wrong API use (e.g. startMicrophone twice). */
  | 'usage'
  /** The worker crashed or could not start. */
  | 'worker';

/**
 * An error of the browser speech frontend: `code` says which, the message says what to do.
 * @example
 * rec.on('error', (e) => { if (e.code === 'permission-denied') showMicHelp(); });
 */
export class SpeechError extends EarshotError {
  readonly code: SpeechErrorCode;
  constructor(code: SpeechErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, code === 'model' ? ExitCode.model : code === 'usage' ? ExitCode.usage : ExitCode.input, options);
    this.name = 'SpeechError';
    this.code = code;
  }
}

/** @internal */
export function toWireError(e: unknown, code: SpeechErrorCode): WireError {
  if (e instanceof SpeechError) return { name: e.name, message: e.message, code: e.code };
  const name = e instanceof Error ? e.name : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  return { name, message, code: name === 'ModelError' ? 'model' : name === 'UsageError' ? 'usage' : code };
}

/** @internal */
export function fromWireError(w: WireError): SpeechError {
  const known: SpeechErrorCode[] = ['model', 'permission-denied', 'no-device', 'device-lost', 'audio-suspended', 'audio', 'usage', 'worker'];
  // earshot's own errors say what happened in their message; only a foreign error's class (TypeError, …) adds to it.
  const ours = ['Error', 'EarshotError', 'SpeechError', 'UsageError', 'AudioInputError', 'ModelError', 'ConversionError'];
  return new SpeechError(known.includes(w.code as SpeechErrorCode) ? (w.code as SpeechErrorCode) : 'worker', w.name && !ours.includes(w.name) ? `${w.name}: ${w.message}` : w.message);
}
