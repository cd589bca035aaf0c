/** The load path both entries share (src/load.ts) and the browser's fetch helper (src/web/fetch.ts). */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ModelError, UsageError } from '../src/core/errors.js';
import { loadWith, modelBytes, type ModelSource } from '../src/load.js';
import type { OrtModule } from '../src/model/runtime.js';
import { Recognizer } from '../src/recognizer.js';
import { loadRecognizer } from '../src/node/index.js';
import { fetchBytes } from '../src/web/fetch.js';

const TINY = path.resolve(import.meta.dirname, 'fixtures/models/tiny.onnx');
const tinyBytes = new Uint8Array(readFileSync(TINY));

describe('loading a recognizer (shared by both entries)', () => {
  it('bytes, an ArrayBuffer, a path and a URL all give the model, named for errors', async () => {
    const read = vi.fn(async () => tinyBytes);
    expect(await modelBytes(tinyBytes, read)).toEqual({ bytes: tinyBytes, source: '<model bytes>' });
    expect((await modelBytes(tinyBytes.slice().buffer, read)).bytes).toEqual(tinyBytes);
    expect(read).not.toHaveBeenCalled();
    expect((await modelBytes('m.onnx', read)).source).toBe('m.onnx');
    expect((await modelBytes(new URL('https://x.test/m.onnx'), read)).source).toBe('https://x.test/m.onnx');
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('anything else is a UsageError naming what was given', async () => {
    await expect(modelBytes(42 as unknown as ModelSource, async () => tinyBytes)).rejects.toThrow(UsageError);
    await expect(modelBytes(null as unknown as ModelSource, async () => tinyBytes)).rejects.toThrow(/got null/);
  });

  it('passes the decoder, threads and batch size to the recognizer, and the platform default providers', async () => {
    const create = vi.spyOn(Recognizer, 'create');
    const platform = { ort: ort as unknown as OrtModule, read: async () => tinyBytes, executionProviders: ['cpu'] as const };
    const rec = await loadWith({ decoder: { type: 'beam', beam: 3 }, batchFrames: 16, threads: 1 }, 'tiny.onnx', platform);
    expect(rec.batchFrames).toBe(16);
    expect(rec.provider).toBe('cpu');
    expect(create).toHaveBeenLastCalledWith({ ort, model: tinyBytes, source: 'tiny.onnx', executionProviders: ['cpu'], threads: 1, decoder: { type: 'beam', beam: 3 }, batchFrames: 16 });
    create.mockRestore();
    await expect(loadWith({ decoder: { type: 'beam', beam: 0 } }, tinyBytes, platform)).rejects.toThrow(UsageError);
  });

  it('Node reads a file: URL, and refuses another URL scheme with a UsageError', async () => {
    const rec = await loadRecognizer({ model: pathToFileURL(TINY), threads: 1 });
    expect(rec.metadata.labels.length).toBe(29);
    await expect(loadRecognizer({ model: new URL('https://x.test/m.onnx') })).rejects.toThrow(/Node reads models from files/);
  });
});

describe('fetchBytes (browser)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('returns the body, and turns an HTTP error or a network failure into a ModelError naming the URL and the file', async () => {
    vi.stubGlobal('fetch', async (url: string) => (url.endsWith('ok') ? new Response(new Uint8Array([1, 2, 3])) : new Response('no', { status: 404, statusText: 'Not Found' })));
    expect(await fetchBytes('/x/ok', 'model')).toEqual(new Uint8Array([1, 2, 3]));
    const e = await fetchBytes('/x/lm.lmbin', 'language model').catch((err: unknown) => err);
    expect(e).toBeInstanceOf(ModelError);
    expect((e as ModelError).message).toBe('/x/lm.lmbin: fetching the language model failed: HTTP 404 Not Found (check the URL)');
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(fetchBytes('/x/m.onnx', 'model')).rejects.toThrow('/x/m.onnx: cannot fetch the model: Failed to fetch (check the URL and that it is served from this origin)');
  });
});
