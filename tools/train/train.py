#!/usr/bin/env python3
"""earshot acoustic-model trainer: spliced-context DNNs with character CTC (Maas, Hannun & Ng 2013).

Reads the feature shards written by tools/featurize (earshot's own TypeScript frontend), applies global
normalization from the train shard's stats.json (or, with --norm sliding, a causal sliding-window mean),
splices and subsamples exactly as the TypeScript `spliceFrames` does (edge frames replicated, output frames
t = 0, s, 2s, ...), trains with CTC over characters and exports `model.safetensors` + `arch.json` for
`earshot convert`.

Run with Debian's torch: /usr/bin/python3 tools/train/train.py --train work-data/feats/train --dev work-data/feats/dev --out work-data/runs/x
Several GPUs or machines: torchrun --nproc_per_node=N tools/train/train.py ... (only rank 0 writes).
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import os
import random
import struct
import sys
import time
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

TRAINER_VERSION = '0.1.0'

#: Output units: blank (id 0), space, apostrophe, a-z. Index = output id.
LABELS: List[str] = ['<blank>', ' ', "'"] + [chr(c) for c in range(ord('a'), ord('z') + 1)]
BLANK_ID = 0
CHAR_TO_ID: Dict[str, int] = {c: i for i, c in enumerate(LABELS) if i != BLANK_ID}

FEATURE_CONFIG_KEYS = ['sampleRate', 'frameLength', 'frameShift', 'fftSize', 'window', 'preEmphasis', 'inputScale',
                       'melBands', 'numCeps', 'deltaOrder', 'deltaWindow', 'normalization', 'contextLeft',
                       'contextRight', 'subsampling']


# ----------------------------------------------------------------------------------------------------------------
# Text

def normalize_text(text: str) -> str:
    """Lowercase and collapse whitespace; the corpus tool has already spelled out numbers and symbols."""
    return ' '.join(text.lower().replace('\u2019', "'").split())


def encode_text(text: str) -> Optional[List[int]]:
    """Label ids of a normalized text, or None when it holds a character outside the label set."""
    ids = []
    for ch in text:
        i = CHAR_TO_ID.get(ch)
        if i is None:
            return None
        ids.append(i)
    return ids


def ctc_min_frames(ids: Sequence[int]) -> int:
    """Fewest CTC frames that can emit `ids`: one per label plus a blank between equal neighbours."""
    return len(ids) + sum(1 for a, b in zip(ids, ids[1:]) if a == b)


def greedy_decode(ids: Sequence[int]) -> str:
    """Greedy CTC: collapse repeats, drop blanks."""
    out = []
    prev = -1
    for i in ids:
        if i != prev and i != BLANK_ID:
            out.append(LABELS[i])
        prev = i
    return ''.join(out)


def edit_distance(a: Sequence, b: Sequence) -> int:
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        cur = [i]
        for j, y in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x != y)))
        prev = cur
    return prev[-1]


# ----------------------------------------------------------------------------------------------------------------
# Shards

class Shard:
    """A featurized split: feats.f32 (base frames, float32 LE, baseDim per frame), index.jsonl, config.json."""

    def __init__(self, path: str, max_utts: int = 0):
        self.path = path
        with open(os.path.join(path, 'config.json')) as f:
            self.config = json.load(f)
        self.dim = int(self.config['numCeps']) * (int(self.config['deltaOrder']) + 1)
        raw = np.memmap(os.path.join(path, 'feats.f32'), dtype='<f4', mode='r')
        if raw.size % self.dim:
            raise SystemExit(f'{path}/feats.f32: {raw.size} floats is not a multiple of baseDim {self.dim}; re-run tools/featurize')
        self.feats = raw.reshape(-1, self.dim)
        self.entries: List[dict] = []
        with open(os.path.join(path, 'index.jsonl')) as f:
            for line in f:
                if line.strip():
                    self.entries.append(json.loads(line))
        if max_utts > 0:
            self.entries = self.entries[:max_utts]
        for e in self.entries:
            if e['offset'] + e['frames'] > self.feats.shape[0]:
                raise SystemExit(f'{path}/index.jsonl: utterance {e["id"]} ends at frame {e["offset"] + e["frames"]}, '
                                 f'past the {self.feats.shape[0]} frames in feats.f32; re-run tools/featurize')

    def frames(self, i: int) -> np.ndarray:
        e = self.entries[i]
        return self.feats[e['offset']:e['offset'] + e['frames']]

    def stats(self) -> Tuple[np.ndarray, np.ndarray]:
        return self.counted_stats()[1:]

    def counted_stats(self) -> Tuple[int, np.ndarray, np.ndarray]:
        """stats.json: the number of frames it was computed over, their mean and std (float64)."""
        with open(os.path.join(self.path, 'stats.json')) as f:
            s = json.load(f)
        return int(s['frames']), np.asarray(s['mean'], dtype=np.float64), np.asarray(s['std'], dtype=np.float64)


def differing_fields(a: dict, b: dict) -> List[str]:
    """The keys whose values differ between two feature configs (a key missing on one side counts), sorted."""
    return sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))


class Shards:
    """Several featurized splits read as one (`--train A,B`): their utterances in the order given, each read from
    its own feats.f32, with the normalization statistics of all their frames together. They must share one
    config.json. A user adds a newly featurized corpus to an old one without featurizing the old one again."""

    def __init__(self, paths: Sequence[str], max_utts: int = 0):
        self.parts = [Shard(p) for p in paths]
        first = self.parts[0]
        for s in self.parts[1:]:
            if s.config != first.config:
                raise SystemExit(f'{s.path}/config.json differs from {first.path}/config.json in '
                                 f'{", ".join(differing_fields(s.config, first.config))}: featurize all train shards with the same config')
        self.path = ','.join(paths)
        self.config = first.config
        self.dim = first.dim
        self.where = [(k, i) for k, s in enumerate(self.parts) for i in range(len(s.entries))]
        if max_utts > 0:
            self.where = self.where[:max_utts]
        self.entries = [self.parts[k].entries[i] for k, i in self.where]

    def frames(self, i: int) -> np.ndarray:
        k, j = self.where[i]
        return self.parts[k].frames(j)

    def stats(self) -> Tuple[np.ndarray, np.ndarray]:
        """Each shard's stats.json pooled by frame count: mean = sum(n m) / N, var = sum(n (s^2 + m^2)) / N - mean^2.
        One shard gives its own statistics unchanged."""
        if len(self.parts) == 1:
            return self.parts[0].stats()
        n, m1, m2 = 0, 0.0, 0.0
        for s in self.parts:
            frames, mean, std = s.counted_stats()
            n += frames
            m1 = m1 + frames * mean
            m2 = m2 + frames * (std * std + mean * mean)
        mean = m1 / n
        return mean, np.sqrt(np.maximum(m2 / n - mean * mean, 0.0))


class Utts:
    """The usable utterances of a shard: encoded targets, filtered to those CTC can align."""

    def __init__(self, shard: Shard | Shards, subsampling: int, log=print):
        self.shard = shard
        self.idx: List[int] = []
        self.targets: List[List[int]] = []
        self.texts: List[str] = []
        self.frames: List[int] = []
        bad_chars = too_short = 0
        for i, e in enumerate(shard.entries):
            text = normalize_text(e['text'])
            ids = encode_text(text)
            if ids is None:
                bad_chars += 1
                continue
            out_frames = (e['frames'] + subsampling - 1) // subsampling
            if e['frames'] == 0 or not ids or ctc_min_frames(ids) > out_frames:
                too_short += 1
                continue
            self.idx.append(i)
            self.targets.append(ids)
            self.texts.append(text)
            self.frames.append(e['frames'])
        if bad_chars or too_short:
            log(f'{shard.path}: skipped {bad_chars} utterances with characters outside the labels and '
                f'{too_short} too short for their text (subsampling {subsampling})')

    def __len__(self) -> int:
        return len(self.idx)

    def hours(self, frame_shift_s: float) -> float:
        return sum(self.frames) * frame_shift_s / 3600


def make_batches(frames: Sequence[int], batch_size: int, max_frames: int, rng: Optional[np.random.Generator]) -> List[List[int]]:
    """Batches of similar length: shuffle, sort by length (stable), cut into batches, shuffle the batches.
    A batch holds at most `batch_size` utterances and, when max_frames > 0, at most max_frames padded frames."""
    order = np.arange(len(frames))
    if rng is not None:
        rng.shuffle(order)
    order = sorted(order.tolist(), key=lambda i: frames[i])
    batches: List[List[int]] = []
    cur: List[int] = []
    for i in order:
        longest = max(frames[i], max((frames[j] for j in cur), default=0))
        if cur and (len(cur) >= batch_size or (max_frames > 0 and longest * (len(cur) + 1) > max_frames)):
            batches.append(cur)
            cur = []
        cur.append(i)
    if cur:
        batches.append(cur)
    if rng is not None:
        rng.shuffle(batches)
    return batches


#: Variance floor of sliding normalization with normVars (earshot's SLIDING_VAR_FLOOR, src/features/normalize.ts).
SLIDING_VAR_FLOOR = 1e-10


def sliding_mean_np(x: np.ndarray, window: int) -> np.ndarray:
    """Causal sliding-window mean of (T, D) frames, as earshot's NormStage computes it: row t is the mean of frames
    max(0, t - window + 1) .. t, in float64."""
    cs = np.cumsum(x.astype(np.float64), axis=0)
    s = cs.copy()
    s[window:] -= cs[:-window]
    return s / np.minimum(np.arange(1, x.shape[0] + 1), window)[:, None]


def normalize_np(x: np.ndarray, norm: dict) -> np.ndarray:
    """(T, D) base frames normalized as a feature config's `normalization` says (earshot's normalizeFrames): none,
    global (mean/std) or sliding (causal window mean, with normVars also its population variance); float32 out."""
    x64 = x.astype(np.float64)
    if norm['type'] == 'none':
        return x.astype(np.float32)
    if norm['type'] == 'global':
        return ((x64 - np.asarray(norm['mean'])) / np.asarray(norm['std'])).astype(np.float32)
    if norm['type'] != 'sliding':
        raise SystemExit(f'normalization type {norm["type"]!r} is not none, global or sliding')
    m = sliding_mean_np(x64, norm['window'])
    y = x64 - m
    if norm['normVars']:
        var = sliding_mean_np(x64 * x64, norm['window']) - m * m
        y = y / np.sqrt(np.maximum(var, SLIDING_VAR_FLOOR))
    return y.astype(np.float32)


def sliding_spec(window: int) -> dict:
    """The feature config's `normalization` for a causal sliding-window mean over `window` frames."""
    return {'type': 'sliding', 'window': window, 'normVars': False}


class Normalizer:
    """What the network sees during training. `--norm global`: (x - mean) / std with the train shard's statistics,
    which the exported model's feature config carries. `--norm sliding`: x minus its causal sliding-window mean (the
    feature config's normalization, so the engine computes it, streaming alike), divided by a fixed per-coefficient
    `std`, which the export multiplies into the first layer (`input_scale`) instead."""

    def __init__(self, mean: np.ndarray, std: np.ndarray, window: int = 0):
        self.mean64, self.std64 = mean, std
        self.mean = mean.astype(np.float32)
        self.std = std.astype(np.float32)
        self.window = window

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.window:
            return normalize_np(x, sliding_spec(self.window)) / self.std
        return (x - self.mean) / self.std

    def spec(self) -> dict:
        """The `normalization` of the exported model's feature config."""
        if self.window:
            return sliding_spec(self.window)
        return {'type': 'global', 'mean': [float(v) for v in self.mean64], 'std': [float(v) for v in self.std64]}

    def input_scale(self) -> Optional[np.ndarray]:
        """Per-coefficient divisor the export folds into the first layer (None: the feature config does it all)."""
        return self.std64 if self.window else None


def sliding_std(utts: 'Utts', window: int, count: int = 4000) -> np.ndarray:
    """Per-coefficient standard deviation of sliding-mean-normalized base frames over `count` evenly spaced
    utterances of `utts` (deterministic: the same shard gives the same scale, on every rank and on --resume)."""
    pick = np.unique(np.linspace(0, len(utts) - 1, min(count, len(utts))).astype(int))
    s = sq = 0.0
    n = 0
    for i in pick:
        y = normalize_np(np.asarray(utts.shard.frames(utts.idx[i])), sliding_spec(window)).astype(np.float64)
        s, sq, n = s + y.sum(0), sq + (y * y).sum(0), n + y.shape[0]
    mean = s / n
    return np.maximum(np.sqrt(np.maximum(sq / n - mean * mean, 0.0)), 1e-6)


def collate(utts: Utts, members: Sequence[int], norm: Normalizer) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Padded normalized base frames (B, T, D), lengths (B,), concatenated targets, target lengths."""
    lens = [utts.frames[m] for m in members]
    x = np.zeros((len(members), max(lens), utts.shard.dim), dtype=np.float32)
    for b, m in enumerate(members):
        x[b, :lens[b]] = norm(np.asarray(utts.shard.frames(utts.idx[m])))
    tg = [t for m in members for t in utts.targets[m]]
    tl = [len(utts.targets[m]) for m in members]
    return torch.from_numpy(x), torch.tensor(lens, dtype=torch.long), torch.tensor(tg, dtype=torch.long), torch.tensor(tl, dtype=torch.long)


# ----------------------------------------------------------------------------------------------------------------
# Splicing: the TypeScript spliceFrames, batched

def splice(x: torch.Tensor, lengths: torch.Tensor, left: int, right: int, sub: int) -> Tuple[torch.Tensor, torch.Tensor]:
    """x: (B, T, D) base frames, padded; lengths: (B,). Returns (B, To, (left+1+right)*D) and output lengths.
    Output frame j of utterance b is the concatenation, frame-major, of base frames clamp(j*sub + k, 0, len_b - 1)
    for k = -left .. right: edges replicate the first/last real frame, as earshot's spliceFrames does."""
    B, T, D = x.shape
    out_len = (lengths + sub - 1) // sub
    To = int(out_len.max())
    t = torch.arange(To, device=x.device) * sub
    k = torch.arange(-left, right + 1, device=x.device)
    idx = (t[:, None] + k[None, :]).clamp(min=0)[None].expand(B, -1, -1)
    idx = torch.minimum(idx, (lengths.to(x.device) - 1)[:, None, None])
    g = x.gather(1, idx.reshape(B, -1, 1).expand(-1, -1, D))
    return g.reshape(B, To, (left + right + 1) * D), out_len


def splice_np(base: np.ndarray, left: int, right: int, sub: int) -> np.ndarray:
    """Single-utterance numpy version (for parity dumps): (T, D) -> (ceil(T/sub), (left+1+right)*D)."""
    T = base.shape[0]
    t = np.arange(0, T, sub)
    idx = np.clip(t[:, None] + np.arange(-left, right + 1)[None, :], 0, T - 1)
    return base[idx].reshape(len(t), -1)


def spec_augment(x: torch.Tensor, lengths: torch.Tensor, gen: torch.Generator, cfg: dict, num_ceps: int) -> torch.Tensor:
    """SpecAugment-style masks on normalized base frames (masked values become 0 = the normalization's mean).
    Feature masks hide the same cepstral indices in the statics and every delta block."""
    x = x.clone()
    B, T, D = x.shape
    blocks = D // num_ceps
    for b in range(B):
        n = int(lengths[b])
        for _ in range(cfg['time_masks']):
            w = int(torch.randint(0, cfg['time_width'] + 1, (1,), generator=gen))
            w = min(w, int(n * cfg['time_max_frac']))
            if w > 0:
                s = int(torch.randint(0, n - w + 1, (1,), generator=gen))
                x[b, s:s + w] = 0
        for _ in range(cfg['feat_masks']):
            w = int(torch.randint(0, cfg['feat_width'] + 1, (1,), generator=gen))
            if w > 0:
                s = int(torch.randint(0, num_ceps - w + 1, (1,), generator=gen))
                for blk in range(blocks):
                    x[b, :n, blk * num_ceps + s: blk * num_ceps + s + w] = 0
    return x


# ----------------------------------------------------------------------------------------------------------------
# Models

def activation_fn(name: str, alpha: float):
    if name == 'lrelu':
        return lambda x: F.leaky_relu(x, negative_slope=alpha)
    if name == 'relu':
        return F.relu
    if name == 'tanh':
        return torch.tanh
    raise SystemExit(f'--activation must be tanh, relu or lrelu, got {name!r}')


class SplicedMLP(nn.Module):
    """Affine -> activation, `len(hidden)` times, then an affine output layer (logits). Input: spliced frames."""

    kind = 'mlp'

    def __init__(self, in_dim: int, hidden: Sequence[int], out_dim: int, activation: str, alpha: float, dropout: float):
        super().__init__()
        dims = [in_dim, *hidden, out_dim]
        self.layers = nn.ModuleList(nn.Linear(a, b) for a, b in zip(dims, dims[1:]))
        self.activation, self.alpha, self.dropout = activation, alpha, dropout
        self.act = activation_fn(activation, alpha)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for layer in self.layers[:-1]:
            x = self.act(layer(x))
            if self.dropout > 0:
                x = F.dropout(x, self.dropout, self.training)
        return self.layers[-1](x)


class TDNN(nn.Module):
    """Time-delay stack over normalized base frames: Conv1d layers (kernel 3, no padding), then a Linear output layer.

    Two layouts, chosen by `early` (train.py --tdnn-early-subsampling):
    - plain: every convolution runs at the base frame rate (stride 1, dilations in base frames) and the output layer
      reads every `subsampling`-th frame (t = 0, s, 2s, ...);
    - early: the first convolution has stride s = `subsampling` (its kernel of 3 tiles the frames 3t-1, 3t, 3t+1 for
      s = 3), the later ones run at the output rate (dilations in output frames), so each layer is computed once per
      output frame instead of once per base frame and the receptive field grows s times faster per layer.

    The input is clamp-padded ONCE by the receptive field Rf at both ends (the first/last real frame replicated,
    exactly as earshot's spliceFrames clamps indices) and the convolutions are valid. Output frame t is therefore a
    function of the clamped window t*s - Rf .. t*s + Rf alone, which is what `earshot convert` exports: the model
    input is that window spliced (contextLeft = contextRight = Rf) and the ONNX graph applies the same valid (and
    strided) convolutions to it. Rf = sum over layers of dilation x product of the earlier layers' strides.

    The convolutions are computed as matrix products over the concatenated taps (same maths as nn.Conv1d, whose
    weight layout [out, in, 3] they keep): CPU BLAS runs those far faster than PyTorch's dilated convolution.

    With `batchnorm` (train.py --batchnorm) every hidden layer is conv -> activation -> BatchNorm, Kaldi's
    "relu-batchnorm" order: the normalization is a per-channel affine map at inference, so the export folds it into
    the NEXT layer's weights and bias (`folded()`) and the exported model is a plain leaky-ReLU TDNN."""

    kind = 'tdnn'

    def __init__(self, in_dim: int, hidden: Sequence[int], dilations: Sequence[int], out_dim: int, activation: str,
                 alpha: float, dropout: float, subsampling: int, early: bool = False, batchnorm: bool = False):
        super().__init__()
        if len(dilations) != len(hidden):
            raise SystemExit(f'--tdnn-dilations needs {len(hidden)} values (one per hidden layer), got {len(dilations)}')
        if early and dilations[0] != 1:
            raise SystemExit(f'--tdnn-early-subsampling: the first (strided) layer must have dilation 1, got {dilations[0]}')
        dims = [in_dim, *hidden]
        self.convs = nn.ModuleList(nn.Conv1d(a, b, 3, dilation=d) for a, b, d in zip(dims, dims[1:], dilations))
        self.dilations = list(dilations)
        self.strides = [subsampling if (early and i == 0) else 1 for i in range(len(hidden))]
        self.out = nn.Linear(hidden[-1], out_dim)
        self.norms = nn.ModuleList(nn.BatchNorm1d(h) for h in hidden) if batchnorm else None
        self.sub = subsampling
        self.activation, self.alpha = activation, alpha
        self.act = activation_fn(activation, alpha)
        self.dropout = dropout

    def receptive(self) -> int:
        r, scale = 0, 1
        for d, s in zip(self.dilations, self.strides):
            r += d * scale
            scale *= s
        return r

    @staticmethod
    def conv(x: torch.Tensor, conv: nn.Conv1d, dilation: int, stride: int) -> torch.Tensor:
        """Valid kernel-3 convolution of x (B, T, C) -> (B, n, out) as one matrix product over the three taps."""
        B, T, C = x.shape
        n = (T - 2 * dilation - 1) // stride + 1
        taps = [x[:, j * dilation: j * dilation + (n - 1) * stride + 1: stride] for j in range(3)]
        w = conv.weight.permute(0, 2, 1).reshape(conv.weight.shape[0], 3 * C)  # [out, tap-major in]
        return F.linear(torch.cat(taps, dim=-1), w, conv.bias)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> Tuple[torch.Tensor, torch.Tensor]:
        # x (B, T, D): frame j of the padded input is base frame clamp(j - Rf, 0, len_b - 1), so each utterance's
        # first/last real frame is replicated over the Rf edge frames and over the batch padding; then valid convs.
        B, T, D = x.shape
        r = self.receptive()
        t = torch.arange(-r, T + r, device=x.device).clamp(min=0)[None].expand(B, -1)
        t = torch.minimum(t, (lengths.to(x.device) - 1)[:, None])
        x = x.gather(1, t[..., None].expand(-1, -1, D))
        for i, (conv, d, s) in enumerate(zip(self.convs, self.dilations, self.strides)):
            x = self.act(self.conv(x, conv, d, s))
            if self.norms is not None:  # statistics over every frame of the batch (edge and padding replicas included)
                x = self.norms[i](x.reshape(-1, x.shape[-1])).reshape(x.shape)
            if self.dropout > 0:
                x = F.dropout(x, self.dropout, self.training)
        if self.strides[0] == 1:  # every layer ran at the base rate: keep output frames t = 0, s, 2s, ...
            x = x[:, ::self.sub]
        return self.out(x), (lengths + self.sub - 1) // self.sub

    @torch.no_grad()
    def folded(self) -> Tuple[List[Tuple[torch.Tensor, torch.Tensor]], Tuple[torch.Tensor, torch.Tensor]]:
        """The inference-time weights with each BatchNorm folded into the layer after it: ([(conv weight [out, in, 3],
        bias)] per hidden layer, (output weight, bias)). BatchNorm at inference is y = a*x + c per channel, with
        a = gamma / sqrt(running_var + eps) and c = beta - running_mean * a, so the next layer W y + b equals
        (W scaled by a along its input channels) x + (b + W c), for every tap of a convolution alike."""
        convs = [(c.weight.detach().clone(), c.bias.detach().clone()) for c in self.convs]
        out = (self.out.weight.detach().clone(), self.out.bias.detach().clone())
        if self.norms is None:
            return convs, out
        for i, bn in enumerate(self.norms):
            a = bn.weight / torch.sqrt(bn.running_var + bn.eps)
            c = bn.bias - bn.running_mean * a
            if i + 1 < len(convs):
                w, b = convs[i + 1]  # [out, in, 3]
                convs[i + 1] = (w * a[None, :, None], b + (w * c[None, :, None]).sum(dim=(1, 2)))
            else:
                w, b = out  # [labels, in]
                out = (w * a[None, :], b + w @ c)
        return convs, out


def hidden_widths(args) -> List[int]:
    """The hidden layers' widths the arguments ask for (--hidden, else --layers x --width)."""
    return [args.width] * args.layers if not args.hidden else [int(h) for h in args.hidden.split(',')]


def tdnn_dilations(args, layers: int) -> List[int]:
    """The TDNN's dilations the arguments ask for (--tdnn-dilations, else 1 for each of `layers`)."""
    return [int(d) for d in args.tdnn_dilations.split(',')] if args.tdnn_dilations else [1] * layers


def build_model(args, base_dim: int) -> nn.Module:
    hidden = hidden_widths(args)
    if args.model == 'mlp':
        if args.batchnorm:
            raise SystemExit('--batchnorm is for --model tdnn (the mlp export has no folding); drop --batchnorm or use --model tdnn')
        return SplicedMLP(base_dim * (args.context_left + 1 + args.context_right), hidden, len(LABELS),
                          args.activation, args.alpha, args.dropout)
    return TDNN(base_dim, hidden, tdnn_dilations(args, len(hidden)), len(LABELS), args.activation, args.alpha, args.dropout, args.subsampling,
                args.tdnn_early_subsampling, args.batchnorm)


def forward(model: nn.Module, x: torch.Tensor, lengths: torch.Tensor, args) -> Tuple[torch.Tensor, torch.Tensor]:
    """Logits (B, To, C) and output lengths for padded normalized base frames."""
    m = model.module if hasattr(model, 'module') else model
    if m.kind == 'mlp':
        s, out_len = splice(x, lengths, args.context_left, args.context_right, args.subsampling)
        return model(s), out_len
    return model(x, lengths)


def batch_loss(model: nn.Module, ctc: nn.CTCLoss, x: torch.Tensor, lengths: torch.Tensor, targets: torch.Tensor,
               target_lengths: torch.Tensor, args, device: torch.device) -> torch.Tensor:
    """A training batch's CTC loss: the forward pass (its matrix products in bfloat16 under autocast with --bf16),
    then log-softmax and CTC in float32. tools/bench/train_step.py times this same step."""
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=args.bf16):
        logits, out_len = forward(model, x.to(device), lengths.to(device), args)
    lp = logits.float().log_softmax(-1).transpose(0, 1)
    return ctc(lp, targets.to(device), out_len.to(device), target_lengths.to(device))


def count_params(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


# ----------------------------------------------------------------------------------------------------------------
# Export: safetensors (written by hand; the python package is optional) + arch.json for `earshot convert`

def write_safetensors(path: str, tensors: Dict[str, torch.Tensor], metadata: Optional[Dict[str, str]] = None) -> None:
    header: Dict[str, object] = {}
    blobs = []
    offset = 0
    for name in sorted(tensors):
        arr = tensors[name].detach().to('cpu', torch.float32).contiguous().numpy().astype('<f4', copy=False)
        data = arr.tobytes(order='C')
        header[name] = {'dtype': 'F32', 'shape': list(arr.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    hjson = json.dumps(header, separators=(',', ':')).encode('utf-8')
    hjson += b' ' * ((8 - len(hjson) % 8) % 8)  # the data starts 8-byte aligned
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(struct.pack('<Q', len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    os.replace(tmp, path)


def read_safetensors(path: str) -> Dict[str, np.ndarray]:
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for k, v in header.items():
        if k == '__metadata__':
            continue
        a, b = v['data_offsets']
        out[k] = np.frombuffer(data[a:b], dtype='<f4').reshape(v['shape'])
    return out


def feature_config_for_model(base_config: dict, norm: Normalizer, args) -> dict:
    fc = {k: base_config[k] for k in FEATURE_CONFIG_KEYS if k in base_config}
    fc['normalization'] = norm.spec()
    fc['contextLeft'] = args.context_left
    fc['contextRight'] = args.context_right
    fc['subsampling'] = args.subsampling
    return fc


def write_export(out_dir: str, m: nn.Module, tensors: dict, layout: dict, feature_config: dict, provenance: dict) -> None:
    """model.safetensors from `tensors`, and arch.json: `layout` (kind and layer names) followed by the fields every
    kind shares (activation, alpha, featureConfig, output, labels, provenance); arch.json is replaced atomically."""
    write_safetensors(os.path.join(out_dir, 'model.safetensors'), tensors, {'format': 'pt', 'producer': 'earshot tools/train'})
    write_arch(out_dir, {**layout, 'activation': m.activation, 'alpha': m.alpha, 'featureConfig': feature_config,
                         'output': {'type': 'ctc', 'blankId': BLANK_ID}, 'labels': LABELS, 'provenance': provenance})


def write_arch(out_dir: str, arch: dict) -> None:
    """Replace out_dir/arch.json with `arch` atomically."""
    tmp = os.path.join(out_dir, 'arch.json.tmp')
    with open(tmp, 'w') as f:
        json.dump(arch, f, indent=1)
    os.replace(tmp, os.path.join(out_dir, 'arch.json'))


def export_tdnn(m: 'TDNN', out_dir: str, feature_config: dict, provenance: dict,
                in_scale: Optional[np.ndarray] = None) -> bool:
    """TDNN export: tensors convs.<i>.weight [out, in, 3] / .bias and out.weight [labels, H] / .bias; arch.json kind
    "tdnn" with each layer's dilation. The feature config's context becomes the receptive field (the converter
    feeds each output frame's clamped window t - Rf .. t + Rf, spliced, to valid convolutions). BatchNorm layers
    are folded into the next layer's weights; an input scale (`--norm sliding`: the network saw its inputs divided
    by it) is folded into the first layer's; the plain TDNN is checked against the model itself."""
    convs, (out_w, out_b) = m.folded()
    if in_scale is not None:
        w, b = convs[0]
        convs[0] = (w / torch.as_tensor(in_scale, dtype=w.dtype)[None, :, None], b)
    if m.norms is not None or in_scale is not None:
        err = check_folding(m, convs, (out_w, out_b), in_scale)
        what = [f'{len(m.norms)} BatchNorm layers into the next layers'] if m.norms is not None else []
        what += ['the input scale into the first layer'] if in_scale is not None else []
        print(f'export: folded {" and ".join(what)} (relative max difference {err:.1e})', file=sys.stderr)
    tensors = {}
    layers = []
    for i, ((w, b), d) in enumerate(zip(convs, m.dilations)):
        tensors[f'convs.{i}.weight'] = w  # [out, in, kernel], as nn.Conv1d
        tensors[f'convs.{i}.bias'] = b
        layer = {'weight': f'convs.{i}.weight', 'bias': f'convs.{i}.bias', 'dilation': int(d)}
        if m.strides[i] != 1:
            layer['stride'] = int(m.strides[i])
        layers.append(layer)
    tensors['out.weight'] = out_w
    tensors['out.bias'] = out_b
    fc = dict(feature_config)
    fc['contextLeft'] = fc['contextRight'] = m.receptive()
    write_export(out_dir, m, tensors, {'kind': 'tdnn', 'layers': layers, 'kernel': 3,
                                       'outputLayer': {'weight': 'out.weight', 'bias': 'out.bias'}}, fc, provenance)
    return True


def tdnn_with_weights(convs, out, dilations: Sequence[int], activation: str, alpha: float, subsampling: int,
                      early: bool) -> 'TDNN':
    """A TDNN without normalization layers, in eval mode, holding the given weights: `convs` = [(weight [out, in, 3],
    bias)] per hidden layer and `out` = (weight [labels, H], bias), as tensors or numpy arrays (an exported model's,
    or a model's folded ones); the sizes come from the weights."""
    def t(a) -> torch.Tensor:
        return a if isinstance(a, torch.Tensor) else torch.from_numpy(np.array(a))
    p = TDNN(convs[0][0].shape[1], [w.shape[0] for w, _ in convs], dilations, out[0].shape[0], activation, alpha, 0.0,
             subsampling, early)
    with torch.no_grad():
        for conv, (w, b) in zip(p.convs, convs):
            conv.weight.copy_(t(w))
            conv.bias.copy_(t(b))
        p.out.weight.copy_(t(out[0]))
        p.out.bias.copy_(t(out[1]))
    return p.eval()


@torch.no_grad()
def check_folding(m: 'TDNN', convs, out, in_scale: Optional[np.ndarray] = None, tol: float = 1e-3) -> float:
    """The folded plain TDNN must compute what the model computes at inference (BatchNorm on running statistics):
    the model runs on a seeded random input x, the plain TDNN on x * in_scale (what it will be fed, undivided); a
    difference above `tol` (relative to the logits' scale) stops the export rather than writing a model that
    decodes differently from the one evaluated."""
    was_training = m.training
    m.eval()
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2, 3 * m.receptive() + 17, m.convs[0].in_channels, generator=g)
    lengths = torch.tensor([x.shape[1], x.shape[1] - 11])
    ref = m(x, lengths)[0]
    x_in = x if in_scale is None else x * torch.as_tensor(in_scale, dtype=x.dtype)
    got = tdnn_with_weights(convs, out, m.dilations, m.activation, m.alpha, m.sub, m.strides[0] != 1)(x_in, lengths)[0]
    m.train(was_training)
    err = float((ref - got).abs().max() / ref.abs().max().clamp(min=1e-6))
    if not err <= tol:
        raise SystemExit(f'export: folding BatchNorm / the input scale into the weights changed the outputs (relative '
                         f'max difference {err:.2e} > {tol}); the model was not exported')
    return err


def export_model(model: nn.Module, out_dir: str, feature_config: dict, provenance: dict, args,
                 in_scale: Optional[np.ndarray] = None) -> bool:
    """Write model.safetensors + arch.json; False (and nothing written) for kinds the converter cannot read."""
    m = model.module if hasattr(model, 'module') else model
    if m.kind == 'tdnn':
        return export_tdnn(m, out_dir, feature_config, provenance, in_scale)
    if m.kind != 'mlp':
        print(f'export: {m.kind} models are not convertible (earshot convert reads mlp and tdnn); wrote the checkpoint only', file=sys.stderr)
        return False
    tensors = {}
    layers = []
    for i, layer in enumerate(m.layers):
        tensors[f'layers.{i}.weight'] = layer.weight  # [out, in], as nn.Linear
        tensors[f'layers.{i}.bias'] = layer.bias
        layers.append({'weight': f'layers.{i}.weight', 'bias': f'layers.{i}.bias'})
    write_export(out_dir, m, tensors, {'kind': 'mlp', 'layers': layers}, feature_config, provenance)
    return True


# ----------------------------------------------------------------------------------------------------------------
# Evaluation

@torch.no_grad()
def evaluate(model: nn.Module, utts: Utts, norm: Normalizer, args, device: torch.device, ctc: nn.CTCLoss) -> dict:
    model.eval()
    errs = chars = werrs = words = 0
    loss_sum = 0.0
    n = 0
    hyps: List[str] = []
    for members in make_batches(utts.frames, args.eval_batch_size, 0, None):
        x, lens, tg, tl = collate(utts, members, norm)
        logits, out_len = forward(model, x.to(device), lens.to(device), args)
        lp = logits.float().log_softmax(-1)
        loss = ctc(lp.transpose(0, 1), tg.to(device), out_len.to(device), tl.to(device))
        loss_sum += float(loss) * len(members)
        n += len(members)
        best = lp.argmax(-1).cpu().numpy()
        for b, m in enumerate(members):
            hyp = greedy_decode(best[b, :int(out_len[b])])
            ref = utts.texts[m]
            errs += edit_distance(hyp, ref)
            chars += len(ref)
            werrs += edit_distance(hyp.split(), ref.split())
            words += len(ref.split())
            hyps.append(hyp)
    model.train()
    return {'loss': loss_sum / max(n, 1), 'cer': errs / max(chars, 1), 'wer': werrs / max(words, 1), 'utterances': n,
            'example': hyps[:1]}


# ----------------------------------------------------------------------------------------------------------------
# Training

def cpu_flags() -> set:
    """The instruction-set flags of this machine's CPU (Linux /proc/cpuinfo; empty elsewhere)."""
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('flags'):
                    return set(line.split(':', 1)[1].split())
    except OSError:
        pass
    return set()


def bf16_choice(request: str, device: torch.device, flags: Optional[set] = None) -> Tuple[bool, str]:
    """--bf16 on|off|auto -> (train in bfloat16 autocast?, why). auto: on where bfloat16 arithmetic is native, i.e. a
    CUDA GPU that supports it or a CPU with AVX512-BF16 or AMX-BF16 (elsewhere oneDNN emulates it, slower than float32)."""
    if request != 'auto':
        return request == 'on', f'--bf16 {request}'
    if device.type == 'cuda':
        ok = bool(torch.cuda.is_bf16_supported())
        return ok, f'--bf16 auto: this GPU {"supports" if ok else "does not support"} bfloat16'
    native = sorted({'avx512_bf16', 'amx_bf16'} & (cpu_flags() if flags is None else flags))
    if native:
        return True, f'--bf16 auto: the CPU has {" and ".join(native)}'
    return False, '--bf16 auto: the CPU has neither avx512_bf16 nor amx_bf16 (bfloat16 would be emulated, slower)'


def lr_at(step: int, elapsed: float, args) -> float:
    if step < args.warmup_steps:
        return args.lr * (step + 1) / args.warmup_steps
    prog = 0.0
    if args.max_steps > 0:
        prog = max(prog, (step - args.warmup_steps) / max(1, args.max_steps - args.warmup_steps))
    if args.time_budget_min > 0:
        prog = max(prog, elapsed / (args.time_budget_min * 60))
    prog = min(1.0, prog)
    if args.schedule == 'constant':
        return args.lr
    return args.min_lr + 0.5 * (args.lr - args.min_lr) * (1 + math.cos(math.pi * prog))


def load_checkpoint_weights(model: nn.Module, path: str, flag: str, hint: str) -> dict:
    """Load the checkpoint at `path` (given with `flag`) and its weights into `model`; returns the checkpoint.
    Weights that do not fit the model stop with a message saying what to pass (`hint`) instead of a traceback."""
    ck = torch.load(path, map_location='cpu')
    try:
        model.load_state_dict(ck['model'])
    except RuntimeError as e:
        raise SystemExit(f'{flag} {path}: its weights do not fit this architecture ({hint}): {e}')
    return ck


def is_export(path: str) -> bool:
    """True when `path` names an export (a directory with model.safetensors + arch.json, or the .safetensors file
    itself: train.py's own, or tools/train/weights-from-model.js's from an .onnx model) rather than a .pt checkpoint."""
    return os.path.isdir(path) or path.endswith('.safetensors')


def read_export_arch(arch_path: str, weights_path: str, missing) -> dict:
    """An export's arch.json, once both its files are there; one that is not ends the run with `missing(file)`."""
    for f in (arch_path, weights_path):
        if not os.path.isfile(f):
            raise SystemExit(missing(f))
    with open(arch_path) as f:
        return json.load(f)


def read_export(path: str, args, base_config: dict) -> Tuple[dict, Dict[str, np.ndarray]]:
    """arch.json and tensors of the export at `path`, checked against what this run builds: the same kind, layers,
    dilations, strides, activation and alpha (the weights' shapes are checked on loading), and the same frontend
    as the train shard (sample rate, MFCC, deltas; a model computes nothing sensible on other features). An export
    has its BatchNorm folded, so it is fine-tuned as a plain network (no --batchnorm)."""
    d = path if os.path.isdir(path) else os.path.dirname(path) or '.'
    weights = path if path.endswith('.safetensors') else os.path.join(d, 'model.safetensors')
    arch = read_export_arch(os.path.join(d, 'arch.json'), weights,
                            lambda f: f'--init {path}: no {f}; write one with node dist/tools/train/weights-from-model.js --model M.onnx --out DIR')
    bad = []
    def want(what, got, expected):
        if got != expected:
            bad.append(f'{what}: the export has {got!r}, this run {expected!r}')
    want('kind (--model)', arch.get('kind'), args.model)
    hidden = hidden_widths(args)
    want('hidden layers (--layers)', len(arch.get('layers', [])) - (1 if arch.get('kind') == 'mlp' else 0), len(hidden))
    want('activation', arch.get('activation'), args.activation)
    if args.activation == 'lrelu':
        want('alpha', arch.get('alpha'), args.alpha)
    fc = arch.get('featureConfig', {})
    want('subsampling', fc.get('subsampling'), args.subsampling)
    if args.model == 'tdnn':
        want('dilations (--tdnn-dilations)', [l.get('dilation') for l in arch.get('layers', [])], tdnn_dilations(args, len(hidden)))
        want('first stride (--tdnn-early-subsampling)', arch.get('layers', [{}])[0].get('stride', 1),
             args.subsampling if args.tdnn_early_subsampling else 1)
    else:
        want('context (--context-left/right)', [fc.get('contextLeft'), fc.get('contextRight')], [args.context_left, args.context_right])
    for k in FEATURE_CONFIG_KEYS:
        if k not in ('normalization', 'contextLeft', 'contextRight', 'subsampling'):
            want(f'featureConfig.{k} (the train shard\'s config.json)', fc.get(k), base_config.get(k))
    if args.batchnorm:
        bad.append('--batchnorm: an export has its BatchNorm folded into the weights; fine-tune it without --batchnorm')
    if bad:
        raise SystemExit(f'--init {path}: the export does not fit this run:\n  ' + '\n  '.join(bad))
    return arch, read_safetensors(weights)


def init_normalizer(arch: dict, args, path: str) -> Optional['Normalizer']:
    """The input normalization an exported model was trained with, for fine-tuning it on its own scale: global
    mean/std from its feature config (None for --norm sliding, whose scale is the train shard's; see load_export)."""
    n = arch['featureConfig'].get('normalization', {})
    if args.norm != n.get('type') or (args.norm == 'sliding' and n.get('window') != args.norm_window):
        raise SystemExit(f'--init {path}: the model normalizes its input as {json.dumps({k: v for k, v in n.items() if k in ("type", "window")})}; '
                         f'fine-tune it with the same (--norm {n.get("type")}' + (f' --norm-window {n.get("window")})' if n.get('type') == 'sliding' else ')'))
    if args.norm == 'sliding':
        return None
    if args.stats:
        raise SystemExit(f'--init {path}: the exported model carries its own normalization statistics; drop --stats')
    return Normalizer(np.asarray(n['mean'], dtype=np.float64), np.asarray(n['std'], dtype=np.float64))


def load_export(model: nn.Module, arch: dict, tensors: Dict[str, np.ndarray], in_scale: Optional[np.ndarray], path: str) -> dict:
    """Load an export's weights into `model`. With --norm sliding the export's first layer has the input scale it
    was trained with folded in (divided by it); the network sees inputs divided by this run's `in_scale`, so the
    first layer is multiplied by it. Returns the export's training record (steps and wall time, for provenance)."""
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in tensors.items()}
    if in_scale is not None:
        w = state['convs.0.weight']
        state['convs.0.weight'] = w * torch.as_tensor(in_scale, dtype=w.dtype)[None, :, None]
    try:
        model.load_state_dict(state)
    except RuntimeError as e:
        raise SystemExit(f'--init {path}: its weights do not fit this architecture (pass the same --layers/--width): {e}')
    return arch.get('provenance', {}).get('training', {})


def portable_path(p: str) -> str:
    """A path as a shipped model may record it: its last two components (e.g. `feats/train`), never the absolute
    path or the build machine's folders, which say where a machine kept the data, not what the data was."""
    parts = [x for x in os.path.normpath(p).split(os.sep) if x and x not in ('.', '..')]
    return '/'.join(parts[-2:])


PATH_ARGS = ('train', 'dev', 'out', 'init', 'stats')


def portable_args(a: dict) -> dict:
    """The run's arguments for provenance, with every path argument reduced by portable_path."""
    return {k: (','.join(portable_path(x) for x in v.split(',') if x) if k in PATH_ARGS and isinstance(v, str) and v else v)
            for k, v in a.items()}


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    d = p.add_argument_group('data')
    d.add_argument('--train', required=True, help='train shard directory (with stats.json); several, comma-separated, are '
                   'read as one, with their statistics pooled')
    d.add_argument('--dev', help='dev shard directory (early stopping on its greedy CER)')
    d.add_argument('--out', required=True, help='run directory: checkpoints, logs, model.safetensors, arch.json')
    d.add_argument('--max-train-utts', type=int, default=0, help='use only the first N train utterances (0 = all)')
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


def main(argv=None) -> None:
    t_process = time.time()
    args = parse_args(argv)
    if args.init and not os.path.exists(args.init):
        raise SystemExit(f'--init {args.init}: no such file or directory; pass a .pt checkpoint, an export directory '
                         '(model.safetensors + arch.json) or its .safetensors file')
    torch.set_num_threads(args.threads)
    world = int(os.environ.get('WORLD_SIZE', '1'))
    rank = int(os.environ.get('RANK', '0'))
    local_rank = int(os.environ.get('LOCAL_RANK', '0'))
    use_cuda = args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available())
    if use_cuda and not torch.cuda.is_available():
        raise SystemExit('--device cuda: torch.cuda.is_available() is False (Debian python3-torch is CPU-only)')
    device = torch.device(f'cuda:{local_rank}' if use_cuda else 'cpu')
    args.bf16, bf16_why = bf16_choice(args.bf16, device)
    if use_cuda:
        torch.cuda.set_device(device)
    dist = None
    if world > 1:
        import torch.distributed as dist  # noqa: F811
        dist.init_process_group(backend='nccl' if use_cuda else 'gloo')
    main_rank = rank == 0

    def log(*a):
        if main_rank:
            print(*a, flush=True)

    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    if main_rank:
        os.makedirs(args.out, exist_ok=True)

    train_paths = [p for p in args.train.split(',') if p]
    if not train_paths:
        raise SystemExit(f'--train {args.train!r}: give a shard directory, or several separated by commas')
    train_shard = Shards(train_paths, args.max_train_utts)
    mean, std = train_shard.stats()
    if args.stats:
        with open(args.stats) as f:
            st = json.load(f)
        mean, std = np.asarray(st['mean'], dtype=np.float64), np.asarray(st['std'], dtype=np.float64)
        if mean.shape != (train_shard.dim,) or std.shape != (train_shard.dim,):
            raise SystemExit(f'--stats {args.stats}: expected mean and std of {train_shard.dim} values (the shard\'s feature size), got {mean.shape} and {std.shape}')
    std = np.maximum(std, 1e-6)  # the floor tools/featurize applies (STD_FLOOR)
    base_dim = train_shard.dim
    cfg = train_shard.config
    frame_s = cfg['frameShift'] / cfg['sampleRate']
    train = Utts(train_shard, args.subsampling, log)
    if args.norm == 'sliding':
        if args.model != 'tdnn':
            raise SystemExit('--norm sliding is for --model tdnn (the mlp export cannot fold the input scale); use --norm global')
        if args.stats:
            raise SystemExit('--stats sets global normalization statistics; drop it with --norm sliding (its scale is estimated from the train shard)')
        if args.norm_window < 1:
            raise SystemExit(f'--norm-window must be a positive number of frames, got {args.norm_window}')
        norm = Normalizer(mean, sliding_std(train, args.norm_window), args.norm_window)
        log(f'normalization: sliding mean over {args.norm_window} frames, input scale {np.round(norm.std64[:3], 3).tolist()}... '
            'from up to 4,000 train utterances')
    else:
        norm = Normalizer(mean, std)
    last_path = os.path.join(args.out, 'last.pt')
    resuming = args.resume and os.path.exists(last_path)  # --init only seeds a run that does not resume
    init_export = None
    if args.init and not resuming and is_export(args.init):
        init_export = read_export(args.init, args, train_shard.config)
        norm = init_normalizer(init_export[0], args, args.init) or norm
        log(f'--init {args.init}: an export; ' + ('normalization statistics from its feature config' if args.norm == 'global' else 'first layer rescaled to this run\'s input scale'))
    dev = None
    if args.dev:
        dev_shard = Shard(args.dev, args.max_dev_utts)
        if dev_shard.config != train_shard.config:
            raise SystemExit(f'{args.dev}/config.json differs from {train_shard.parts[0].path}/config.json in '
                             f'{", ".join(differing_fields(dev_shard.config, train_shard.config))}: featurize both with the same config')
        dev = Utts(dev_shard, args.subsampling, log)
    log(f'precision: {"bfloat16 autocast" if args.bf16 else "float32"} ({bf16_why})')
    log(f'train: {len(train)} utterances, {train.hours(frame_s):.2f} h; dev: {len(dev) if dev else 0} utterances')

    model = build_model(args, base_dim).to(device)
    n_params = count_params(model)
    log(f'model: {args.model} {model}'.replace('\n', ' ')[:300] + f'... {n_params:,} parameters, device {device}, world {world}')
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
    ctc = nn.CTCLoss(blank=BLANK_ID, reduction='mean', zero_infinity=True)
    aug = {'time_masks': args.time_masks, 'time_width': args.time_mask_width, 'time_max_frac': args.time_mask_max_frac,
           'feat_masks': args.feat_masks, 'feat_width': args.feat_mask_width}
    use_aug = args.time_masks > 0 or args.feat_masks > 0
    gen = torch.Generator().manual_seed(args.seed * 1000 + rank)

    # elapsed: the training steps' wall time (what --time-budget-min spends); overhead_s: the rest of the run's wall
    # time (reading the shards, building the model, evaluations, checkpoints), summed over resumed processes.
    state = {'step': 0, 'epoch': 0, 'batch_in_epoch': 0, 'elapsed': 0.0, 'overhead_s': 0.0, 'best_cer': float('inf'), 'best_step': -1,
             'bad_evals': 0, 'evals': []}
    if resuming:
        ck = load_checkpoint_weights(model, last_path, '--resume', 'resume with the run\'s own --model/--layers/--width/'
                                     f'context/--batchnorm, as in {os.path.join(args.out, "args.json")}')
        opt.load_state_dict(ck['opt'])
        state.update(ck['state'])
        gen.set_state(ck['gen'])
        torch.set_rng_state(ck['torch_rng'])
        log(f'resumed from {last_path} at step {state["step"]} ({state["elapsed"]:.0f} s trained)')
    elif args.resume:
        log(f'--resume: no {last_path}, starting fresh')
    if init_export is not None:
        tr = load_export(model, *init_export, norm.input_scale(), args.init)
        state['init_wall_s'] = float(tr.get('total_wall_s', tr.get('wall_s', 0.0)))
        state['init_steps'] = int(tr.get('steps', 0)) + int(tr.get('init_steps', 0))
        state['init_from'] = init_export[0].get('provenance', {}).get('exportedFrom')
        log(f'initialised from the export {args.init} (trained {state["init_steps"]} steps, {state["init_wall_s"]:.0f} s)')
    elif args.init and not resuming:
        ck = load_checkpoint_weights(model, args.init, '--init', 'pass the same --model/--layers/--width/context/--batchnorm')
        state['init_wall_s'] = float(ck['state']['elapsed']) + float(ck['state'].get('init_wall_s', 0.0))
        state['init_steps'] = int(ck['state']['step']) + int(ck['state'].get('init_steps', 0))
        log(f'initialised from {args.init} (trained {state["init_steps"]} steps, {state["init_wall_s"]:.0f} s)')
    if dist is not None:
        from torch.nn.parallel import DistributedDataParallel as DDP
        model = DDP(model, device_ids=[local_rank] if use_cuda else None)
    core = model.module if dist is not None else model

    train_csv = eval_csv = None
    if main_rank:
        mode = 'a' if args.resume and os.path.exists(os.path.join(args.out, 'train_log.csv')) else 'w'
        train_csv = open(os.path.join(args.out, 'train_log.csv'), mode, newline='')
        eval_csv = open(os.path.join(args.out, 'eval_log.csv'), mode, newline='')
        if mode == 'w':
            train_csv.write('step,epoch,wall_s,loss,lr,grad_norm,utts,frames,step_s\n')
            eval_csv.write('step,epoch,wall_s,dev_loss,dev_cer,dev_wer,train_loss_avg\n')
        with open(os.path.join(args.out, 'args.json'), 'w') as f:
            json.dump(vars(args), f, indent=1)

    def save(path: str, extra: Optional[dict] = None) -> None:
        if not main_rank:
            return
        ck = {'model': core.state_dict(), 'opt': opt.state_dict(), 'state': state, 'gen': gen.get_state(),
              'torch_rng': torch.get_rng_state(), 'args': vars(args)}
        if extra:
            ck.update(extra)
        torch.save(ck, path + '.tmp')
        os.replace(path + '.tmp', path)

    def should_stop_local() -> bool:
        if args.max_steps > 0 and state['step'] >= args.max_steps:
            return True
        if args.time_budget_min > 0 and state['elapsed'] >= args.time_budget_min * 60:
            return True
        if args.patience > 0 and state['bad_evals'] >= args.patience:
            return True
        return False

    def agree(flag: bool) -> bool:
        if dist is None:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=device)
        dist.broadcast(t, 0)
        return bool(t.item() > 0)

    def do_eval() -> None:
        if main_rank and dev is not None:
            r = evaluate(core, dev, norm, args, device, ctc)
            improved = r['cer'] < state['best_cer']
            if improved:
                state['best_cer'], state['best_step'], state['bad_evals'] = r['cer'], state['step'], 0
            else:
                state['bad_evals'] += 1
            state['evals'].append({'step': state['step'], 'wall_s': round(state['elapsed'], 1), **{k: r[k] for k in ('loss', 'cer', 'wer')}})
            avg = np.mean(recent_losses) if recent_losses else float('nan')
            eval_csv.write(f'{state["step"]},{state["epoch"]},{state["elapsed"]:.1f},{r["loss"]:.4f},{r["cer"]:.4f},{r["wer"]:.4f},{avg:.4f}\n')
            eval_csv.flush()
            log(f'eval step {state["step"]} wall {state["elapsed"]:.0f}s: dev loss {r["loss"]:.3f} CER {r["cer"]*100:.2f}% '
                f'WER {r["wer"]*100:.2f}% {"(best)" if improved else ""} e.g. "{r["example"][0] if r["example"] else ""}"')
            if improved:
                save(os.path.join(args.out, 'best.pt'))
        if dist is not None:
            b = torch.tensor([state['bad_evals']], device=device)
            dist.broadcast(b, 0)
            state['bad_evals'] = int(b.item())

    recent_losses: List[float] = []
    model.train()
    t_mark = time.time()
    state['overhead_s'] += t_mark - t_process  # this process's start: imports, reading the shards, building the model
    stop = should_stop_local()
    while not stop and state['epoch'] < args.epochs:
        rng = np.random.default_rng(args.seed * 7919 + state['epoch'])
        batches = make_batches(train.frames, args.batch_size, args.max_batch_frames, rng)
        if world > 1:
            per = len(batches) // world
            batches = batches[rank::world][:per]
        while state['batch_in_epoch'] < len(batches):
            members = batches[state['batch_in_epoch']]
            t0 = time.time()
            x, lens, tg, tl = collate(train, members, norm)
            if use_aug:
                x = spec_augment(x, lens, gen, aug, int(cfg['numCeps']))
            for g in opt.param_groups:
                g['lr'] = lr_at(state['step'], state['elapsed'], args)
            loss = batch_loss(model, ctc, x, lens, tg, tl, args, device)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            gn = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip if args.clip > 0 else float('inf'))
            opt.step()
            now = time.time()
            state['elapsed'] += now - t_mark
            t_mark = now
            state['step'] += 1
            state['batch_in_epoch'] += 1
            lv = float(loss)
            recent_losses.append(lv)
            recent_losses = recent_losses[-50:]
            if main_rank and (state['step'] % args.log_every == 0 or state['step'] <= 3):
                train_csv.write(f'{state["step"]},{state["epoch"]},{state["elapsed"]:.2f},{lv:.4f},{opt.param_groups[0]["lr"]:.6g},'
                                f'{float(gn):.3f},{len(members)},{int(lens.sum())},{now - t0:.3f}\n')
                train_csv.flush()
                if state['step'] % (args.log_every * 10) == 0 or state['step'] <= 3:
                    log(f'step {state["step"]} epoch {state["epoch"]} wall {state["elapsed"]:.0f}s loss {lv:.3f} '
                        f'(avg {np.mean(recent_losses):.3f}) lr {opt.param_groups[0]["lr"]:.2e} {now - t0:.2f}s/step')
            if args.eval_every > 0 and state['step'] % args.eval_every == 0:
                do_eval()
            if args.ckpt_every > 0 and state['step'] % args.ckpt_every == 0:
                save(last_path)
            now = time.time()  # evaluation and checkpoint time is not training time
            state['overhead_s'] += now - t_mark
            t_mark = now
            stop = agree(should_stop_local())
            if stop:
                break
        else:
            state['epoch'] += 1
            state['batch_in_epoch'] = 0
    # final evaluation unless one just ran
    if dev is not None and (not state['evals'] or state['evals'][-1]['step'] != state['step']):
        do_eval()
    state['overhead_s'] += time.time() - t_mark
    save(last_path)
    if main_rank:
        log(f'stopped at step {state["step"]} after {state["elapsed"]:.0f} s of training steps '
            f'({state["elapsed"] + state["overhead_s"]:.0f} s with loading, evaluation and checkpoints)' +
            (f'; best dev CER {state["best_cer"]*100:.2f}% at step {state["best_step"]}' if dev is not None else ''))
        best_path = os.path.join(args.out, 'best.pt')
        if os.path.exists(best_path):
            core.load_state_dict(torch.load(best_path, map_location='cpu')['model'])
        if not args.no_export:
            provenance = {
                'producer': f'earshot tools/train {TRAINER_VERSION} (torch {torch.__version__})',
                'source': 'model.safetensors',
                'training': {
                    'train_shard': ','.join(portable_path(p) for p in train_paths), 'train_utterances': len(train),
                    'train_hours': round(train.hours(frame_s), 3), 'dev_utterances': len(dev) if dev else 0,
                    'steps': state['step'], 'best_step': state['best_step'], 'epochs': state['epoch'],
                    'wall_s': round(state['elapsed'], 1), 'overhead_s': round(state['overhead_s'], 3),
                    **({'init': portable_path(args.init), 'init_steps': state['init_steps'], 'init_wall_s': round(state['init_wall_s'], 1),
                        'total_wall_s': round(state['init_wall_s'] + state['elapsed'], 1)} if 'init_wall_s' in state else {}),
                    **({'init_from': state['init_from']} if state.get('init_from') else {}),
                    'threads': args.threads, 'device': str(device), 'world': world,
                    'dev_cer': state['best_cer'] if dev else None,
                    'dev_wer': next((e['wer'] for e in state['evals'] if e['step'] == state['best_step']), None),
                    'parameters': n_params, 'args': portable_args(vars(args)),
                },
            }
            if export_model(core, args.out, feature_config_for_model(cfg, norm, args), provenance, args, norm.input_scale()):
                log(f'exported {os.path.join(args.out, "model.safetensors")} and arch.json')
        train_csv.close()
        eval_csv.close()
    if dist is not None:
        dist.barrier()
        dist.destroy_process_group()


if __name__ == '__main__':
    main()
