#!/usr/bin/env python3
"""Dump PyTorch's view of an exported model for the recipe-level parity check (tools/recipe/parity.ts).

Reads the exported `model.safetensors` + `arch.json` (exactly what `earshot convert` reads), takes the first N
utterances of a feature shard, normalizes them as the model's feature config says (global mean/std, or a
causal sliding-window mean), splices and subsamples them as
the TypeScript `spliceFrames` does (a TDNN runs the trainer's forward on the base frames instead; its spliced
inputs are the windows the converted model reads), and writes:
  inputs.f32    spliced, normalized model inputs of every utterance, concatenated (float32 LE, inputDim per frame)
  logits.f32    PyTorch outputs before softmax (float32 LE, outputDim per frame)
  logprobs.f32  log-softmax of the same
  meta.json     {inputDim, outputDim, utterances: [{id, shardIndex, frames, outFrames, offset}]}

The TypeScript side recomputes the inputs with earshot's own normalizeFrames/spliceFrames, checks them against
inputs.f32 (proves the trainer splices as the engine does) and runs them through onnxruntime-node.

/usr/bin/python3 tools/train/parity.py --run work-data/runs/x --shard work-data/feats/dev --count 8 --out /tmp/parity
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from train import Shard, SplicedMLP, normalize_np, read_safetensors, splice_np, tdnn_with_weights  # noqa: E402


def load_exported(run: str) -> tuple:
    with open(os.path.join(run, 'arch.json')) as f:
        arch = json.load(f)
    weights = read_safetensors(os.path.join(run, 'model.safetensors'))
    if arch['kind'] == 'tdnn':
        model = tdnn_with_weights([(weights[l['weight']], weights[l['bias']]) for l in arch['layers']],
                                  (weights[arch['outputLayer']['weight']], weights[arch['outputLayer']['bias']]),
                                  [l['dilation'] for l in arch['layers']], arch['activation'], float(arch['alpha']),
                                  arch['featureConfig']['subsampling'], arch['layers'][0].get('stride', 1) != 1)
        return model, arch
    ws = [weights[l['weight']] for l in arch['layers']]
    bs = [weights[l['bias']] for l in arch['layers']]
    hidden = [w.shape[0] for w in ws[:-1]]
    model = SplicedMLP(ws[0].shape[1], hidden, ws[-1].shape[0], arch['activation'], float(arch['alpha']), 0.0)
    with torch.no_grad():
        for layer, w, b in zip(model.layers, ws, bs):
            layer.weight.copy_(torch.from_numpy(w.copy()))
            layer.bias.copy_(torch.from_numpy(b.copy()))
    model.eval()
    return model, arch


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--run', required=True, help='directory with model.safetensors and arch.json')
    p.add_argument('--shard', required=True, help='feature shard directory')
    p.add_argument('--count', type=int, default=8, help='utterances to dump')
    p.add_argument('--out', required=True)
    p.add_argument('--threads', type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    model, arch = load_exported(a.run)
    fc = arch['featureConfig']
    shard = Shard(a.shard)
    for k in ('sampleRate', 'frameLength', 'frameShift', 'fftSize', 'window', 'preEmphasis', 'inputScale', 'melBands',
              'numCeps', 'deltaOrder', 'deltaWindow'):
        if shard.config[k] != fc[k]:
            raise SystemExit(f'{a.shard}/config.json field {k} = {shard.config[k]!r} differs from the model ({fc[k]!r})')
    os.makedirs(a.out, exist_ok=True)
    inputs, logits, logprobs, utts = [], [], [], []
    offset = 0
    for i, e in enumerate(shard.entries[:a.count]):
        base = normalize_np(np.asarray(shard.frames(i)), fc['normalization'])
        x = splice_np(base, fc['contextLeft'], fc['contextRight'], fc['subsampling'])
        with torch.no_grad():
            if arch['kind'] == 'tdnn':  # the trainer's forward on the base frames; x is the spliced window it sees
                y = model(torch.from_numpy(base)[None], torch.tensor([base.shape[0]]))[0][0]
            else:
                y = model(torch.from_numpy(np.ascontiguousarray(x)))
        inputs.append(x)
        logits.append(y.numpy())
        logprobs.append(y.log_softmax(-1).numpy())
        utts.append({'id': e['id'], 'shardIndex': i, 'frames': e['frames'], 'outFrames': x.shape[0], 'offset': offset})
        offset += x.shape[0]
    np.concatenate(inputs).astype('<f4').tofile(os.path.join(a.out, 'inputs.f32'))
    np.concatenate(logits).astype('<f4').tofile(os.path.join(a.out, 'logits.f32'))
    np.concatenate(logprobs).astype('<f4').tofile(os.path.join(a.out, 'logprobs.f32'))
    with open(os.path.join(a.out, 'meta.json'), 'w') as f:
        json.dump({'inputDim': int(inputs[0].shape[1]), 'outputDim': int(logits[0].shape[1]), 'utterances': utts}, f, indent=1)
    print(f'parity dump: {len(utts)} utterances, {offset} frames -> {a.out}', file=sys.stderr)


if __name__ == '__main__':
    main()
