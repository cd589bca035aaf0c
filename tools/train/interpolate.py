#!/usr/bin/env python3
"""Interpolate two exports of the same network in weight space (WiSE-FT: Wortsman et al., "Robust fine-tuning of
zero-shot models", CVPR 2022): out = (1 - alpha) * A + alpha * B, tensor by tensor, computed in float64.

A is typically a model's own export (tools/train/weights-from-model.js) and B the run fine-tuned from it
(train.py --init A): both then share one basin and one parameterization, and the interpolation keeps most of what
the fine-tuning gained on its new data while losing less of what A knew. The exports must describe the same network
and featurization (kind, layer names, dilations and strides, activation, alpha, featureConfig including its
normalization, output apart from its LM recommendation, labels); arch.json is B's, with provenance naming both inputs and alpha. The output converts
with `earshot convert` like any export.

  /usr/bin/python3 tools/train/interpolate.py --a DIR_A --b DIR_B --alpha 0.5 --out DIR
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import read_export_arch, read_safetensors, write_arch, write_safetensors  # noqa: E402

SAME = ['kind', 'layers', 'kernel', 'outputLayer', 'activation', 'alpha', 'featureConfig', 'output', 'labels']


def read(d: str):
    weights = os.path.join(d, 'model.safetensors')
    arch = read_export_arch(os.path.join(d, 'arch.json'), weights,
                            lambda f: f'interpolate: no {f}: pass an export directory (model.safetensors + arch.json)')
    return arch, read_safetensors(weights)


def interpolate(a_dir: str, b_dir: str, alpha: float, out: str) -> None:
    if not 0.0 <= alpha <= 1.0:
        raise SystemExit(f'interpolate: --alpha must be in [0, 1], got {alpha}')
    (arch_a, ta), (arch_b, tb) = read(a_dir), read(b_dir)
    # output.lm is a decoding recommendation (earshot convert --lm-weight), not part of the network
    def field(arch, k):
        v = arch.get(k)
        return {x: y for x, y in v.items() if x != 'lm'} if k == 'output' and isinstance(v, dict) else v
    bad = [k for k in SAME if field(arch_a, k) != field(arch_b, k)]
    if bad:
        raise SystemExit(f'interpolate: {a_dir} and {b_dir} differ in {", ".join(bad)}: only exports of the same network '
                         'and featurization can be interpolated')
    if set(ta) != set(tb) or any(ta[k].shape != tb[k].shape for k in ta):
        raise SystemExit(f'interpolate: {a_dir} and {b_dir} hold different tensors or shapes')
    mixed = {k: torch.from_numpy(((1.0 - alpha) * ta[k].astype(np.float64) + alpha * tb[k].astype(np.float64)).astype(np.float32))
             for k in ta}
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, 'model.safetensors'), mixed, {'format': 'pt', 'producer': 'earshot tools/train/interpolate'})
    write_arch(out, {**arch_b, 'provenance': {**arch_b.get('provenance', {}), 'interpolation': {
        'alpha': alpha, 'a': os.path.abspath(a_dir), 'b': os.path.abspath(b_dir),
        'a_provenance': arch_a.get('provenance', {})}}})


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--a', required=True, help='export at alpha = 0 (e.g. the model fine-tuned from)')
    p.add_argument('--b', required=True, help='export at alpha = 1 (e.g. the fine-tuned run)')
    p.add_argument('--alpha', type=float, required=True, help='weight of B, in [0, 1]')
    p.add_argument('--out', required=True, help='directory to write model.safetensors + arch.json into')
    a = p.parse_args(argv)
    interpolate(a.a, a.b, a.alpha, a.out)
    print(f'interpolate: wrote {a.out} = {1 - a.alpha:g} x {a.a} + {a.alpha:g} x {a.b}')


if __name__ == '__main__':
    main()
