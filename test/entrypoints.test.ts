/** The public surface and the platform boundary: pinned export lists, and a core that imports no platform. */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import * as api from '../src/api.js';
import type { LoadOptions, OrtModule } from '../src/api.js';
import * as nodeEntry from '../src/node/index.js';
import * as webEntry from '../src/web/index.js';
import * as micElement from '../src/web/mic-element.js';
import { VERSION } from '../src/version.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('entry points', () => {
  // The shared API (src/api.ts), then what each platform adds: loading (and, in Node, files).
  const CORE = ['ArpaLanguageModel', 'AudioInputError', 'BinaryLanguageModel', 'ConversionError', 'DEFAULT_LEADING_SILENCE_SECONDS', 'EarshotError', 'ExitCode', 'ModelError', 'QUIET_START_SECONDS', 'RecognitionStream', 'Recognizer', 'UsageError', 'WHOLE_INPUT_BATCH_FRAMES', 'formatTranscript', 'parseLanguageModel', 'toCues'];
  const NODE_ONLY = ['defaultLanguageModelPath', 'defaultModelPath', 'loadDefaultLanguageModel', 'loadLanguageModel', 'loadRecognizer', 'transcribeAudio', 'transcribeFile'];
  const WEB_ONLY = ['SpeechError', 'SpeechRecognizer', 'createRecognizer', 'createSpeechRecognizer'];

  it('the shared API module exports exactly this core', () => {
    expect(Object.keys(api).sort()).toEqual([...CORE].sort());
  });

  it('the Node entry exports exactly the core plus its loading and files, the core being the same objects', () => {
    expect(Object.keys(nodeEntry).sort()).toEqual([...CORE, ...NODE_ONLY].sort());
    for (const k of CORE) expect(nodeEntry[k as keyof typeof nodeEntry], k).toBe(api[k as keyof typeof api]);
  });

  it('the browser entry exports exactly the core plus its loading and speech frontend, the core being the same objects', () => {
    expect(Object.keys(webEntry).sort()).toEqual([...CORE, ...WEB_ONLY].sort());
    for (const k of CORE) expect(webEntry[k as keyof typeof webEntry], k).toBe(api[k as keyof typeof api]);
  });

  it('both entries take the one LoadOptions type, decoder options included (checked by the compiler)', () => {
    const decoder = { type: 'beam', beam: 4 } as const;
    const shared: LoadOptions = { threads: 1, decoder, batchFrames: 32 };
    const node: Parameters<typeof nodeEntry.loadRecognizer>[0] = { ...shared, model: 'm.onnx' };
    const web: Parameters<typeof webEntry.createRecognizer>[0] = { ...shared, ort: {} as OrtModule, model: '/m.onnx' };
    expect([node.decoder, web.decoder]).toEqual([decoder, decoder]);
  });

  it('the <earshot-mic> subpath exports exactly this API, and importing it without a DOM (Node, SSR) defines nothing and does not throw', () => {
    expect(Object.keys(micElement).sort()).toEqual(['EarshotMicElement', 'defineEarshotMic']);
    expect(micElement.defineEarshotMic()).toBeUndefined();
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['./web/mic-element']).toEqual({ types: './dist/src/web/mic-element.d.ts', default: './dist/src/web/mic-element.js' });
  });

  it('package.json routes node and default conditions to the two entries, and the version matches', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(pkg.exports['.'].node.default).toBe('./dist/src/node/index.js');
    expect(pkg.exports['.'].default.default).toBe('./dist/src/web/index.js');
    expect(pkg.bin.earshot).toBe('dist/src/cli/main.js');
    expect(pkg.version).toBe(VERSION);
  });

  it('the package ships the model, the .lmbin LM, the sample and the model card from models/, and no ARPA text', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    const models = pkg.files.filter((f) => f.startsWith('models/'));
    expect(models.sort()).toEqual(['models/*.lmbin', 'models/*.onnx', 'models/README.md', 'models/sample.wav']);
    expect(readdirSync(path.join(ROOT, 'models')).filter((f) => f.endsWith('.arpa'))).toEqual([]);
    for (const f of ['en-3gram.lmbin', 'sample.wav', 'README.md']) expect(statSync(path.join(ROOT, 'models', f)).isFile(), f).toBe(true);
  });
});

describe('platform boundary', () => {
  const core = ['src/core', 'src/features', 'src/model', 'src/decoder', 'src/lm', 'src/audio', 'src/convert', 'src/eval', 'src/web', 'src/recognizer.ts', 'src/format.ts'].flatMap((p) => {
    const abs = path.join(ROOT, p);
    return statSync(abs).isDirectory() ? files(abs) : [abs];
  });

  it('the platform-neutral core imports no Node built-ins and no onnxruntime package', () => {
    expect(core.length).toBeGreaterThan(20);
    const bad: string[] = [];
    for (const f of core) {
      const src = readFileSync(f, 'utf8');
      for (const m of src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
        const spec = m[1] ?? m[2]!;
        const typeOnly = /^\s*(?:import|export)\s+type\b/.test(m[0]);
        if (spec.startsWith('node:') || ['fs', 'path', 'os', 'child_process', 'worker_threads'].includes(spec)) bad.push(`${path.relative(ROOT, f)}: ${spec}`);
        if (spec.startsWith('onnxruntime') && !typeOnly) bad.push(`${path.relative(ROOT, f)}: ${spec}`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('the core uses no DOM globals (window, document, navigator)', () => {
    const bad = core.filter((f) => !f.includes(`${path.sep}web${path.sep}`) && /\b(window|document|navigator)\./.test(readFileSync(f, 'utf8')));
    expect(bad.map((f) => path.relative(ROOT, f))).toEqual([]);
  });
});
