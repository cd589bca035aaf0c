/** The isolated-word evaluation set's plan (tools/corpus/isolated-words.ts): voices per subset, ids, clean audio. */
import { describe, expect, it } from 'vitest';
import { chooseWordVoices, planWords, VOCABULARY, WORD_PAD_SECONDS } from '../../../tools/corpus/isolated-words.js';

const inv = {
  heldoutAccent: 'en-gb-scotland',
  heldoutVariants: ['Andrea', 'Jacky', 'quincy', 'gen_h000', 'gen_h001', 'gen_h002'],
  trainAccents: ['en-gb', 'en-us'],
  flite: ['kal', 'kal16', 'awb', 'slt'],
  festival: ['cmu_us_slt_arctic_hts', 'kal_diphone'],
};

describe('isolated words', () => {
  it('has a vocabulary of 30 distinct lowercase words', () => {
    expect(VOCABULARY).toHaveLength(30);
    expect(new Set(VOCABULARY).size).toBe(30);
    for (const w of VOCABULARY) expect(w).toMatch(/^[a-z]+$/);
  });

  it('festival voices for festival, the held-out accent and its held-out variants for heldout, training voices for seen', () => {
    const v = chooseWordVoices(inv, 4, 1);
    expect(v.festival).toEqual([{ engine: 'festival', name: 'cmu_us_slt_arctic_hts' }, { engine: 'festival', name: 'kal_diphone' }]);
    expect(v.heldout).toHaveLength(5);
    expect(v.heldout[0]).toEqual({ engine: 'espeak-ng', name: 'en-gb-scotland' });
    const variants = v.heldout.slice(1).map((x) => x.name.replace('en-gb-scotland+', ''));
    for (const x of variants) expect(inv.heldoutVariants).toContain(x);
    expect(variants.filter((x) => x.startsWith('gen_'))).toHaveLength(2);
    // Seen: the wanted flite voices that are installed (no rms here), then espeak-ng en-us.
    expect(v.seen).toEqual([{ engine: 'flite', name: 'kal' }, { engine: 'flite', name: 'slt' }, { engine: 'flite', name: 'awb' }, { engine: 'espeak-ng', name: 'en-us' }]);
    expect(chooseWordVoices(inv, 4, 1)).toEqual(v);
  });

  it('refuses a seen espeak-ng voice that is not a training accent, and a subset without voices', () => {
    expect(() => chooseWordVoices({ ...inv, trainAccents: ['en-gb'] }, 2, 1)).toThrow(/"en-us" is not a training accent/);
    expect(() => planWords('festival', [])).toThrow(/subset festival has no voices/);
  });

  it('plans every word for every voice, clean with 0.3 s of silence either side', () => {
    const plans = planWords('seen', [{ engine: 'flite', name: 'kal' }, { engine: 'espeak-ng', name: 'en-us' }]);
    expect(plans).toHaveLength(60);
    expect(new Set(plans.map((p) => p.id)).size).toBe(60);
    expect(plans[31]).toMatchObject({ id: 'words_seen-01-no', audio: 'words_seen/words_seen-01-no.wav', text: 'no', spoken: 'no', voice: { engine: 'espeak-ng', name: 'en-us' } });
    for (const p of plans) expect(p.augmentation).toMatchObject({ clean: true, noise: null, reverb: null, speed: 1, pad_s: [WORD_PAD_SECONDS, WORD_PAD_SECONDS] });
  });
});
