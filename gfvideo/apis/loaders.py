"""Evaluation dataloaders built from a config outside mmengine's Runner (budgets, extraction)."""

from __future__ import annotations

import copy

import numpy as np
from mmengine.config import Config
from torch.utils.data import DataLoader, Subset

from ..data import collate_skipping
from ..registry import DATASETS


def _loader(dataset, batch_size: int, workers: int, rank: int = 0, world_size: int = 1) -> DataLoader:
    if world_size > 1:
        dataset = Subset(dataset, list(range(rank, len(dataset), world_size)))
    return DataLoader(
        dataset,
        batch_size=batch_size,
        num_workers=workers,
        collate_fn=collate_skipping,
        shuffle=False,
        persistent_workers=False,
    )


def eval_dataset(cfg: Config, ann_file: str | None = None, from_split: str = 'test'):
    """The dataset of ``{from_split}_dataloader`` with the test pipeline and ``test_mode`` (never
    skipping), on ``ann_file`` when given."""
    dataset_cfg = copy.deepcopy(cfg[f'{from_split}_dataloader'].dataset)
    dataset_cfg.update(pipeline=copy.deepcopy(cfg.test_dataloader.dataset.pipeline), test_mode=True, on_error='raise')
    if ann_file:
        dataset_cfg.update(ann_file=ann_file)
    return DATASETS.build(dataset_cfg)


def eval_loader(
    cfg: Config,
    ann_file: str | None = None,
    batch_size: int | None = None,
    workers: int | None = None,
    rank: int = 0,
    world_size: int = 1,
) -> DataLoader:
    """A loader over the test split (or ``ann_file``), every ``world_size``-th clip from ``rank``."""
    loader_cfg = cfg.test_dataloader
    return _loader(
        eval_dataset(cfg, ann_file),
        batch_size or loader_cfg.batch_size,
        loader_cfg.get('num_workers', 0) if workers is None else workers,
        rank,
        world_size,
    )


def calibration_loader(
    cfg: Config,
    calib_list: str | None = None,
    calib_size: int = 200,
    seed: int = 0,
    batch_size: int | None = None,
    workers: int | None = None,
) -> DataLoader:
    """Clips for threshold calibration, always with the test pipeline: ``calib_list`` when given,
    else ``calib_size`` clips of the training list drawn with ``seed``."""
    if calib_list:
        dataset = eval_dataset(cfg, calib_list, from_split='train')
    else:
        dataset = eval_dataset(cfg, from_split='train')
        count = min(calib_size, len(dataset))
        order = np.random.default_rng(seed).permutation(len(dataset))[:count]
        dataset = Subset(dataset, sorted(order.tolist()))
    loader_cfg = cfg.test_dataloader
    return _loader(
        dataset, batch_size or loader_cfg.batch_size, loader_cfg.get('num_workers', 0) if workers is None else workers
    )
