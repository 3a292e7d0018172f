"""Temporal recurrent aggregators: fuse a step's frame features over time, carry a state over steps.

An aggregator is built from a config dict through ``MODELS`` with two arguments from the model
(``dim``: the width glance and focus features are projected to, ``num_classes``) plus its own
options, and meets the :class:`Aggregator` interface.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn

from ..registry import MODELS

TEMPORAL_FUSIONS = ('mean', 'gru')


class Aggregator(nn.Module, ABC):
    """Frame features of one step -> logits, with a recurrent state carried across steps."""

    @abstractmethod
    def forward(self, frame_features: torch.Tensor, state: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """``frame_features`` ``(B, T, D)`` and the state (``None`` starts a clip) -> ``(logits
        (B, classes), new state)``; the state is a tensor whose first axis is the clip (early exit
        keeps the rows of the clips still running)."""


@MODELS.register_module()
class TemporalAggregator(Aggregator):
    """Frame features ``(B, T, D)`` of one step -> logits, updating a GRU state across steps.

    Args:
        dim: feature width ``D`` (glance and focus features are projected to it).
        num_classes: classifier outputs.
        temporal: ``'mean'`` (average over frames; TSM features are already temporal) or
            ``'gru'`` (a GRU over the frames, its last state).
        dropout: dropout before the classifier.
    """

    def __init__(self, dim: int, num_classes: int, temporal: str = 'mean', dropout: float = 0.5) -> None:
        super().__init__()
        if temporal not in TEMPORAL_FUSIONS:
            raise ValueError(f'temporal must be one of {TEMPORAL_FUSIONS}, got {temporal!r}')
        self.temporal = temporal
        self.frame_gru = nn.GRU(dim, dim, batch_first=True) if temporal == 'gru' else None
        self.step_gru = nn.GRUCell(dim, dim)
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(dim, num_classes)

    def forward(self, frame_features: torch.Tensor, state: torch.Tensor | None) -> tuple[torch.Tensor, torch.Tensor]:
        """Returns ``(logits (B, classes), new state (B, D))``; ``state=None`` starts a clip."""
        if self.frame_gru is None:
            clip_feature = frame_features.mean(dim=1)
        else:
            clip_feature = self.frame_gru(frame_features)[1][-1]
        state = self.step_gru(clip_feature, state)
        return self.fc(self.dropout(state)), state
