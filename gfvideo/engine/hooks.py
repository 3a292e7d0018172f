"""Training hooks: count and report skipped samples; progress bars."""
from __future__ import annotations

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook
from tqdm import tqdm

from ..registry import HOOKS


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
            self.bar = tqdm(total=len(loader), desc=description, unit='batch', leave=False, dynamic_ncols=True,
                            disable=None)  # on terminals only, not in redirected logs

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
