"""The early-exit rule, in one place for the PyTorch runtime, the budget solver and replays.

After focus step ``k < K`` a clip leaves when its confidence (its largest softmax probability)
reaches ``thresholds[k]``; step ``K`` always ends a clip. The rule works on NumPy arrays and
tensors alike, so the ONNX runtime can share it without importing torch; so does
:func:`read_thresholds`, which reads a ``thresholds.json``.
"""

from __future__ import annotations

import json
from typing import TypeVar

#: A threshold above any probability: nobody exits at that step.
NEVER_EXIT = 2.0

Confidences = TypeVar('Confidences')


def exits(confidences: Confidences, thresholds) -> Confidences:
    """Where clips leave: ``confidences >= thresholds`` (elementwise, broadcasting), a boolean
    array or tensor of ``confidences``' kind."""
    return confidences >= thresholds


class BudgetError(ValueError):
    """A budget that no set of thresholds can meet, or a thresholds file that does not fit the model."""


#: What ``thresholds.json`` says of its thresholds, beside them.
THRESHOLDS_NOTE = (
    'after step k (0: the glance, k: the k-th focus step) a clip exits when its top-1 probability reaches '
    f'thresholds[k]; {NEVER_EXIT} is above any probability: nobody exits at that step; the last focus step '
    'always ends a clip'
)


def check_thresholds(thresholds, num_steps: int, source: str) -> list[float]:
    """``thresholds`` as floats, one per focus step, each a confidence in [0, 1] or
    :data:`NEVER_EXIT`; :class:`BudgetError` naming ``source`` otherwise (NaN included)."""
    if isinstance(thresholds, (str, bytes)) or not hasattr(thresholds, '__len__'):
        raise BudgetError(f'{source}: expected a list of {num_steps} thresholds, got {thresholds!r}')
    for step, value in enumerate(thresholds):
        if (
            isinstance(value, bool)
            or not isinstance(value, (int, float))
            or not (0 <= value <= 1 or value == NEVER_EXIT)
        ):
            raise BudgetError(
                f'{source}: threshold {step} is {value!r}; expected a number in [0, 1] (a confidence) or '
                f'{NEVER_EXIT} (never exit), and NaN is not one'
            )
    if len(thresholds) != num_steps:
        raise BudgetError(f'{source}: {len(thresholds)} thresholds for a model with {num_steps} focus steps')
    return [float(t) for t in thresholds]


def read_thresholds(path: str, classes_hash: str | None, num_steps: int) -> list[float]:
    """Thresholds from a ``thresholds.json``, refused when written for another model (another
    step count or class list) or when it cannot tell (no ``classes_hash`` for a model that has one)."""
    try:
        with open(path, encoding='utf-8') as file:
            record = json.load(file)
        thresholds = record['thresholds']
        if not isinstance(thresholds, list):
            raise TypeError(f'"thresholds" must be a list, got {thresholds!r}')
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BudgetError(f'{path}: not a readable thresholds file ({error})') from error
    if record.get('num_steps') != num_steps or len(thresholds) != num_steps:
        raise BudgetError(
            f'{path}: written for a model with {record.get("num_steps")} focus steps; this model has {num_steps}'
        )
    thresholds = check_thresholds(thresholds, num_steps, path)
    if classes_hash and not record.get('classes_hash'):
        raise BudgetError(
            f'{path}: has no classes_hash, so nothing shows it was calibrated for this model (class list hash '
            f'{classes_hash}); calibrate it with gfvideo evaluate-budget'
        )
    if classes_hash and record['classes_hash'] != classes_hash:
        raise BudgetError(
            f"{path}: written for another class list (hash {record['classes_hash']}; this model's is {classes_hash})"
        )
    return thresholds
