"""The training loop of tools/train: dev evaluation, the learning-rate schedule, the bfloat16 choice, and `Trainer`, which
sets a run up (device, data, normalization, model, optimizer, resume or --init), trains it to a stop (steps, time budget,
patience or epochs), checkpoints and evaluates it, and exports the best weights."""
from __future__ import annotations

import json
import math
import os
import random
import time
from typing import List, Optional, Tuple

import numpy as np
import torch
import torch.nn as nn

from data import (BLANK_ID, Normalizer, Shard, Shards, Utts, read_ids, collate, differing_fields, edit_distance, greedy_decode,
                  make_batches, sliding_std, spec_augment)
from export import (export_model, feature_config_for_model, init_normalizer, is_export, load_export, portable_args,
                    portable_path, read_export)
from network import batch_loss, build_model, count_params, forward

TRAINER_VERSION = '0.1.0'


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



class Trainer:
    """One training run (one process; rank 0 of several under torchrun writes). `Trainer(args).run()` is what train.py's
    main() did: set up in __init__, train in run(), then a final evaluation, checkpoint and export in finish()."""

    def __init__(self, args, t_process: float) -> None:
        self.args = args
        self.t_process = t_process
        if args.init and not os.path.exists(args.init):
            raise SystemExit(f'--init {args.init}: no such file or directory; pass a .pt checkpoint, an export directory '
                             '(model.safetensors + arch.json) or its .safetensors file')
        self._setup_device()
        random.seed(args.seed)
        np.random.seed(args.seed)
        torch.manual_seed(args.seed)
        if self.main_rank:
            os.makedirs(args.out, exist_ok=True)
        self._setup_data()
        self._setup_model()
        self._setup_state()
        self._open_logs()
        self.recent_losses: List[float] = []

    # -- setup --------------------------------------------------------------------------------------------------

    def _setup_device(self) -> None:
        args = self.args
        torch.set_num_threads(args.threads)
        self.world = int(os.environ.get('WORLD_SIZE', '1'))
        self.rank = int(os.environ.get('RANK', '0'))
        self.local_rank = int(os.environ.get('LOCAL_RANK', '0'))
        self.use_cuda = args.device == 'cuda' or (args.device == 'auto' and torch.cuda.is_available())
        if self.use_cuda and not torch.cuda.is_available():
            raise SystemExit('--device cuda: torch.cuda.is_available() is False (Debian python3-torch is CPU-only)')
        self.device = torch.device(f'cuda:{self.local_rank}' if self.use_cuda else 'cpu')
        args.bf16, self.bf16_why = bf16_choice(args.bf16, self.device)
        if self.use_cuda:
            torch.cuda.set_device(self.device)
        self.dist = None
        if self.world > 1:
            import torch.distributed as dist
            dist.init_process_group(backend='nccl' if self.use_cuda else 'gloo')
            self.dist = dist
        self.main_rank = self.rank == 0

    def log(self, *a) -> None:
        if self.main_rank:
            print(*a, flush=True)

    def _setup_data(self) -> None:
        """The train (and dev) utterances, and the input normalization (from the shard, --stats, --norm sliding or an
        --init export)."""
        args, log = self.args, self.log
        self.train_paths = [p for p in args.train.split(',') if p]
        if not self.train_paths:
            raise SystemExit(f'--train {args.train!r}: give a shard directory, or several separated by commas')
        train_shard = Shards(self.train_paths, args.max_train_utts, read_ids(args.exclude_ids) if args.exclude_ids else None)
        if args.exclude_ids:
            log(f'--exclude-ids {args.exclude_ids}: {len(train_shard.entries)} train utterances left')
        mean, std = train_shard.stats()
        if args.stats:
            with open(args.stats) as f:
                st = json.load(f)
            mean, std = np.asarray(st['mean'], dtype=np.float64), np.asarray(st['std'], dtype=np.float64)
            if mean.shape != (train_shard.dim,) or std.shape != (train_shard.dim,):
                raise SystemExit(f'--stats {args.stats}: expected mean and std of {train_shard.dim} values (the shard\'s feature size), got {mean.shape} and {std.shape}')
        std = np.maximum(std, 1e-6)  # the floor tools/featurize applies (STD_FLOOR)
        self.base_dim = train_shard.dim
        self.cfg = cfg = train_shard.config
        self.frame_s = cfg['frameShift'] / cfg['sampleRate']
        self.train = train = Utts(train_shard, args.subsampling, log)
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
        self.last_path = os.path.join(args.out, 'last.pt')
        self.resuming = args.resume and os.path.exists(self.last_path)  # --init only seeds a run that does not resume
        self.init_export = None
        if args.init and not self.resuming and is_export(args.init):
            self.init_export = read_export(args.init, args, train_shard.config)
            norm = init_normalizer(self.init_export[0], args, args.init) or norm
            switched = args.norm == 'sliding' and self.init_export[0]['featureConfig'].get('normalization', {}).get('type') == 'global'
            log(f'--init {args.init}: an export; ' + ('normalization statistics from its feature config' if args.norm == 'global' else
                'global normalization switched to sliding: first layer rescaled from its std to this run\'s input scale' if switched else
                'first layer rescaled to this run\'s input scale'))
        self.norm = norm
        self.dev = None
        if args.dev:
            dev_shard = Shard(args.dev, args.max_dev_utts)
            if dev_shard.config != train_shard.config:
                raise SystemExit(f'{args.dev}/config.json differs from {train_shard.parts[0].path}/config.json in '
                                 f'{", ".join(differing_fields(dev_shard.config, train_shard.config))}: featurize both with the same config')
            self.dev = Utts(dev_shard, args.subsampling, log)
        log(f'precision: {"bfloat16 autocast" if args.bf16 else "float32"} ({self.bf16_why})')
        log(f'train: {len(train)} utterances, {train.hours(self.frame_s):.2f} h; dev: {len(self.dev) if self.dev else 0} utterances')

    def _setup_model(self) -> None:
        args = self.args
        self.model = build_model(args, self.base_dim).to(self.device)
        self.n_params = count_params(self.model)
        self.log(f'model: {args.model} {self.model}'.replace('\n', ' ')[:300] + f'... {self.n_params:,} parameters, device {self.device}, world {self.world}')
        self.opt = torch.optim.Adam(self.model.parameters(), lr=args.lr, weight_decay=args.weight_decay)
        self.ctc = nn.CTCLoss(blank=BLANK_ID, reduction='mean', zero_infinity=True)
        self.aug = {'time_masks': args.time_masks, 'time_width': args.time_mask_width, 'time_max_frac': args.time_mask_max_frac,
                    'feat_masks': args.feat_masks, 'feat_width': args.feat_mask_width}
        self.use_aug = args.time_masks > 0 or args.feat_masks > 0
        self.gen = torch.Generator().manual_seed(args.seed * 1000 + self.rank)

    def _setup_state(self) -> None:
        """The run's counters, fresh, resumed from <out>/last.pt, or seeded by --init; then DDP around the model."""
        args, log, model = self.args, self.log, self.model
        # elapsed: the training steps' wall time (what --time-budget-min spends); overhead_s: the rest of the run's wall
        # time (reading the shards, building the model, evaluations, checkpoints), summed over resumed processes.
        self.state = state = {'step': 0, 'epoch': 0, 'batch_in_epoch': 0, 'elapsed': 0.0, 'overhead_s': 0.0, 'best_cer': float('inf'), 'best_step': -1,
                              'bad_evals': 0, 'evals': []}
        if self.resuming:
            ck = load_checkpoint_weights(model, self.last_path, '--resume', 'resume with the run\'s own --model/--layers/--width/'
                                         f'context/--batchnorm, as in {os.path.join(args.out, "args.json")}')
            self.opt.load_state_dict(ck['opt'])
            state.update(ck['state'])
            self.gen.set_state(ck['gen'])
            torch.set_rng_state(ck['torch_rng'])
            log(f'resumed from {self.last_path} at step {state["step"]} ({state["elapsed"]:.0f} s trained)')
        elif args.resume:
            log(f'--resume: no {self.last_path}, starting fresh')
        if self.init_export is not None:
            tr = load_export(model, *self.init_export, self.norm.input_scale(), args.init)
            state['init_wall_s'] = float(tr.get('total_wall_s', tr.get('wall_s', 0.0)))
            state['init_steps'] = int(tr.get('steps', 0)) + int(tr.get('init_steps', 0))
            state['init_from'] = self.init_export[0].get('provenance', {}).get('exportedFrom')
            log(f'initialised from the export {args.init} (trained {state["init_steps"]} steps, {state["init_wall_s"]:.0f} s)')
        elif args.init and not self.resuming:
            ck = load_checkpoint_weights(model, args.init, '--init', 'pass the same --model/--layers/--width/context/--batchnorm')
            state['init_wall_s'] = float(ck['state']['elapsed']) + float(ck['state'].get('init_wall_s', 0.0))
            state['init_steps'] = int(ck['state']['step']) + int(ck['state'].get('init_steps', 0))
            log(f'initialised from {args.init} (trained {state["init_steps"]} steps, {state["init_wall_s"]:.0f} s)')
        if self.dist is not None:
            from torch.nn.parallel import DistributedDataParallel as DDP
            self.model = DDP(model, device_ids=[self.local_rank] if self.use_cuda else None)
        self.core = self.model.module if self.dist is not None else self.model

    def _open_logs(self) -> None:
        args = self.args
        self.train_csv = self.eval_csv = None
        if self.main_rank:
            mode = 'a' if args.resume and os.path.exists(os.path.join(args.out, 'train_log.csv')) else 'w'
            self.train_csv = open(os.path.join(args.out, 'train_log.csv'), mode, newline='')
            self.eval_csv = open(os.path.join(args.out, 'eval_log.csv'), mode, newline='')
            if mode == 'w':
                self.train_csv.write('step,epoch,wall_s,loss,lr,grad_norm,utts,frames,step_s\n')
                self.eval_csv.write('step,epoch,wall_s,dev_loss,dev_cer,dev_wer,train_loss_avg\n')
            with open(os.path.join(args.out, 'args.json'), 'w') as f:
                json.dump(vars(args), f, indent=1)

    # -- during the run -----------------------------------------------------------------------------------------

    def save(self, path: str, extra: Optional[dict] = None) -> None:
        """A checkpoint (model, optimizer, counters, generators, args), written atomically; rank 0 only."""
        if not self.main_rank:
            return
        ck = {'model': self.core.state_dict(), 'opt': self.opt.state_dict(), 'state': self.state, 'gen': self.gen.get_state(),
              'torch_rng': torch.get_rng_state(), 'args': vars(self.args)}
        if extra:
            ck.update(extra)
        torch.save(ck, path + '.tmp')
        os.replace(path + '.tmp', path)

    def should_stop_local(self) -> bool:
        args, state = self.args, self.state
        if args.max_steps > 0 and state['step'] >= args.max_steps:
            return True
        if args.time_budget_min > 0 and state['elapsed'] >= args.time_budget_min * 60:
            return True
        if args.patience > 0 and state['bad_evals'] >= args.patience:
            return True
        return False

    def agree(self, flag: bool) -> bool:
        """Rank 0's decision, on every rank."""
        if self.dist is None:
            return flag
        t = torch.tensor([1.0 if flag else 0.0], device=self.device)
        self.dist.broadcast(t, 0)
        return bool(t.item() > 0)

    def do_eval(self) -> None:
        """Evaluate on dev (rank 0), log it, keep best.pt, and count evaluations without improvement (all ranks)."""
        args, state, log = self.args, self.state, self.log
        if self.main_rank and self.dev is not None:
            r = evaluate(self.core, self.dev, self.norm, args, self.device, self.ctc)
            improved = r['cer'] < state['best_cer']
            if improved:
                state['best_cer'], state['best_step'], state['bad_evals'] = r['cer'], state['step'], 0
            else:
                state['bad_evals'] += 1
            state['evals'].append({'step': state['step'], 'wall_s': round(state['elapsed'], 1), **{k: r[k] for k in ('loss', 'cer', 'wer')}})
            avg = np.mean(self.recent_losses) if self.recent_losses else float('nan')
            self.eval_csv.write(f'{state["step"]},{state["epoch"]},{state["elapsed"]:.1f},{r["loss"]:.4f},{r["cer"]:.4f},{r["wer"]:.4f},{avg:.4f}\n')
            self.eval_csv.flush()
            log(f'eval step {state["step"]} wall {state["elapsed"]:.0f}s: dev loss {r["loss"]:.3f} CER {r["cer"]*100:.2f}% '
                f'WER {r["wer"]*100:.2f}% {"(best)" if improved else ""} e.g. "{r["example"][0] if r["example"] else ""}"')
            if improved:
                self.save(os.path.join(args.out, 'best.pt'))
        if self.dist is not None:
            b = torch.tensor([state['bad_evals']], device=self.device)
            self.dist.broadcast(b, 0)
            state['bad_evals'] = int(b.item())

    def step(self, members: List[int]) -> None:
        """One optimizer step on one batch, with its log lines; advances the training clock (self.t_mark)."""
        args, state, opt, model = self.args, self.state, self.opt, self.model
        t0 = time.time()
        x, lens, tg, tl = collate(self.train, members, self.norm)
        if self.use_aug:
            x = spec_augment(x, lens, self.gen, self.aug, int(self.cfg['numCeps']))
        for g in opt.param_groups:
            g['lr'] = lr_at(state['step'], state['elapsed'], args)
        loss = batch_loss(model, self.ctc, x, lens, tg, tl, args, self.device)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        gn = torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip if args.clip > 0 else float('inf'))
        opt.step()
        now = time.time()
        state['elapsed'] += now - self.t_mark
        self.t_mark = now
        state['step'] += 1
        state['batch_in_epoch'] += 1
        lv = float(loss)
        self.recent_losses.append(lv)
        self.recent_losses = self.recent_losses[-50:]
        if self.main_rank and (state['step'] % args.log_every == 0 or state['step'] <= 3):
            self.train_csv.write(f'{state["step"]},{state["epoch"]},{state["elapsed"]:.2f},{lv:.4f},{opt.param_groups[0]["lr"]:.6g},'
                                 f'{float(gn):.3f},{len(members)},{int(lens.sum())},{now - t0:.3f}\n')
            self.train_csv.flush()
            if state['step'] % (args.log_every * 10) == 0 or state['step'] <= 3:
                self.log(f'step {state["step"]} epoch {state["epoch"]} wall {state["elapsed"]:.0f}s loss {lv:.3f} '
                         f'(avg {np.mean(self.recent_losses):.3f}) lr {opt.param_groups[0]["lr"]:.2e} {now - t0:.2f}s/step')

    def run(self) -> None:
        """Train until a stop rule fires or the epochs run out, then finish()."""
        args, state = self.args, self.state
        self.model.train()
        self.t_mark = time.time()
        state['overhead_s'] += self.t_mark - self.t_process  # this process's start: imports, reading the shards, building the model
        stop = self.should_stop_local()
        while not stop and state['epoch'] < args.epochs:
            rng = np.random.default_rng(args.seed * 7919 + state['epoch'])
            batches = make_batches(self.train.frames, args.batch_size, args.max_batch_frames, rng)
            if self.world > 1:
                per = len(batches) // self.world
                batches = batches[self.rank::self.world][:per]
            while state['batch_in_epoch'] < len(batches):
                self.step(batches[state['batch_in_epoch']])
                if args.eval_every > 0 and state['step'] % args.eval_every == 0:
                    self.do_eval()
                if args.ckpt_every > 0 and state['step'] % args.ckpt_every == 0:
                    self.save(self.last_path)
                now = time.time()  # evaluation and checkpoint time is not training time
                state['overhead_s'] += now - self.t_mark
                self.t_mark = now
                stop = self.agree(self.should_stop_local())
                if stop:
                    break
            else:
                state['epoch'] += 1
                state['batch_in_epoch'] = 0
        self.finish()

    # -- the end ------------------------------------------------------------------------------------------------

    def provenance(self) -> dict:
        """What the exported model records about its training (paths reduced by portable_path)."""
        args, state, dev = self.args, self.state, self.dev
        return {
            'producer': f'earshot tools/train {TRAINER_VERSION} (torch {torch.__version__})',
            'source': 'model.safetensors',
            'training': {
                'train_shard': ','.join(portable_path(p) for p in self.train_paths), 'train_utterances': len(self.train),
                'train_hours': round(self.train.hours(self.frame_s), 3), 'dev_utterances': len(dev) if dev else 0,
                'steps': state['step'], 'best_step': state['best_step'], 'epochs': state['epoch'],
                'wall_s': round(state['elapsed'], 1), 'overhead_s': round(state['overhead_s'], 3),
                **({'init': portable_path(args.init), 'init_steps': state['init_steps'], 'init_wall_s': round(state['init_wall_s'], 1),
                    'total_wall_s': round(state['init_wall_s'] + state['elapsed'], 1)} if 'init_wall_s' in state else {}),
                **({'init_from': state['init_from']} if state.get('init_from') else {}),
                'threads': args.threads, 'device': str(self.device), 'world': self.world,
                'dev_cer': state['best_cer'] if dev else None,
                'dev_wer': next((e['wer'] for e in state['evals'] if e['step'] == state['best_step']), None),
                'parameters': self.n_params, 'args': portable_args(vars(args)),
            },
        }

    def finish(self) -> None:
        """A final evaluation unless one just ran, the last checkpoint, and (rank 0) the export of the best weights."""
        args, state, dev, log = self.args, self.state, self.dev, self.log
        if dev is not None and (not state['evals'] or state['evals'][-1]['step'] != state['step']):
            self.do_eval()
        state['overhead_s'] += time.time() - self.t_mark
        self.save(self.last_path)
        if self.main_rank:
            log(f'stopped at step {state["step"]} after {state["elapsed"]:.0f} s of training steps '
                f'({state["elapsed"] + state["overhead_s"]:.0f} s with loading, evaluation and checkpoints)' +
                (f'; best dev CER {state["best_cer"]*100:.2f}% at step {state["best_step"]}' if dev is not None else ''))
            best_path = os.path.join(args.out, 'best.pt')
            if os.path.exists(best_path):
                self.core.load_state_dict(torch.load(best_path, map_location='cpu')['model'])
            if not args.no_export:
                if export_model(self.core, args.out, feature_config_for_model(self.cfg, self.norm, args), self.provenance(), args, self.norm.input_scale()):
                    log(f'exported {os.path.join(args.out, "model.safetensors")} and arch.json')
            self.train_csv.close()
            self.eval_csv.close()
        if self.dist is not None:
            self.dist.barrier()
            self.dist.destroy_process_group()
