/** Parsing and checking of CLI option values: every bad value is a UsageError naming the option. */
import { UsageError } from '../core/errors.js';
import type { ExecutionProviderName } from '../model/runtime.js';
import { OUTPUT_FORMATS, type OutputFormat } from '../format.js';
import type { RawPcmOptions } from '../node/audio-file.js';
import { MAX_SAMPLE_RATE, MIN_SAMPLE_RATE } from '../audio/types.js';

const NODE_PROVIDERS: readonly ExecutionProviderName[] = ['cpu', 'webgpu', 'cuda'];
const RAW_ENCODINGS = ['s16le', 's32le', 'f32le', 'u8'] as const;

/** "--ep webgpu,cpu" -> ['webgpu', 'cpu'] */
export function parseProviders(value: string | undefined): ExecutionProviderName[] {
  if (value === undefined) return ['cpu'];
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new UsageError('--ep: give at least one execution provider, e.g. --ep cpu');
  for (const p of list) if (!NODE_PROVIDERS.includes(p as ExecutionProviderName)) throw new UsageError(`--ep: unknown execution provider "${p}"; Node offers ${NODE_PROVIDERS.join(', ')} (comma-separated, tried in order)`);
  return list as ExecutionProviderName[];
}

/**
 * A finite number option, optionally in a range: `{ min, max }` (inclusive), or `{ positive: true }`
 * (> 0); `unit` names what it counts in the error ("a number of seconds > 0").
 * @example
 * parseNumberOption('--max-utterance', '15', { positive: true, unit: 'seconds' }); // 15
 * parseNumberOption('--lm-weight', '0.6', { min: 0, max: 100 }); // 0.6
 * parseNumberOption('--alpha', '0.01', { min: 0, below: 1 }); // 0.01 (1 itself is refused: "a number in [0, 1)")
 */
export function parseNumberOption(name: string, value: string | undefined, range: { min?: number; max?: number; below?: number; positive?: boolean; unit?: string } = {}): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  const { min, max, below, positive, unit } = range;
  const ok = value.trim() !== '' && Number.isFinite(n) && (!positive || n > 0) && (min === undefined || n >= min) && (max === undefined || n <= max) && (below === undefined || n < below);
  if (!ok) {
    const bounds = below !== undefined
      ? (min !== undefined ? ` in [${min}, ${below})` : ` < ${below}`)
      : min !== undefined && max !== undefined ? ` from ${min} to ${max}` : min !== undefined ? ` >= ${min}` : max !== undefined ? ` <= ${max}` : '';
    const what = `a number${unit ? ` of ${unit}` : ''}${positive ? ' > 0' : ''}${bounds}`;
    throw new UsageError(`${name} must be ${what}, got "${value}"`);
  }
  return n;
}

/** A positive integer option. */
export function parsePositiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got "${value}"`);
  return n;
}

export function parseFormat(value: string): OutputFormat {
  if (!(OUTPUT_FORMATS as readonly string[]).includes(value)) throw new UsageError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${value}"`);
  return value as OutputFormat;
}

/** --raw ENC --rate N [--channels C] -> RawPcmOptions, or undefined when --raw is absent. */
export function parseRaw(raw: string | undefined, rate: string | undefined, channels: string | undefined): RawPcmOptions | undefined {
  if (raw === undefined) {
    if (rate !== undefined) throw new UsageError('--rate is only used with --raw (headerless PCM); WAV/FLAC/Ogg/MP3 files carry their own rate');
    return undefined;
  }
  if (!(RAW_ENCODINGS as readonly string[]).includes(raw)) throw new UsageError(`--raw must be one of ${RAW_ENCODINGS.join(', ')}, got "${raw}"`);
  const r = parsePositiveInt('--rate', rate);
  if (r === undefined) throw new UsageError('--raw needs --rate <Hz>, e.g. --raw s16le --rate 16000');
  if (r < MIN_SAMPLE_RATE || r > MAX_SAMPLE_RATE) throw new UsageError(`--rate must be a sample rate from ${MIN_SAMPLE_RATE} to ${MAX_SAMPLE_RATE} Hz, got "${rate}"`);
  const c = parsePositiveInt('--channels', channels) ?? 1;
  return { encoding: raw as RawPcmOptions['encoding'], rate: r, channels: c };
}
