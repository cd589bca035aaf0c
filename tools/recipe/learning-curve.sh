#!/usr/bin/env bash
# Learning curves of the human-speech fine-tune (tools/recipe/human.sh): what limits it, measured. Each point
# fine-tunes the same initial model with the same synthetic replay and number of steps (not minutes: the machine may be busy) on a subset of the real training
# speech (train.py --exclude-ids, ids from tools/corpus/subset.js), then scores greedy CER on real-dev, the human
# recordings from outside the games (never the reserved packages) and synthetic dev. Needs human.sh stages 1-5 done in the same --work.
#
#   tools/recipe/learning-curve.sh [--work DIR] [--steps N] [--points "full f0.5 f0.25 s10 sliding"]
#
# Points: full = all real-train; fN = a share N of its hours (every speaker keeps about N of theirs);
#         sK = K speakers only, as many hours as f0.25 (voice variety at equal amount);
#         sliding = all of it with sliding-mean input normalization instead of the global statistics.
# Each point resumes (train.py --resume) and is skipped once its scores exist; the table goes to $WORK/lc/curve.tsv.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/recipe/fine-tune-args.sh
. tools/recipe/fine-tune-args.sh

WORK=work-data/human
STEPS=1500
POINTS="full f0.5 f0.25 s10 sliding"
SEED=1
THREADS=1
PY="${EARSHOT_PYTHON:-/usr/bin/python3}"

while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --steps) STEPS="$2"; shift 2 ;;
    --points) POINTS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    -h|--help) sed -n 2,13p "$0"; exit 0 ;;
    *) echo "learning-curve.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
done

FEATS="$WORK/feats"
LC="$WORK/lc"
CLI=dist/src/cli/main.js
mkdir -p "$LC"
[ -f "$WORK/init/arch.json" ] || { echo "learning-curve.sh: $WORK/init is missing: run tools/recipe/human.sh through stage 6 first" >&2; exit 1; }
say() { echo "[lc $(date +%H:%M:%S)] $*" | tee -a "$LC/lc.log" >&2; }

# Held-out game voices, the evaluation-only human voices of Asterisk and pocketsphinx-testdata (the issue's test of
# gains outside the games), synthetic dev. Never the packages reserved for evaluation (alsa-utils, festvox-*, ...):
# the curves steer what data to get next, which is development, not final evaluation.
sets=("$WORK/split/real-dev.jsonl" "$WORK/real/eval/asterisk.jsonl" "$WORK/real/eval/pocketsphinx.jsonl" "$WORK/synth/dev.jsonl")
subset() { node dist/tools/corpus/subset.js --manifest "$WORK/split/real-train.jsonl" --aug "$WORK/aug/real-train.jsonl" --seed "$SEED" "$@" 2>>"$LC/subsets.jsonl"; }

for p in $POINTS; do
  dir="$LC/$p"
  [ -f "$dir/greedy.json" ] && { say "$p: done"; continue; }
  mkdir -p "$dir"
  extra=()
  case "$p" in
    full) ;;
    sliding) extra=(--norm sliding) ;;
    f*) subset --fraction "${p#f}" --out "$dir/exclude.txt"; extra=(--exclude-ids "$dir/exclude.txt") ;;
    s*) subset --speakers "${p#s}" --hours "$(node -e "const s=require('fs').readFileSync('$LC/subsets.jsonl','utf8').trim().split('\n').map(JSON.parse).find(r=>r.rule.fraction===0.25);if(!s){process.stderr.write('run the f0.25 point first\n');process.exit(1)}console.log(s.kept.hours)")" --out "$dir/exclude.txt"
        extra=(--exclude-ids "$dir/exclude.txt") ;;
    *) echo "learning-curve.sh: unknown point $p" >&2; exit 1 ;;
  esac
  say "$p: fine-tune ($STEPS steps) ${extra[*]}"
  RESUME=""; [ -f "$dir/run/last.pt" ] && RESUME="--resume"
  mkdir -p "$dir/run"
  # shellcheck disable=SC2086
  "$PY" tools/train/train.py --train "$FEATS/train-a,$FEATS/train-a,$FEATS/train-aug" --dev "$FEATS/dev" --out "$dir/run" --init "$WORK/init" \
    "${FINE_TUNE_ARGS[@]}" \
    --max-steps "$STEPS" --seed "$SEED" --threads "$THREADS" \
    "${extra[@]}" $RESUME >> "$dir/train.out" 2>&1
  node "$CLI" convert --weights "$dir/run/model.safetensors" --arch "$dir/run/arch.json" --out "$dir/model.onnx" --force
  node "$CLI" eval "${sets[@]}" --model "$dir/model.onnx" --threads "$THREADS" --bootstrap 1000 \
    --json "$dir/greedy.json.tmp" --hyp "$dir/greedy.hyp.jsonl" > "$dir/greedy.txt"
  mv "$dir/greedy.json.tmp" "$dir/greedy.json"
  say "$p: $(tail -n +1 "$dir/greedy.txt" | tr '\n' ' ' | cut -c1-300)"
done

node -e '
const fs = require("fs"); const lc = process.argv[1]; const pts = process.argv[2].split(" ");
const rows = [["point", "subset", "cer", "low", "high", "utterances"].join("\t")];
for (const p of pts) {
  const f = `${lc}/${p}/greedy.json`; if (!fs.existsSync(f)) continue;
  for (const s of JSON.parse(fs.readFileSync(f, "utf8")).subsets)
    rows.push([p, s.subset, (100 * s.cer).toFixed(1), (100 * s.cerInterval.low).toFixed(1), (100 * s.cerInterval.high).toFixed(1), s.utterances].join("\t"));
}
fs.writeFileSync(`${lc}/curve.tsv`, rows.join("\n") + "\n"); console.log(rows.join("\n"));' "$LC" "$POINTS"
