"""Training hooks: count and report skipped samples."""
from __future__ import annotations

import torch
from mmengine.dist import all_reduce
from mmengine.hooks import Hook

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
