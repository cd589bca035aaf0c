"""The networks tools/train trains (a spliced-context MLP and a TDNN of dilated 1-D convolutions), built from the options,
and their CTC forward pass and loss."""
from __future__ import annotations

from typing import List, Sequence, Tuple

import torch
import torch.nn as nn
import torch.nn.functional as F

from data import LABELS, splice


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
