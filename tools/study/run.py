#!/usr/bin/python3
"""The nonlinearity study of Maas, Hannun & Ng (ICML 2013), on earshot's own data.

{tanh, relu, lrelu (alpha 0.01)} x {2, 3, 4 hidden layers}: every run has the same training shard,
dev shard, width, context, optimiser, schedule, number of steps and seed; only the activation and
the depth change. Each run is tools/train/train.py; this script runs them one after another (so
they do not compete for cores), then collects

  <out>/curves.csv   activation,layers,step,wall_s,loss          (training CTC loss, every 10 steps)
  <out>/evals.csv    activation,layers,step,wall_s,dev_loss,dev_cer,dev_wer
  <out>/final.csv    activation,layers,parameters,steps,wall_s,s_per_step,train_loss_last200,dev_loss,dev_cer,dev_wer
  <out>/study.png    loss against steps and against wall time, dev CER against depth (needs python3-matplotlib)

Runs that already finished (their run directory has final evaluation lines) are not repeated, so an
interrupted study resumes. Run directories (checkpoints) go under --work, outside git.

  /usr/bin/python3 tools/study/run.py --train work-data/recipe/feats/train --dev work-data/recipe/feats/dev \\
      --work work-data/study --out docs/study --steps 1500
"""
import argparse
import csv
import json
import os
import subprocess
import sys
import time

ACTIVATIONS = ['tanh', 'relu', 'lrelu']
DEPTHS = [2, 3, 4]
HERE = os.path.dirname(os.path.abspath(__file__))
TRAIN_PY = os.path.join(HERE, '..', 'train', 'train.py')


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--train', required=True, help='train feature shard (tools/featurize)')
    p.add_argument('--dev', required=True, help='dev feature shard')
    p.add_argument('--work', required=True, help='run directories (checkpoints, logs); outside git')
    p.add_argument('--out', required=True, help='where the CSVs and the plot go (docs/study)')
    p.add_argument('--steps', type=int, default=1500, help='training steps per run (the equal budget)')
    p.add_argument('--width', type=int, default=512)
    p.add_argument('--context', type=int, default=10, help='spliced frames each side')
    p.add_argument('--subsampling', type=int, default=3)
    p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--threads', type=int, default=2)
    p.add_argument('--max-dev-utts', type=int, default=400)
    p.add_argument('--eval-every', type=int, default=500)
    p.add_argument('--activations', default=','.join(ACTIVATIONS))
    p.add_argument('--depths', default=','.join(map(str, DEPTHS)))
    return p.parse_args(argv)


def run_dir(args, act: str, layers: int) -> str:
    return os.path.join(args.work, f'{act}-{layers}x{args.width}')


def finished(d: str, steps: int) -> bool:
    rows = read_csv(os.path.join(d, 'eval_log.csv'))
    return bool(rows) and int(rows[-1]['step']) >= steps


def read_csv(path: str):
    if not os.path.exists(path):
        return []
    with open(path, newline='') as f:
        return list(csv.DictReader(f))


def train_one(args, act: str, layers: int) -> None:
    d = run_dir(args, act, layers)
    if finished(d, args.steps):
        print(f'study: {act} x{layers}: already done ({d})', flush=True)
        return
    os.makedirs(d, exist_ok=True)
    cmd = [sys.executable, TRAIN_PY, '--train', args.train, '--dev', args.dev, '--out', d,
           '--model', 'mlp', '--layers', str(layers), '--width', str(args.width), '--activation', act, '--alpha', '0.01',
           '--context-left', str(args.context), '--context-right', str(args.context), '--subsampling', str(args.subsampling),
           '--lr', str(args.lr), '--schedule', 'cosine', '--warmup-steps', '200', '--max-steps', str(args.steps),
           '--epochs', '1000', '--seed', str(args.seed), '--threads', str(args.threads), '--patience', '0',
           '--eval-every', str(args.eval_every), '--max-dev-utts', str(args.max_dev_utts), '--ckpt-every', '500',
           '--resume', '--no-export']
    t0 = time.time()
    print(f'study: {act} x{layers}: {" ".join(cmd)}', flush=True)
    with open(os.path.join(d, 'train.out'), 'a') as log:
        subprocess.run(cmd, check=True, stdout=log, stderr=subprocess.STDOUT)
    print(f'study: {act} x{layers}: done in {time.time() - t0:.0f} s', flush=True)


def parameters(d: str) -> int:
    """Parameter count from train.py's log line '... N parameters, device ...'."""
    with open(os.path.join(d, 'train.out')) as f:
        for line in f:
            if ' parameters, device ' in line:
                return int(line.split(' parameters, device ')[0].rsplit(' ', 1)[1].replace(',', ''))
    raise SystemExit(f'{d}/train.out: no parameter count line')


def collect(args, acts, depths) -> list:
    os.makedirs(args.out, exist_ok=True)
    finals = []
    with open(os.path.join(args.out, 'curves.csv'), 'w', newline='') as fc, open(os.path.join(args.out, 'evals.csv'), 'w', newline='') as fe:
        wc, we = csv.writer(fc, lineterminator='\n'), csv.writer(fe, lineterminator='\n')
        wc.writerow(['activation', 'layers', 'step', 'wall_s', 'loss'])
        we.writerow(['activation', 'layers', 'step', 'wall_s', 'dev_loss', 'dev_cer', 'dev_wer'])
        for act in acts:
            for layers in depths:
                d = run_dir(args, act, layers)
                tr = [r for r in read_csv(os.path.join(d, 'train_log.csv')) if int(r['step']) % 10 == 0]
                ev = read_csv(os.path.join(d, 'eval_log.csv'))
                for r in tr:
                    wc.writerow([act, layers, r['step'], r['wall_s'], r['loss']])
                for r in ev:
                    we.writerow([act, layers, r['step'], r['wall_s'], r['dev_loss'], r['dev_cer'], r['dev_wer']])
                last = ev[-1]
                tail = [float(r['loss']) for r in tr if int(r['step']) > args.steps - 200]
                wall = float(tr[-1]['wall_s'])
                finals.append({'activation': act, 'layers': layers, 'parameters': parameters(d), 'steps': int(last['step']),
                               'wall_s': round(wall, 1), 's_per_step': round(wall / int(tr[-1]['step']), 4),
                               'train_loss_last200': round(sum(tail) / len(tail), 4), 'dev_loss': float(last['dev_loss']),
                               'dev_cer': float(last['dev_cer']), 'dev_wer': float(last['dev_wer'])})
    with open(os.path.join(args.out, 'final.csv'), 'w', newline='') as f:
        w = csv.DictWriter(f, fieldnames=list(finals[0].keys()), lineterminator='\n')
        w.writeheader()
        w.writerows(finals)
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump({k: v for k, v in vars(args).items() if k not in ('work', 'out')}, f, indent=1)
        f.write('\n')
    return finals


def plot(args, acts, depths, finals) -> None:
    try:
        import matplotlib
        matplotlib.use('Agg')
        import matplotlib.pyplot as plt
    except ImportError:
        print('study: python3-matplotlib is not installed; skipping study.png (apt-get install python3-matplotlib)', file=sys.stderr)
        return
    curves = read_csv(os.path.join(args.out, 'curves.csv'))
    colours = {'tanh': 'tab:blue', 'relu': 'tab:orange', 'lrelu': 'tab:green'}
    styles = {2: ':', 3: '--', 4: '-'}
    fig, ax = plt.subplots(1, 3, figsize=(16, 4.8))

    def smooth(ys, k=10):
        out = []
        for i in range(len(ys)):
            win = ys[max(0, i - k + 1):i + 1]
            out.append(sum(win) / len(win))
        return out

    for act in acts:
        for layers in depths:
            rows = [r for r in curves if r['activation'] == act and int(r['layers']) == layers]
            steps = [int(r['step']) for r in rows]
            walls = [float(r['wall_s']) for r in rows]
            loss = smooth([float(r['loss']) for r in rows])
            label = f'{act} {layers}x{args.width}'
            ax[0].plot(steps, loss, styles[layers], color=colours[act], label=label, lw=1.2)
            ax[1].plot(walls, loss, styles[layers], color=colours[act], label=label, lw=1.2)
    for a, xl in ((ax[0], 'step'), (ax[1], 'training wall time (s)')):
        a.set_xlabel(xl)
        a.set_ylabel('CTC loss (train, 100-step moving average)')
        a.set_ylim(top=3.5)
        a.grid(alpha=0.3)
    ax[0].legend(fontsize=7, ncol=3)
    width = 0.25
    for i, act in enumerate(acts):
        ys = [next(f['dev_cer'] for f in finals if f['activation'] == act and f['layers'] == d) * 100 for d in depths]
        ax[2].bar([j + (i - 1) * width for j in range(len(depths))], ys, width, color=colours[act], label=act)
    ax[2].set_xticks(range(len(depths)), [f'{d} hidden' for d in depths])
    ax[2].set_ylabel(f'dev CER % after {args.steps} steps (greedy)')
    lo = min(f['dev_cer'] for f in finals) * 100
    ax[2].set_ylim(bottom=max(0, lo - 8))
    ax[2].legend()
    ax[2].grid(axis='y', alpha=0.3)
    fig.suptitle(f'earshot nonlinearity study: {args.width}-wide MLPs, +-{args.context} frames, {args.steps} steps x 32 utterances, seed {args.seed}')
    fig.tight_layout()
    fig.savefig(os.path.join(args.out, 'study.png'), dpi=90, metadata={'Software': None})
    print(f'study: wrote {os.path.join(args.out, "study.png")}', flush=True)


def main(argv=None) -> None:
    args = parse_args(argv)
    acts = [a for a in args.activations.split(',') if a]
    depths = [int(d) for d in args.depths.split(',') if d]
    for a in acts:
        if a not in ACTIVATIONS:
            raise SystemExit(f'--activations: unknown {a!r}; choose from {",".join(ACTIVATIONS)}')
    for layers in depths:
        for act in acts:
            train_one(args, act, layers)
    finals = collect(args, acts, depths)
    for f in finals:
        print(json.dumps(f), flush=True)
    plot(args, acts, depths, finals)


if __name__ == '__main__':
    main()
