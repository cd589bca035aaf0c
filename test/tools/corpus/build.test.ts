import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runBuilt, type CliRun } from '../../helpers/cli.js';
import { activePower, finishUtterance, planAugmentation, soxEffects, soxToFloat, telephoneBand, trimSilence, wavBytes, type Augmentation } from '../../../tools/corpus/augment.js';
import { estimateSeconds, selectRound, selectTrain } from '../../../tools/corpus/build.js';
import { fortuneEntries, looksLikeProse, splitSentences } from '../../../tools/corpus/fortunes.js';
import { generateSentences } from '../../../tools/corpus/generator.js';
import { normalize } from '../../../tools/corpus/normalize.js';
import { Rng, rngFor } from '../../../src/core/rng.js';
import { acceptable, splitOf, type Sentence } from '../../../tools/corpus/text.js';
import { matchesPlan, planSynth, render, type ManifestEntry, type UttPlan } from '../../../tools/corpus/synth.js';
import { parseWav } from '../../../tools/corpus/verify.js';
import { DEFAULT_FLITE_SHARE, espeakVoiceArg, GNUSPEECH_VOICES, parseEspeakVoiceList, pickVoice, randomVariant, type VoiceInventory } from '../../../tools/corpus/voices.js';
import { allOf, fortunesRequirement, tools } from '../../helpers/requirements.js';

describe('rng', () => {
  it('is deterministic per seed and key, and independent of call order', () => {
    const a = rngFor(1, 'utt', 5);
    const b = rngFor(1, 'utt', 5);
    expect([a.next(), a.next()]).toEqual([b.next(), b.next()]);
    expect(rngFor(1, 'utt', 5).next()).not.toBe(rngFor(1, 'utt', 6).next());
    expect(rngFor(1, 'utt', 5).next()).not.toBe(rngFor(2, 'utt', 5).next());
  });

  it('draws within ranges', () => {
    const r = new Rng(3);
    for (let i = 0; i < 1000; i++) {
      const x = r.uniform(0.9, 1.1);
      expect(x).toBeGreaterThanOrEqual(0.9);
      expect(x).toBeLessThan(1.1);
      const k = r.int(2, 4);
      expect([2, 3, 4]).toContain(k);
    }
    expect(() => r.pick([])).toThrow(/empty/);
  });
});

describe('fortunes', () => {
  it('splits entries and drops attributions and Q/A labels', () => {
    const text = 'A stitch in time saves nine.\n\t\t-- Proverb\n%\nQ: Why did the chicken cross the road?\nA: To get to the other side.\n%\n';
    const entries = fortuneEntries(text);
    expect(entries).toEqual(['A stitch in time saves nine.', 'Why did the chicken cross the road?\nTo get to the other side.']);
  });

  it('splits sentences but not after abbreviations or initials', () => {
    expect(splitSentences('Mr. Smith came home. He sat down! Did J. R. Bob call? Yes.')).toEqual([
      'Mr. Smith came home.', 'He sat down!', 'Did J. R. Bob call?', 'Yes.',
    ]);
  });

  it('rejects code, chess, fragments and acronym soup', () => {
    expect(looksLikeProse('The early bird gets the worm.')).toBe(true);
    expect(looksLikeProse('White plays 1. e4 and wins.')).toBe(false);
    expect(looksLikeProse('Use $x = <STDIN>; to read.')).toBe(false);
    expect(looksLikeProse('and then it ended.')).toBe(false);
    expect(looksLikeProse('The NSA, FBI and CIA met.')).toBe(false);
    expect(looksLikeProse('An unfinished thought')).toBe(false);
  });
});

describe('text pool', () => {
  it('accepts 3-20 known words and rejects stray letters', () => {
    const vocab = new Set(['the', 'cat', 'sat', 'down']);
    const ok = (s: string, v: Set<string> | null = vocab): boolean => acceptable(normalize(s)!, { minWords: 3, maxWords: 20 }, v);
    expect(ok('The cat sat down.')).toBe(true);
    expect(ok('The cat sat.')).toBe(true);
    expect(ok('The cat.')).toBe(false);
    expect(ok('The zebra sat down.')).toBe(false);
    expect(ok('Meet me at 7 a.m. today', null)).toBe(true);
    expect(ok('The x cat sat', null)).toBe(false);
  });

  it('splits by a seeded hash of the label', () => {
    const labels = Array.from({ length: 20000 }, (_, i) => `sentence number ${i}`);
    const splits = labels.map((l) => splitOf(l, 1, 0.03, 0.03));
    const dev = splits.filter((s) => s === 'dev').length / labels.length;
    const test = splits.filter((s) => s === 'test').length / labels.length;
    expect(dev).toBeGreaterThan(0.025);
    expect(dev).toBeLessThan(0.035);
    expect(test).toBeGreaterThan(0.025);
    expect(test).toBeLessThan(0.035);
    expect(splitOf('hello there friend', 1, 0.03, 0.03)).toBe(splitOf('hello there friend', 1, 0.03, 0.03));
  });

  it('generates varied, normalisable sentences deterministically', () => {
    const a = generateSentences(5, 2000);
    expect(a).toEqual(generateSentences(5, 2000));
    const labels = a.map((s) => normalize(s)?.label).filter((x): x is string => Boolean(x));
    expect(labels.length).toBeGreaterThan(1900);
    expect(new Set(labels).size).toBeGreaterThan(1800);
    for (const l of labels) expect(l).toMatch(/^[a-z' ]+$/);
  });

  it('selects training sentences towards a target duration', () => {
    const pool: Sentence[] = Array.from({ length: 3000 }, (_, i) => ({
      label: 'word '.repeat(3 + (i % 15)).trim() + ` n${String.fromCharCode(97 + (i % 26))}${i}`,
      spoken: '', source: 'generated', split: 'train',
    }));
    const uniform = selectTrain(pool, 1000, 1);
    const target = (uniform.estHours * 0.8);
    const biased = selectTrain(pool, 1000, 1, target);
    expect(biased.chosen).toHaveLength(1000);
    expect(new Set(biased.chosen.map((s) => s.label)).size).toBe(1000);
    expect(Math.abs(biased.estHours - target) / target).toBeLessThan(0.02);
    expect(biased.chosen.reduce((a, s) => a + estimateSeconds(s), 0) / 3600).toBeCloseTo(biased.estHours, 6);
  });

  it('gives an extra training round the sentences round 0 did not speak first', () => {
    const pool: Sentence[] = Array.from({ length: 3000 }, (_, i) => ({
      label: `${'word '.repeat(3 + (i % 15)).trim()} s${i}`, spoken: '', source: 'generated', split: 'train',
    }));
    const round0 = new Set(selectTrain(pool, 1000, 1, 1.2).chosen.map((s) => s.label));
    const r1 = selectRound(pool, 1000, 1, 1, round0).chosen.map((s) => s.label);
    expect(r1).toHaveLength(1000);
    expect(r1.filter((l) => round0.has(l))).toEqual([]);
    // Asking for more than the unspoken 2000: all of them, then 500 of round 0's, no duplicates.
    const big = selectRound(pool, 2500, 1, 1, round0).chosen.map((s) => s.label);
    expect(new Set(big).size).toBe(2500);
    expect(big.filter((l) => !round0.has(l))).toHaveLength(2000);
    expect(selectRound(pool, 2500, 1, 1, round0).chosen.map((s) => s.label)).toEqual(big);
    expect(selectRound(pool, 2500, 1, 2, round0).chosen.map((s) => s.label)).not.toEqual(big);
  });
});

describe('resumable synthesis', () => {
  const plan: UttPlan = {
    id: 'train-000001', audio: 'train/000/train-000001.wav', text: 'hello there', spoken: 'Hello there.', source: 'generated',
    voice: { engine: 'espeak-ng', name: 'en-us+f2' }, synth: { rate: 170, pitch: 50, gap: 0 },
    augmentation: planAugmentation(rngFor(1, 'train', 1, 'aug'), 'clean', 300),
  };
  const entry: ManifestEntry = {
    id: plan.id, audio: plan.audio, text: plan.text, voice: 'en-us+f2', engine: 'espeak-ng',
    augmentation: { ...plan.augmentation, gain_db: -3.2, synth: { rate: 170, pitch: 50, gap: 0 } }, duration: 1.2, source: 'generated',
  };
  it('keeps an entry only while the plan still asks for the same sentence, voice and settings', () => {
    expect(matchesPlan(entry, plan)).toBe(true);
    expect(matchesPlan({ ...entry, text: 'another sentence' }, plan)).toBe(false);
    expect(matchesPlan({ ...entry, voice: 'en-us+m3' }, plan)).toBe(false);
    expect(matchesPlan({ ...entry, augmentation: { ...plan.augmentation, gain_db: -3.2, synth: { rate: 171, pitch: 50, gap: 0 } } }, plan)).toBe(false);
    expect(matchesPlan({ ...entry, audio: 'train/000/other.wav' }, plan)).toBe(false);
  });
});

describe('voices', () => {
  it('parses espeak-ng voice lists', () => {
    const text = 'Pty Language       Age/Gender VoiceName          File                 Other Languages\n'
      + ' 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n'
      + ' 5  variant         --/F      female2            !v/f2                \n';
    expect(parseEspeakVoiceList(text)).toEqual([{ language: 'en-us', file: 'gmw/en-US' }, { language: 'variant', file: '!v/f2' }]);
  });

  it('writes short, valid variant files and paths espeak-ng accepts', () => {
    const v = randomVariant(new Rng(9), 'gen_t001');
    expect(v).toMatch(/^language variant\nname gen_t001\ngender (male|female)\npitch \d+ \d+\n/);
    expect(v.match(/^formant \d/gm)).toHaveLength(9);
    const arg = espeakVoiceArg('en-us+gen_t001');
    expect(`!v/${arg.split('+')[1]}`.length).toBeLessThan(40);
    expect(espeakVoiceArg('en-us+f2')).toBe('en-us+f2');
  });

  it('never gives festival or held-out voices to training', () => {
    const inv: VoiceInventory = {
      espeakPath: '/x', trainAccents: ['en-us', 'en-gb'], heldoutAccent: 'en-gb-scotland', trainVariants: ['f2', 'gen_t000'],
      heldoutVariants: ['m3', 'gen_h000'], flite: ['slt'], festival: ['kal_diphone', 'cmu_us_slt_arctic_hts'], droppedVariants: [],
    };
    for (let i = 0; i < 500; i++) {
      const v = pickVoice(inv, 'train', rngFor(1, 'v', i));
      expect(v.engine).not.toBe('festival');
      expect(v.name).not.toMatch(/scotland|m3|gen_h/);
      const h = pickVoice(inv, 'heldout', rngFor(1, 'h', i));
      expect(h.name.startsWith('en-gb-scotland')).toBe(true);
    }
    expect(pickVoice(inv, 'festival', new Rng(1), 0).name).toBe('kal_diphone');
    expect(pickVoice(inv, 'festival', new Rng(1), 1).name).toBe('cmu_us_slt_arctic_hts');
  });

  it('gives gnuspeech its share of training and leaves plans made without it unchanged', () => {
    const inv: VoiceInventory = {
      espeakPath: '/x', trainAccents: ['en-us', 'en-gb'], heldoutAccent: 'en-gb-scotland', trainVariants: ['f2', 'gen_t000'],
      heldoutVariants: ['m3'], flite: ['slt', 'kal'], festival: ['kal_diphone'], droppedVariants: [],
    };
    const picks = (v: VoiceInventory, pool: 'train' | 'heldout') => Array.from({ length: 400 }, (_, i) => pickVoice(v, pool, rngFor(1, 'v', i)));
    const without = picks(inv, 'train');
    // Share 0 (or an inventory without the gnuspeech fields, as rounds 0-2 wrote them) draws nothing extra.
    expect(picks({ ...inv, gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: 0 }, 'train')).toEqual(without);
    const some = picks({ ...inv, gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: 0.25 }, 'train');
    const gs = some.filter((v) => v.engine === 'gnuspeech');
    expect(gs.length).toBeGreaterThan(70);
    expect(gs.length).toBeLessThan(130);
    expect(new Set(gs.map((v) => v.name))).toEqual(new Set(GNUSPEECH_VOICES));
    expect(picks({ ...inv, gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: 1 }, 'train').every((v) => v.engine === 'gnuspeech')).toBe(true);
    // The held-out pool stays the held-out accent.
    expect(picks({ ...inv, gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: 1 }, 'heldout').every((v) => v.name.startsWith('en-gb-scotland'))).toBe(true);
  });

  it('gives flite the share a build asks for, and the default share leaves earlier plans unchanged', () => {
    const inv: VoiceInventory = {
      espeakPath: '/x', trainAccents: ['en-us', 'en-gb'], heldoutAccent: 'en-gb-scotland', trainVariants: ['f2', 'gen_t000'],
      heldoutVariants: ['m3'], flite: ['slt', 'kal', 'awb'], festival: ['kal_diphone'], droppedVariants: [],
    };
    const picks = (v: VoiceInventory) => Array.from({ length: 2000 }, (_, i) => pickVoice(v, 'train', rngFor(1, 'v', i)));
    const share = (v: VoiceInventory) => picks(v).filter((p) => p.engine === 'flite').length / 2000;
    expect(picks({ ...inv, fliteShare: DEFAULT_FLITE_SHARE })).toEqual(picks(inv));
    expect(share(inv)).toBeCloseTo(0.22, 1);
    expect(share({ ...inv, fliteShare: 0.5 })).toBeCloseTo(0.5, 1);
    expect(share({ ...inv, fliteShare: 0 })).toBe(0);
    expect(share({ ...inv, fliteShare: 1 })).toBe(1);
    // With gnuspeech too, flite's share is of the utterances gnuspeech leaves.
    const mixed = picks({ ...inv, gnuspeech: [...GNUSPEECH_VOICES], gnuspeechShare: 0.5, fliteShare: 1 });
    expect(mixed.every((p) => p.engine === 'gnuspeech' || p.engine === 'flite')).toBe(true);
    expect(mixed.filter((p) => p.engine === 'flite').length / 2000).toBeCloseTo(0.5, 1);
  });

  it('speaks with gnuspeech: concurrent calls each give their own 16 kHz speech after sox', async () => {
    const [a, b] = await Promise.all([
      render({ engine: 'gnuspeech', name: 'female' }, planSynth(new Rng(1), { engine: 'gnuspeech', name: 'female' }), 'open the window', { espeakPath: '', tmpDir: '', id: 'a' }),
      render({ engine: 'gnuspeech', name: 'male' }, { tempo: 1 }, 'put the cups on the shelf please', { espeakPath: '', tmpDir: '', id: 'b' }),
    ]);
    const x = await soxToFloat(a, []);
    const y = await soxToFloat(b, []);
    // Longer text, longer audio; both are voiced sound, not silence.
    expect(y.length / 16000).toBeGreaterThan(x.length / 16000 + 0.3);
    expect(x.length / 16000).toBeGreaterThan(0.5);
    expect(activePower(x)).toBeGreaterThan(1e-4);
    expect(activePower(y)).toBeGreaterThan(1e-4);
  });
});

describe('augmentation', () => {
  it('keeps planned values in their ranges and about 20% clean', () => {
    let clean = 0;
    for (let i = 0; i < 2000; i++) {
      const a = planAugmentation(rngFor(1, 'aug', i), 'train', 300);
      if (a.clean) clean++;
      expect(a.speed).toBeGreaterThanOrEqual(0.9);
      expect(a.speed).toBeLessThanOrEqual(1.1);
      expect(a.tempo).toBeGreaterThanOrEqual(0.9);
      expect(a.tempo).toBeLessThanOrEqual(1.1);
      expect(a.gain_db).toBeGreaterThanOrEqual(-10);
      expect(a.gain_db).toBeLessThanOrEqual(6);
      for (const p of a.pad_s) {
        expect(p).toBeGreaterThanOrEqual(0.1);
        expect(p).toBeLessThanOrEqual(0.8);
      }
      if (a.noise) {
        expect(a.noise.snr_db).toBeGreaterThanOrEqual(5);
        expect(a.noise.snr_db).toBeLessThanOrEqual(30);
      }
      if (a.clean) expect(soxEffects(a)).toEqual([]);
    }
    expect(clean / 2000).toBeGreaterThan(0.17);
    expect(clean / 2000).toBeLessThan(0.23);
    const e = planAugmentation(new Rng(1), 'clean', 300);
    expect(e.clean && !e.noise && !e.reverb && e.speed === 1).toBe(true);
  });

  const tone = (sec: number, amp: number): Float32Array => Float32Array.from({ length: sec * 16000 }, (_, i) => amp * Math.sin((2 * Math.PI * 440 * i) / 16000));
  const base: Augmentation = { clean: true, speed: 1, tempo: 1, pitch_cents: 0, reverb: null, noise: null, telephone: false, gain_db: 6, pad_s: [0.25, 0.5] };

  it('pads, trims and never clips', () => {
    const x = new Float32Array(16000 * 2);
    x.set(tone(1, 0.9), 8000);
    const { samples, gainDb } = finishUtterance(x, base, null);
    // 1 s of tone plus 10 ms margins plus 0.75 s padding.
    expect(samples.length / 16000).toBeCloseTo(1 + 0.02 + 0.75, 2);
    let peak = 0;
    for (const v of samples) peak = Math.max(peak, Math.abs(v));
    expect(peak).toBeLessThanOrEqual(1);
    expect(gainDb).toBeLessThanOrEqual(6);
    expect(trimSilence(new Float32Array(100)).length).toBe(0);
  });

  it('telephone band-pass keeps 1 kHz and removes 100 Hz and 6 kHz', () => {
    const sine = (f: number): Float32Array => Float32Array.from({ length: 16000 }, (_, i) => Math.sin((2 * Math.PI * f * i) / 16000));
    const gainAt = (f: number): number => {
      const x = sine(f);
      telephoneBand(x);
      return Math.sqrt(activePower(x.subarray(8000)) / 0.5);
    };
    expect(gainAt(1000)).toBeGreaterThan(0.9);
    expect(gainAt(100)).toBeLessThan(0.05);
    expect(gainAt(6000)).toBeLessThan(0.05);
  });

  it('writes WAVs that parse back', () => {
    const x = tone(1, 0.5);
    const info = parseWav(wavBytes(x));
    expect(info).toMatchObject({ sampleRate: 16000, channels: 1, bits: 16, samples: 16000, clipped: 0 });
    expect(info.peak).toBeCloseTo(0.5, 3);
  });
});

const build = (args: string[]): CliRun => runBuilt('dist/tools/corpus/build.js', args);

describe('corpus build options', () => {

  it('names a bad --gnuspeech-share or --train-mean-seconds and creates nothing', () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'earshot-build-')), 'corpus');
    const share = build(['--out', out, '--gnuspeech-share', '2']);
    expect(share.code).toBe(1);
    expect(share.stderr).toContain('--gnuspeech-share must be a number from 0 to 1, got "2"');
    const mean = build(['--out', out, '--train-mean-seconds', '-1']);
    expect(mean.code).toBe(1);
    expect(mean.stderr).toContain('--train-mean-seconds must be a number >= 0, got "-1"');
    expect(existsSync(out)).toBe(false);
    const via = build(['--out', out, '--via-rate', '8000']);
    expect(via.code).toBe(1);
    expect(via.stderr).toContain('--via-rate must be <hz>:<share>, a sample rate from 1000 to 192000 Hz and a share in (0, 1], e.g. 8000:0.2; got "8000"');
    expect(existsSync(out)).toBe(false);
  });
});

// Synthesis needs espeak-ng, flite, sox and the fortune databases (CI installs them); elsewhere the test runs where they are.
const tts = allOf(tools(['espeak-ng', 'flite', 'sox']), fortunesRequirement());

describe.skipIf(tts.skip)('corpus build: synthesis end to end', () => {
  const small = ['--train', '3', '--sets', 'train', '--jobs', '1', '--noise-seconds', '2', '--generated-variants', '0', '--sentences', '200', '--seed', '4'];
  const lines = (file: string): Record<string, unknown>[] => readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

  it('writes 16 kHz WAVs and a manifest, the same from the same seed, resumes, and with --via-rate narrow-band copies of the same audio', () => {
    tts.assertPresent();
    const [a, b] = [0, 1].map(() => path.join(mkdtempSync(path.join(tmpdir(), 'earshot-synth-')), 'corpus')) as [string, string];
    const ra = build(['--out', a, ...small, '--via-rate', '8000:1']);
    expect(ra.code, ra.stderr).toBe(0);
    const train = lines(path.join(a, 'train.jsonl'));
    expect(train).toHaveLength(3);
    for (const e of train) {
      expect(e.via_rate).toBeUndefined();
      const wav = parseWav(readFileSync(path.join(a, e.audio as string)));
      expect(wav).toMatchObject({ sampleRate: 16000, channels: 1 });
      expect(wav.samples / 16000).toBeCloseTo(e.duration as number, 2);
      expect(['espeak-ng', 'flite']).toContain(e.engine);
    }
    // Share 1: every entry once more, the same audio, heard via 8 kHz.
    expect(lines(path.join(a, 'train_via8000.jsonl'))).toEqual(train.map((e) => ({ ...e, id: `${e.id as string}-via8000`, via_rate: 8000 })));
    // Same seed, same corpus; a second run over it finds everything made.
    expect(build(['--out', b, ...small]).code).toBe(0);
    expect(readFileSync(path.join(b, 'train.jsonl'), 'utf8')).toBe(readFileSync(path.join(a, 'train.jsonl'), 'utf8'));
    expect(existsSync(path.join(b, 'train_via8000.jsonl'))).toBe(false);
    const again = build(['--out', a, ...small, '--via-rate', '8000:1']);
    expect(again.stderr).toMatch(/made 0, skipped 3, failed 0/);
  }, 180_000); // three real synthesis runs (espeak-ng, flite, sox): tens of seconds on a loaded 2-core machine
});
