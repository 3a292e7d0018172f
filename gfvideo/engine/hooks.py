"""Training hooks: reseed every epoch, save plain-data checkpoints atomically, count and report
skipped samples; progress bars.

:class:`EpochSeedHook` reseeds every RNG from (seed, epoch) at each epoch start, so a resumed run
draws exactly what an uninterrupted one would.
"""

from __future__ import annotations

import os

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from tqdm import tqdm

from ..classes import class_list_hash
from ..fileio import atomic_path, atomic_torch_save
from ..registry import HOOKS
from ..version import __version__
from .model_wrapper import unwrap_model
from .seeding import rng_state, seed_everything


@HOOKS.register_module()
class SkippedSamplesHook(Hook):
    """Sum the ``num_skipped`` of every training batch (``collate_skipping``) and report the
    epoch's total, summed over all processes, at the end of each epoch and of training."""

    def __init__(self) -> None:
        self.epoch_count = 0
        self.total = 0

    def before_train_epoch(self, runner) -> None:
        self.epoch_count = 0

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        if isinstance(data_batch, dict):
            self.epoch_count += int(data_batch.get('num_skipped', 0))

    def after_train_epoch(self, runner) -> None:
        count = torch.tensor(self.epoch_count, dtype=torch.int64)
        all_reduce(count)  # no-op in a single process
        self.total += int(count)
        runner.message_hub.update_info('skipped_samples', int(count))
        runner.logger.info(f'epoch {runner.epoch + 1}: {int(count)} bad samples skipped ({self.total} in all)')

    def after_train(self, runner) -> None:
        runner.logger.info(f'training finished: {self.total} bad samples skipped in all')


@HOOKS.register_module()
class ProgressBarHook(Hook):
    """A tqdm bar per training and validation epoch (rank 0, on a terminal), with the current loss."""

    def __init__(self) -> None:
        self.bar: tqdm | None = None

    def _open(self, runner, loader, description: str) -> None:
        if runner.rank == 0:
            self.bar = tqdm(
                total=len(loader), desc=description, unit='batch', leave=False, dynamic_ncols=True, disable=None
            )  # on terminals only, not in redirected logs

    def _step(self, outputs=None) -> None:
        if self.bar is not None:
            self.bar.update(1)
            if isinstance(outputs, dict) and 'loss' in outputs:
                loss = outputs['loss']
                loss = loss.detach() if isinstance(loss, torch.Tensor) else loss  # the training loss keeps its graph
                self.bar.set_postfix(loss=f'{float(loss):.4f}')

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def before_train_epoch(self, runner) -> None:
        self._open(runner, runner.train_dataloader, f'epoch {runner.epoch + 1}/{runner.max_epochs}')

    def after_train_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._step(outputs)

    def after_train_epoch(self, runner) -> None:
        self._close()

    def before_val_epoch(self, runner) -> None:
        self._open(runner, runner.val_dataloader, 'validation')

    def after_val_iter(self, runner, batch_idx: int, data_batch=None, outputs=None) -> None:
        self._step()

    def after_val_epoch(self, runner, metrics=None) -> None:
        self._close()


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
    model = unwrap_model(runner.model)
    classes = list(runner.train_dataloader.dataset.metainfo.get('classes') or [])
    meta = dict(
        epoch=epoch,
        iter=runner.iter,
        seed=runner.seed,
        gfvideo_version=__version__,
        config=runner.cfg.pretty_text,
        experiment_name=runner.experiment_name,
    )
    if classes:
        meta.update(classes=classes, classes_hash=class_list_hash(classes))
    checkpoint = {
        'meta': meta,
        'state_dict': model.state_dict(),
        'rng': rng_state(),
        'optimizer': runner.optim_wrapper.state_dict(),
    }
    if runner.param_schedulers:
        schedulers = runner.param_schedulers
        checkpoint['param_schedulers'] = (
            [s.state_dict() for s in schedulers]
            if isinstance(schedulers, list)
            else {k: [s.state_dict() for s in v] for k, v in schedulers.items()}
        )
    return checkpoint
