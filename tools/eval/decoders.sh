#!/usr/bin/env bash
# Issue 5's measurements, reproducible on any model:
#  1. closed-vocabulary accuracy on the isolated-word set (tools/corpus/isolated-words.ts) against
#     open-vocabulary greedy, beam without LM and beam + LM, per subset (festival, heldout, seen);
#     plus the closed-vocabulary accuracy at other phrase thresholds (from one decode with threshold 0);
#  2. WER, CER and the real-time factor of each decoder on the corpus test set, next to the acoustic
#     model's (and the frontend's), from `earshot eval`'s per-stage timings.
#
#   tools/eval/decoders.sh [model.onnx]        (default models/earshot-en.onnx)
#
# Environment: LM (default models/en-3gram.lmbin), TEST (default work-data/corpus/test.jsonl),
# LIMIT (test utterances, default all), THREADS (acoustic model threads, default 1),
# CORPUS (built corpus for the voices, default work-data/corpus), WORDS (default work-data/words).
# Needs `npx tsc -p tsconfig.json` first and the synthesizers of tools/corpus/README.md for the word set
# (made once, then reused). Results: work-data/eval-decoders/<first 12 hex of the model's sha256>/.
set -euo pipefail
cd "$(dirname "$0")/../.."

MODEL=${1:-models/earshot-en.onnx}
LM=${LM:-models/en-3gram.lmbin}
TEST=${TEST:-work-data/corpus/test.jsonl}
THREADS=${THREADS:-1}
CORPUS=${CORPUS:-work-data/corpus}
WORDS=${WORDS:-work-data/words}
CLI=dist/src/cli/main.js

for f in "$CLI" dist/tools/corpus/isolated-words.js; do
  [[ -f $f ]] || { echo "decoders.sh: $f is missing; run npx tsc -p tsconfig.json first" >&2; exit 1; }
done
for f in "$MODEL" "$LM" "$TEST"; do
  [[ -f $f ]] || { echo "decoders.sh: $f is missing" >&2; exit 1; }
done

SHA=$(sha256sum "$MODEL" | cut -c1-12)
OUT=work-data/eval-decoders/$SHA
mkdir -p "$OUT"
echo "model $MODEL sha256 $SHA; LM $LM; results in $OUT" >&2

# The isolated-word set (resumes: only missing WAVs are made).
node dist/tools/corpus/isolated-words.js --out "$WORDS" --corpus "$CORPUS" --jobs 2 2>"$OUT/isolated-words.log" \
  || { cat "$OUT/isolated-words.log" >&2; exit 1; }
WORD_SETS=("$WORDS/words_festival.jsonl" "$WORDS/words_heldout.jsonl" "$WORDS/words_seen.jsonl")

run_eval() { # name, then eval options and manifests
  local name=$1
  shift
  echo "eval $name" >&2
  node "$CLI" eval -m "$MODEL" --threads "$THREADS" --json "$OUT/$name.json" --hyp "$OUT/$name.hyp.jsonl" "$@" >"$OUT/$name.txt"
}

run_eval words-greedy "${WORD_SETS[@]}"
run_eval words-beam --decoder beam --lm none "${WORD_SETS[@]}"
run_eval words-beamlm --decoder beam --lm "$LM" "${WORD_SETS[@]}"
run_eval words-phrases --decoder beam --phrases "$WORDS/words.txt" "${WORD_SETS[@]}"

LIMIT_ARGS=()
[[ -n ${LIMIT:-} ]] && LIMIT_ARGS=(--limit "$LIMIT")
run_eval test-greedy "${LIMIT_ARGS[@]}" "$TEST"
run_eval test-beam --decoder beam --lm none "${LIMIT_ARGS[@]}" "$TEST"
run_eval test-beamlm --decoder beam --lm "$LM" "${LIMIT_ARGS[@]}" "$TEST"

echo "closed vocabulary at other thresholds" >&2
# One threshold per run is the CLI's --phrase-threshold; to sweep several from one decode, decode once
# with threshold 0 through the library and keep each utterance's phrase and confidence (eval's --hyp
# has no confidence); the accuracy at threshold t counts the correct ones with confidence >= t.
node --input-type=module - "$MODEL" "$THREADS" "$WORDS/words.txt" "$OUT/words-phrases-t0.jsonl" "${WORD_SETS[@]}" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadRecognizer, transcribeFile } from './dist/src/node/index.js';
const [model, threads, wordsFile, out, ...manifests] = process.argv.slice(2);
const phrases = readFileSync(wordsFile, 'utf8').split('\n').map((l) => l.trim()).filter(Boolean);
const rec = await loadRecognizer({ model, threads: Number(threads) });
const lines = [];
for (const m of manifests) {
  const subset = path.basename(m).replace(/\.jsonl$/, '');
  for (const line of readFileSync(m, 'utf8').split('\n').filter(Boolean)) {
    const e = JSON.parse(line);
    const r = await transcribeFile(rec, path.resolve(path.dirname(m), e.audio), { decoder: { type: 'beam', phrases, phraseThreshold: 0 } });
    lines.push(JSON.stringify({ subset, id: e.id, ref: e.text, hyp: r.text, confidence: r.phrase?.confidence ?? null }));
  }
}
writeFileSync(out, lines.join('\n') + '\n');
EOF

# The tables.
node --input-type=module - "$OUT" "$SHA" <<'EOF'
import { readFileSync, writeFileSync } from 'node:fs';
const [out, sha] = process.argv.slice(2);
const jsonl = (f) => readFileSync(`${out}/${f}`, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
const report = (n) => JSON.parse(readFileSync(`${out}/${n}.json`, 'utf8')).subsets;
const pct = (x) => (100 * x).toFixed(1);
const table = (head, rows) => {
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  return [head, ...rows].map((r) => r.map((c, i) => (i ? c.padStart(w[i]) : c.padEnd(w[i]))).join('  ')).join('\n');
};
const summary = { model_sha256_12: sha, words: {}, thresholds: {}, test: {} };

// 1. Isolated words: accuracy = hypothesis equal to the reference word (for --phrases this is 1 - WER).
const decoders = [['greedy', 'words-greedy'], ['beam', 'words-beam'], ['beam+LM', 'words-beamlm'], ['closed', 'words-phrases']];
const hyps = Object.fromEntries(decoders.map(([k, f]) => [k, jsonl(`${f}.hyp.jsonl`)]));
const subsets = [...new Set(hyps.greedy.map((h) => h.subset)), 'overall'];
const inSubset = (s) => (h) => s === 'overall' || h.subset === s;
const acc = (hs) => hs.filter((h) => h.hyp.trim() === h.ref.trim()).length / hs.length;
const wer = Object.fromEntries(report('words-phrases').map((r) => [r.subset, r.wer]));
const rows1 = subsets.map((s) => {
  const n = hyps.greedy.filter(inSubset(s)).length;
  const noMatch = hyps.closed.filter(inSubset(s)).filter((h) => h.hyp === '').length;
  const accs = decoders.map(([k]) => acc(hyps[k].filter(inSubset(s))));
  summary.words[s] = { utterances: n, ...Object.fromEntries(decoders.map(([k], i) => [k, accs[i]])), closedOneMinusWer: 1 - wer[s], closedNoMatch: noMatch };
  return [s, String(n), ...accs.map(pct), pct(1 - wer[s]), String(noMatch)];
});
console.log(`Isolated words, model ${sha}: accuracy % (hypothesis = the word)\n`);
console.log(table(['subset', 'utts', 'greedy', 'beam', 'beam+LM', 'closed', 'closed 1-WER', 'no match'], rows1));

// Closed vocabulary at other thresholds (the default is 0.3).
const t0 = jsonl('words-phrases-t0.jsonl');
const ts = [0, 0.1, 0.2, 0.3, 0.4, 0.5];
const rowsT = subsets.map((s) => {
  const hs = t0.filter(inSubset(s));
  const at = ts.map((t) => hs.filter((h) => h.hyp === h.ref && h.confidence !== null && h.confidence >= t).length / hs.length);
  const rejected = ts.map((t) => hs.filter((h) => h.confidence === null || h.confidence < t).length / hs.length);
  summary.thresholds[s] = Object.fromEntries(ts.map((t, i) => [t, { accuracy: at[i], noMatch: rejected[i] }]));
  return [s, ...ts.map((_, i) => `${pct(at[i])} / ${pct(rejected[i])}`)];
});
console.log('\nClosed vocabulary at phrase threshold t: accuracy % / no match %\n');
console.log(table(['subset', ...ts.map((t) => `t=${t}${t === 0.3 ? ' (default)' : ''}`)], rowsT));

// 2. Test set: errors and real-time factors (seconds per audio second) of each stage.
const rows2 = [['greedy', 'test-greedy'], ['beam, no LM', 'test-beam'], ['beam + LM', 'test-beamlm']].map(([k, f]) => {
  const r = report(f)[0];
  summary.test[k] = { subset: r.subset, utterances: r.utterances, wer: r.wer, cer: r.cer, rtf: r.rtf, rtfFeatures: r.stageSec.features / r.audioSec, rtfAcoustic: r.rtfAcoustic, rtfDecoder: r.rtfDecoder };
  return [k, String(r.utterances), (100 * r.wer).toFixed(2), (100 * r.cer).toFixed(2), r.rtf.toFixed(5), (r.stageSec.features / r.audioSec).toFixed(5), r.rtfAcoustic.toFixed(5), r.rtfDecoder.toFixed(6)];
});
console.log(`\nTest set (${report('test-greedy')[0].subset}), model ${sha}: WER/CER % and real-time factors\n`);
console.log(table(['decoder', 'utts', 'WER %', 'CER %', 'total RTF', 'features RTF', 'acoustic RTF', 'decoder RTF'], rows2));
writeFileSync(`${out}/summary.json`, JSON.stringify(summary, null, 2) + '\n');
EOF
