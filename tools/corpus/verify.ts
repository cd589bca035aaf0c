/**
 * Check a built corpus: per-set counts, hours, voices and sentences; every WAV exists; a seeded
 * sample of WAVs decodes (own header parse and `soxi`) as 16 kHz mono 16-bit with the manifest's
 * duration, is not silent and does not clip; no sentence of dev/test is in train (or an extra
 * round train_r<r>); festival voices and the held-out accent never speak in them.
 *
 * CLI: `node dist/tools/corpus/verify.js --out work-data/corpus [--sample 20]`
 */
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { manifestStats, type SetStats } from './build.js';
import { rngFor } from '../../src/core/rng.js';
import { readJsonl, type ManifestEntry } from './synth.js';
import { isMain, run } from './util.js';

export interface WavInfo {
  sampleRate: number;
  channels: number;
  bits: number;
  samples: number;
  peak: number;
  clipped: number;
  rmsDb: number;
}

/**
 * Parse a PCM WAV file (any chunk order) and measure its peak and RMS.
 * @example
 * const info = parseWav(await fs.readFile('a.wav'));
 */
export function parseWav(buf: Buffer): WavInfo {
  if (buf.toString('ascii', 0, 4) !== 'RIFF' || buf.toString('ascii', 8, 12) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let p = 12;
  let fmt: { channels: number; rate: number; bits: number; format: number } | null = null;
  while (p + 8 <= buf.length) {
    const id = buf.toString('ascii', p, p + 4);
    const size = buf.readUInt32LE(p + 4);
    if (id === 'fmt ') {
      fmt = { format: buf.readUInt16LE(p + 8), channels: buf.readUInt16LE(p + 10), rate: buf.readUInt32LE(p + 12), bits: buf.readUInt16LE(p + 22) };
    } else if (id === 'data') {
      if (!fmt) throw new Error('data chunk before fmt chunk');
      if (fmt.format !== 1 || fmt.bits !== 16) throw new Error(`expected 16-bit PCM, got format ${fmt.format} with ${fmt.bits} bits`);
      const end = Math.min(buf.length, p + 8 + size);
      let peak = 0;
      let clipped = 0;
      let e = 0;
      const n = Math.floor((end - p - 8) / 2);
      for (let i = 0; i < n; i++) {
        const v = buf.readInt16LE(p + 8 + 2 * i);
        const a = Math.abs(v);
        if (a > peak) peak = a;
        if (a >= 32767) clipped++;
        e += v * v;
      }
      const rms = n ? Math.sqrt(e / n) / 32768 : 0;
      return { sampleRate: fmt.rate, channels: fmt.channels, bits: fmt.bits, samples: n / fmt.channels, peak: peak / 32768, clipped, rmsDb: rms > 0 ? 20 * Math.log10(rms) : -Infinity };
    }
    p += 8 + size + (size % 2);
  }
  throw new Error('no data chunk');
}

export interface VerifyReport {
  sets: Record<string, SetStats>;
  problems: string[];
  sampled: number;
}

/**
 * Verify every `<set>.jsonl` manifest in `out`.
 * @example
 * const report = await verifyCorpus('work-data/corpus', 20);
 */
export async function verifyCorpus(out: string, sample: number, seed = 1): Promise<VerifyReport> {
  const problems: string[] = [];
  const sets: Record<string, SetStats> = {};
  const entries = new Map<string, ManifestEntry[]>();
  let sampled = 0;
  // Extra training rounds (build.js --round r) are training data too.
  const rounds = (await fs.readdir(out)).map((f) => /^(train_r\d+)\.jsonl$/.exec(f)?.[1]).filter((x): x is string => !!x).sort();
  for (const name of ['train', ...rounds, 'dev', 'test', 'heldout_voice', 'festival']) {
    const file = path.join(out, `${name}.jsonl`);
    if (!existsSync(file)) {
      problems.push(`${name}: no manifest ${file}`);
      continue;
    }
    const es = await readJsonl<ManifestEntry>(file);
    entries.set(name, es);
    sets[name] = manifestStats(es);
    const ids = new Set<string>();
    for (const e of es) {
      if (ids.has(e.id)) problems.push(`${name}: duplicate id ${e.id}`);
      ids.add(e.id);
      if (!/^[a-z' ]+$/.test(e.text) || /^ | $| {2}/.test(e.text)) problems.push(`${name}/${e.id}: text outside the label alphabet: "${e.text}"`);
      if (!existsSync(path.join(out, e.audio))) problems.push(`${name}/${e.id}: missing ${e.audio}`);
    }
    const r = rngFor(seed, 'verify', name);
    const picks = r.shuffle([...es]).slice(0, sample);
    for (const e of picks) {
      sampled++;
      const wav = path.join(out, e.audio);
      try {
        const info = parseWav(await fs.readFile(wav));
        const dur = info.samples / info.sampleRate;
        if (info.sampleRate !== 16000 || info.channels !== 1) problems.push(`${name}/${e.id}: ${info.sampleRate} Hz, ${info.channels} channels`);
        if (Math.abs(dur - e.duration) > 0.002) problems.push(`${name}/${e.id}: duration ${dur} s, manifest says ${e.duration} s`);
        if (info.clipped > 0) problems.push(`${name}/${e.id}: ${info.clipped} clipped samples`);
        if (info.rmsDb < -50) problems.push(`${name}/${e.id}: nearly silent (${info.rmsDb.toFixed(1)} dBFS RMS)`);
        const secPerChar = (e.duration - ('pad_s' in e.augmentation ? e.augmentation.pad_s[0] + e.augmentation.pad_s[1] : 0)) / e.text.length;
        if (secPerChar < 0.02 || secPerChar > 0.2) problems.push(`${name}/${e.id}: implausible ${secPerChar.toFixed(3)} s per character`);
        const soxi = Number((await run('soxi', ['-D', wav])).stdout.toString().trim());
        if (Math.abs(soxi - e.duration) > 0.002) problems.push(`${name}/${e.id}: soxi says ${soxi} s, manifest ${e.duration} s`);
      } catch (err) {
        problems.push(`${name}/${e.id}: cannot decode ${e.audio}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
  }
  const train = ['train', ...rounds].flatMap((n) => entries.get(n) ?? []);
  const trainText = new Set(train.map((e) => e.text));
  for (const name of ['dev', 'test', 'heldout_voice', 'festival']) {
    const leak = (entries.get(name) ?? []).filter((e) => trainText.has(e.text)).length;
    if (leak) problems.push(`${name}: ${leak} sentences also in train`);
  }
  if (train.some((e) => e.engine === 'festival')) problems.push('train: festival voices used in training');
  const held = new Set((entries.get('heldout_voice') ?? []).map((e) => e.voice.split('+')[0]));
  const heldInTrain = train.filter((e) => held.has(e.voice.split('+')[0])).length;
  if (heldInTrain) problems.push(`train: ${heldInTrain} utterances use the held-out accent`);
  const heldVariants = new Set((entries.get('heldout_voice') ?? []).map((e) => e.voice.split('+')[1]).filter(Boolean));
  const variantLeak = train.filter((e) => heldVariants.has(e.voice.split('+')[1] ?? '')).length;
  if (variantLeak) problems.push(`train: ${variantLeak} utterances use a held-out variant`);
  return { sets, problems, sampled };
}

async function main(): Promise<void> {
  const o = new Command()
    .name('verify')
    .description('Check a built corpus.')
    .requiredOption('--out <dir>', 'corpus directory')
    .option('--sample <n>', 'WAVs to decode per set', (x) => Number.parseInt(x, 10), 20)
    .parse()
    .opts<{ out: string; sample: number }>();
  const r = await verifyCorpus(o.out, o.sample);
  process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
  if (r.problems.length) process.exit(1);
}

if (isMain(import.meta.url)) {
  main().catch((e: unknown) => {
    process.stderr.write(`verify: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
