"""The command line of tools/train/train.py: every flag, grouped (data, model, optimisation, augmentation, run)."""
from __future__ import annotations

import argparse


def parse_args(argv=None, description: str = ''):
    """The run's options; `description` heads --help (train.py passes its docstring)."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group('data')
    d.add_argument('--train', required=True, help='train shard directory (with stats.json); several, comma-separated, are '
                   'read as one, with their statistics pooled')
    d.add_argument('--dev', help='dev shard directory (early stopping on its greedy CER)')
    d.add_argument('--out', required=True, help='run directory: checkpoints, logs, model.safetensors, arch.json')
    d.add_argument('--max-train-utts', type=int, default=0, help='use only the first N train utterances (0 = all)')
    d.add_argument('--exclude-ids', default='', help='file of utterance ids (one per line) to leave out of --train, e.g. '
                   'a subset for a learning curve (tools/corpus/subset.ts writes one); normalization statistics are '
                   'still those of the whole shards')
    d.add_argument('--max-dev-utts', type=int, default=600, help='evaluate on the first N dev utterances (0 = all)')
    m = p.add_argument_group('model')
    m.add_argument('--model', choices=['mlp', 'tdnn'], default='mlp')
    m.add_argument('--layers', type=int, default=5, help='hidden layers')
    m.add_argument('--width', type=int, default=1024, help='units per hidden layer')
    m.add_argument('--hidden', default='', help='explicit comma-separated hidden widths (overrides --layers/--width)')
    m.add_argument('--activation', choices=['tanh', 'relu', 'lrelu'], default='lrelu')
    m.add_argument('--alpha', type=float, default=0.01, help='leaky-ReLU negative slope (written explicitly to the model)')
    m.add_argument('--dropout', type=float, default=0.0)
    m.add_argument('--context-left', type=int, default=15)
    m.add_argument('--context-right', type=int, default=15)
    m.add_argument('--subsampling', type=int, default=3, help='one output frame every N base frames')
    m.add_argument('--tdnn-dilations', default='', help='tdnn: comma-separated dilation per hidden layer')
    m.add_argument('--batchnorm', action='store_true',
                   help='tdnn: BatchNorm after each hidden activation during training; the export folds it into the next '
                        'layer, so the model file is a plain TDNN')
    m.add_argument('--tdnn-early-subsampling', action='store_true',
                   help='tdnn: the first convolution strides by --subsampling and the later ones run at the output rate '
                        '(their dilations count output frames)')
    o = p.add_argument_group('optimisation')
    o.add_argument('--batch-size', type=int, default=32, help='utterances per batch (per rank)')
    o.add_argument('--max-batch-frames', type=int, default=0, help='cap on padded base frames per batch (0 = none)')
    o.add_argument('--eval-batch-size', type=int, default=64)
    o.add_argument('--lr', type=float, default=1e-3)
    o.add_argument('--min-lr', type=float, default=2e-5)
    o.add_argument('--schedule', choices=['cosine', 'constant'], default='cosine',
                   help='after warmup: cosine over max(step/max-steps, wall/time-budget), or constant')
    o.add_argument('--warmup-steps', type=int, default=300)
    o.add_argument('--weight-decay', type=float, default=0.0)
    o.add_argument('--clip', type=float, default=5.0, help='gradient norm clipping (0 = off)')
    o.add_argument('--max-steps', type=int, default=0, help='stop after N steps (0 = no limit)')
    o.add_argument('--epochs', type=int, default=1000)
    o.add_argument('--time-budget-min', type=float, default=0, help='stop after this many minutes of training wall time')
    o.add_argument('--seed', type=int, default=1)
    o.add_argument('--bf16', nargs='?', const='on', default='off', choices=['on', 'off', 'auto'],
                   help='mixed precision: the training forward pass\'s matrix products in bfloat16 (torch.autocast); weights, '
                        'optimizer, loss and evaluation stay float32. About 2x the steps per second on CPUs with AVX512-BF16 '
                        'or AMX (and on GPUs); slower on CPUs without them. --bf16 alone = on; auto: on where the CPU (or GPU) '
                        'has bfloat16 arithmetic')
    a = p.add_argument_group('augmentation (SpecAugment-style, on normalized MFCC+delta frames)')
    a.add_argument('--time-masks', type=int, default=0)
    a.add_argument('--time-mask-width', type=int, default=10, help='max frames per time mask')
    a.add_argument('--time-mask-max-frac', type=float, default=0.1, help='a mask covers at most this fraction of the utterance')
    a.add_argument('--feat-masks', type=int, default=0)
    a.add_argument('--feat-mask-width', type=int, default=2, help='max cepstral indices per feature mask')
    r = p.add_argument_group('run')
    r.add_argument('--eval-every', type=int, default=250, help='steps between dev evaluations')
    r.add_argument('--log-every', type=int, default=10)
    r.add_argument('--ckpt-every', type=int, default=250)
    r.add_argument('--patience', type=int, default=8, help='stop after N evaluations without a better dev CER (0 = never)')
    r.add_argument('--resume', action='store_true', help='continue from <out>/last.pt')
    r.add_argument('--init', default='', help='fine-tune: start from these weights (same architecture) with a fresh optimizer, '
                   'schedule and step count; its training time is added to the reported total. A .pt checkpoint, or an '
                   'export (DIR with model.safetensors + arch.json): train.py\'s, or an .onnx model\'s from '
                   'tools/train/weights-from-model.js, whose normalization statistics are then kept')
    m.add_argument('--norm', choices=['global', 'sliding'], default='global',
                   help='input normalization the model carries: global mean/std (the train shard\'s stats.json), or '
                        'sliding: minus the causal mean of the last --norm-window frames (per utterance and speaker, as '
                        'streaming computes it; tdnn only), scaled by a fixed std folded into the first layer')
    m.add_argument('--norm-window', type=int, default=600, help='--norm sliding: window in frames (600 = 6 s)')
    r.add_argument('--stats', default='', help='normalization statistics (stats.json) to use instead of the train shard\'s: '
                   'with --init, pass the initial model\'s so that its inputs keep their scale')
    r.add_argument('--threads', type=int, default=2, help='torch intra-op threads on CPU')
    r.add_argument('--device', choices=['auto', 'cpu', 'cuda'], default='auto')
    r.add_argument('--no-export', action='store_true')
    return p.parse_args(argv)
