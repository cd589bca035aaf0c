import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../../src/core/errors.js';
import { featurize } from '../../../tools/featurize/featurize.js';
import { defaultFeatureConfig } from '../../../src/features/config.js';
import { augmentSet } from '../../../tools/corpus/augment-set.js';
import { DEFAULT_SPLIT, writeSplit } from '../../../tools/corpus/real-split.js';
import { refuseReserved, reservedReason } from '../../../tools/corpus/reserved.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'earshot-reserved-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const clip = path.join(tmp, 'clip.wav');
writeFileSync(clip, 'not read: the guard runs before any audio is decoded');
const line = (o: Record<string, unknown>): string => `${JSON.stringify({ id: 'x', audio: clip, text: 'hello there', voice: 'v', duration: 1, ...o })}\n`;

describe('the evaluation guard', () => {
  it('recognises festival voices, evaluation-only sources and the reserved packages\' folders', () => {
    expect(reservedReason({ audio: clip, engine: 'festival', source: 'generated' })).toMatch(/festival voice \(festvox-\*\)/);
    expect(reservedReason({ audio: clip, engine: 'human', source: 'debian/asterisk' })).toMatch(/debian\/asterisk .* evaluation only/);
    expect(reservedReason({ audio: clip, source: 'debian/klettres' })).toMatch(/klettres-data/);
    expect(reservedReason({ audio: '/usr/share/sounds/alsa/Front_Left.wav' })).toMatch(/from alsa-utils, reserved/);
    expect(reservedReason({ audio: '/usr/share/tuxpaint/stamps/animals/cat.ogg' })).toMatch(/tuxpaint-stamps-default/);
    expect(reservedReason({ audio: '../../usr/share/festival/voices/x.wav' }, '/a/b')).toMatch(/festvox/);
    expect(reservedReason({ audio: clip, engine: 'espeak-ng', source: 'generated' })).toBeNull();
    expect(reservedReason({ audio: clip, engine: 'human', source: 'debian/flight-of-the-amazon-queen' })).toBeNull();
    expect(() => refuseReserved([{ id: 'a', audio: clip, engine: 'festival' }, { id: 'b', audio: clip }], 'here')).toThrow(
      /here: 1 clip is reserved for evaluation and may not be trained on \(a: it is a festival voice/,
    );
  });

  it('featurize, augment-set and real-split refuse a reserved clip, naming it', async () => {
    const m = path.join(tmp, 'mixed.jsonl');
    writeFileSync(m, line({ id: 'ok', engine: 'espeak-ng', source: 'generated' }) + line({ id: 'fest-1', engine: 'festival', source: 'generated' }));
    await expect(featurize({ manifests: [m], out: path.join(tmp, 'feats'), config: defaultFeatureConfig(), workers: 0 })).rejects.toThrow(/--allow-reserved.*fest-1: it is a festival voice/);
    await expect(augmentSet({ inputs: [m], out: path.join(tmp, 'aug'), copies: 1, seed: 1, jobs: 1, joinShare: 0, name: 'x', log: () => undefined })).rejects.toThrow(
      /augment-set .*fest-1: it is a festival voice/,
    );
    const r = path.join(tmp, 'real.jsonl');
    writeFileSync(r, line({ id: 'q1', engine: 'human', source: 'debian/flight-of-the-amazon-queen', voice: 'queen/joe' }) + line({ id: 'ast-1', engine: 'human', source: 'debian/asterisk' }));
    await expect(writeSplit([r], path.join(tmp, 'split'), DEFAULT_SPLIT)).rejects.toThrow(UsageError);
    await expect(writeSplit([r], path.join(tmp, 'split'), DEFAULT_SPLIT)).rejects.toThrow(/real-split .*real.jsonl:2 .*ast-1: its source debian\/asterisk/);
  });
});
