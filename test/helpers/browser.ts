/**
 * Browser-test plumbing: build the demo with Vite (or run its dev server), serve it with COOP/COEP from
 * a tiny static server, launch Debian's Chromium through playwright-core (flags from
 * shared/BROWSER-TESTING.md), change the microphone permission of a running page; `openMicSite` does
 * the first three for the `<earshot-mic>` tests, with a fake microphone.
 */
import { createServer, type Server } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { CHROMIUM } from './requirements.js';

export { CHROMIUM };
export const BASE_ARGS = ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-default-browser-check'];
/** Chromium flags for a fake microphone that needs no permission prompt; add --use-file-for-fake-audio-capture=<wav>. */
export const FAKE_MIC = ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream'];

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.mjs': 'text/javascript', '.wasm': 'application/wasm', '.wav': 'audio/wav', '.onnx': 'application/octet-stream', '.png': 'image/png' };

/** Serve `routes` (URL prefix -> directory) on 127.0.0.1 with cross-origin isolation headers. */
export async function serveStatic(routes: Record<string, string>): Promise<{ url: string; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const url = decodeURIComponent((req.url ?? '/').split('?')[0]!);
    const prefix = Object.keys(routes).filter((p) => url.startsWith(p)).sort((a, b) => b.length - a.length)[0];
    let file = prefix === undefined ? '' : path.join(routes[prefix]!, url.slice(prefix.length));
    if (file && existsSync(file) && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    const headers = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp', 'Cross-Origin-Resource-Policy': 'same-origin', 'Cache-Control': 'no-store' };
    if (!file || url.includes('..') || !existsSync(file)) {
      res.writeHead(404, headers).end('not found');
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** A fresh Chromium profile with extra flags. */
export async function launchChromium(args: string[], opts: { permissions?: string[] } = {}): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: apt-get install -y chromium (.ci/run does this)`);
  return chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'earshot-chromium-')), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...BASE_ARGS, ...args],
    viewport: { width: 900, height: 760 },
    ...(opts.permissions ? { permissions: opts.permissions } : {}),
  });
}

/**
 * Set this origin's microphone permission in the running browser (CDP Browser.setPermission). Denying
 * it while a page records makes Chromium end the capture: the track fires a real 'ended' event, as
 * when a microphone is unplugged.
 */
export async function setMicPermission(ctx: BrowserContext, page: Page, origin: string, setting: 'granted' | 'denied'): Promise<void> {
  const cdp = await ctx.newCDPSession(page);
  try {
    await cdp.send('Browser.setPermission', { permission: { name: 'microphone' }, setting, origin });
  } finally {
    await cdp.detach();
  }
}

/** Start the Vite dev server (what `npm run demo` runs) with the repository's vite.config.ts on a free port. */
export async function startDevServer(root: string): Promise<{ url: string; close: () => Promise<void> }> {
  const { createServer } = await import('vite');
  const server = await createServer({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', server: { port: 0, strictPort: false } });
  await server.listen();
  const url = server.resolvedUrls?.local[0];
  if (!url) {
    await server.close();
    throw new Error('the Vite dev server started but reported no local URL');
  }
  return { url: url.replace(/\/$/, ''), close: () => server.close() };
}

/** Build the demo page into `outDir` with the repository's vite.config.ts. */
export async function buildDemo(root: string, outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({ configFile: path.join(root, 'vite.config.ts'), logLevel: 'warn', build: { outDir, emptyOutDir: true } });
}

/** The demo site served at `url` and a Chromium whose fake microphone loops a WAV file. */
export interface MicSite {
  url: string;
  ctx: BrowserContext;
  close(): Promise<void>;
}

/**
 * Build the demo into `<dir>/site` (then let `editSite` change it), serve it at /demo/ with `fixtures` at
 * /fixtures/ and, unless `serveModels` is false, the repository's models at /models/, and start Chromium
 * with microphone permission, a fake microphone that loops `micWav`, and any `chromiumArgs`.
 */
export async function openMicSite(opts: { root: string; dir: string; fixtures: string; micWav: string; editSite?: (siteDir: string) => void; serveModels?: boolean; chromiumArgs?: string[] }): Promise<MicSite> {
  const out = path.join(opts.dir, 'site');
  await buildDemo(opts.root, out);
  opts.editSite?.(out);
  const routes: Record<string, string> = { '/demo/': out, '/fixtures/': opts.fixtures };
  if (opts.serveModels !== false) routes['/models/'] = path.join(opts.root, 'models');
  const server = await serveStatic(routes);
  let ctx: BrowserContext;
  try {
    ctx = await launchChromium([...(opts.chromiumArgs ?? []), ...FAKE_MIC, `--use-file-for-fake-audio-capture=${opts.micWav}`], { permissions: ['microphone'] });
  } catch (e) {
    await server.close();
    throw e;
  }
  return {
    url: server.url,
    ctx,
    close: async () => {
      await ctx.close();
      await server.close();
    },
  };
}
