"""GFRunner: mmengine's Runner with checkpoints that survive ``kill -9`` and load with
``torch.load(weights_only=True)``.

mmengine's CheckpointHook writes in place and pickles logging objects, and its resume path
unpickles fully. Here a checkpoint is plain data (tensors, numbers, strings, lists, dicts),
written to a temporary file and renamed, ``last_checkpoint`` included
(:class:`~gfvideo.engine.hooks.AtomicCheckpointHook`); :class:`GFRunner` reads it back with
``weights_only=True``.
"""

from __future__ import annotations

import logging
import os

import torch
import torch.distributed as dist
from mmengine.logging import MMLogger
from mmengine.optim import OptimWrapper, OptimWrapperDict
from mmengine.runner import BaseLoop, EpochBasedTrainLoop, Runner
from torch import nn
from torch.optim import Optimizer

from ..classes import class_list_hash
from ..fileio import remove_stale_temporaries
from ..models.checkpoints import (
    CheckpointError,
    load_checkpoint_file,
    load_weights,
    read_checkpoint,
    resolve_checkpoint,
)
from ..registry import LOOPS, RUNNERS
from .config_checks import ConfigError, refused_model_options
from .model_wrapper import unwrap_model
from .optim_wrapper import TrainableOptimWrapperConstructor
from .seeding import set_rng_state


def set_loop_progress(loop: BaseLoop, epoch: int, iteration: int) -> None:
    """Set a train loop's epoch and iteration counters: the one place gfvideo writes mmengine's
    private loop state.

    mmengine's train loops expose ``epoch`` and ``iter`` as read-only properties over the private
    attributes ``_epoch`` and ``_iter``, and have no setter, ``load_state_dict`` or other public
    way to start counting from a checkpoint's values; mmengine's own ``Runner.resume`` writes the
    two attributes directly, and so does this function (for :meth:`GFRunner.resume`, and for
    :class:`SkippingEpochBasedTrainLoop`, which counts a batch it passes over as mmengine's
    ``run_iter`` counts one it trains on). Should mmengine rename them, the properties would no
    longer report what was written: that is refused here, so a resumed run fails instead of
    silently starting again at epoch 0, and ``tests/engine/test_loops.py`` fails first.
    """
    loop._epoch = epoch
    loop._iter = iteration
    reported = (getattr(loop, 'epoch', None), getattr(loop, 'iter', None))
    if reported != (epoch, iteration):
        raise RuntimeError(
            f'{type(loop).__name__} reports epoch, iter {reported} after they were set to '
            f"{(epoch, iteration)}: mmengine's train loops no longer keep them in _epoch and _iter; "
            'gfvideo.engine.runner.set_loop_progress must follow mmengine'
        )


@LOOPS.register_module()
class SkippingEpochBasedTrainLoop(EpochBasedTrainLoop):
    """mmengine's epoch loop that passes over a batch whose samples were all skipped
    (``on_error='skip'``): its hooks still run, so the skips are counted, but the model does not
    step. Under DDP every process passes over a batch that is empty on any of them (the
    dropped samples are counted), so no process waits for a gradient that never comes.

    The shipped configs name it (``train_cfg = dict(type='SkippingEpochBasedTrainLoop', ...)``);
    :class:`GFRunner` builds it for an epoch-based ``train_cfg`` that names no loop as well."""

    def run_iter(self, idx, data_batch) -> None:
        kept = len(data_batch['inputs']) if isinstance(data_batch, dict) and 'inputs' in data_batch else 0
        if isinstance(data_batch, dict) and 'num_skipped' in data_batch and dist.is_initialized():
            fewest = torch.tensor(kept, dtype=torch.int64)
            dist.all_reduce(fewest, op=dist.ReduceOp.MIN)
            if int(fewest) == 0 and kept:
                self.runner.logger.warning(
                    f"iteration {self.iter}: another process's batch was all skipped; "
                    f'this process passes over its {kept} samples too (counted as skipped)'
                )
                data_batch = {'num_skipped': int(data_batch['num_skipped']) + kept}
                kept = 0
        if kept or not (isinstance(data_batch, dict) and 'num_skipped' in data_batch):
            return super().run_iter(idx, data_batch)
        self.runner.logger.warning(
            f'iteration {self.iter}: every sample of the batch was skipped; the model does not step'
        )
        self.runner.call_hook('before_train_iter', batch_idx=idx, data_batch=data_batch)
        self.runner.call_hook('after_train_iter', batch_idx=idx, data_batch=data_batch, outputs=None)
        set_loop_progress(self, self.epoch, self.iter + 1)


def check_class_list(checkpoint: str, checkpoint_hash: str | None, classes, split: str) -> None:
    """Refuse a checkpoint trained on another class list than a dataset's (when both are known)."""
    if checkpoint_hash and classes and class_list_hash(list(classes)) != checkpoint_hash:
        raise CheckpointError(
            f'{checkpoint}: trained on another class list (hash {checkpoint_hash}) than the {split} '
            f"dataset's ({len(classes)} classes, hash {class_list_hash(list(classes))}); its "
            'predictions would be scored against the wrong class names'
        )


def _loop_classes(loop: BaseLoop) -> list[str] | None:
    dataset = getattr(getattr(loop, 'dataloader', None), 'dataset', None)
    classes = getattr(dataset, 'metainfo', {}).get('classes') if dataset is not None else None
    return list(classes) if classes else None


def _refuse_skipping(loop: BaseLoop, split: str) -> BaseLoop:
    """Evaluation never drops a sample: refuse an evaluation dataset configured to skip."""
    dataset = getattr(getattr(loop, 'dataloader', None), 'dataset', None)
    on_error = getattr(dataset, 'on_error', 'raise')
    if on_error != 'raise':
        raise ConfigError(
            f'{split}_dataloader.dataset has on_error={on_error!r}: evaluation never skips a '
            "sample (an unreadable video must fail the evaluation); use on_error='raise'"
        )
    return loop


def _skipping_epoch_loop(loop_cfg: dict) -> dict:
    """A train loop config with :class:`SkippingEpochBasedTrainLoop` for mmengine's epoch loop:
    in place of ``by_epoch=True`` (mmengine refuses ``type`` beside ``by_epoch``) or of
    ``type='EpochBasedTrainLoop'``."""
    if 'type' not in loop_cfg and loop_cfg.get('by_epoch'):
        cfg = {key: value for key, value in loop_cfg.items() if key != 'by_epoch'}
        return dict(cfg, type=SkippingEpochBasedTrainLoop)
    if loop_cfg.get('type') in ('EpochBasedTrainLoop', EpochBasedTrainLoop):
        return dict(loop_cfg, type=SkippingEpochBasedTrainLoop)
    return loop_cfg


@RUNNERS.register_module()
class GFRunner(Runner):
    """mmengine's Runner, resuming and loading gfvideo checkpoints with ``weights_only=True``;
    its epoch loop passes over batches that ``on_error='skip'`` emptied; optimizers hold the
    trainable parameters only."""

    # set by mmengine's Runner: configs until built, then the built objects
    optim_wrapper: OptimWrapper | OptimWrapperDict | dict | None
    param_schedulers: list | dict | None

    def build_logger(self, log_level: int | str = 'INFO', log_file: str | None = None, **kwargs) -> MMLogger:
        """mmengine's logger; a config's ``console_log_level`` (e.g. ``'WARNING'``) quiets the
        console alone, while the log file keeps everything (the config, the hooks, each metric)."""
        logger = super().build_logger(log_level, log_file, **kwargs)
        console = self.cfg.get('console_log_level') if self.cfg is not None else None
        if console:
            for handler in logger.handlers:
                if isinstance(handler, logging.StreamHandler) and not isinstance(handler, logging.FileHandler):
                    handler.setLevel(console)
        return logger

    def build_model(self, model: nn.Module | dict) -> nn.Module:
        """mmengine's; a model config its constructor refuses (an option's bad value or an unknown
        option) raises :class:`ConfigError` naming the config file, before anything trains."""
        if not isinstance(model, dict):
            return super().build_model(model)
        with refused_model_options(getattr(self.cfg, 'filename', None) or 'the config'):
            return super().build_model(model)

    def build_optim_wrapper(self, optim_wrapper: Optimizer | OptimWrapper | dict) -> OptimWrapper | OptimWrapperDict:
        if (
            isinstance(optim_wrapper, dict)
            and 'constructor' not in optim_wrapper
            and isinstance(optim_wrapper.get('optimizer'), dict)
        ):  # one optimizer, from its config
            optim_wrapper = dict(optim_wrapper, constructor=TrainableOptimWrapperConstructor)
        return super().build_optim_wrapper(optim_wrapper)

    def build_train_loop(self, loop: BaseLoop | dict) -> BaseLoop:
        """mmengine's train loop, built from a config in which an epoch-based loop that names no
        type (``dict(by_epoch=True, ...)``) or names mmengine's ``EpochBasedTrainLoop`` is
        :class:`SkippingEpochBasedTrainLoop`; an iteration-based or another named loop is built as
        named."""
        if isinstance(loop, dict):
            loop = _skipping_epoch_loop(loop)
        return super().build_train_loop(loop)

    def build_test_loop(self, loop):
        return _refuse_skipping(super().build_test_loop(loop), 'test')

    def build_val_loop(self, loop):
        return _refuse_skipping(super().build_val_loop(loop), 'val')

    def load_checkpoint(self, filename: str, map_location='cpu', strict: bool = True, revise_keys=()):
        """Load model weights only (``load_from``): any layout ``gfvideo.models.load_weights``
        reads, strict, so a checkpoint of another architecture fails before training starts.
        A gfvideo checkpoint whose class list differs from a built loop's dataset is refused; a
        work dir stands for its final checkpoint."""
        filename = resolve_checkpoint(filename)
        checkpoint_hash = read_checkpoint(filename)[1].get('classes_hash')
        for name in ('_train_loop', '_val_loop', '_test_loop'):
            loop = getattr(self, name, None)
            if isinstance(loop, BaseLoop):
                check_class_list(filename, checkpoint_hash, _loop_classes(loop), name[1:-5])
        report = load_weights(unwrap_model(self.model), filename, strict=strict)
        self.logger.info(f'loaded {len(report.loaded)} tensors from {filename} ({report.source} layout)')
        return {'meta': report.meta}

    def train(self):
        """Remove what a killed checkpoint save left in the work dir, then train."""
        if self.rank == 0:
            for path in remove_stale_temporaries(self.work_dir):
                self.logger.info(f'removed {path}, left by an interrupted save')
        return super().train()

    def _resolve_resume_path(self, filename: str) -> str:
        """A resume path as given; else, when ``last_checkpoint`` names a file that is gone (the
        work dir moved), the file of that name in the work dir, or its newest ``epoch_N.pth``."""
        if os.path.isfile(filename):
            return filename
        inside = os.path.join(self.work_dir, os.path.basename(filename))
        if os.path.isfile(inside) and not self._load_from:
            self.logger.warning(
                f'{filename} (from last_checkpoint) does not exist; the work dir moved? resuming from {inside}'
            )
            return inside
        epochs = [
            (int(name[6:-4]), name)
            for name in os.listdir(self.work_dir)
            if name.startswith('epoch_') and name.endswith('.pth') and name[6:-4].isdigit()
        ]
        if epochs and not self._load_from:  # automatic resume: last_checkpoint is stale
            newest = os.path.join(self.work_dir, max(epochs)[1])
            self.logger.warning(
                f'{os.path.join(self.work_dir, "last_checkpoint")} names {filename}, which does not '
                f'exist (a moved work dir?); resuming from the newest checkpoint here, {newest}'
            )
            return newest
        raise CheckpointError(f'{filename}: no such checkpoint file to resume from')

    def resume(
        self, filename: str, resume_optimizer: bool = True, resume_param_scheduler: bool = True, map_location='default'
    ) -> None:
        """Resume training from a gfvideo checkpoint read with ``weights_only=True``: weights,
        epoch and iteration, optimizer, schedulers and RNG states. mmengine's public
        ``load_or_resume`` (which ``train`` calls) marks the runner loaded once this returns, so
        a configured ``load_from`` is not loaded over it."""
        filename = self._resolve_resume_path(filename)
        checkpoint = load_checkpoint_file(filename)
        absent = [
            key for key in ('state_dict', 'meta', 'rng') if not isinstance(checkpoint, dict) or key not in checkpoint
        ]
        absent += [
            f'meta.{key}'
            for key in ('epoch', 'iter')
            if isinstance(checkpoint, dict)
            and isinstance(checkpoint.get('meta'), dict)
            and key not in checkpoint['meta']
        ]
        if absent:
            raise CheckpointError(
                f'{filename}: not a gfvideo training checkpoint (no {", ".join(absent)}), so '
                'training cannot resume from it; to start from its weights use load_from'
            )
        state_dict, meta = read_checkpoint(checkpoint, origin=filename)
        unwrap_model(self.model).load_state_dict(state_dict)
        set_loop_progress(self.train_loop, meta['epoch'], meta['iter'])
        if resume_optimizer and 'optimizer' in checkpoint and self.optim_wrapper is not None:
            optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
            optim_wrapper.load_state_dict(checkpoint['optimizer'])
            self.optim_wrapper = optim_wrapper
        if resume_param_scheduler and self.param_schedulers and 'param_schedulers' in checkpoint:
            self.param_schedulers = self.build_param_scheduler(self.param_schedulers)
            saved = checkpoint['param_schedulers']
            pairs = (
                zip(self.param_schedulers, saved)
                if isinstance(saved, list)
                else ((s, c) for name in saved for s, c in zip(self.param_schedulers[name], saved[name]))
            )
            for scheduler, state in pairs:
                scheduler.load_state_dict(state)
        set_rng_state(checkpoint['rng'])
        self.logger.info(f'resumed from {filename}: epoch {self.epoch}, iter {self.iter}')
