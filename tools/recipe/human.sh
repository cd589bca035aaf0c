#!/usr/bin/env bash
# The human-speech recipe: the shipped synthetic model, fine-tuned on real human speech imported from Debian
# packages (two talkie games) mixed with augmented copies of it and with synthetic replay, so it learns people
# without forgetting what it learned from the synthesizers. Every stage resumes; see tools/recipe/README.md.
#
#   tools/recipe/human.sh [--work DIR] [--init-model FILE] [--budget-min M] [--stage N] [--stop-stage N]
#
# Stages: 0 build | 1 import real speech | 2 speaker split | 3 synthetic replay | 4 augmentation | 5 features
#         6 train | 7 convert + parity | 8 eval (old model vs new, paired)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
# shellcheck source=tools/recipe/fine-tune-args.sh
. tools/recipe/fine-tune-args.sh

WORK=work-data/human
# The synthetic-only model the shipped one was fine-tuned from (run13), as git keeps it: the shipped file is
# already fine-tuned, and fine-tuning it again would not reproduce it. tools/recipe/run.sh trains it anew.
BASE_REV=0af6cea
INIT_MODEL="git:$BASE_REV:models/earshot-en.onnx"
BUDGET_MIN=60
COPIES=2
SYNTH_UTTS=10000
SEED=1
JOBS=2
THREADS=2
STAGE=0
STOP_STAGE=8
TRAIN_ARGS=""
ALPHA=0.7
PY="${EARSHOT_PYTHON:-/usr/bin/python3}"

usage() {
  cat <<EOF
usage: tools/recipe/human.sh [options]

Stages: 0 build | 1 import | 2 split | 3 synthetic replay | 4 augmentation | 5 features | 6 train | 7 convert + parity | 8 eval

  --work DIR          everything is written here (default $WORK)
  --init-model FILE   the model to fine-tune (default $INIT_MODEL: the synthetic run13 from
                      git history, or git:REV:PATH for another committed one)
  --budget-min M      training wall-clock budget in minutes (default $BUDGET_MIN)
  --copies K          augmented copies of each real training clip (default $COPIES)
  --synth-utts N      synthetic replay utterances (default $SYNTH_UTTS)
  --seed N            seed of every random choice (default $SEED)
  --jobs N / --threads N   workers for synthesis, augmentation, features / torch threads (default $JOBS / $THREADS)
  --train-args "..."  extra tools/train/train.py arguments (override the defaults)
  --alpha A           weight of the fine-tuned network in the shipped interpolation (default $ALPHA)
  --stage N           start at stage N; --stop-stage N: stop after it
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --init-model) INIT_MODEL="$2"; shift 2 ;;
    --budget-min) BUDGET_MIN="$2"; shift 2 ;;
    --copies) COPIES="$2"; shift 2 ;;
    --synth-utts) SYNTH_UTTS="$2"; shift 2 ;;
    --seed) SEED="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --train-args) TRAIN_ARGS="$2"; shift 2 ;;
    --alpha) ALPHA="$2"; shift 2 ;;
    --stage) STAGE="$2"; shift 2 ;;
    --stop-stage) STOP_STAGE="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "human.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
done

REAL="$WORK/real"
SPLIT="$WORK/split"
SYNTH="$WORK/synth"
AUG="$WORK/aug"
FEATS="$WORK/feats"
RUN="$WORK/run"
MODEL="$WORK/model.onnx"
EVAL="$WORK/eval"
CLI=dist/src/cli/main.js
mkdir -p "$WORK"
if [[ "$INIT_MODEL" == git:* ]]; then  # a committed model, extracted once (offline: from this clone's history)
  spec="${INIT_MODEL#git:}"
  out="$WORK/base-${spec%%:*}.onnx"
  [ -f "$out" ] || { git show "$spec" > "$out.tmp" && mv "$out.tmp" "$out"; } || { echo "human.sh: cannot read $spec from git history (a shallow clone? git fetch --unshallow)" >&2; exit 1; }
  INIT_MODEL="$out"
fi
LOG="$WORK/recipe.log"
T_START=$(date +%s)
say() { echo "[human $(date +%H:%M:%S) +$(( $(date +%s) - T_START ))s] $*" | tee -a "$LOG" >&2; }
stage() { [ "$STAGE" -le "$1" ] && [ "$STOP_STAGE" -ge "$1" ]; }

if stage 0; then
  say "stage 0: build (tsc)"
  npx tsc -p tsconfig.json
fi

if stage 1; then
  say "stage 1: import real speech (packages: flight-of-the-amazon-queen beneath-a-steel-sky fillets-ng-data klettres-data asterisk-core-sounds-en-wav asterisk-core-sounds-en-g722 pocketsphinx-testdata alsa-utils)"
  node dist/tools/corpus/queen.js --out "$REAL/queen"
  node dist/tools/corpus/sky.js --out "$REAL/sky"
  node dist/tools/corpus/debian-speech.js --out "$REAL/eval"   # evaluation only: asterisk (8 and 16 kHz), pocketsphinx, alsa, klettres words
fi

if stage 2; then
  say "stage 2: speaker-disjoint split -> $SPLIT"
  node dist/tools/corpus/real-split.js --in "$REAL/queen/queen.jsonl" "$REAL/sky/sky.jsonl" --out "$SPLIT"
fi

if stage 3; then
  say "stage 3: synthetic replay -> $SYNTH ($SYNTH_UTTS utterances, a fifth also as 8 kHz copies, + the evaluation sets; resumes)"
  node dist/tools/corpus/build.js --out "$SYNTH" --train "$SYNTH_UTTS" --seed "$SEED" --jobs "$JOBS" \
    --gnuspeech-share 0.1 --flite-share 0.4 --via-rate 8000:0.2
  node dist/tools/corpus/codec-copy.js --in "$SYNTH/test.jsonl" --out "$WORK/codec" --codec mp3 --kbps 24
fi

if stage 4; then
  say "stage 4: augmentation -> $AUG ($COPIES copies of each real training clip, 15 % of them joined pairs)"
  node dist/tools/corpus/augment-set.js --in "$SPLIT/real-train.jsonl" --out "$AUG" --name real-train \
    --copies "$COPIES" --seed "$SEED" --jobs "$JOBS" --join-share 0.15
fi

if stage 5; then
  # Two train shards: the real clips as recorded with the synthetic replay and its narrow-band copies (train-a,
  # read twice by stage 6, so the synthetic speech keeps ~43 % of the training hours), and the augmented real copies.
  say "stage 5: features -> $FEATS/{dev,train-a,train-aug}"
  featurize() { local out="$1"; shift; [ -f "$FEATS/$out/stats.json" ] || node dist/tools/featurize/featurize.js --manifest "$@" --out "$FEATS/$out" --workers "$JOBS" --quiet; }
  featurize dev "$SPLIT/real-dev.jsonl" "$SYNTH/dev.jsonl"
  featurize train-a "$SPLIT/real-train.jsonl" "$SYNTH/train.jsonl" "$SYNTH/train_via8000.jsonl"
  featurize train-aug "$AUG/real-train.jsonl"
fi

if stage 6; then
  say "stage 6: fine-tune $INIT_MODEL -> $RUN (budget $BUDGET_MIN min; log $RUN/train.out)"
  mkdir -p "$RUN"
  RESUME=""
  [ -f "$RUN/last.pt" ] && RESUME="--resume"
  node dist/tools/train/weights-from-model.js --model "$INIT_MODEL" --out "$WORK/init" --force
  # shellcheck disable=SC2086
  "$PY" tools/train/train.py --train "$FEATS/train-a,$FEATS/train-a,$FEATS/train-aug" --dev "$FEATS/dev" --out "$RUN" --init "$WORK/init" \
    "${FINE_TUNE_ARGS[@]}" \
    --time-budget-min "$BUDGET_MIN" --seed "$SEED" --threads "$THREADS" \
    $RESUME $TRAIN_ARGS 2>&1 | tee -a "$RUN/train.out"
fi

if stage 7; then
  # Parity of the fine-tuned run itself; then the shipped form: WiSE-FT interpolation with the base model (alpha
  # chosen on real-dev + synthetic dev: the fine-tuned network alone forgets synthetic speech), with the LM settings.
  say "stage 7: parity of $RUN, interpolation (alpha $ALPHA) with $INIT_MODEL -> $MODEL"
  node "$CLI" convert --weights "$RUN/model.safetensors" --arch "$RUN/arch.json" --out "$WORK/finetuned.onnx" --force
  "$PY" tools/train/parity.py --run "$RUN" --shard "$FEATS/dev" --count 8 --out "$WORK/parity" --threads "$THREADS"
  node dist/tools/recipe/parity.js --model "$WORK/finetuned.onnx" --dump "$WORK/parity" --shard "$FEATS/dev" --tol 1e-4
  "$PY" tools/train/interpolate.py --a "$WORK/init" --b "$RUN" --alpha "$ALPHA" --out "$WORK/wise"
  node "$CLI" convert --weights "$WORK/wise/model.safetensors" --arch "$WORK/wise/arch.json" --out "$MODEL" \
    --lm-weight 0.7 --word-bonus 6 --force
  node dist/tools/models/scrub-provenance.js "$MODEL"
fi

if stage 8; then
  say "stage 8: eval of $INIT_MODEL (old) and $MODEL (new) -> $EVAL"
  sets=("$SPLIT/real-test.jsonl" "$SPLIT/real-dev.jsonl" "$REAL/eval/asterisk.jsonl" "$REAL/eval/pocketsphinx.jsonl" "$REAL/eval/alsa.jsonl")
  for m in "$REAL"/eval/asterisk16.jsonl "$REAL"/eval/klettres.jsonl; do [ -f "$m" ] && sets+=("$m"); done
  sets+=("$SYNTH/test.jsonl" "$SYNTH/festival.jsonl" "$SYNTH/heldout_voice.jsonl" "$SYNTH/dev.jsonl" "$WORK/codec/test_mp3_24k.jsonl")
  mkdir -p "$EVAL"
  for which in old new; do
    model="$INIT_MODEL"; [ "$which" = new ] && model="$MODEL"
    node "$CLI" eval "${sets[@]}" --model "$model" --threads "$THREADS" --bootstrap 2000 \
      --json "$EVAL/$which-greedy.json" --hyp "$EVAL/$which-greedy.hyp.jsonl" > "$EVAL/$which-greedy.txt"
    node "$CLI" eval "${sets[@]:0:5}" "$SYNTH/test.jsonl" "$SYNTH/festival.jsonl" --model "$model" --threads "$THREADS" --decoder beam --lm models/en-3gram.lmbin --bootstrap 2000 \
      --json "$EVAL/$which-lm.json" --hyp "$EVAL/$which-lm.hyp.jsonl" > "$EVAL/$which-lm.txt"
  done
  node dist/tools/eval/compare.js "$EVAL/old-greedy.hyp.jsonl" "$EVAL/new-greedy.hyp.jsonl" --json "$EVAL/compare-greedy.json" | tee "$EVAL/compare-greedy.txt"
  node dist/tools/eval/compare.js "$EVAL/old-lm.hyp.jsonl" "$EVAL/new-lm.hyp.jsonl" --json "$EVAL/compare-lm.json" | tee "$EVAL/compare-lm.txt"
fi

say "done in $(( $(date +%s) - T_START )) s"
