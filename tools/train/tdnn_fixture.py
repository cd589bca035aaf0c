#!/usr/bin/env python3
"""Parity fixture for TDNN conversion (test/convert/tdnn.test.ts): a random `TDNN` from train.py, run through the
trainer's own forward on a padded batch of random base frames (utterances of different lengths, some shorter than
the receptive field), then exported with train.py's exporter. With --batchnorm the model has BatchNorm layers with
random running statistics, evaluated by PyTorch's own BatchNorm (inference mode), and the exporter folds them into
the next layers: the converted model must still match.

Writes to --out: model.safetensors + arch.json (what `earshot convert` reads), base.f32 (every utterance's base
frames, concatenated, float32 LE), logprobs.f32 (the trainer's log-softmax outputs, concatenated) and
expected.json {dim, outputDim, lengths, outFrames}.

/usr/bin/python3 tools/train/tdnn_fixture.py --config base-config.json --out /tmp/tdnn --seed 7
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import LABELS, TDNN, export_tdnn  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--config', required=True, help='base FeatureConfig JSON (numCeps, deltaOrder, ...)')
    p.add_argument('--out', required=True)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--hidden', default='16,16,16')
    p.add_argument('--dilations', default='1,2,3')
    p.add_argument('--subsampling', type=int, default=3)
    p.add_argument('--early-subsampling', action='store_true', help='the first convolution strides by --subsampling')
    p.add_argument('--lengths', default='29,4,1', help='utterance lengths in base frames')
    p.add_argument('--activation', default='lrelu')
    p.add_argument('--alpha', type=float, default=0.01)
    p.add_argument('--batchnorm', action='store_true', help='BatchNorm after each hidden activation (folded on export)')
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    with open(a.config) as f:
        fc = json.load(f)
    dim = fc['numCeps'] * (fc['deltaOrder'] + 1)
    hidden = [int(h) for h in a.hidden.split(',')]
    dil = [int(d) for d in a.dilations.split(',')]
    model = TDNN(dim, hidden, dil, len(LABELS), a.activation, a.alpha, 0.0, a.subsampling, a.early_subsampling,
                 a.batchnorm).eval()
    with torch.no_grad():  # larger than the default init, so the outputs are far from uniform
        for prm in model.parameters():
            prm.mul_(3.0)
        for bn in model.norms or []:  # statistics and affine parameters far from the identity
            bn.running_mean.uniform_(-1.0, 1.0)
            bn.running_var.uniform_(0.5, 2.0)
            bn.weight.uniform_(0.5, 1.5)
            bn.bias.uniform_(-0.5, 0.5)
    lengths = [int(n) for n in a.lengths.split(',')]
    x = torch.zeros(len(lengths), max(lengths), dim)
    utts = [torch.randn(n, dim) for n in lengths]
    for b, u in enumerate(utts):
        x[b, :len(u)] = u
        x[b, len(u):] = 1e3  # batch padding: must never reach an output
    with torch.no_grad():
        logits, out_len = model(x, torch.tensor(lengths))
    lp = logits.log_softmax(-1)
    os.makedirs(a.out, exist_ok=True)
    np.concatenate([u.numpy() for u in utts]).astype('<f4').tofile(os.path.join(a.out, 'base.f32'))
    np.concatenate([lp[b, :int(n)].numpy() for b, n in enumerate(out_len)]).astype('<f4').tofile(os.path.join(a.out, 'logprobs.f32'))
    fc = dict(fc, normalization={'type': 'none'}, subsampling=a.subsampling)
    export_tdnn(model, a.out, fc, {'fixture': 'tools/train/tdnn_fixture.py', 'seed': a.seed})
    with open(os.path.join(a.out, 'expected.json'), 'w') as f:
        json.dump({'dim': dim, 'outputDim': len(LABELS), 'lengths': lengths, 'outFrames': [int(n) for n in out_len],
                   'receptiveField': model.receptive()}, f)


if __name__ == '__main__':
    main()
