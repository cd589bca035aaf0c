import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AudioInputError, UsageError } from '../src/core/errors.js';
import { openAudio, readAudioFile } from '../src/node/audio-file.js';
import { FIXTURES, dominantFrequency, encodeSamples, makeWav, noise, rms, rejection } from './fixtures/audio/helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(name, FIXTURES));
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'earshot-audio-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('openAudio', () => {
  it('knows rate and format before the samples are read, then streams them', async () => {
    const audio = await openAudio(fixture('tone1k_16k_mono.flac'));
    expect(audio.source).toBe(fixture('tone1k_16k_mono.flac'));
    expect(audio.sampleRate).toBe(16000);
    expect(audio.format).toBe('FLAC, 1 ch, 16000 Hz');
    let n = 0;
    for await (const c of audio.chunks()) n += c.length;
    expect(n).toBe(8000);
    await expect(async () => {
      for await (const _ of audio.chunks()) void _;
    }).rejects.toThrow(UsageError);
  });

  it('reads a multi-megabyte WAV in 64 KiB reads (chunks of 16384 16-bit stereo frames)', async () => {
    const frames = 16000 * 40;
    const path = join(dir, 'long.wav');
    writeFileSync(path, makeWav({ enc: 's16', channels: 2, rate: 16000, interleaved: noise(frames * 2, 4) }));
    const audio = await openAudio(path);
    let n = 0;
    let largest = 0;
    for await (const c of audio.chunks()) {
      n += c.length;
      largest = Math.max(largest, c.length);
    }
    expect(n).toBe(frames);
    expect(largest).toBeLessThanOrEqual(16384);
  });

  // Linux: the process's open descriptors are /proc/self/fd, each a link to the file it has open.
  const openDescriptors = (file: string): number => readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed between the listing and the read
    }
  }).length;

  it.skipIf(!existsSync('/proc/self/fd'))('breaking off the iteration closes the file', async () => {
    const file = fixture('tone1k_8k_6ch_s24.wav');
    const audio = await openAudio(file);
    let openWhileReading = -1;
    for await (const _ of audio.chunks()) {
      openWhileReading = openDescriptors(file);
      break;
    }
    expect(openWhileReading).toBe(1);
    // The iterator's return() (what `break` calls) closes the file; close() afterwards is harmless.
    for (let i = 0; i < 50 && openDescriptors(file) > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(openDescriptors(file)).toBe(0);
    await audio.close();
    expect(openDescriptors(file)).toBe(0);
  });

  it('raw PCM from a file', async () => {
    const path = join(dir, 'pcm.raw');
    writeFileSync(path, encodeSamples('s16', [0.5, -0.5, 0.25, 0.25, 0]).subarray(0, 9));
    const warnings: string[] = [];
    const audio = await openAudio(path, { raw: { encoding: 's16le', rate: 8000, channels: 2 }, onWarning: (m) => warnings.push(m) });
    expect(audio.sampleRate).toBe(8000);
    const got: number[] = [];
    for await (const c of audio.chunks()) got.push(...c);
    expect(got).toEqual([0, 0.25]);
    expect(warnings).toHaveLength(1);
    expect(audio.warnings).toEqual(warnings);
  });

  it('stdin ("-")', async () => {
    const original = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    const bytes = makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: [0.5, 0.25] });
    Object.defineProperty(process, 'stdin', { configurable: true, value: Readable.from([bytes.subarray(0, 3), bytes.subarray(3)]) });
    try {
      const audio = await openAudio('-');
      expect(audio.source).toBe('stdin');
      const got: number[] = [];
      for await (const c of audio.chunks()) got.push(...c);
      expect(got).toEqual([0.5, 0.25]);
      Object.defineProperty(process, 'stdin', { configurable: true, value: Readable.from([]) });
      const e = await rejection(openAudio('-'));
      expect(e.message).toBe('stdin: input is empty (0 bytes)');
      Object.defineProperty(process, 'stdin', { configurable: true, value: Object.assign(Readable.from([]), { isTTY: true }) });
      expect((await rejection(openAudio('-'))).message).toMatch(/^stdin: stdin is a terminal, not audio; pipe audio in/);
    } finally {
      Object.defineProperty(process, 'stdin', original);
    }
  });
});

describe('openAudio errors carry the path and the OS reason', () => {
  it('missing file', async () => {
    const path = join(dir, 'nope.wav');
    const e = await rejection(openAudio(path));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe(`${path}: cannot open: no such file or directory (ENOENT) — check the path`);
    expect((e as AudioInputError).source).toBe(path);
  });

  it('a path through a regular file', async () => {
    const file = join(dir, 'plain.wav');
    writeFileSync(file, 'x');
    const e = await rejection(openAudio(join(file, 'inner.wav')));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe(`${join(file, 'inner.wav')}: cannot open: not a directory (ENOTDIR)`);
  });

  it('a directory', async () => {
    const e = await rejection(openAudio(dir));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe(`${dir}: is a directory, not an audio file`);
  });

  it('no read permission', async () => {
    // Root reads any file, so as root the check runs in a child process as the unprivileged user 65534
    // (through the built dist/, as the CLI would), in a directory that user may enter.
    const sub = mkdtempSync(join(tmpdir(), 'earshot-perm-'));
    chmodSync(sub, 0o755);
    const path = join(sub, 'secret.wav');
    writeFileSync(path, makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: [0] }));
    chmodSync(path, 0o000);
    try {
      if (process.getuid?.() !== 0) {
        const e = await rejection(openAudio(path));
        expect(e).toBeInstanceOf(AudioInputError);
        expect(e.message).toBe(`${path}: cannot open: permission denied (EACCES) — check the file permissions`);
        return;
      }
      const mod = fileURLToPath(new URL('../dist/src/node/audio-file.js', import.meta.url));
      const script = `import(${JSON.stringify(mod)}).then((m) => m.openAudio(${JSON.stringify(path)})).then(() => console.log('opened'), (e) => console.log(e.constructor.name + ': ' + e.message));`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: sub });
      expect(r.stderr).toBe('');
      expect(r.stdout.trim()).toBe(`AudioInputError: ${path}: cannot open: permission denied (EACCES) — check the file permissions`);
    } finally {
      rmSync(sub, { recursive: true, force: true });
    }
  });

  it('empty file', async () => {
    const path = join(dir, 'empty.wav');
    writeFileSync(path, new Uint8Array(0));
    const e = await rejection(openAudio(path));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toBe(`${path}: file is empty (0 bytes)`);
  });

  it('a truncated WAV fails at open, with both sizes', async () => {
    const path = join(dir, 'cut.wav');
    writeFileSync(path, makeWav({ enc: 's16', channels: 1, rate: 16000, interleaved: noise(16000, 1) }).subarray(0, 1244));
    const e = await rejection(openAudio(path));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/cut\.wav: truncated WAV: data chunk declares 32000 bytes \(1\.00 s of audio\) but the file holds only 1200 \(0\.04 s\)/);
    const { samples } = await readAudioFile(path, undefined, { allowTruncated: true });
    expect(samples.length).toBe(600);
  });

  it('not audio', async () => {
    const path = join(dir, 'notes.txt');
    writeFileSync(path, 'shopping list: eggs, milk');
    const e = await rejection(openAudio(path));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/notes\.txt: unrecognised audio format: the input starts with 73 68 6f 70 .*which looks like text, not audio/);
  });

  it('NaN in a float WAV surfaces from chunks() with the sample index', async () => {
    const path = join(dir, 'nan.wav');
    const x = Array.from(noise(5000, 3));
    x[4321] = NaN;
    writeFileSync(path, makeWav({ enc: 'f32', channels: 1, rate: 16000, interleaved: x }));
    const e = await rejection(readAudioFile(path));
    expect(e).toBeInstanceOf(AudioInputError);
    expect(e.message).toMatch(/nan\.wav: sample 4321, at 0\.2701 s is NaN/);
  });
});

describe('readAudioFile', () => {
  it('native rate when no target is given', async () => {
    const { samples, sampleRate } = await readAudioFile(fixture('tone1k_22k05_mono.mp3'));
    expect(sampleRate).toBe(22050);
    expect(samples.length).toBe(11025);
  });

  for (const [file, n] of [
    ['tone1k_8k_streamed.wav', 800],
    ['tone1k_44k1_stereo.ogg', 22050],
    ['tone1k_16k_mono.opus', 24000],
    ['tone1k_8k_6ch_s24.wav', 400],
  ] as const) {
    it(`${file} resampled to 16 kHz: expected length, 1 kHz tone at -6 dBFS`, async () => {
      const { samples, sampleRate } = await readAudioFile(fixture(file), 16000);
      expect(sampleRate).toBe(16000);
      const native = { 'tone1k_8k_streamed.wav': 8000, 'tone1k_44k1_stereo.ogg': 44100, 'tone1k_16k_mono.opus': 48000, 'tone1k_8k_6ch_s24.wav': 8000 }[file];
      expect(samples.length).toBe(Math.ceil((n * 16000) / native));
      expect(dominantFrequency(samples, 16000)).toBe(1000);
      const mid = [Math.floor(samples.length * 0.25), Math.floor(samples.length * 0.75)] as const;
      expect(rms(samples, ...mid)).toBeCloseTo(0.5 / Math.SQRT2, 1);
    });
  }
});
