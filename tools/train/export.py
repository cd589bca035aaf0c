"""Export for `earshot convert` (model.safetensors, written by hand, + arch.json), the BatchNorm fold, reading an export
back for --init, and the portable paths a shipped model may record."""
from __future__ import annotations

import json
import os
import struct
import sys
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch
import torch.nn as nn

from data import BLANK_ID, FEATURE_CONFIG_KEYS, LABELS, Normalizer
from network import TDNN, hidden_widths, tdnn_dilations


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
    mean/std from its feature config (None for --norm sliding, whose scale is the train shard's; see load_export).
    A global-normalization model may be fine-tuned with --norm sliding (the switch to per-speaker mean removal);
    the reverse, or another sliding window, is refused."""
    n = arch['featureConfig'].get('normalization', {})
    if args.norm == 'sliding' and n.get('type') == 'global':
        return None  # switched to sliding normalization: load_export rescales its first layer (see there)
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
    was trained with folded in (divided by it; a global-normalization export: its std, unfolded here); the network
    sees inputs divided by this run's `in_scale`, so the first layer is multiplied by it. Returns the export's training record (steps and wall time, for provenance)."""
    state = {k: torch.from_numpy(np.array(v, dtype=np.float32)) for k, v in tensors.items()}
    if in_scale is not None:
        w = state['convs.0.weight']
        n = arch['featureConfig'].get('normalization', {})
        if n.get('type') == 'global':
            # A global-normalization model switched to sliding: its first layer took (x - mean) / std; read it as a
            # layer on mean-removed x with 1/std folded in, so the sliding run starts from the same scale (the
            # per-utterance mean then replaces the global one: that is the switch).
            w = w / torch.as_tensor(np.asarray(n['std'], dtype=np.float64), dtype=w.dtype)[None, :, None]
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
