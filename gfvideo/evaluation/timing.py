"""Wall time of several models on the same batches, measured side by side.

Shared machines are noisy: two models timed one after the other can see different loads. Here
every repeat runs each model once over all batches, in turn (interleaved), after a warm-up
pass, and each model's time per clip is the median over repeats, with its spread. ``seconds`` and
``median_seconds`` time a single function, synchronised with its device.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from typing import Callable

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


def synchronize(device: torch.device | str) -> None:
    """Wait for the device's queued work (CUDA), so a timer reads finished work."""
    device = torch.device(device)
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def seconds(function: Callable[[], object], device: torch.device | str = 'cpu') -> float:
    """Wall seconds of ``function()``, the device synchronised before and after (CUDA runs kernels
    asynchronously: a host timer read without this measures the launches, not the work)."""
    synchronize(device)
    start = time.perf_counter()
    function()
    synchronize(device)
    return time.perf_counter() - start


def median_seconds(function: Callable[[], object], device: torch.device | str, repeats: int, warmup: int) -> float:
    """Median :func:`seconds` of ``function()`` over ``repeats`` runs after ``warmup`` untimed runs."""
    for _ in range(warmup):
        function()
    return statistics.median(seconds(function, device) for _ in range(repeats))


@torch.no_grad()
def interleaved_timings(
    runners: dict[str, Callable[[torch.Tensor], object]],
    batches: Sequence[torch.Tensor],
    repeats: int = 5,
    warmup: int = 1,
) -> dict[str, Timing]:
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
            elapsed = seconds(partial(_run_all, runner, batches), device)
            if repeat >= warmup:
                times[name].append(elapsed * 1000 / clips)
    return {name: Timing(statistics.median(values), min(values), max(values), values) for name, values in times.items()}


def _run_all(runner: Callable[[torch.Tensor], object], batches: Sequence[torch.Tensor]) -> None:
    for batch in batches:
        runner(batch)
