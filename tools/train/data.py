"""Training data for tools/train: the label set and text rule (from text.py), the feature shards tools/featurize writes, batching,
normalization, splicing (the TypeScript spliceFrames, batched) and SpecAugment-style masking."""
from __future__ import annotations

import json
import os
from typing import List, Optional, Sequence, Set, Tuple

import numpy as np
import torch

from text import BLANK_ID, CHAR_TO_ID, LABELS, encode_text, normalize_text  # noqa: F401 (re-exported for train.py)

TRAINER_VERSION = '0.1.0'

FEATURE_CONFIG_KEYS = ['sampleRate', 'frameLength', 'frameShift', 'fftSize', 'window', 'preEmphasis', 'inputScale',
                       'melBands', 'numCeps', 'deltaOrder', 'deltaWindow', 'normalization', 'contextLeft',
                       'contextRight', 'subsampling']


# ----------------------------------------------------------------------------------------------------------------
# Text

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


def read_ids(path: str) -> Set[str]:
    """The utterance ids of a file with one per line (blank lines ignored), e.g. --exclude-ids."""
    try:
        with open(path) as f:
            return {line.strip() for line in f if line.strip()}
    except OSError as e:
        raise SystemExit(f'{path}: cannot read the id list ({e.strerror}); give a text file with one utterance id per line')


class Shards:
    """Several featurized splits read as one (`--train A,B`): their utterances in the order given, each read from
    its own feats.f32, with the normalization statistics of all their frames together. They must share one
    config.json. A user adds a newly featurized corpus to an old one without featurizing the old one again.
    `exclude`: utterance ids left out (a subset for a learning curve); the statistics stay those of the whole shards."""

    def __init__(self, paths: Sequence[str], max_utts: int = 0, exclude: Optional[Set[str]] = None):
        self.parts = [Shard(p) for p in paths]
        first = self.parts[0]
        for s in self.parts[1:]:
            if s.config != first.config:
                raise SystemExit(f'{s.path}/config.json differs from {first.path}/config.json in '
                                 f'{", ".join(differing_fields(s.config, first.config))}: featurize all train shards with the same config')
        self.path = ','.join(paths)
        self.config = first.config
        self.dim = first.dim
        self.where = [(k, i) for k, s in enumerate(self.parts) for i in range(len(s.entries))
                      if not exclude or s.entries[i]['id'] not in exclude]
        if max_utts > 0:
            self.where = self.where[:max_utts]
        self.entries = [self.parts[k].entries[i] for k, i in self.where]
        if exclude:
            present = {e['id'] for s in self.parts for e in s.entries}
            if not present & exclude:
                raise SystemExit(f'none of the {len(exclude)} excluded ids is in {",".join(paths)}: is it the id list of these shards?')

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
