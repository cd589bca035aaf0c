"""Training-step benchmark: one step of train.py's TDNN (its batch_loss, backward, Adam), float32 against --bf16
(bfloat16 matrix products under torch.autocast), alternating the two on the same seeded batch; prints each one's
times, the best of each and their ratio. Nothing is written.

    /usr/bin/python3 tools/bench/train_step.py [--threads 2] [--batch 32] [--frames 330] [--repeat 4]

The defaults are the shipped model's recipe (5 x 448, dilations 1,1,2,4,8, early subsampling 3, BatchNorm) on a
batch of 32 utterances of 3.3 s, the corpus's mean length.
"""
import argparse
import os
import sys
import time

import torch
import torch.nn as nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'train'))
import train as T  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--batch', type=int, default=32, help='utterances per batch')
    p.add_argument('--frames', type=int, default=330, help='10 ms base frames per utterance')
    p.add_argument('--labels', type=int, default=40, help='characters per utterance')
    p.add_argument('--repeat', type=int, default=4, help='timed steps of each kind (after one warm-up step each)')
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    model = T.TDNN(39, [448] * 5, [1, 1, 2, 4, 8], len(T.LABELS), 'lrelu', 0.01, 0.0, 3, early=True, batchnorm=True)
    opt = torch.optim.Adam(model.parameters(), 1e-3)
    ctc = nn.CTCLoss(blank=0, zero_infinity=True)
    x = torch.randn(a.batch, a.frames, 39)
    lengths = torch.full((a.batch,), a.frames)
    targets = torch.randint(1, len(T.LABELS), (a.batch * a.labels,))
    target_lengths = torch.full((a.batch,), a.labels)

    cpu = torch.device('cpu')

    def step(bf16: bool) -> float:
        t0 = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        loss = T.batch_loss(model, ctc, x, lengths, targets, target_lengths, argparse.Namespace(bf16=bf16), cpu)
        loss.backward()
        opt.step()
        return time.perf_counter() - t0

    kinds = {'float32': False, 'bf16': True}
    for bf in kinds.values():
        step(bf)
    times = {k: [] for k in kinds}
    for _ in range(a.repeat):
        for k, bf in kinds.items():
            times[k].append(step(bf))
    print(f'threads {a.threads}, batch {a.batch} x {a.frames} frames, torch {torch.__version__}')
    for k, ts in times.items():
        print(f'{k:8s} s/step {" ".join(f"{t:.3f}" for t in ts)}  best {min(ts):.3f}')
    print(f'bf16 speed-up (best over best): {min(times["float32"]) / min(times["bf16"]):.2f}x')


if __name__ == '__main__':
    main()
