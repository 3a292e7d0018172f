"""Wall time of several models on the same batches, measured side by side.

Shared machines are noisy: two models timed one after the other can see different loads. Here
every repeat runs each model once over all batches, in turn (interleaved), after a warm-up
pass, and each model's time per clip is the median over repeats, with its spread.
"""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from typing import Callable, Sequence

import torch


@dataclass(frozen=True)
class Timing:
    """One model's wall time per clip over the repeats, in milliseconds."""

    median_ms: float
    min_ms: float
    max_ms: float
    repeats: list[float]

    def as_dict(self) -> dict:
        return dict(median_ms=self.median_ms, min_ms=self.min_ms, max_ms=self.max_ms, repeats_ms=self.repeats)


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work (CUDA), so a timer reads finished work."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


@torch.no_grad()
def interleaved_timings(runners: dict[str, Callable[[torch.Tensor], object]], batches: Sequence[torch.Tensor],
                        repeats: int = 5, warmup: int = 1) -> dict[str, Timing]:
    """Time each ``runner(batch)`` over all ``batches``, the runners taking turns in every repeat.

    Returns each runner's :class:`Timing` (ms per clip; the median of ``repeats`` passes, after
    ``warmup`` untimed passes).
    """
    if repeats < 1 or not batches:
        raise ValueError('interleaved_timings needs at least one repeat and one batch')
    clips = sum(batch.shape[0] for batch in batches)
    device = batches[0].device
    times: dict[str, list[float]] = {name: [] for name in runners}
    for repeat in range(warmup + repeats):
        for name, runner in runners.items():
            synchronize(device)
            start = time.perf_counter()
            for batch in batches:
                runner(batch)
            synchronize(device)
            if repeat >= warmup:
                times[name].append((time.perf_counter() - start) * 1000 / clips)
    return {name: Timing(statistics.median(values), min(values), max(values), values)
            for name, values in times.items()}
