#!/usr/bin/env bash
# earshot recipe, end to end: corpus -> featurize -> train -> convert -> parity -> eval -> human speech.
# See tools/recipe/README.md. Run from anywhere; paths are relative to the repository root.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

WORK=work-data/recipe
CORPUS=""
TRAIN_UTTS=24000
SEED=1
JOBS=2
THREADS=2
BUDGET_MIN=110
# Extra training rounds after round 0 (tools/corpus/build.js --round r): "utterances [build.js args]" each.
DEFAULT_ROUNDS=("16000" "24000" "5000 --gnuspeech-share 1" "39000 --gnuspeech-share 0.1" "39000 --gnuspeech-share 0.1"
  "39000 --gnuspeech-share 0.1 --flite-share 0.5" "48762 --gnuspeech-share 0.1 --flite-share 0.5 --via-rate 8000:0.2"
  "34588 --gnuspeech-share 0.1 --flite-share 0.5 --via-rate 8000:0.2")
ROUNDS=()
ROUNDS_SET=""
STAGE=0
STOP_STAGE=7
TRAIN_ARGS=""
CORPUS_ARGS=""
EVAL_SETS="dev test heldout_voice festival"
MODEL_OUT=""
INIT_MODEL=""
PY="${EARSHOT_PYTHON:-/usr/bin/python3}"

usage() {
  cat <<EOF
usage: tools/recipe/run.sh [options]

Stages: 0 build (tsc) | 1 corpus | 2 featurize | 3 train | 4 convert | 5 parity | 6 eval
        7 human speech: tools/recipe/human.sh on this run's model (imports, fine-tune, interpolation)

  --work DIR          everything is written here (default $WORK)
  --corpus DIR        use an existing corpus (manifests DIR/<set>.jsonl: train, dev, and the eval sets);
                      the corpus stage is skipped. Real data: any JSONL {"id","audio","text"} or path<TAB>text lists.
  --train-utts N      training utterances of round 0 (default $TRAIN_UTTS)
  --round "N [args]"  add an extra training round of N utterances, with optional build.js arguments; repeat for
                      more rounds. Default (the shipped model's 269,350 utterances and 16,684 narrow-band
                      copies): --round 16000 --round 24000 --round "5000 --gnuspeech-share 1"
                      --round "39000 --gnuspeech-share 0.1" (twice) --round "39000 --gnuspeech-share 0.1 --flite-share 0.5"
                      --round "48762 --gnuspeech-share 0.1 --flite-share 0.5 --via-rate 8000:0.2"
                      --round "34588 --gnuspeech-share 0.1 --flite-share 0.5 --via-rate 8000:0.2";
                      --no-rounds: round 0 only
  --seed N            corpus and training seed (default $SEED)
  --jobs N            synthesis and featurization workers (default $JOBS)
  --threads N         torch threads (default $THREADS)
  --budget-min M      training wall-clock budget in minutes (default $BUDGET_MIN)
  --train-args "..."  extra tools/train/train.py arguments (they override the defaults below)
  --corpus-args "..." extra tools/corpus/build.js arguments
  --eval-sets "..."   manifests to evaluate (default "$EVAL_SETS")
  --model-out FILE    also copy the final model here (e.g. models/earshot-en.onnx)
  --init-model FILE   fine-tune this earshot .onnx model (e.g. the shipped models/earshot-en.onnx) instead of
                      training from random weights: stage 3 writes its weights to WORK/init
                      (tools/train/weights-from-model.js) and trains from them without BatchNorm (folded in the
                      file), keeping its normalization; set the budget and a lower --lr in --train-args
  --stage N           start at stage N (default 0); --stop-stage N: stop after stage N (default 7; 6 gives
                      the synthetic-only model)
  -h, --help

Default model (train.py): a 5x448 leaky-ReLU (alpha 0.01) TDNN with early subsampling: the first kernel-3
convolution strides by 3, the next four run at the output rate (30 ms) with dilations 1,2,4,8, so each output sees
+-46 base frames (0.46 s each side); BatchNorm after each hidden layer while training (folded into the next layer on
export), global CMVN, no SpecAugment, Adam 2e-3, warmup + cosine over the time budget, batch 32, the forward pass in
bfloat16 autocast where the CPU computes it natively (--bf16 auto: AVX512-BF16 or AMX; about twice the steps); dev
CER every 2000 steps, and the checkpoint with the best is exported. With the defaults this is the recipe of the
shipped models/earshot-en.onnx (rounds 7 and 8 of the shipped data were 60,000-utterance builds stopped at these
sizes, so their sentence picks differ from a fresh build's).
EOF
}

while [ $# -gt 0 ]; do
  case "$1" in
    --work) WORK="$2"; shift 2 ;;
    --corpus) CORPUS="$2"; shift 2 ;;
    --train-utts) TRAIN_UTTS="$2"; shift 2 ;;
    --round) ROUNDS+=("$2"); ROUNDS_SET=1; shift 2 ;;
    --no-rounds) ROUNDS_SET=1; shift ;;
    --seed) SEED="$2"; shift 2 ;;
    --jobs) JOBS="$2"; shift 2 ;;
    --threads) THREADS="$2"; shift 2 ;;
    --budget-min) BUDGET_MIN="$2"; shift 2 ;;
    --train-args) TRAIN_ARGS="$2"; shift 2 ;;
    --corpus-args) CORPUS_ARGS="$2"; shift 2 ;;
    --eval-sets) EVAL_SETS="$2"; shift 2 ;;
    --model-out) MODEL_OUT="$2"; shift 2 ;;
    --init-model) INIT_MODEL="$2"; shift 2 ;;
    --stage) STAGE="$2"; shift 2 ;;
    --stop-stage) STOP_STAGE="$2"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 1 ;;
  esac
done

[ -n "$CORPUS" ] || CORPUS="$WORK/corpus"
[ -n "$ROUNDS_SET" ] || ROUNDS=("${DEFAULT_ROUNDS[@]}")
FEATS="$WORK/feats"
RUN="$WORK/run"
MODEL="$WORK/model.onnx"
mkdir -p "$WORK"
LOG="$WORK/recipe.log"
T_START=$(date +%s)

say() { echo "[recipe $(date +%H:%M:%S) +$(( $(date +%s) - T_START ))s] $*" | tee -a "$LOG" >&2; }
stage() { [ "$STAGE" -le "$1" ] && [ "$STOP_STAGE" -ge "$1" ]; }

if stage 0; then
  say "stage 0: build (tsc)"
  npx tsc -p tsconfig.json
fi

if stage 1; then
  if [ -f "$CORPUS/train.jsonl" ] && [ "$CORPUS" != "$WORK/corpus" ]; then
    say "stage 1: using the existing corpus $CORPUS"
  else
    say "stage 1: corpus -> $CORPUS ($TRAIN_UTTS training utterances, seed $SEED, $JOBS jobs; resumes if interrupted)"
    # shellcheck disable=SC2086
    node dist/tools/corpus/build.js --out "$CORPUS" --train "$TRAIN_UTTS" --seed "$SEED" --jobs "$JOBS" $CORPUS_ARGS
    r=0
    for spec in "${ROUNDS[@]}"; do
      r=$((r + 1))
      read -r n extra <<<"$spec"
      say "stage 1: training round $r: $n utterances ${extra}"
      # shellcheck disable=SC2086
      node dist/tools/corpus/build.js --out "$CORPUS" --train "$n" --seed "$SEED" --jobs "$JOBS" --sets train --round "$r" $extra
    done
  fi
fi

if stage 2; then
  for set in train dev; do  # eval reads audio through the engine itself
    m="$CORPUS/$set.jsonl"
    [ -f "$m" ] || { say "stage 2: no $m, skipping $set"; continue; }
    ms=("$m")
    # Extra training rounds (build.js --round r: train_r<r>.jsonl) and narrow-band copies (build.js --via-rate:
    # train_via<hz>.jsonl, train_r<r>_via<hz>.jsonl) are featurized into the same train shard.
    if [ "$set" = train ]; then for r in "$CORPUS"/train_*.jsonl; do [ -f "$r" ] && ms+=("$r"); done; fi
    stale=""
    for x in "${ms[@]}"; do [ -f "$FEATS/$set/index.jsonl" ] && [ "$FEATS/$set/index.jsonl" -nt "$x" ] || stale=1; done
    if [ -z "$stale" ]; then say "stage 2: $FEATS/$set is up to date"; continue; fi
    say "stage 2: featurize $set (${ms[*]})"
    node dist/tools/featurize/featurize.js --manifest "${ms[@]}" --out "$FEATS/$set" --workers "$JOBS"
  done
fi

if stage 3; then
  say "stage 3: train -> $RUN (budget ${BUDGET_MIN} min, $THREADS threads; log $RUN/train.out)"
  mkdir -p "$RUN"
  RESUME=""
  [ -f "$RUN/last.pt" ] && RESUME="--resume"
  INIT=(--batchnorm)
  if [ -n "$INIT_MODEL" ]; then  # the file's BatchNorm is folded: fine-tune it as a plain TDNN
    node dist/tools/train/weights-from-model.js --model "$INIT_MODEL" --out "$WORK/init" --force
    INIT=(--init "$WORK/init")
  fi
  # shellcheck disable=SC2086
  "$PY" tools/train/train.py --train "$FEATS/train" --dev "$FEATS/dev" --out "$RUN" \
    --model tdnn --layers 5 --width 448 --tdnn-dilations 1,1,2,4,8 --tdnn-early-subsampling "${INIT[@]}" \
    --activation lrelu --alpha 0.01 --subsampling 3 \
    --batch-size 32 --lr 2e-3 --warmup-steps 300 \
    --time-budget-min "$BUDGET_MIN" --eval-every 2000 --max-dev-utts 600 --patience 0 --seed "$SEED" --threads "$THREADS" --bf16 auto \
    $RESUME $TRAIN_ARGS 2>&1 | tee -a "$RUN/train.out"
fi

if stage 4; then
  say "stage 4: convert -> $MODEL"
  node dist/src/cli/main.js convert --weights "$RUN/model.safetensors" --arch "$RUN/arch.json" --out "$MODEL" --force
fi

if stage 5; then
  say "stage 5: parity (onnxruntime-node vs PyTorch on the same dev features)"
  "$PY" tools/train/parity.py --run "$RUN" --shard "$FEATS/dev" --count 8 --out "$WORK/parity" --threads "$THREADS"
  node dist/tools/recipe/parity.js --model "$MODEL" --dump "$WORK/parity" --shard "$FEATS/dev" --tol 1e-4
fi

if stage 6; then
  manifests=()
  for set in $EVAL_SETS; do [ -f "$CORPUS/$set.jsonl" ] && manifests+=("$CORPUS/$set.jsonl"); done
  say "stage 6: eval ${manifests[*]}"
  node dist/src/cli/main.js eval "${manifests[@]}" --model "$MODEL" --threads "$THREADS" \
    --bootstrap 2000 --json "$WORK/eval.json" --hyp "$WORK/hyp.jsonl" | tee "$WORK/eval.txt"
  if [ -n "$MODEL_OUT" ] && [ "$STOP_STAGE" -lt 7 ]; then cp "$MODEL" "$MODEL_OUT"; say "copied $MODEL to $MODEL_OUT"; fi
fi

if stage 7; then
  # The shipped model is this synthetic model fine-tuned on real human speech from Debian packages, with
  # synthetic replay, then interpolated with it (tools/recipe/human.sh, which resumes on its own).
  say "stage 7: human speech -> $WORK/human (tools/recipe/human.sh --init-model $MODEL)"
  tools/recipe/human.sh --work "$WORK/human" --init-model "$MODEL" --seed "$SEED" --jobs "$JOBS" --threads "$THREADS" --stage 1
  if [ -n "$MODEL_OUT" ]; then cp "$WORK/human/model.onnx" "$MODEL_OUT"; say "copied $WORK/human/model.onnx to $MODEL_OUT"; fi
fi

say "done in $(( $(date +%s) - T_START )) s"
