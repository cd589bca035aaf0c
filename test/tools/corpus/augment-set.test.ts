import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { augmentSet, babble, CLEAN_SHARE, planContext, planCopy, readInputs, renderCopy, type CopyPlan, type PlanContext, type SetAugmentation, type SetInput, type SetNoise } from '../../../tools/corpus/augment-set.js';
import { NoiseBank, SAMPLE_RATE, trimEdges, wavBytes } from '../../../tools/corpus/augment.js';
import { codecRoundTrip, micEffects, MissingToolError, requireChannelTools, reverbEffects, soxFloat } from '../../../tools/corpus/channel.js';
import { Rng } from '../../../src/core/rng.js';
import { UsageError } from '../../../src/core/errors.js';
import { runBuilt } from '../../helpers/cli.js';
import { tools } from '../../helpers/requirements.js';

const req = tools(['sox', 'ffmpeg']);

/** A voiced, speech-like burst: harmonics of a gliding f0 plus a seeded noise component, silence either side. */
function utterance(rate: number, f0: number, seconds: number, seed: number): Float32Array {
  const r = new Rng(seed);
  const pad = Math.round(0.2 * rate);
  const n = Math.round(seconds * rate);
  const x = new Float32Array(pad + n + pad);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / rate;
    const f = f0 * (1 + 0.1 * Math.sin(2 * Math.PI * 3 * t));
    phase += (2 * Math.PI * f) / rate;
    const env = Math.sin((Math.PI * i) / n) ** 0.5;
    let v = 0;
    for (let h = 1; h * f < rate / 2 - 200; h++) v += Math.sin(h * phase) / h;
    x[pad + i] = 0.25 * env * (v + 0.5 * (r.next() * 2 - 1));
  }
  return x;
}

/** Power of `x` in [lo, hi) Hz, averaged over 512-point frames (direct DFT, Hann window): an independent check. */
function bandPower(x: Float32Array, lo: number, hi: number, rate = SAMPLE_RATE): number {
  const n = 512;
  let total = 0;
  let frames = 0;
  for (let s = 0; s + n <= x.length; s += n * 4) {
    for (let k = Math.ceil((lo * n) / rate); k < Math.min(n / 2, (hi * n) / rate); k++) {
      let re = 0, im = 0;
      for (let i = 0; i < n; i++) {
        const w = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n);
        re += w * x[s + i]! * Math.cos((2 * Math.PI * k * i) / n);
        im -= w * x[s + i]! * Math.sin((2 * Math.PI * k * i) / n);
      }
      total += re * re + im * im;
    }
    frames++;
  }
  return total / Math.max(1, frames);
}

function power(x: Float32Array): number {
  let e = 0;
  for (const v of x) e += v * v;
  return e / x.length;
}

const NONE: CopyPlan['augmentation'] = { clean: true, speed: 1, pitch_cents: 0, reverb: null, noise: null, mic: [], codec: null, gain_db: 0, pad_s: [0.1, 0.1] };

describe.skipIf(req.skip)('augment-set', () => {
  let dir: string;
  let manifest: string;
  let ctx: PlanContext;
  let bank: NoiseBank;
  const inputs = (): SetInput[] => ctx.inputs;
  const plan = (parts: SetInput[], a: Partial<CopyPlan['augmentation']>, gap = 0): CopyPlan => ({ id: 'x', parts, gap_s: gap, augmentation: { ...NONE, ...a } });
  const render = async (p: CopyPlan): Promise<{ samples: Float32Array; augmentation: SetAugmentation }> => renderCopy(p, { bank, plan: ctx });

  beforeAll(async () => {
    req.assertPresent();
    dir = mkdtempSync(path.join(tmpdir(), 'earshot-augset-'));
    // Three tiny recordings at three rates: two of speaker "a", one of "b".
    writeFileSync(path.join(dir, 'a1.wav'), wavBytes(utterance(22050, 140, 0.8, 1), 22050));
    writeFileSync(path.join(dir, 'a2.wav'), wavBytes(utterance(16000, 150, 0.6, 2), 16000));
    writeFileSync(path.join(dir, 'b1.wav'), wavBytes(utterance(11025, 210, 0.7, 3), 11025));
    manifest = path.join(dir, 'tiny.jsonl');
    writeFileSync(manifest, [
      { id: 'a1', audio: 'a1.wav', text: 'hello there', voice: 'a', engine: 'human', source: 'test', licence: 'CC0' },
      { id: 'a2', audio: 'a2.wav', text: 'good morning', voice: 'a', engine: 'human', source: 'test', licence: 'CC0' },
      { id: 'b1', audio: 'b1.wav', text: 'bye', voice: 'b', engine: 'human', source: 'test' },
    ].map((e) => `${JSON.stringify(e)}\n`).join(''));
    ctx = planContext(readInputs(readFileSync(manifest, 'utf8'), manifest), 1, 0, 60);
    bank = await NoiseBank.open(path.join(dir, 'noise'), 60);
  }, 60_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('plans the documented mix: ~13 % clean, a fifth without leading silence, every family, joins of one speaker', () => {
    // A larger input to plan over (no audio is read when planning).
    const many: SetInput[] = Array.from({ length: 40 }, (_, i) => ({ id: `u${i}`, file: `/x/u${i}.wav`, text: 'w', voice: `v${i % 5}`, engine: 'human', source: 's' }));
    const c = planContext(many, 7, 0.3, 300);
    const plans = many.flatMap((e) => [1, 2, 3, 4, 5].map((k) => planCopy(e, k, c)));
    const share = (f: (p: CopyPlan) => boolean): number => plans.filter(f).length / plans.length;
    expect(share((p) => p.augmentation.clean)).toBeGreaterThan(CLEAN_SHARE);
    expect(share((p) => p.augmentation.clean)).toBeLessThan(0.18);
    expect(share((p) => p.augmentation.pad_s[0] === 0)).toBeGreaterThan(0.14);
    expect(share((p) => p.augmentation.pad_s[0] === 0)).toBeLessThan(0.26);
    expect(share((p) => p.parts.length === 2)).toBeGreaterThan(0.22);
    for (const p of plans) {
      const a = p.augmentation;
      expect(a.speed === 1 || (a.speed >= 0.9 && a.speed <= 1.1)).toBe(true);
      expect(Math.abs(a.pitch_cents)).toBeLessThanOrEqual(200);
      expect(a.pad_s.every((s) => s >= 0 && s <= 0.5)).toBe(true);
      if (a.noise) expect(a.noise.snr_db >= 5 && a.noise.snr_db <= 30).toBe(true);
      if (a.codec?.kind === 'mp3') expect(a.codec.kbps >= 16 && a.codec.kbps <= 32).toBe(true);
      if (a.codec?.kind === 'opus') expect(a.codec.kbps >= 8 && a.codec.kbps <= 24).toBe(true);
      if (p.parts.length === 2) {
        expect(p.parts[1]!.voice).toBe(p.parts[0]!.voice);
        expect(p.parts[1]!.id).not.toBe(p.parts[0]!.id);
        expect(p.gap_s >= 0.3 && p.gap_s <= 2).toBe(true);
      }
      if (a.noise?.kind === 'babble') {
        expect(a.noise.talkers.length >= 3 && a.noise.talkers.length <= 6).toBe(true);
        // Five voices: three or more other speakers are always there.
        for (const t of a.noise.talkers) expect(c.byId.get(t.id)!.voice).not.toBe(p.parts[0]!.voice);
      }
    }
    const kinds = new Set(plans.flatMap((p) => [p.augmentation.reverb?.room, p.augmentation.noise?.kind, p.augmentation.codec?.kind, ...p.augmentation.mic.map((m) => m.type)]));
    for (const k of ['small', 'medium', 'large', 'white', 'pink', 'brown', 'babble', 'mp3', 'opus', 'gsm', 'mulaw', 'highpass', 'lowpass', 'equalizer', 'bass', 'treble']) expect(kinds).toContain(k);
  });

  it('speed perturbation changes the duration by the factor', async () => {
    const a1 = ctx.byId.get('a1')!;
    const base = await render(plan([a1], { pad_s: [0, 0] }));
    for (const speed of [0.9, 1.1]) {
      const { samples } = await render(plan([a1], { speed, pad_s: [0, 0], clean: false }));
      expect(samples.length / base.samples.length).toBeCloseTo(1 / speed, 1);
      expect(Math.abs(samples.length - base.samples.length / speed)).toBeLessThan(0.02 * SAMPLE_RATE);
    }
    // A pitch shift keeps the tempo.
    const shifted = await render(plan([a1], { pitch_cents: 150, pad_s: [0, 0], clean: false }));
    expect(Math.abs(shifted.samples.length - base.samples.length)).toBeLessThan(0.02 * SAMPLE_RATE);
  });

  it('a copy without leading silence starts its speech at sample 0; padding is where it was drawn; gain is limited', async () => {
    const a2 = ctx.byId.get('a2')!;
    const { samples: x } = await render(plan([a2], { pad_s: [0, 0.25] }));
    let peak = 0;
    for (const v of x) peak = Math.max(peak, Math.abs(v));
    expect(Math.abs(x[0]!)).toBeGreaterThanOrEqual(peak * 10 ** (-50 / 20) - 1 / 32768);
    expect(power(x.subarray(0, 160))).toBeGreaterThan(1e-4 * peak * peak);
    const { samples: y } = await render(plan([a2], { pad_s: [0.3, 0.25] }));
    expect(y.length - x.length).toBeGreaterThan(0.3 * SAMPLE_RATE - 1);
    expect(y.subarray(0, Math.round(0.3 * SAMPLE_RATE)).every((v) => v === 0)).toBe(true);
    // Gain: relative to a -6 dBFS peak, limited to a -0.1 dBFS peak (and the applied gain recorded).
    const peakOf = (z: Float32Array): number => z.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const quiet = await render(plan([a2], { gain_db: -4 }));
    expect(20 * Math.log10(peakOf(quiet.samples))).toBeCloseTo(-10, 3);
    expect(quiet.augmentation.gain_applied_db).toBe(-4);
    const loud = await render(plan([a2], { gain_db: 9 }));
    expect(20 * Math.log10(peakOf(loud.samples))).toBeCloseTo(-0.1, 3);
    expect(loud.augmentation.gain_applied_db).toBe(5.9);
  });

  it('a join has silence of the drawn length at the drawn place, and text of both', async () => {
    const [a1, a2] = [ctx.byId.get('a1')!, ctx.byId.get('a2')!];
    const gap = 0.73;
    const { samples: x, augmentation } = await render(plan([a1, a2], { pad_s: [0.2, 0.1] }, gap));
    const join = augmentation.join!;
    expect(join).toMatchObject({ with: 'a2', gap_s: gap });
    const at = Math.round(join.at_s * SAMPLE_RATE);
    const g = Math.round(gap * SAMPLE_RATE);
    expect(x.subarray(at, at + g).every((v) => v === 0)).toBe(true);
    // Speech right before the gap (within A's 10 ms release margin) and right after it (within B's onset margin).
    expect(power(x.subarray(at - 480, at))).toBeGreaterThan(1e-6);
    expect(power(x.subarray(at + g, at + g + 480))).toBeGreaterThan(1e-6);
    // The whole: lead + A + gap + B + trail.
    const alone = await render(plan([a2], { pad_s: [0.1, 0] })); // with its 10 ms onset margin, as in the join
    // lead + A + gap + B (with its margin) + trail 0.1 s = at + gap + (0.1 s + B) of `alone`.
    expect(x.length).toBe(at + g + alone.samples.length);
    // B starts right after the gap: its first sound is as far from the gap's end as from the 0.1 s lead alone.
    const firstSound = (z: Float32Array, from: number): number => {
      let i = from;
      while (i < z.length && z[i] === 0) i++;
      return i - from;
    };
    expect(firstSound(x, at + g)).toBe(firstSound(alone.samples, Math.round(0.1 * SAMPLE_RATE)));
    // Planned joins pair entries of one voice and join their text.
    const c = planContext(inputs(), 3, 1, 60);
    const p = planCopy(ctx.byId.get('a1')!, 1, c);
    expect(p.parts.map((e) => e.id)).toEqual(['a1', 'a2']);
    expect(planCopy(ctx.byId.get('b1')!, 1, c).parts).toHaveLength(1); // b has no second utterance
  });

  it('codecs band-limit the signal and keep its alignment', async () => {
    const x = (await render(plan([ctx.byId.get('a1')!], { pad_s: [0.1, 0.1] }))).samples;
    const hi = (y: Float32Array, f: number): number => bandPower(y, f, 8000) / bandPower(y, 0, 8000);
    expect(hi(x, 4200)).toBeGreaterThan(0.02);
    for (const codec of [{ kind: 'gsm' }, { kind: 'mulaw' }, { kind: 'opus', kbps: 8 }] as const) {
      const y = await codecRoundTrip(x, codec);
      expect(y.length).toBe(x.length);
      expect(hi(y, 4200) / hi(x, 4200)).toBeLessThan(0.01);
    }
    const mp3 = await codecRoundTrip(x, { kind: 'mp3', kbps: 16 });
    expect(hi(mp3, 6000) / hi(x, 6000)).toBeLessThan(0.01);
    // Alignment: the decoded low band lines up with the input at lag 0 (not shifted by the codec delay).
    for (const codec of [{ kind: 'mp3', kbps: 32 }, { kind: 'mulaw' }] as const) {
      const y = await codecRoundTrip(x, codec);
      const corr = (lag: number): number => {
        let s = 0;
        for (let i = 2000; i < x.length - 2000; i++) s += x[i]! * y[i + lag]!;
        return s;
      };
      let best = 0;
      for (let lag = -400; lag <= 400; lag++) if (corr(lag) > corr(best)) best = lag;
      expect(Math.abs(best)).toBeLessThanOrEqual(3);
    }
  });

  it('microphone EQ and reverberation shape the signal as their parameters say', async () => {
    const x = (await render(plan([ctx.byId.get('a1')!], { pad_s: [0.1, 0.3] }))).samples;
    const lp = await soxFloat(x, micEffects([{ type: 'lowpass', hz: 3500 }]));
    expect(bandPower(lp, 6000, 8000) / bandPower(x, 6000, 8000)).toBeLessThan(0.05);
    const hp = await soxFloat(x, micEffects([{ type: 'highpass', hz: 300 }]));
    expect(bandPower(hp, 0, 150) / bandPower(x, 0, 150)).toBeLessThan(0.3);
    const cut = await soxFloat(x, micEffects([{ type: 'equalizer', hz: 2000, q: 1, gain_db: -8 }]));
    const ratioDb = 10 * Math.log10(bandPower(cut, 1900, 2100) / bandPower(x, 1900, 2100));
    expect(ratioDb).toBeLessThan(-5);
    expect(ratioDb).toBeGreaterThan(-11);
    // Reverberation fills the silence after the speech with a decaying tail.
    const rev = await soxFloat(x, reverbEffects({ room: 'large', reverberance: 80, hf_damping: 20, room_scale: 100, pre_delay_ms: 10 }));
    const end = trimEdges(x, -50, 0, false).length + Math.round(0.1 * SAMPLE_RATE); // the speech ends here
    const tail = (y: Float32Array): number => power(y.subarray(end + 400, end + 2400));
    expect(tail(rev)).toBeGreaterThan(100 * tail(x) + 1e-7);
  });

  it('mixes colored noise and babble at the drawn SNR on active speech', async () => {
    const a1 = ctx.byId.get('a1')!;
    const clean = (await render(plan([a1], { pad_s: [0, 0] }))).samples;
    const noises: SetNoise[] = [{ kind: 'pink', snr_db: 10, offset_s: 3 }, { kind: 'babble', snr_db: 10, talkers: [{ id: 'a2', offset: 0.2 }, { id: 'b1', offset: 0.5 }, { id: 'b1', offset: 0 }] }];
    for (const noise of noises) {
      const { samples: y } = await render(plan([a1], { pad_s: [0, 0], noise, clean: false }));
      expect(y.length).toBe(clean.length);
      // Least-squares fit of the clean copy, then SNR of the rest, on the speech span (energetic frames).
      let xy = 0, xx = 0;
      for (let i = 0; i < y.length; i++) { xy += clean[i]! * y[i]!; xx += clean[i]! * clean[i]!; }
      const k = xy / xx;
      const res = new Float32Array(y.length);
      for (let i = 0; i < y.length; i++) res[i] = y[i]! - k * clean[i]!;
      const speech = power(clean) * k * k;
      const snr = 10 * Math.log10(speech / power(res));
      // Active-speech SNR is 10 dB; over the whole copy the speech power is a little lower.
      expect(snr).toBeGreaterThan(7);
      expect(snr).toBeLessThan(11);
    }
    // babble() sums talkers at equal active power, looped to the length asked for.
    const b = babble([new Float32Array([1, -1]), new Float32Array([0.5, 0.5, -0.5])], [0, 0], 6);
    // Scales 1/sqrt(1) = 1 and 1/sqrt(0.25) = 2: [1,-1,1,-1,1,-1] + [1,1,-1,1,1,-1].
    expect(Array.from(b)).toEqual([2, 0, 0, 0, 2, -2]);
  });

  it('is deterministic whatever --jobs, resumes, and writes a sorted manifest with every choice', async () => {
    const run = (out: string, jobs: number) => augmentSet({ inputs: [manifest], out: path.join(dir, out), copies: 3, seed: 5, jobs, joinShare: 0.5, name: 'tiny-aug', noiseSeconds: 60, log: () => undefined });
    const one = await run('j1', 1);
    const two = await run('j2', 2);
    expect(one.entries).toHaveLength(9);
    const m1 = readFileSync(one.manifest, 'utf8');
    expect(readFileSync(two.manifest, 'utf8')).toBe(m1);
    for (const e of one.entries) expect(readFileSync(path.join(dir, 'j2', e.audio)).equals(readFileSync(path.join(dir, 'j1', e.audio)))).toBe(true);
    const ids = one.entries.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(ids).toContain('a1-a3');
    const e = one.entries.find((x) => x.id === 'a1-a1')!;
    expect(e).toMatchObject({ voice: 'a', engine: 'human', source: 'test', licence: 'CC0' });
    expect(Object.keys(e.augmentation).sort()).toEqual(['clean', 'codec', 'gain_applied_db', 'gain_db', 'join', 'mic', 'noise', 'pad_s', 'pitch_cents', 'reverb', 'speed']);
    for (const x of one.entries) {
      const wav = readFileSync(path.join(dir, 'j1', x.audio));
      expect(wav.readUInt32LE(24)).toBe(16000);
      expect(wav.readUInt16LE(22)).toBe(1);
      expect(x.duration).toBeCloseTo((wav.length - 44) / 2 / 16000, 3);
      expect(x.text).toBe(x.from.map((id) => ({ a1: 'hello there', a2: 'good morning', b1: 'bye' })[id]).join(' '));
    }
    // Resumption: a complete run makes nothing; a lost WAV and a torn progress line are made again, identically.
    expect((await run('j1', 2)).made).toBe(0);
    const lost = one.entries[4]!;
    rmSync(path.join(dir, 'j1', lost.audio));
    const done = path.join(dir, 'j1', '.tiny-aug.done.jsonl');
    writeFileSync(done, `${readFileSync(done, 'utf8')}{"key":"cut sho`);
    const again = await run('j1', 2);
    expect(again.made).toBe(1);
    expect(readFileSync(again.manifest, 'utf8')).toBe(m1);
    expect(readFileSync(path.join(dir, 'j1', lost.audio)).equals(readFileSync(path.join(dir, 'j2', lost.audio)))).toBe(true);
    // Another seed is another corpus: nothing is reused.
    const other = await augmentSet({ inputs: [manifest], out: path.join(dir, 'j1'), copies: 3, seed: 6, jobs: 2, joinShare: 0.5, name: 'tiny-aug', noiseSeconds: 60, log: () => undefined });
    expect(other.made).toBe(9);
    expect(readdirSync(path.join(dir, 'j1')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('names what is wrong: missing tools and their package, duplicate ids, missing audio, silent audio', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(dir, 'empty-bin');
    try {
      await expect(requireChannelTools()).rejects.toThrow(MissingToolError);
      await expect(requireChannelTools()).rejects.toThrow(/sox.*apt-get install -y sox/);
    } finally {
      process.env.PATH = saved;
    }
    expect(() => planContext([...inputs(), inputs()[0]!], 1, 0, 60)).toThrow(/"a1" appears twice/);
    const bad = path.join(dir, 'bad.jsonl');
    writeFileSync(bad, `${JSON.stringify({ id: 'z', audio: 'nope.wav', text: 'x' })}\n`);
    expect(() => readInputs(readFileSync(bad, 'utf8'), bad)).toThrow(UsageError);
    expect(() => readInputs(readFileSync(bad, 'utf8'), bad)).toThrow(/bad\.jsonl:1 \(z\): audio .*nope\.wav does not exist/);
    await expect(augmentSet({ inputs: [manifest], out: path.join(dir, 'e'), copies: 1, seed: 1, jobs: 1, joinShare: 2, name: 'x' })).rejects.toThrow(/--join-share/);
    // A silent recording is left out and reported; the rest is made.
    writeFileSync(path.join(dir, 'silent.wav'), wavBytes(new Float32Array(8000), 16000));
    const withSilent = path.join(dir, 'silent.jsonl');
    writeFileSync(withSilent, `${readFileSync(manifest, 'utf8')}${JSON.stringify({ id: 's1', audio: 'silent.wav', text: 'nothing', voice: 'c' })}\n`);
    const lines: string[] = [];
    const r = await augmentSet({ inputs: [withSilent], out: path.join(dir, 's'), copies: 1, seed: 1, jobs: 2, joinShare: 0, name: 's', noiseSeconds: 60, log: (l) => lines.push(l) });
    expect(r.failed.map((f) => f.id)).toEqual(['s1-a1']);
    expect(r.failed[0]!.reason).toMatch(/silent\.wav.*silent/);
    expect(r.entries.map((e) => e.id)).toEqual(['a1-a1', 'a2-a1', 'b1-a1']);
    expect(lines.join('\n')).toMatch(/LEFT OUT 1 copies/);
    expect(existsSync(path.join(dir, 'e'))).toBe(false);
  });

  it('runs as a CLI: default name from the input, several --in, usage errors exit non-zero', () => {
    const second = path.join(dir, 'second.jsonl');
    writeFileSync(second, `${JSON.stringify({ id: 'c1', audio: 'b1.wav', text: 'see you', voice: 'c' })}\n`);
    const out = path.join(dir, 'cli');
    const ok = runBuilt('dist/tools/corpus/augment-set.js', ['--in', manifest, '--in', second, '--out', out, '--copies', '1', '--seed', '2', '--jobs', '2', '--join-share', '0.5']);
    expect(ok.stderr).toMatch(/4 copies/);
    expect(ok.code).toBe(0);
    const lines = readFileSync(path.join(out, 'tiny+second-aug.jsonl'), 'utf8').trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(['a1-a1', 'a2-a1', 'b1-a1', 'c1-a1']);
    const bad = runBuilt('dist/tools/corpus/augment-set.js', ['--in', manifest, '--out', out, '--join-share', '1.5']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/--join-share must be a share in \[0, 1\], got "1.5"/);
  }, 60_000);
});
