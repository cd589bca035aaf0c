#!/usr/bin/env bash
# Make the float16 and int8 variants of the default model, and (with --eval) keep only those whose
# greedy CER is within 1 % absolute of the float32 model's on every evaluation set.
#
#   tools/models/variants.sh [--eval] [--bench]
#
#   (always)  earshot quantize models/earshot-en.onnx -> models/earshot-en.fp16.onnx, models/earshot-en.int8.onnx
#   --eval    earshot eval (greedy, 1 thread) of all three on $CORPUS/{test,heldout_voice,festival}.jsonl,
#             one run at a time; prints the CER table; deletes a variant that loses more than 1 % absolute
#             CER on any set (exit status 0 either way; the table says what was kept)
#   --bench   tools/bench/rtf.ts on the three models in one run (1 thread), speed relative to float32
#
# Environment: CORPUS (default work-data/corpus), OUT for reports (default work-data/variants).
# Needs a build (npx tsc -p tsconfig.json). Deterministic: the same source model gives the same bytes.
set -euo pipefail
cd "$(dirname "$0")/../.."
CORPUS=${CORPUS:-work-data/corpus}
OUT=${OUT:-work-data/variants}
SRC=models/earshot-en.onnx
EVAL=0
BENCH=0
for a in "$@"; do
  case "$a" in
    --eval) EVAL=1 ;;
    --bench) BENCH=1 ;;
    *) echo "usage: $0 [--eval] [--bench]" >&2; exit 1 ;;
  esac
done
cli=(node dist/src/cli/main.js)
"${cli[@]}" quantize "$SRC" models/earshot-en.fp16.onnx --weight-type float16 --force
"${cli[@]}" quantize "$SRC" models/earshot-en.int8.onnx --weight-type int8 --force

if [ "$EVAL" = 1 ]; then
  mkdir -p "$OUT"
  for tag in f32 fp16 int8; do
    case $tag in f32) m=$SRC ;; fp16) m=models/earshot-en.fp16.onnx ;; int8) m=models/earshot-en.int8.onnx ;; esac
    for set in test heldout_voice festival; do
      "${cli[@]}" eval "$CORPUS/$set.jsonl" -m "$m" --threads 1 --decoder greedy --json "$OUT/$tag-$set.json" > "$OUT/$tag-$set.txt"
    done
  done
  OUT="$OUT" node --input-type=module -e '
    import { readFileSync, rmSync } from "node:fs";
    const out = process.env.OUT;
    const sets = ["test", "heldout_voice", "festival"];
    const cer = (tag, set) => JSON.parse(readFileSync(`${out}/${tag}-${set}.json`, "utf8")).subsets[0].cer * 100;
    console.log(["model", ...sets.map((s) => `${s} CER %`)].join("\t"));
    for (const tag of ["f32", "fp16", "int8"]) {
      const worst = Math.max(...sets.map((s) => cer(tag, s) - cer("f32", s)));
      const keep = tag === "f32" || worst <= 1;
      console.log([tag, ...sets.map((s) => cer(tag, s).toFixed(2))].join("\t") + (tag === "f32" ? "" : `\tworst +${worst.toFixed(2)} -> ${keep ? "kept" : "removed"}`));
      if (!keep) rmSync(`models/earshot-en.${tag}.onnx`, { force: true });
    }'
fi

if [ "$BENCH" = 1 ]; then
  models=(--model "$SRC")
  for v in fp16 int8; do [ -f "models/earshot-en.$v.onnx" ] && models+=(--model "models/earshot-en.$v.onnx"); done
  node dist/tools/bench/rtf.js "${models[@]}" --threads 1 --repeat 3
fi
ls -l models/earshot-en*.onnx
