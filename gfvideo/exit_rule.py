"""The early-exit rule, in one place for the PyTorch runtime, the budget solver and replays.

After focus step ``k < K`` a clip leaves when its confidence (its largest softmax probability)
reaches ``thresholds[k]``; step ``K`` always ends a clip. The rule works on NumPy arrays and
tensors alike, so the ONNX runtime can share it without importing torch.
"""

from __future__ import annotations

from typing import TypeVar

#: A threshold above any probability: nobody exits at that step.
NEVER_EXIT = 2.0

Confidences = TypeVar('Confidences')


def exits(confidences: Confidences, thresholds) -> Confidences:
    """Where clips leave: ``confidences >= thresholds`` (elementwise, broadcasting), a boolean
    array or tensor of ``confidences``' kind."""
    return confidences >= thresholds
