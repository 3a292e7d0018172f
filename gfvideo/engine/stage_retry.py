"""Training a stalled stage again: a stage config's ``stage_retry`` rule and the validation score it reads.

Some runs of a stage stall on their training seed's draw (the busy benchmark's stage 1 does on
about one seed in ten: BENCHMARKS.md) while the same data trains well with another seed. A stage
config may then say::

    stage_retry = dict(metric='top1', below=0.36, max_retries=1)

and :func:`~gfvideo.engine.stages.train_stages` trains the stage again in ``stage<k>-retry<n>``
with training seed ``seed + n`` while every run so far ends under ``below`` on the stage's last
validation ``metric``, up to ``max_retries`` more runs; the best run goes on to the next stage.
"""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass

from mmengine.config import Config


class StageRetryError(ValueError):
    """A malformed ``stage_retry`` rule, or a stage run without the validation score it needs."""


@dataclass(frozen=True)
class RetryRule:
    """Train a stage again while its runs' last validation ``metric`` is under ``below``."""

    metric: str
    below: float
    max_retries: int


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
