"""Multi-view clips: several clips of ``num_segments`` frames stacked on the frame axis, their
predictions averaged as probabilities (mmaction2's ``average_clips='prob'``)."""

from __future__ import annotations

import torch


def split_views(inputs: torch.Tensor, num_segments: int) -> tuple[torch.Tensor, int]:
    """``(B, V*T, 3, H, W)`` -> the ``B*V`` view clips ``(B*V, T, 3, H, W)`` and ``V``."""
    batch, frames = inputs.shape[:2]
    views = frames // num_segments
    return inputs.reshape(batch * views, num_segments, *inputs.shape[2:]), views


def average_view_scores(logits: torch.Tensor, views: int) -> torch.Tensor:
    """Logits ``(..., B*V, classes)`` -> the mean softmax over each clip's views ``(..., B, classes)``."""
    probabilities = logits.softmax(-1)
    return probabilities.unflatten(-2, (probabilities.shape[-2] // views, views)).mean(dim=-2)
