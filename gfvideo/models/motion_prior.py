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


def _correlation_peaks(previous: torch.Tensor, current: torch.Tensor, count: int) -> torch.Tensor:
    """The ``count`` strongest whole-pixel shifts ``(N, count, 2)`` as ``(dy, dx)`` of ``current``
    against ``previous`` (grey images ``(N, H, W)``), by phase correlation under a Hann window."""
    height, width = current.shape[-2:]
    window = torch.outer(
        torch.hann_window(height, periodic=False, device=current.device, dtype=current.dtype),
        torch.hann_window(width, periodic=False, device=current.device, dtype=current.dtype),
    )
    cross = torch.fft.fft2(current * window) * torch.fft.fft2(previous * window).conj()
    correlation = torch.fft.ifft2(cross / cross.abs().clamp_min(1e-12)).real.flatten(1)
    peaks = correlation.topk(count, dim=1).indices
    dy, dx = peaks // width, peaks % width
    return torch.stack([(dy + height // 2) % height - height // 2, (dx + width // 2) % width - width // 2], dim=2)


def _aligned_differences(previous: torch.Tensor, current: torch.Tensor, shifts: torch.Tensor) -> torch.Tensor:
    """``|current - previous shifted by shifts|`` ``(N, H, W)``, zero where the shift brings no pixel in."""
    height, width = current.shape[-2:]
    rows = torch.arange(height, device=current.device)[None, :] - shifts[:, :1]  # source row of each row
    cols = torch.arange(width, device=current.device)[None, :] - shifts[:, 1:]
    inside = ((rows >= 0) & (rows < height))[:, :, None] & ((cols >= 0) & (cols < width))[:, None, :]
    samples = torch.arange(len(shifts), device=current.device)[:, None, None]
    aligned = previous[samples, rows.clamp(0, height - 1)[:, :, None], cols.clamp(0, width - 1)[:, None, :]]
    return (current - aligned).abs() * inside


def camera_shifts(previous: torch.Tensor, current: torch.Tensor, candidates: int = 3) -> torch.Tensor:
    """The camera's whole-pixel motion ``(N, 2)`` as ``(dy, dx)`` from ``previous`` to ``current``
    (grey images ``(N, H, W)``): of the ``candidates`` strongest phase-correlation peaks and no
    motion at all, the shift that leaves the least mean difference (a strongly textured object
    moving over a plain background can win the correlation; the residual tells)."""
    options = torch.cat(
        [torch.zeros_like(_correlation_peaks(previous, current, 1)), _correlation_peaks(previous, current, candidates)],
        dim=1,
    )  # (N, 1 + candidates, 2)
    residuals = torch.stack(
        [_aligned_differences(previous, current, options[:, k]).mean(dim=(1, 2)) for k in range(options.shape[1])],
        dim=1,
    )
    return options[torch.arange(len(options), device=options.device), residuals.argmin(dim=1)]


def compensated_differences(clips: torch.Tensor) -> torch.Tensor:
    """Frame differences with the camera's motion removed: ``(B, T, C, H, W)`` clips ->
    ``(B*T, 1, H, W)`` absolute differences between each frame and its predecessor shifted by
    :func:`camera_shifts` (zero where the shift brings no pixel in; the first frame takes the
    second's difference, a single frame has none)."""
    batch, frames, _, height, width = clips.shape
    grey = clips.float().mean(dim=2)
    if frames < 2:
        return torch.zeros(batch * frames, 1, height, width, device=clips.device)
    previous, current = grey[:, :-1].flatten(0, 1), grey[:, 1:].flatten(0, 1)
    differences = _aligned_differences(previous, current, camera_shifts(previous, current))
    differences = differences.view(batch, frames - 1, 1, height, width)
    return torch.cat([differences[:, :1], differences], dim=1).flatten(0, 1)
