#!/usr/bin/python3
"""Make the weight-conversion fixtures: a small seeded PyTorch MLP saved in every format earshot converts,
its architecture description, and PyTorch's outputs on fixed inputs.

    /usr/bin/python3 tools/convert/make_fixtures.py --out test/fixtures/convert            # the committed fixtures
    /usr/bin/python3 tools/convert/make_fixtures.py --out /tmp/x --seed 123 --random-arch  # the live parity test

Writes into --out:
    arch.json                    architecture description (kind, activation, alpha, featureConfig, output, labels)
    mlp.safetensors              float32 weights (hand-written safetensors: the package is not needed)
    mlp.npz                      float32 weights, np.savez (zip, stored)
    mlp_compressed.npz           float32 weights, np.savez_compressed (zip, deflated)
    mlp_f16.safetensors          float16 weights
    mlp_bf16.safetensors         bfloat16 weights
    expected.json                {inputs: [batch][time][inputDim], outputs: {f32, f16, bf16}: [batch][time][labels]}
The f16/bf16 outputs come from the float32 network whose weights were rounded to that precision and upcast,
which is exactly what the converter builds.
"""
import argparse
import json
import os
import struct

import numpy as np
import torch

# A small frontend: 6 ceps x (deltaOrder 1 + 1) x (1 + 1 + 1 context) = inputDim 36.
FEATURE_CONFIG = {
    "sampleRate": 16000, "frameLength": 400, "frameShift": 160, "fftSize": 512, "window": "hamming",
    "preEmphasis": 0.97, "inputScale": 32768, "melBands": 20, "numCeps": 6, "deltaOrder": 1, "deltaWindow": 2,
    "normalization": {"type": "none"}, "contextLeft": 1, "contextRight": 1, "subsampling": 1,
}
INPUT_DIM = 6 * 2 * 3
LABELS = ["<blank>", " ", "a", "b", "c"]


def make_net(hidden, activation, alpha):
    dims = [INPUT_DIM] + hidden + [len(LABELS)]
    mods = []
    for i in range(len(dims) - 1):
        mods.append(torch.nn.Linear(dims[i], dims[i + 1]))
        if i < len(dims) - 2:
            mods.append({"lrelu": lambda: torch.nn.LeakyReLU(alpha), "relu": torch.nn.ReLU, "tanh": torch.nn.Tanh}[activation]())
    return torch.nn.Sequential(*mods)


class Model(torch.nn.Module):
    def __init__(self, hidden, activation, alpha):
        super().__init__()
        self.net = make_net(hidden, activation, alpha)

    def forward(self, x):
        return torch.log_softmax(self.net(x), dim=-1)


ST_DTYPE = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}


def tensor_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: reinterpret the bits as int16
        return t.view(torch.int16).numpy().astype("<i2").tobytes()
    return t.numpy().astype(t.numpy().dtype.newbyteorder("<")).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """Minimal safetensors writer (the format: u64 LE header length, JSON header, raw LE data)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    blobs = []
    offset = 0
    for name, t in tensors.items():
        b = tensor_bytes(t)
        header[name] = {"dtype": ST_DTYPE[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(b)]}
        offset += len(b)
        blobs.append(b)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * ((8 - len(h) % 8) % 8)  # pad to 8 bytes, as the reference writer does
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240611)
    ap.add_argument("--random-arch", action="store_true", help="draw hidden sizes and activation from the seed")
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    gen = np.random.default_rng(a.seed)
    if a.random_arch:
        hidden = [int(h) for h in gen.integers(4, 48, size=int(gen.integers(1, 4)))]
        activation = str(gen.choice(["lrelu", "relu", "tanh"]))
        alpha = float(np.round(gen.uniform(0.005, 0.3), 4)) if activation == "lrelu" else 0.0
    else:
        hidden, activation, alpha = [16, 16], "lrelu", 0.01
    model = Model(hidden, activation, alpha).eval()
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}

    inputs = torch.from_numpy(gen.uniform(-3, 3, size=(2, 7, INPUT_DIM)).astype(np.float32))
    outputs = {}
    with torch.no_grad():
        for tag, dt in (("f32", torch.float32), ("f16", torch.float16), ("bf16", torch.bfloat16)):
            model.load_state_dict({k: v.to(dt).to(torch.float32) for k, v in sd.items()})
            outputs[tag] = model(inputs).tolist()
    model.load_state_dict(sd)

    write_safetensors(os.path.join(a.out, "mlp.safetensors"), sd, {"format": "pt", "seed": str(a.seed)})
    write_safetensors(os.path.join(a.out, "mlp_f16.safetensors"), {k: v.half() for k, v in sd.items()})
    write_safetensors(os.path.join(a.out, "mlp_bf16.safetensors"), {k: v.bfloat16() for k, v in sd.items()})
    arrays = {k: v.numpy() for k, v in sd.items()}
    np.savez(os.path.join(a.out, "mlp.npz"), **arrays)
    np.savez_compressed(os.path.join(a.out, "mlp_compressed.npz"), **arrays)

    arch = {
        "kind": "mlp", "activation": activation, "alpha": alpha, "featureConfig": FEATURE_CONFIG,
        "output": {"type": "ctc", "blankId": 0}, "labels": LABELS,
        "provenance": {"training": {"note": "untrained seeded fixture (tools/convert/make_fixtures.py)", "seed": a.seed,
                                    "torch": torch.__version__}},
    }
    with open(os.path.join(a.out, "arch.json"), "w") as f:
        json.dump(arch, f, indent=2)
        f.write("\n")
    with open(os.path.join(a.out, "expected.json"), "w") as f:
        json.dump({"seed": a.seed, "hidden": hidden, "activation": activation, "alpha": alpha,
                   "inputs": inputs.tolist(), "outputs": outputs}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
