/**
 * Node adapter for audio input: opens a file (or stdin for `-`), reads it in 64 KiB buffers and
 * hands the bytes to the platform-neutral decoders in `src/audio`, so memory stays flat for
 * hour-long files. Every failure is an {@link AudioInputError} naming the file and the OS reason.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { AudioInputError } from '../core/errors.js';
import { createResampler, type ResamplerQuality } from '../audio/resample.js';
import { concatSamples } from '../audio/samples.js';
import { openAudioStream, type AudioStream } from '../audio/stream.js';
import type { RawPcmSpec } from '../audio/pcm.js';

export type { AudioStream } from '../audio/stream.js';

/**
 * Layout of headerless PCM input (`--raw s16le --rate 16000 [--channels 2]`).
 * @example
 * const raw: RawPcmOptions = { encoding: 's16le', rate: 16000, channels: 1 };
 */
export type RawPcmOptions = RawPcmSpec;

/**
 * Options for {@link openAudio}.
 * @example
 * const audio = await openAudio('-', { raw: { encoding: 'f32le', rate: 48000 }, onWarning: (m) => console.error(m) });
 */
export interface OpenAudioOptions {
  /** Read the input as headerless PCM of this layout instead of detecting the format. */
  raw?: RawPcmOptions;
  /** Decode the present part of a truncated WAV/FLAC with a warning instead of failing. */
  allowTruncated?: boolean;
  /** Called with each non-fatal problem (also kept in `AudioStream.warnings`). */
  onWarning?: (message: string) => void;
}

/** Read size: large enough for throughput, small enough that memory does not depend on file length. */
const READ_BYTES = 64 * 1024;

/** Turn a Node fs error into an AudioInputError that names the OS reason, e.g. "no such file or directory (ENOENT)". */
function osError(source: string, what: string, e: unknown): AudioInputError {
  const err = e as NodeJS.ErrnoException;
  const code = typeof err?.code === 'string' ? err.code : undefined;
  const m = typeof err?.message === 'string' ? /^[A-Z]+: ([^,]+)/.exec(err.message) : null;
  const reason = m ? m[1]! : err instanceof Error ? err.message : String(e);
  const hint = code === 'ENOENT' ? ' — check the path' : code === 'EACCES' || code === 'EPERM' ? ' — check the file permissions' : '';
  return new AudioInputError(source, `${what}: ${reason}${code ? ` (${code})` : ''}${hint}`, { cause: e });
}

/** Wrap a byte iterable so read errors become AudioInputErrors. */
async function* guarded(source: string, bytes: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* bytes;
  } catch (e) {
    if (e instanceof AudioInputError) throw e;
    throw osError(source, 'read failed', e);
  }
}

/**
 * Open an audio file — WAV, FLAC, Ogg Vorbis, Ogg Opus or MP3, detected from its first bytes — or
 * headerless PCM with `opts.raw`; `'-'` reads stdin. Resolves once the header is parsed, so
 * `sampleRate` and `format` are known; the samples are then read lazily by `chunks()` (mono, at the
 * native rate). Errors: missing file, directory, no permission (with the OS reason), empty file,
 * stdin that is a terminal, unrecognised or corrupt audio — all {@link AudioInputError}s.
 * @example
 * const audio = await openAudio('meeting.flac');
 * console.log(audio.format, audio.sampleRate);
 * for await (const chunk of audio.chunks()) total += chunk.length;
 */
export async function openAudio(path: string | '-', opts: OpenAudioOptions = {}): Promise<AudioStream> {
  const decoderOptions = {
    ...(opts.raw ? { raw: opts.raw } : {}),
    ...(opts.allowTruncated !== undefined ? { allowTruncated: opts.allowTruncated } : {}),
    ...(opts.onWarning ? { onWarning: opts.onWarning } : {}),
  };
  if (path === '-') {
    const source = 'stdin';
    if (process.stdin.isTTY) {
      throw new AudioInputError(source, 'stdin is a terminal, not audio; pipe audio in, e.g. `arecord -f S16_LE -r 16000 -t raw | earshot --raw s16le --rate 16000 -`');
    }
    return openAudioStream(guarded(source, process.stdin), { ...decoderOptions, source });
  }

  // Node refuses such a path with a raw ERR_INVALID_ARG_VALUE: say what is wrong instead.
  if (path.includes('\0')) throw new AudioInputError(path, 'the path contains a NUL byte, which no file name can hold — check where the path came from');
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch (e) {
    throw osError(path, 'cannot open', e);
  }
  let totalBytes: number | undefined;
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new AudioInputError(path, 'is a directory, not an audio file');
    if (st.isFile()) {
      if (st.size === 0) throw new AudioInputError(path, 'file is empty (0 bytes)');
      totalBytes = st.size;
    }
  } catch (e) {
    await handle.close();
    if (e instanceof AudioInputError) throw e;
    throw osError(path, 'cannot read', e);
  }
  const stream = handle.createReadStream({ highWaterMark: READ_BYTES, autoClose: true });
  const close = () =>
    new Promise<void>((resolve) => {
      if (stream.closed) resolve();
      else {
        stream.once('close', () => resolve());
        stream.destroy();
      }
    });
  return openAudioStream(
    guarded(path, stream),
    { ...decoderOptions, source: path, ...(totalBytes !== undefined ? { totalBytes } : {}) },
    close,
  );
}

/**
 * Options for {@link readAudioFile}.
 * @example
 * const { samples } = await readAudioFile('talk.mp3', 16000, { quality: 'best' });
 */
export interface ReadAudioFileOptions extends OpenAudioOptions {
  /** Resampler quality when `targetRate` differs from the file's rate; default `medium`. */
  quality?: ResamplerQuality;
}

/**
 * Read a whole audio file into memory as mono float samples, resampled to `targetRate` when given
 * (streaming band-limited sinc; output length is ceil(n * targetRate / nativeRate)).
 * For tests, tools and short files; use {@link openAudio} for long ones.
 * @example
 * const { samples, sampleRate } = await readAudioFile('talk.wav', 16000);
 * console.log(samples.length / sampleRate, 'seconds');
 */
export async function readAudioFile(
  path: string | '-',
  targetRate?: number,
  opts: ReadAudioFileOptions = {},
): Promise<{ samples: Float32Array; sampleRate: number }> {
  const audio = await openAudio(path, opts);
  const rate = targetRate ?? audio.sampleRate;
  let resampler;
  try {
    resampler = await createResampler(audio.sampleRate, rate, opts.quality ? { quality: opts.quality } : {});
  } catch (e) {
    await audio.close();
    throw e;
  }
  const parts: Float32Array[] = [];
  try {
    for await (const chunk of audio.chunks()) parts.push(resampler.process(chunk));
    parts.push(resampler.flush());
  } finally {
    resampler.close();
  }
  return { samples: concatSamples(parts), sampleRate: rate };
}
