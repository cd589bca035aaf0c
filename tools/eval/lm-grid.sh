#!/usr/bin/env bash
# Tune the beam decoder's LM weight and word bonus on dev sets only (never on test or evaluation-only sets):
# every pair of the grid decodes every dev manifest; the pick is the pair with the lowest mean WER over the
# manifests (each set counts once, whatever its size), ties to the lower CER. Convert the model with the pick
# (`earshot convert ... --lm-weight W --word-bonus B`) so that it carries its own beam settings.
#
#   tools/eval/lm-grid.sh MODEL OUT_DIR DEV.jsonl [DEV.jsonl ...]
#
# Environment: WEIGHTS (default "0.4 0.7 1.0"), BONUSES (default "3 6 9"), LM (default models/en-3gram.lmbin),
# THREADS (default 1). Each pair's report is kept (OUT_DIR/w<W>-b<B>.json), so a rerun only decodes missing
# pairs; the table goes to OUT_DIR/grid.tsv and the pick to stdout.
set -euo pipefail
cd "$(dirname "$0")/../.."

[ $# -ge 3 ] || { sed -n 2,12p "$0" >&2; exit 1; }
MODEL=$1; OUT=$2; shift 2
WEIGHTS=${WEIGHTS:-0.4 0.7 1.0}
BONUSES=${BONUSES:-3 6 9}
LM=${LM:-models/en-3gram.lmbin}
THREADS=${THREADS:-1}
CLI=dist/src/cli/main.js
for f in "$CLI" "$MODEL" "$LM" "$@"; do [ -f "$f" ] || { echo "lm-grid.sh: $f is missing" >&2; exit 1; }; done
mkdir -p "$OUT"

for w in $WEIGHTS; do
  for b in $BONUSES; do
    j="$OUT/w$w-b$b.json"
    [ -f "$j" ] && continue
    node "$CLI" eval "$@" --model "$MODEL" --threads "$THREADS" --decoder beam --lm "$LM" --lm-weight "$w" --word-bonus "$b" \
      --json "$j.tmp" > /dev/null
    mv "$j.tmp" "$j"
  done
done

node -e '
const fs = require("fs"); const [out, weights, bonuses, n] = process.argv.slice(1);
const rows = []; const head = ["weight", "bonus", "meanWer", "meanCer"];
let sets = null;
for (const w of weights.split(" ")) for (const b of bonuses.split(" ")) {
  const subs = JSON.parse(fs.readFileSync(`${out}/w${w}-b${b}.json`, "utf8")).subsets.filter((s) => s.subset !== "overall");
  if (subs.length !== Number(n)) throw new Error(`${out}/w${w}-b${b}.json has ${subs.length} subsets, expected ${n}: delete it and rerun`);
  sets = sets ?? subs.map((s) => s.subset);
  const mean = (k) => subs.reduce((a, s) => a + s[k], 0) / subs.length;
  rows.push({ w, b, wer: mean("wer"), cer: mean("cer"), per: subs.map((s) => `${(100 * s.wer).toFixed(1)}/${(100 * s.cer).toFixed(1)}`) });
}
const pct = (x) => (100 * x).toFixed(2);
const lines = [[...head, ...sets.map((s) => `${s} wer/cer`)].join("\t"), ...rows.map((r) => [r.w, r.b, pct(r.wer), pct(r.cer), ...r.per].join("\t"))];
fs.writeFileSync(`${out}/grid.tsv`, lines.join("\n") + "\n");
const best = [...rows].sort((x, y) => x.wer - y.wer || x.cer - y.cer)[0];
console.log(lines.join("\n")); console.log(`pick: --lm-weight ${best.w} --word-bonus ${best.b} (mean WER ${pct(best.wer)} %, CER ${pct(best.cer)} % over ${sets.join(", ")})`);
' "$OUT" "$WEIGHTS" "$BONUSES" "$#"
