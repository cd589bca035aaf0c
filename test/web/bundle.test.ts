/**
 * The production web bundle (issue 23, defect 3): `npm run build:web` output, served as is by a plain
 * static server (no special headers, nothing else on the origin), loads its shipped model and transcribes
 * a chosen file as the Node CLI does; after a failed model load, choosing a file shows an error.
 * Chromium that is missing skips locally (with the install command) and fails under CI=true.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { buildDemo, launchChromium } from '../helpers/browser.js';
import { earshot, ROOT } from '../helpers/cli.js';
import { chromiumRequirement } from '../helpers/requirements.js';

const chrome = chromiumRequirement();
let out: string;
let site: string;
let server: Server;
let ctx: BrowserContext;
let sample: string;
let nodeText: string;
const notFound: string[] = [];

/** The plainest static server: files under `root`, a Content-Type, 404 otherwise; no COOP/COEP. */
function plainServer(root: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
  const s = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    let file = path.join(root, url);
    if (existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    if (url.includes('..') || !existsSync(file)) {
      notFound.push(url);
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => {
    const a = s.address();
    resolve({ server: s, url: `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}` });
  }));
}

beforeAll(async () => {
  if (chrome.skip) return; // no Chromium here: skipped, with the install command on stderr
  chrome.assertPresent();
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-bundle-'));
  out = path.join(dir, 'site');
  await buildDemo(ROOT, out);
  sample = path.join(dir, 'sample.wav');
  copyFileSync(path.join(ROOT, 'models/sample.wav'), sample);
  const r = earshot(['transcribe', '--no-endpoint', sample]);
  expect(r.code, r.stderr).toBe(0);
  nodeText = r.stdout.trim();
  ({ server, url: site } = await plainServer(out)); // the build output alone is the web root
  ctx = await launchChromium([]);
}, 240_000);

afterAll(async () => {
  await ctx?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
});

async function open(query: string): Promise<Page> {
  const page = await ctx.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${site}/index.html${query}`);
  await page.waitForFunction(() => {
    const s = (window as unknown as { earshotDemo?: { state: { ready: boolean; events: { type: string }[] } } }).earshotDemo?.state;
    return s && (s.ready || s.events.some((e) => e.type === 'error'));
  }, undefined, { timeout: 90_000 });
  return page;
}

describe.skipIf(chrome.skip)('the built web bundle on a plain static server', () => {
  it('ships its model: the page loads ./models/earshot-en.onnx and transcribes a chosen file as the Node CLI does', async () => {
    const page = await open('?ep=wasm&threads=1');
    expect(await page.evaluate(() => (window as any).earshotDemo.state.ready), `errors: ${await page.textContent('#error')}; 404s: ${notFound.join(' ')}`).toBe(true);
    await page.setInputFiles('#file', sample);
    await page.waitForFunction(() => (window as any).earshotDemo.state.last !== undefined, undefined, { timeout: 60_000 });
    expect(await page.evaluate(() => (window as any).earshotDemo.state.last.text)).toBe(nodeText);
    expect(notFound).toEqual([]);
    await page.close();
  }, 120_000);

  it('after a model load error, choosing a file shows an error (no stray minified class name)', async () => {
    const page = await open('?ep=wasm&threads=1&model=./models/nosuch.onnx');
    const loadError = await page.textContent('#error');
    expect(loadError).toMatch(/^model: http:\/\/.*nosuch\.onnx: fetching the model failed: HTTP 404/);
    await page.evaluate(() => (document.getElementById('error')!.textContent = ''));
    await page.setInputFiles('#file', sample);
    await page.waitForFunction(() => document.getElementById('error')!.textContent !== '', undefined, { timeout: 30_000 });
    expect(await page.textContent('#error')).toMatch(/model is not loaded .*nosuch\.onnx/);
    await page.close();
    notFound.length = 0;
  }, 120_000);
});
