"""Checkpoints that survive ``kill -9`` and load with ``torch.load(weights_only=True)``.

mmengine's CheckpointHook writes in place and pickles logging objects, and its resume path
unpickles fully. Here a checkpoint is plain data (tensors, numbers, strings, lists, dicts),
written to a temporary file and renamed, ``last_checkpoint`` included; :class:`GFRunner` reads
it back with ``weights_only=True``. :class:`EpochSeedHook` reseeds every RNG from (seed, epoch)
at each epoch start, so a resumed run draws exactly what an uninterrupted one would.
"""
from __future__ import annotations

import os
import random

import numpy as np
import torch
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner

from .. import __version__
from ..data.annotations import class_list_hash
from ..fileio import atomic_path, atomic_torch_save
from ..models.checkpoints import load_weights, read_checkpoint, resolve_checkpoint
from ..registry import HOOKS, RUNNERS
from .optim_wrapper import TrainableOptimWrapperConstructor


def rng_state() -> dict:
    """Python, NumPy and torch RNG states as plain data."""
    numpy_state = np.random.get_state()
    state = {'python': random.getstate(), 'torch': torch.get_rng_state(),
             'numpy': {'keys': torch.from_numpy(numpy_state[1].astype(np.int64)), 'pos': int(numpy_state[2]),
                       'has_gauss': int(numpy_state[3]), 'cached_gaussian': float(numpy_state[4])}}
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    random.setstate(state['python'])
    torch.set_rng_state(state['torch'])
    numpy_state = state['numpy']
    np.random.set_state(('MT19937', numpy_state['keys'].numpy().astype(np.uint32), numpy_state['pos'],
                         numpy_state['has_gauss'], numpy_state['cached_gaussian']))
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def _unwrap(model: torch.nn.Module) -> torch.nn.Module:
    return model.module if is_model_wrapper(model) else model


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Reseed Python, NumPy and torch from ``(seed, epoch)`` before every training epoch."""

    priority = 'VERY_HIGH'

    def before_train_epoch(self, runner) -> None:
        seed = runner.seed if runner.seed is not None else 0
        seed_everything(seed * 100_003 + runner.epoch * 1_009 + runner.rank)


@HOOKS.register_module()
class AtomicCheckpointHook(Hook):
    """Save ``epoch_{n}.pth`` every ``interval`` epochs (and after the last), atomically, and
    point ``last_checkpoint`` at it; keep at most ``max_keep`` epoch files (all when None)."""

    priority = 'VERY_LOW'

    def __init__(self, interval: int = 1, max_keep: int | None = None) -> None:
        self.interval = interval
        self.max_keep = max_keep

    def after_train_epoch(self, runner) -> None:
        if runner.rank != 0:
            return
        epoch = runner.epoch + 1  # runner.epoch counts finished epochs after this hook
        if epoch % self.interval and epoch != runner.max_epochs:
            return
        path = os.path.join(runner.work_dir, f'epoch_{epoch}.pth')
        atomic_torch_save(make_checkpoint(runner, epoch), path)
        with atomic_path(os.path.join(runner.work_dir, 'last_checkpoint')) as temporary:
            with open(temporary, 'w') as file:
                file.write(path)
        runner.logger.info(f'saved {path}')
        if self.max_keep:
            stale = os.path.join(runner.work_dir, f'epoch_{epoch - self.max_keep * self.interval}.pth')
            if os.path.exists(stale):
                os.remove(stale)


def make_checkpoint(runner, epoch: int) -> dict:
    """Plain-data checkpoint of a runner after ``epoch`` finished epochs."""
    model = _unwrap(runner.model)
    classes = list(runner.train_dataloader.dataset.metainfo.get('classes') or [])
    meta = dict(epoch=epoch, iter=runner.iter, seed=runner.seed, gfvideo_version=__version__,
                config=runner.cfg.pretty_text, experiment_name=runner.experiment_name)
    if classes:
        meta.update(classes=classes, classes_hash=class_list_hash(classes))
    checkpoint = {'meta': meta, 'state_dict': model.state_dict(), 'rng': rng_state(),
                  'optimizer': runner.optim_wrapper.state_dict()}
    if runner.param_schedulers:
        schedulers = runner.param_schedulers
        checkpoint['param_schedulers'] = ([s.state_dict() for s in schedulers] if isinstance(schedulers, list) else
                                          {k: [s.state_dict() for s in v] for k, v in schedulers.items()})
    return checkpoint


@RUNNERS.register_module()
class GFRunner(Runner):
    """mmengine's Runner, resuming and loading gfvideo checkpoints with ``weights_only=True``, and
    building optimizers over the trainable parameters only."""

    def build_optim_wrapper(self, optim_wrapper):
        if (isinstance(optim_wrapper, dict) and 'constructor' not in optim_wrapper
                and isinstance(optim_wrapper.get('optimizer'), dict)):  # one optimizer, from its config
            optim_wrapper = dict(optim_wrapper, constructor=TrainableOptimWrapperConstructor)
        return super().build_optim_wrapper(optim_wrapper)

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = True, revise_keys=()):
        """Load model weights only (``load_from``): any layout ``gfvideo.models.load_weights``
        reads, strict, so a checkpoint of another architecture fails before training starts."""
        filename = resolve_checkpoint(filename)  # a work dir: its final checkpoint
        report = load_weights(_unwrap(self.model), filename, strict=strict)
        self.logger.info(f'loaded {len(report.loaded)} tensors from {filename} ({report.source} layout)')
        return {'meta': report.meta}

    def resume(self, filename: str, resume_optimizer: bool = True, resume_param_scheduler: bool = True,
               map_location='default') -> None:
        checkpoint = torch.load(filename, map_location='cpu', weights_only=True)
        state_dict, meta = read_checkpoint(checkpoint)
        _unwrap(self.model).load_state_dict(state_dict)
        self.train_loop._epoch = meta['epoch']
        self.train_loop._iter = meta['iter']
        if resume_optimizer and 'optimizer' in checkpoint:
            self.optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
            self.optim_wrapper.load_state_dict(checkpoint['optimizer'])
        if resume_param_scheduler and self.param_schedulers and 'param_schedulers' in checkpoint:
            self.param_schedulers = self.build_param_scheduler(self.param_schedulers)
            saved = checkpoint['param_schedulers']
            pairs = (zip(self.param_schedulers, saved) if isinstance(saved, list) else
                     ((s, c) for name in saved for s, c in zip(self.param_schedulers[name], saved[name])))
            for scheduler, state in pairs:
                scheduler.load_state_dict(state)
        set_rng_state(checkpoint['rng'])
        self._has_loaded = True
        self.logger.info(f'resumed from {filename}: epoch {self.epoch}, iter {self.iter}')
