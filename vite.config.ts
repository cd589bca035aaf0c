/**
 * Vite builds and serves the browser demo (demo/). onnxruntime-web's module and wasm files are served
 * from this origin under /ort/ (never a CDN), and every response carries COOP/COEP so the page is
 * crossOriginIsolated and wasm can use threads. `npm run demo` serves it; `npm run build:web` builds
 * it into dist/demo (the test serves that): index.html (the full demo) and element.html (the
 * one-tag `<earshot-mic>` page), with onnxruntime-web under ort/ and the models under models/, so the
 * folder is deployable as is on a plain static server.
 */
import { defineConfig, type Plugin } from 'vite';
import { createReadStream, existsSync, mkdirSync, copyFileSync, statSync } from 'node:fs';
import path from 'node:path';

const ROOT = import.meta.dirname;
const ORT_DIST = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
/** The onnxruntime-web files a page may load: the module and the wasm builds it picks from. */
export const ORT_FILES = [
  'ort.min.mjs',
  'ort.wasm.min.mjs',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort-wasm-simd-threaded.jsep.mjs',
  'ort-wasm-simd-threaded.jsep.wasm',
];
/** The model files the built pages refer to (./models/…), copied into the build output; the dev server serves models/ itself. */
export const MODEL_FILES = ['earshot-en.onnx', 'earshot-en.int8.onnx', 'en-3gram.lmbin'];
export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

function serveDir(prefix: string, dir: string, allow?: string[]): Plugin['configureServer'] {
  return (server) => {
    server.middlewares.use((req, res, next) => {
      const url = (req.url ?? '').split('?')[0]!;
      if (!url.startsWith(prefix)) return next();
      const name = decodeURIComponent(url.slice(prefix.length));
      const file = path.join(dir, name);
      if (name.includes('..') || (allow && !allow.includes(name)) || !existsSync(file) || !statSync(file).isFile()) return next();
      res.setHeader('Content-Type', name.endsWith('.wasm') ? 'application/wasm' : name.endsWith('.mjs') ? 'text/javascript' : 'application/octet-stream');
      for (const [k, v] of Object.entries(ISOLATION_HEADERS)) res.setHeader(k, v);
      createReadStream(file).pipe(res);
    });
  };
}

function earshotAssets(): Plugin {
  let outDir = '';
  return {
    name: 'earshot-assets',
    configureServer(server) {
      serveDir('/ort/', ORT_DIST, ORT_FILES)!(server);
      serveDir('/models/', path.join(ROOT, 'models'))!(server);
    },
    configResolved(c) {
      outDir = path.resolve(c.root, c.build.outDir);
    },
    closeBundle() {
      mkdirSync(path.join(outDir, 'ort'), { recursive: true });
      for (const f of ORT_FILES) copyFileSync(path.join(ORT_DIST, f), path.join(outDir, 'ort', f));
      // The pages load ./models/…: ship the models beside them, so the output works on any static server as is.
      mkdirSync(path.join(outDir, 'models'), { recursive: true });
      for (const f of MODEL_FILES) copyFileSync(path.join(ROOT, 'models', f), path.join(outDir, 'models', f));
    },
  };
}

export default defineConfig({
  root: path.join(ROOT, 'demo'),
  base: './',
  publicDir: false,
  plugins: [earshotAssets()],
  worker: { format: 'es' },
  // demo/element.html imports the element exactly as a page using the package would
  resolve: { alias: { 'earshot/web/mic-element': path.join(ROOT, 'src/web/mic-element.ts') } },
  server: { host: '127.0.0.1', port: 5173, headers: ISOLATION_HEADERS, fs: { allow: [ROOT] } },
  preview: { host: '127.0.0.1', port: 4173, headers: ISOLATION_HEADERS },
  build: {
    outDir: path.join(ROOT, 'dist/demo'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
    rollupOptions: { input: { index: path.join(ROOT, 'demo/index.html'), element: path.join(ROOT, 'demo/element.html') } },
  },
});
