/**
 * Model bytes for the browser: fetched from a URL or given, cached in the Cache API under their
 * SHA-256, and checked before use. A URL maps to the hash of the bytes it last gave, so a page
 * works offline after the first load; a cached copy whose hash no longer matches is dropped.
 */
import { sha256Hex } from '../model/hash.js';
import { ModelError } from '../core/errors.js';
import { fetchBytes } from './fetch.js';

const CACHE = 'earshot-models-v1';
const byHash = (hex: string): string => `https://earshot.invalid/sha256/${hex}`;
const byUrl = (url: string): string => `https://earshot.invalid/url/${encodeURIComponent(url)}`;

export interface LoadedModel {
  bytes: Uint8Array;
  sha256: string;
  fromCache: boolean;
  source: string;
}

async function openCache(): Promise<Cache | undefined> {
  try {
    return typeof caches === 'undefined' ? undefined : await caches.open(CACHE);
  } catch {
    return undefined; // opaque origins, storage disabled
  }
}

async function cached(cache: Cache, hex: string): Promise<Uint8Array | undefined> {
  const r = await cache.match(byHash(hex));
  if (!r) return undefined;
  const bytes = new Uint8Array(await r.arrayBuffer());
  if ((await sha256Hex(bytes)) === hex) return bytes;
  await cache.delete(byHash(hex)); // corrupt entry: integrity check failed
  return undefined;
}

/**
 * Fetch (or take) the model bytes, using and filling the cache.
 * @example
 * const { bytes, sha256, fromCache } = await loadModelBytes('https://localhost/m.onnx', { cache: true });
 */
export async function loadModelBytes(model: string | ArrayBuffer, opts: { cache: boolean; sha256?: string }): Promise<LoadedModel> {
  const expected = opts.sha256?.toLowerCase().replace(/^sha256:/, '');
  const cache = opts.cache ? await openCache() : undefined;
  if (typeof model !== 'string') {
    const bytes = new Uint8Array(model);
    const hex = await sha256Hex(bytes);
    if (expected && hex !== expected) throw new ModelError('<model bytes>', `SHA-256 is ${hex}, expected ${expected}`, 'pass the right model or the right sha256');
    return { bytes, sha256: hex, fromCache: false, source: '<model bytes>' };
  }
  const source = model;
  if (cache) {
    const known = expected ?? (await (await cache.match(byUrl(model)))?.text());
    if (known) {
      const bytes = await cached(cache, known);
      if (bytes) return { bytes, sha256: known, fromCache: true, source };
    }
  }
  const bytes = await fetchBytes(model, 'model');
  const hex = await sha256Hex(bytes);
  if (expected && hex !== expected) throw new ModelError(source, `integrity check failed: SHA-256 is ${hex}, expected ${expected}`, 'the file on the server is not the model you asked for');
  if (cache) {
    try {
      await cache.put(byHash(hex), new Response(bytes.slice().buffer, { headers: { 'content-type': 'application/octet-stream' } }));
      await cache.put(byUrl(model), new Response(hex));
    } catch {
      /* quota: run uncached */
    }
  }
  return { bytes, sha256: hex, fromCache: false, source };
}

/**
 * Forget a URL's cached model (after it failed to load, so a fixed file on the server is fetched again).
 * @example
 * await evictModel('https://localhost/m.onnx');
 */
export async function evictModel(url: string): Promise<void> {
  const cache = await openCache();
  if (!cache) return;
  const hex = await (await cache.match(byUrl(url)))?.text();
  await cache.delete(byUrl(url));
  if (hex) await cache.delete(byHash(hex));
}
