/** The shipped default model and LM: what the README's first command runs. */
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { earshot, ROOT } from '../helpers/cli.js';

const sample = path.join(ROOT, 'models/sample.wav');

describe('shipped default model', () => {
  it('transcribe without --model uses models/earshot-en.onnx and finds speech in the sample', () => {
    const r = earshot(['transcribe', '-f', 'json', sample]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    // Greedy character output of "put the cups on the shelf" (espeak-ng en-us, a sentence not in training).
    expect(j.words.length).toBeGreaterThanOrEqual(4);
    expect(j.text).toMatch(/^put the/);
    expect(j.words[0].start).toBeGreaterThan(0.4); // the sample has 0.5 s of leading silence
  });

  it('beam search with the shipped LM gives the exact sentence', () => {
    const r = earshot(['transcribe', '--decoder', 'beam', '--lm', path.join(ROOT, 'models/en-3gram.lmbin'), '--lm-weight', '0.5', '--word-bonus', '4', sample]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('put the cups on the shelf\n');
  });

  it('inspect reports the shipped architecture: leaky ReLU, alpha 0.01, CTC over characters', () => {
    const r = earshot(['inspect', '--json', path.join(ROOT, 'models/earshot-en.onnx')]);
    expect(r.code).toBe(0);
    const s = JSON.stringify(JSON.parse(r.stdout));
    expect(s).toContain('"activation":"lrelu"');
    expect(s).toContain('"alpha":0.01');
    expect(s).toContain('"type":"ctc"');
    // The beam settings tuned on dev travel in the model: beam search uses them unless flags say otherwise.
    expect(s).toContain('"lm":{"weight":0.7,"wordBonus":6}');
    const t = earshot(['inspect', path.join(ROOT, 'models/earshot-en.onnx')]);
    expect(t.stdout).toMatch(/with an LM: weight 0\.7, word bonus 6/);
  });
});
