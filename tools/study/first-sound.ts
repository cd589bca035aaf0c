/**
 * How much leading silence does a model need to keep a recording's first sound? (issue 23, defect 2)
 *
 * Synthesizes sentences whose first word starts with a consonant with espeak-ng in several voices, cuts each
 * to start at its first sample within -50 dB of its peak (the speech starts at sample 0), and transcribes
 * them greedily with recognizers whose lead of silence (RecognizerOptions.leadingSilence) is each value of
 * --lead-ms. Prints, per lead, how many transcripts have the first word's first letter right and the whole
 * first word right. Then, on the same sentences with 0.5 s of real leading silence and no lead, how many
 * output frames before (negative) or after the acoustic onset the model emits the first letter: where that is
 * negative, a recording that starts with speech has no frame to emit it in.
 *
 *   node dist/tools/study/first-sound.js [--model file.onnx] [--voices en-us,en-gb,en-us+f3,en-gb+m3] [--lead-ms 0,30,60,90,120,240,450]
 *
 * Needs espeak-ng (Debian: espeak-ng). Deterministic: same voices, same sentences, same numbers.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadRecognizer } from '../../src/node/index.js';
import { readAudioFile } from '../../src/node/audio-file.js';
import { outputFrameSeconds } from '../../src/features/config.js';
import { trimToOnset } from '../corpus/augment.js';

/** Sentences whose first word starts with a consonant (several are weak onsets: "th", "h", "y", "w"). */
const SENTENCES = [
  'the weather is nice today', 'she opened the door', 'put the cups on the shelf', 'tomorrow morning we leave',
  'could you close the window', 'please remember to call', 'my brother lives in town', 'never leave the gate open',
  'good morning everyone', 'bring me some water', 'fish swim in the river', 'where is the station',
  'very little was said', 'thank you for coming', 'kind people help others', 'light the fire now',
  'sometimes it rains', 'yesterday was cold', 'just wait a moment', 'we should go home',
  'zero people came', 'children play outside', 'ten green bottles', 'dogs bark at night',
];

const RATE = 16000;

function fail(message: string): never {
  process.stderr.write(`first-sound: ${message}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      model: { type: 'string' },
      voices: { type: 'string', default: 'en-us,en-gb,en-us+f3,en-gb+m3' },
      'lead-ms': { type: 'string', default: '0,30,60,90,120,240,450' },
    },
  });
  const voices = values.voices.split(',').filter((v) => v !== '');
  const leads = values['lead-ms'].split(',').map((v) => {
    const ms = Number(v);
    if (v.trim() === '' || !(ms >= 0 && ms <= 1000)) fail(`--lead-ms: expected comma-separated milliseconds in [0, 1000], got "${values['lead-ms']}"`);
    return ms;
  });
  try {
    execFileSync('espeak-ng', ['--version'], { stdio: 'ignore' });
  } catch {
    fail('espeak-ng is not installed (apt-get install -y espeak-ng)');
  }
  const model = values.model ? { model: values.model } : {};
  const recs = await Promise.all(leads.map((ms) => loadRecognizer({ ...model, threads: 1, leadingSilence: ms / 1000 })));
  const frame = outputFrameSeconds(recs[0]!.metadata.featureConfig);
  const dir = mkdtempSync(path.join(tmpdir(), 'earshot-first-sound-'));
  const letter = leads.map(() => 0);
  const word = leads.map(() => 0);
  const offsets = new Map<number, number>();
  let n = 0;
  try {
    for (const voice of voices) {
      for (const sentence of SENTENCES) {
        const wav = path.join(dir, 's.wav');
        execFileSync('espeak-ng', ['-v', voice, '-w', wav, sentence]);
        const x = trimToOnset((await readAudioFile(wav, RATE)).samples);
        const first = sentence.split(' ')[0]!;
        n++;
        for (const [i, rec] of recs.entries()) {
          const got = (await rec.transcribe(x, RATE)).text.split(' ')[0] ?? '';
          if (got[0] === first[0]) letter[i]++;
          if (got === first) word[i]++;
        }
        // With 0.5 s of real silence and no lead: where is the first letter emitted, relative to the onset?
        const padded = new Float32Array(RATE / 2 + x.length);
        padded.set(x, RATE / 2);
        const plain = recs[leads.indexOf(0)] ?? (await loadRecognizer({ ...model, threads: 1, leadingSilence: 0 }));
        const tok = (await plain.transcribe(padded, RATE)).tokens[0];
        if (tok) {
          const d = Math.round((tok.start - 0.5) / frame);
          offsets.set(d, (offsets.get(d) ?? 0) + 1);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`${n} sentences (${SENTENCES.length} x voices ${voices.join(', ')}), cut to start at their first sample; greedy`);
  console.log(`lead (ms)     ${leads.map((l) => String(l).padStart(7)).join('')}`);
  console.log(`first letter  ${letter.map((c) => `${c}/${n}`.padStart(7)).join('')}`);
  console.log(`first word    ${word.map((c) => `${c}/${n}`.padStart(7)).join('')}`);
  const hist = [...offsets.entries()].sort((a, b) => a[0] - b[0]).map(([d, c]) => `${d > 0 ? '+' : ''}${d}: ${c}`).join(', ');
  console.log(`first letter emitted at output frame (relative to the onset, ${frame * 1000} ms frames) with 0.5 s of silence before it: ${hist}`);
}

await main();
