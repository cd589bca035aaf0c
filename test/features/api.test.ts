/** The public surface of src/features: pinned export list, TSDoc @example on every export, platform neutrality. */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as features from '../../src/features/index.js';

const dir = new URL('../../src/features/', import.meta.url);
const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));

describe('src/features public API', () => {
  it('exports exactly these runtime values', () => {
    expect(Object.keys(features).sort()).toEqual(
      [
        'BaseFeatureExtractor',
        'FastMfcc',
        'FeatureExtractor',
        'MeydaFft',
        'NormStatsAccumulator',
        'SLIDING_VAR_FLOOR',
        'analysisWindow',
        'baseDim',
        'computeBaseFeatures',
        'computeDeltas',
        'computeFeatures',
        'computeNormStats',
        'defaultFeatureConfig',
        'featureConfigProblems',
        'frameCount',
        'inputDim',
        'meydaMelFilterBank',
        'meydaMfcc',
        'modelFrameCount',
        'normalizeFrames',
        'outputFrameSeconds',
        'spliceFrames',
      ].sort(),
    );
  });

  it('every name exported by index.ts has TSDoc with an @example where it is declared', () => {
    const index = readFileSync(new URL('index.ts', dir), 'utf8');
    const names = [...index.matchAll(/export \{([^}]*)\}/g)].flatMap((m) => m[1].split(',').map((s) => s.replace(/\btype\b/, '').trim()).filter(Boolean));
    expect(names.length).toBeGreaterThan(20);
    const missing: string[] = [];
    for (const name of names) {
      const decl = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*export (?:declare )?(?:abstract )?(?:class|function|const|interface|type) ${name}\\b`);
      const doc = files.map((f) => readFileSync(new URL(f, dir), 'utf8').match(decl)).find(Boolean);
      if (!doc || !doc[1].includes('@example')) missing.push(name);
    }
    expect(missing).toEqual([]);
  });

  it('is platform-neutral: imports only relative modules, core errors and meyda', () => {
    for (const f of files) {
      const src = readFileSync(new URL(f, dir), 'utf8');
      for (const m of src.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
        const spec = m[1] ?? m[2];
        expect(spec === 'meyda' || spec.startsWith('./') || spec === '../core/errors.js', `${f} imports ${spec}`).toBe(true);
      }
      expect(/\b(document|globalThis\.window|AudioContext|process\.)/.test(src), `${f} uses a platform API`).toBe(false);
    }
  });
});
