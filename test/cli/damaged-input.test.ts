// Messages from damaged files (issue 23, defect 9): exit 2 naming the file, no raw bytes on the terminal,
// decoder complaints as one `earshot:` line, and the specific messages the fuzz campaign found.
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { earshot } from '../helpers/cli.js';
import { chunk, fmtChunk, makeWav, riff, sine } from '../fixtures/audio/helpers.js';
import { escapeNonPrintable } from '../../src/core/errors.js';

let dir: string;
const tone = Array.from(sine(440, 16000, 8000, 0.3));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'earshot-damaged-'));
});

/** A 16-bit mono WAV whose header gives `rate`. */
function wavAtRate(rate: number): string {
  const file = path.join(dir, `rate-${rate}.wav`);
  writeFileSync(file, makeWav({ enc: 's16', channels: 1, rate, interleaved: tone }));
  return file;
}

describe('damaged files', () => {
  it('a header sample rate of 1, 2, 100 or 2^31-1 Hz is an input error (exit 2) naming the file', () => {
    for (const rate of [1, 2, 100, 2 ** 31 - 1]) {
      const file = wavAtRate(rate);
      const r = earshot(['transcribe', file]);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`earshot: ${file}: the header gives a sample rate of ${rate} Hz`);
      expect(r.stderr).not.toMatch(/sampleRate must be/);
    }
  });

  it('in a batch, the summary says which file had the bad rate', () => {
    const bad = wavAtRate(100);
    const good = wavAtRate(16000);
    const r = earshot(['transcribe', good, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`1 of 2 files failed:\\n  ${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: the header gives`));
  });

  it('bytes from the file never reach the terminal raw: a chunk id holding ESC[2J is escaped', () => {
    const file = path.join(dir, 'esc.wav');
    writeFileSync(file, riff([fmtChunk({ enc: 's16', channels: 1, rate: 16000 }), chunk('\x1b[2J', new Uint8Array(4), 100000)]));
    const r = earshot(['transcribe', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    expect(r.stderr).toContain('"\\x1b[2J"');
  });

  it('escapeNonPrintable escapes C0/C1 controls, DEL and bidi overrides, and keeps line feeds and text', () => {
    expect(escapeNonPrintable('a\x1b[2Jb\x00c\x7fd\u009be\u202ef\ng é')).toBe('a\\x1b[2Jb\\x00c\\x7fd\\x9be\\u{202e}f\ng é');
  });

  it('corrupt Opus packets: one earshot: line naming the file, exit 2, no libopus lines — as for a truncated file', () => {
    const d = new Uint8Array(readFileSync(new URL('../fixtures/audio/tone1k_16k_mono.opus', import.meta.url)));
    // the first audio page: spoil the TOC byte of its first three packets
    const page = Buffer.from(d).indexOf('OggS', 100);
    const nseg = d[page + 26]!;
    let off = page + 27 + nseg;
    for (let i = 0; i < 3; i++) {
      d[off] = 0xff;
      d[off + 1] = 0x00;
      off += d[page + 27 + i]!;
    }
    const file = path.join(dir, 'bad.opus');
    writeFileSync(file, d);
    const r = earshot(['transcribe', file]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^earshot: ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged Ogg Opus: 3 frames could not be decoded \\(first: .*OPUS_INVALID_PACKET`));
  });

  it('a WAVE_FORMAT_EXTENSIBLE header with a short extension says so, not "40 bytes, needs 40"', () => {
    const fmt = fmtChunk({ enc: 's16', channels: 1, rate: 16000, extensible: true });
    new DataView(fmt.data.buffer).setUint16(16, 10, true); // cbSize
    const file = path.join(dir, 'ext.wav');
    writeFileSync(file, riff([fmt, chunk('data', new Uint8Array(320))]));
    const r = earshot(['transcribe', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('WAVE_FORMAT_EXTENSIBLE extension size (cbSize) is 10, needs 22');
  });

  it('--raw --rate 1 names --rate', () => {
    const r = earshot(['transcribe', '--raw', 's16le', '--rate', '1', '-'], { input: new Uint8Array(3200) });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('--rate must be a sample rate from 1000 to 384000 Hz, got "1"');
  });

  it('a NUL byte in a manifest path is a usage error naming the manifest, not ERR_INVALID_ARG_VALUE', () => {
    const manifest = path.join(dir, 'nul.jsonl');
    writeFileSync(manifest, `${JSON.stringify({ audio: 'a\u0000b.wav', text: 'x' })}\n`);
    const r = earshot(['eval', manifest]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`manifest ${manifest}: entry 1: the audio path contains a NUL byte`);
    expect(r.stderr).not.toMatch(/ERR_INVALID_ARG_VALUE|internal error/);
  });
});
