"""A sampler that tells the dataset which epoch an index belongs to."""

from __future__ import annotations

from collections.abc import Iterator

from mmengine.dataset import DefaultSampler

from ..registry import DATA_SAMPLERS


@DATA_SAMPLERS.register_module()
class EpochIndexSampler(DefaultSampler):
    """mmengine's ``DefaultSampler`` (seeded shuffle, rank sharding) yielding ``(epoch, index)``,
    so ``VideoDataset`` derives each sample's random crops from (seed, epoch, index) with no
    state shared with DataLoader workers; a resumed run draws exactly what it would have."""

    def __iter__(self) -> Iterator[tuple[int, int]]:
        for index in super().__iter__():
            yield self.epoch, index
