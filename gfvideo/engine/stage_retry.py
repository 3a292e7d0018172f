"""Training a stalled stage again: a stage config's ``stage_retry`` rule and the validation score it reads.

Some runs of a stage stall on their training seed's draw while the same data trains well with
another seed (the busy benchmark's stage 1 did on about one seed in ten with its first
generator; with the current one, seed 0's data stalls with two training seeds and the later
stages make up for it: BENCHMARKS.md). A stage config may then say::

    stage_retry = dict(metric='top1', below=0.36, max_retries=1)

and :func:`~gfvideo.engine.stages.train_stages` trains the stage again in ``stage<k>-retry<n>``
with training seed ``seed + n`` while every run so far ends under ``below`` on the stage's last
validation ``metric``, up to ``max_retries`` more runs; the best run goes on to the next stage.
:func:`train_with_retries` is that loop for any run that validates (the demo gives its full-frame
baseline the same second chance).
"""

from __future__ import annotations

import glob
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mmengine.config import Config


class StageRetryError(ValueError):
    """A malformed ``stage_retry`` rule, or a stage run without the validation score it needs."""


@dataclass(frozen=True)
class RetryRule:
    """Train a stage again while its runs' last validation ``metric`` is under ``below``."""

    metric: str
    below: float
    max_retries: int

    def threshold(self) -> dict[str, Any]:
        """What a record of the runs keeps of the rule: its ``metric`` and ``below``."""
        return dict(metric=self.metric, below=self.below)


def retry_rule(cfg: Config) -> RetryRule | None:
    """The stage config's ``stage_retry`` rule, or None where it has none."""
    rule = cfg.get('stage_retry')
    if rule is None:
        return None
    if not isinstance(rule, dict) or set(rule) != {'metric', 'below', 'max_retries'}:
        raise StageRetryError(f'stage_retry is {rule!r}; expected dict(metric=NAME, below=NUMBER, max_retries=N)')
    metric, below, retries = rule['metric'], rule['below'], rule['max_retries']
    if not isinstance(metric, str) or not isinstance(below, (int, float)) or isinstance(below, bool):
        raise StageRetryError(f'stage_retry is {rule!r}; metric must be a name and below a number')
    if not isinstance(retries, int) or isinstance(retries, bool) or retries < 1:
        raise StageRetryError(f'stage_retry.max_retries is {retries!r}; expected an integer >= 1')
    return RetryRule(metric, float(below), retries)


def last_validation(work_dir: str, metric: str) -> float:
    """The stage run's last validation value of ``metric`` (mmengine's ``vis_data/scalars.json``
    of its newest run that validated), or :class:`StageRetryError` where it has none."""
    logs = sorted(glob.glob(os.path.join(glob.escape(work_dir), '*', 'vis_data', 'scalars.json')), reverse=True)
    for log in logs:
        with open(log, encoding='utf-8') as file:
            values = [record[metric] for record in map(json.loads, filter(str.strip, file)) if metric in record]
        if values:
            return float(values[-1])
    raise StageRetryError(
        f'{work_dir}: no validation {metric!r} in its vis_data/scalars.json; stage_retry needs the '
        'stage to validate at its last epoch with a LocalVisBackend'
    )


#: Trains the run in ``work_dir`` with training seed ``seed`` (None: the one it is configured
#: with), or finds it finished there; returns its final checkpoint.
RunTrainer = Callable[[str, 'int | None'], str]


def train_with_retries(
    name: str, work_dir: str, rule: RetryRule, seed: int | None, train: RunTrainer, report: Callable[[str], None]
) -> list[dict[str, Any]]:
    """Train a run in ``work_dir`` and, while every run so far ends under ``rule.below`` on its last
    validation ``rule.metric``, again in ``<work_dir>-retry<n>`` with training seed ``seed + n``
    (a new one where ``seed`` is None), up to ``rule.max_retries`` more runs. Returns every run's
    ``work_dir``, ``score`` and final ``checkpoint``; ``report`` gets a line per retry and one
    naming the best run, each starting with ``name``."""
    runs: list[dict[str, Any]] = []
    for retry in range(rule.max_retries + 1):
        if retry:
            best = max(run['score'] for run in runs)
            if best >= rule.below:
                break
            with_seed = 'a new seed' if seed is None else f'seed {seed + retry}'
            report(
                f'{name}: validation {rule.metric} {best:.4f} < {rule.below:g} (its retry rule), '
                f'training it again with {with_seed}'
            )
        run_dir = f'{work_dir}-retry{retry}' if retry else work_dir
        checkpoint = train(run_dir, seed + retry if retry and seed is not None else None)
        runs.append(dict(work_dir=run_dir, score=last_validation(run_dir, rule.metric), checkpoint=checkpoint))
    if len(runs) > 1:
        scores = ', '.join(f'{os.path.basename(run["work_dir"])} {run["score"]:.4f}' for run in runs)
        report(f'{name}: {rule.metric} {scores}; going on from {best_run(runs)["work_dir"]}')
    return runs


def best_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of :func:`train_with_retries` with the highest score (the first among equals)."""
    return max(runs, key=lambda run: run['score'])
