/**
 * What resampling costs a transcription, and what it keeps of the signal, in one run:
 *
 * 1. Speed: the same speech (60 s of espeak-ng, or --audio) as 16 kHz mono and as 44.1 kHz stereo (and
 *    the other rates of --rates), each transcribed whole — decoding, mix-down, resampling, features,
 *    acoustic model, decoder — in this process, interleaved repeat by repeat, best of --repeat; the
 *    ratio to the 16 kHz time is the figure to watch (target <= 1.2 for 44.1 kHz stereo). With --cli
 *    also the whole `earshot transcribe` process (start-up and model load included), as a user runs it.
 * 2. Quality: pass-band ripple (tones 50 Hz .. 0.875 x the lower Nyquist frequency) and the worst alias
 *    or image of tones that must be removed, for earshot's resampler and sox's `rate` (-h, its default,
 *    and -v) — see tools/bench/resample-quality.ts.
 *
 *   node dist/tools/bench/resample.js [--audio file] [--seconds 60] [--repeat 3] [--rates 44100x2,16000]
 *       [--cli] [--quality-step 100] [--no-quality]
 *
 * Needs sox (Debian package sox) to make the test files and as the quality reference.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { Recognizer } from '../../src/recognizer.js';
import type { OrtModule } from '../../src/model/runtime.js';
import { planStages } from '../../src/audio/resample.js';
import { hasSimdKernel } from '../../src/audio/fir-kernel.js';
import { decodeBenchAudio, loadBenchModel, makeBenchAudio, streamOnce } from './common.js';
import { earshotResample, measureQuality, soxResample, type QualityFigures } from './resample-quality.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const { values } = parseArgs({
  options: {
    audio: { type: 'string' }, seconds: { type: 'string', default: '60' }, repeat: { type: 'string', default: '3' },
    rates: { type: 'string', default: '16000x1,44100x2,48000x2,22050x1,11025x1,8000x1' }, cli: { type: 'boolean', default: false },
    'quality-step': { type: 'string', default: '100' }, 'no-quality': { type: 'boolean', default: false }, model: { type: 'string' },
  },
});
const seconds = Number(values.seconds);
const repeat = Number(values.repeat);
const formats = values.rates!.split(',').map((s) => {
  const m = /^(\d+)x(\d+)$/.exec(s);
  if (!m) throw new Error(`--rates: expected RATExCHANNELS items such as 44100x2, got "${s}"`);
  return { rate: Number(m[1]), channels: Number(m[2]) };
});
if (formats[0]!.rate !== 16000 || formats[0]!.channels !== 1) formats.unshift({ rate: 16000, channels: 1 });

const dir = mkdtempSync(path.join(tmpdir(), 'earshot-bench-resample-'));
try {
  const source = values.audio ? { file: values.audio, what: values.audio } : makeBenchAudio(seconds);
  const files = formats.map(({ rate, channels }) => {
    const file = path.join(dir, `${rate}x${channels}.wav`);
    const r = spawnSync('sox', [source.file, '-b', '16', '-r', String(rate), '-c', String(channels), file, 'trim', '0', String(seconds)], { encoding: 'utf8' });
    if (r.error || r.status !== 0) throw new Error(`sox could not convert ${source.file} (install Debian's sox): ${r.error?.message ?? r.stderr}`);
    return { file, rate, channels, name: `${rate} Hz ${channels === 1 ? 'mono' : channels === 2 ? 'stereo' : `${channels} ch`}` };
  });
  const model = await loadBenchModel(values.model);
  const rec = await Recognizer.create({ ort: ort as unknown as OrtModule, model: model.bytes, source: model.what, threads: 1 });
  console.log(`audio: ${source.what}, first ${seconds} s, converted by sox; model: ${model.what}; 1 thread; kernel: ${hasSimdKernel() ? 'WebAssembly SIMD' : 'JavaScript'}`);
  console.log(`node ${process.version}; best of ${repeat}, interleaved\n`);

  const best = files.map(() => ({ total: Infinity, resample: 0, decode: 0, rest: 0 }));
  for (let r = 0; r < repeat; r++) {
    for (const [k, f] of files.entries()) {
      const d = await decodeBenchAudio(f.file);
      const { result, seconds: streamSec } = await streamOnce(rec, d.chunks, d.rate, rec.wholeInputBatchFrames, false); // as `earshot transcribe` runs a file
      const total = d.decode + streamSec;
      const t = result.timings;
      if (total < best[k]!.total) best[k] = { total, resample: t.resample, decode: d.decode, rest: t.features + t.acoustic + t.decoder };
    }
  }
  const base = best[0]!.total;
  console.log('whole transcription in this process (decode + resample + features + model + decoder):');
  console.log(`${'input'.padEnd(18)}${'seconds'.padStart(9)}${'vs 16 kHz'.padStart(11)}${'decode s'.padStart(10)}${'resample s'.padStart(12)}${'resample RTF'.padStart(14)}${'feat+AM+dec s'.padStart(15)}  stages`);
  files.forEach((f, k) => {
    const b = best[k]!;
    const stages = f.rate === 16000 ? '-' : planStages(f.rate, 16000, 'medium').map((s) => s.outRate).join(' -> ');
    console.log(`${f.name.padEnd(18)}${b.total.toFixed(3).padStart(9)}${`${(b.total / base).toFixed(2)}x`.padStart(11)}${b.decode.toFixed(3).padStart(10)}${b.resample.toFixed(3).padStart(12)}${(b.resample / seconds).toExponential(2).padStart(14)}${b.rest.toFixed(3).padStart(15)}  ${f.rate} -> ${stages}`);
  });

  if (values.cli) {
    const cli = path.join(ROOT, 'dist/src/cli/main.js');
    const wall = files.map(() => Infinity);
    for (let r = 0; r < repeat; r++) {
      for (const [k, f] of files.entries()) {
        const t0 = performance.now();
        const p = spawnSync(process.execPath, [cli, 'transcribe', f.file, ...(values.model ? ['--model', values.model] : [])], { encoding: 'utf8', maxBuffer: 1 << 26 });
        if (p.status !== 0) throw new Error(`earshot transcribe failed on ${f.name}: ${p.stderr.slice(-1000)}`);
        wall[k] = Math.min(wall[k]!, (performance.now() - t0) / 1000);
      }
    }
    console.log('\nwhole `earshot transcribe` process (start-up and model load included):');
    files.forEach((f, k) => console.log(`${f.name.padEnd(18)}${wall[k]!.toFixed(3).padStart(9)} s${`${(wall[k]! / wall[0]!).toFixed(2)}x`.padStart(9)}`));
  }

  if (!values['no-quality']) {
    const step = Number(values['quality-step']);
    const fmt = (q: QualityFigures) => `${q.rippleDb.toFixed(4).padStart(8)} dB ripple 0-${q.passHz} Hz ${q.stopbandDb.toFixed(1).padStart(8)} dB worst alias/image (tone ${q.worstTone} Hz -> ${q.worstAt} Hz, of ${q.stopTones})`;
    console.log(`\nquality to 16 kHz (tones every ${step} Hz; ripple = max - min pass-band gain; alias/image level relative to its tone):`);
    for (const rate of [...new Set(files.map((f) => f.rate))].filter((r) => r !== 16000)) {
      for (const [name, fn] of [['earshot medium', earshotResample('medium')], ['sox rate -h', soxResample('-h')], ['sox rate -v', soxResample('-v')]] as const) {
        console.log(`${String(rate).padStart(6)} Hz ${name.padEnd(15)}${fmt(await measureQuality(fn, rate, 16000, { step }))}`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
