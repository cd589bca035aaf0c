# The human-speech fine-tune's network and optimiser flags for tools/train/train.py, shared by human.sh (the
# shipped model) and learning-curve.sh (its measurements), so the curves always measure the recipe that ships.
# Sourced, not run: defines FINE_TUNE_ARGS.
FINE_TUNE_ARGS=(
  --model tdnn --layers 5 --width 448 --tdnn-dilations 1,1,2,4,8 --tdnn-early-subsampling
  --activation lrelu --alpha 0.01 --subsampling 3
  --batch-size 32 --lr 5e-4 --min-lr 1e-5 --warmup-steps 300
  --time-masks 2 --time-mask-width 8 --feat-masks 2 --feat-mask-width 2
  --eval-every 1000 --max-dev-utts 0 --patience 0 --bf16 auto
)
