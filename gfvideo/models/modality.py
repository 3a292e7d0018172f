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
    """Frames ``(N, C, H, W)`` resized to ``size x size`` (bilinear, antialiased when shrinking)."""
    return F.interpolate(frames, size=(size, size), mode='bilinear', align_corners=False, antialias=True)
