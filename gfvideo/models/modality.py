"""Input modalities and resolutions computed inside the model from normalised RGB clips.

``'diff'`` is TSN's RGB-difference modality reduced to one difference per sampled frame: frame
``t`` minus frame ``t-1`` (the first frame takes the first difference). It shows what moves and
how at the cost of one subtraction, and a network learns motion from it far faster than from RGB.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

MODALITIES = ('rgb', 'diff')


def check_modality(modality: str) -> str:
    if modality not in MODALITIES:
        raise ValueError(f'modality must be one of {MODALITIES}, got {modality!r}')
    return modality


def apply_modality(clips: torch.Tensor, modality: str) -> torch.Tensor:
    """Normalised clips ``(B, T, 3, H, W)`` in the given modality (same shape)."""
    if modality == 'rgb':
        return clips
    if clips.shape[1] < 2:
        raise ValueError('the diff modality needs clips of at least 2 frames')
    differences = clips[:, 1:] - clips[:, :-1]
    return torch.cat([differences[:, :1], differences], dim=1)


def resize_frames(frames: torch.Tensor, size: int) -> torch.Tensor:
    """Frames ``(N, C, H, W)`` resized to ``size x size`` (bilinear, antialiased when shrinking).

    ``F.interpolate``'s resize as the two matrix products it amounts to (its weights, taken from
    it): the same values to float rounding, about 3x as fast on CPU (BENCHMARKS.md, time_parts).
    """
    height, width = frames.shape[-2:]
    with torch.autocast(frames.device.type, enabled=False):  # a resize keeps its input's precision
        return _resize_weights(height, size, frames).t() @ (frames @ _resize_weights(width, size, frames))


def _resize_weights(length: int, size: int, like: torch.Tensor) -> torch.Tensor:
    """``(length, size)``: column ``j`` holds the weights of the ``length`` input pixels in output
    pixel ``j`` of an antialiased bilinear resize along one axis (``F.interpolate`` of unit rows)."""
    unit_rows = torch.eye(length, dtype=like.dtype, device=like.device).view(length, 1, 1, length)
    resized = F.interpolate(unit_rows, size=(1, size), mode='bilinear', align_corners=False, antialias=True)
    return resized.view(length, size)
