/**
 * transcribeFile / transcribeAudio build a partial result per chunk only for a caller that asked for one
 * (onPartial): a partial holds the whole current utterance, so building one per chunk made an unsegmented
 * hour quadratic (60 min with --no-endpoint: 45 s and 218 MB, against 26 s and 147 MB without partials).
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadRecognizer, transcribeFile, RecognitionStream, type Recognizer } from '../../src/node/index.js';
import { ROOT } from '../helpers/cli.js';

/** models/sample.wav three times with 0.5 s of silence between: several chunks, several words. */
function threeSamples(): string {
  const src = readFileSync(path.join(ROOT, 'models/sample.wav'));
  const at = src.indexOf('data') + 8;
  const speech = src.subarray(at, at + src.readUInt32LE(at - 4));
  const pause = Buffer.alloc(src.readUInt32LE(24)); // 0.5 s of 16-bit silence
  const body = Buffer.concat([speech, pause, speech, pause, speech]);
  const header = Buffer.from(src.subarray(0, at));
  header.writeUInt32LE(body.length, at - 4);
  header.writeUInt32LE(at - 8 + body.length, 4);
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'earshot-transcribe-')), 'three.wav');
  writeFileSync(file, Buffer.concat([header, body]));
  return file;
}

describe('transcribeFile builds partial results only for onPartial', () => {
  let rec: Recognizer;
  let file: string;
  beforeAll(async () => {
    rec = await loadRecognizer({ threads: 1 });
    file = threeSamples();
  });
  afterEach(() => vi.restoreAllMocks());

  it('without onPartial: no partial result is built; onProgress gets the seconds so far; the same final result', async () => {
    const getResult = vi.spyOn(RecognitionStream.prototype, 'getResult');
    const progress: number[] = [];
    const quiet = await transcribeFile(rec, file, { onProgress: (s) => progress.push(s) });
    expect(getResult).not.toHaveBeenCalled();
    expect(progress.length).toBeGreaterThan(1);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
    expect(progress.at(-1)).toBeCloseTo(quiet.durationSec, 6);

    const partials: string[] = [];
    const loud = await transcribeFile(rec, file, { onPartial: (p) => partials.push(p.text) });
    expect(getResult).toHaveBeenCalledTimes(partials.length);
    expect(partials.length).toBe(progress.length);
    expect(quiet.text).toBe('put the cups on the shelf put the cups on the shelf put the cups on the shelf');
    expect({ ...quiet, timings: undefined }).toEqual({ ...loud, timings: undefined });
  });

  it('an exception thrown by onProgress stops the work (a caller\'s limit) and reaches the caller', async () => {
    await expect(transcribeFile(rec, file, { onProgress: (s) => { if (s > 1) throw new Error('limit'); } })).rejects.toThrow('limit');
  });
});
