#!/usr/bin/env python3
"""earshot acoustic-model trainer: spliced-context DNNs with character CTC (Maas, Hannun & Ng 2013).

Reads the feature shards written by tools/featurize (earshot's own TypeScript frontend), applies global
normalization from the train shard's stats.json (or, with --norm sliding, a causal sliding-window mean),
splices and subsamples exactly as the TypeScript `spliceFrames` does (edge frames replicated, output frames
t = 0, s, 2s, ...), trains with CTC over characters and exports `model.safetensors` + `arch.json` for
`earshot convert`.

Run with Debian's torch: /usr/bin/python3 tools/train/train.py --train work-data/feats/train --dev work-data/feats/dev --out work-data/runs/x
Several GPUs or machines: torchrun --nproc_per_node=N tools/train/train.py ... (only rank 0 writes).

The code: data.py (labels, shards, batching, normalization, splicing, augmentation), network.py (MLP, TDNN, loss),
export.py (safetensors + arch.json, BatchNorm fold, --init from an export, portable paths), trainer.py (evaluation,
schedule, the Trainer), options.py (the flags).
"""
from __future__ import annotations

import time

# The names other scripts import from `train` (tools/train/parity.py, tdnn_fixture.py, interpolate.py,
# tools/bench/train_step.py, the recipe smoke test) stay importable from here.
from data import (BLANK_ID, CHAR_TO_ID, FEATURE_CONFIG_KEYS, LABELS, Normalizer, Shard, Shards, Utts,  # noqa: E402,F401
                  collate, ctc_min_frames, differing_fields, edit_distance, encode_text, greedy_decode, make_batches,
                  normalize_np, normalize_text, sliding_mean_np, sliding_spec, sliding_std, spec_augment, splice, splice_np)
from export import (check_folding, export_model, export_tdnn, feature_config_for_model, init_normalizer,  # noqa: E402,F401
                    is_export, load_export, portable_args, portable_path, read_export, read_export_arch, read_safetensors,
                    tdnn_with_weights, write_arch, write_export, write_safetensors)
from network import (TDNN, SplicedMLP, activation_fn, batch_loss, build_model, count_params, forward,  # noqa: E402,F401
                     hidden_widths, tdnn_dilations)
from options import parse_args as _parse_args  # noqa: E402
from trainer import TRAINER_VERSION, Trainer, bf16_choice, cpu_flags, evaluate, load_checkpoint_weights, lr_at  # noqa: E402,F401


def parse_args(argv=None):
    return _parse_args(argv, __doc__)


def main(argv=None) -> None:
    t_process = time.time()  # the run's overhead counts from here: reading the shards, building the model
    Trainer(parse_args(argv), t_process).run()


if __name__ == '__main__':
    main()
