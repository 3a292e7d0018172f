"""A label-free prior over patch locations: where the frames change.

Stage 1 trains the focus network before any policy exists. Uniformly random patches rarely
hold a small moving object (a 32-px patch covers its centre in about one frame of ten on
128-px frames), so the focus network never learns to read it and stage 2's reward stays flat.
Frame-difference energy, which every video has, points at what moves without any label: the
patch whose window holds the most absolute change between neighbouring frames.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from .patches import centred_locations


def motion_locations(differences: torch.Tensor, patch_size: int, frame_size: tuple[int, int]) -> torch.Tensor:
    """Locations in [0, 1]^2 of the patch with the most frame-difference energy, per frame.

    Args:
        differences: ``(N, C, h, w)`` frame differences at any resolution (e.g. the glance's).
        patch_size: the patch side in full-resolution pixels.
        frame_size: ``(H, W)`` of the full-resolution frames.

    Returns:
        ``(N, 2)`` actions ``(ax, ay)`` whose patch is centred on the centre of change inside the
        patch-sized window holding the most change (clamped so the patch stays inside the
        frame; a frame without change gets the centre).
    """
    height, width = frame_size
    small_h, small_w = differences.shape[-2:]
    energy = differences.abs().sum(dim=1, keepdim=True)
    rows, cols = torch.meshgrid(
        torch.arange(small_h, device=energy.device, dtype=energy.dtype) + 0.5,
        torch.arange(small_w, device=energy.device, dtype=energy.dtype) + 0.5,
        indexing='ij',
    )
    window = max(1, round(patch_size * small_w / width))
    # energy and its first moments summed over every patch-sized window
    moments = F.avg_pool2d(
        torch.cat([energy, energy * cols, energy * rows], dim=1),
        window,
        stride=1,
        padding=window // 2,
        count_include_pad=False,
    )
    best = moments[:, 0].flatten(1).argmax(dim=1)
    chosen = moments.flatten(2)[torch.arange(len(best), device=best.device), :, best]  # (N, 3)
    mass = chosen[:, 0].clamp_min(torch.finfo(energy.dtype).tiny)
    # the window's centre of change in full-resolution pixels; a still frame falls back to the centre
    still = chosen[:, 0] <= 0
    centre_x = torch.where(still, torch.full_like(mass, small_w / 2), chosen[:, 1] / mass) * width / small_w
    centre_y = torch.where(still, torch.full_like(mass, small_h / 2), chosen[:, 2] / mass) * height / small_h
    return centred_locations(torch.stack([centre_x, centre_y], dim=1), patch_size, height, width)
