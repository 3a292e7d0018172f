"""Batched per-frame patch cropping: one gather for all frames, no Python loop over samples."""
from __future__ import annotations

import torch


def patch_corners(actions: torch.Tensor, height: int, width: int, patch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-left corners ``(floor(ax * (W - P)), floor(ay * (H - P)))`` of actions in [0, 1]^2
    (clamped), so a patch never leaves the frame."""
    if patch_size > min(height, width):
        raise ValueError(f'patch_size {patch_size} exceeds the {height}x{width} frame')
    actions = actions.clamp(0.0, 1.0)
    x0 = torch.floor(actions[:, 0] * (width - patch_size)).long()
    y0 = torch.floor(actions[:, 1] * (height - patch_size)).long()
    return x0, y0


def crop_patches(frames: torch.Tensor, actions: torch.Tensor, patch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop one ``patch_size`` square per frame.

    Args:
        frames: ``(N, C, H, W)``.
        actions: ``(N, 2)`` locations ``(ax, ay)`` in [0, 1].

    Returns:
        patches ``(N, C, P, P)`` and boxes ``(N, 4)`` as ``(x0, y0, x1, y1)`` pixels of ``frames``.
    """
    count, channels, height, width = frames.shape
    x0, y0 = patch_corners(actions, height, width, patch_size)
    offsets = torch.arange(patch_size, device=frames.device)
    rows = (y0[:, None] + offsets)[:, :, None]          # (N, P, 1)
    cols = (x0[:, None] + offsets)[:, None, :]          # (N, 1, P)
    samples = torch.arange(count, device=frames.device)[:, None, None]
    patches = frames.permute(0, 2, 3, 1)[samples, rows, cols]   # (N, P, P, C)
    boxes = torch.stack([x0, y0, x0 + patch_size, y0 + patch_size], dim=1)
    return patches.permute(0, 3, 1, 2).contiguous(), boxes
