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

#: Halvings of the grey frames before phase correlation: the camera's shift is found on frames
#: 4x smaller (32 px for the demo's 128) and refined at each finer level (the shift doubled, then
#: the best of it and its 8 neighbours). The search on the full-resolution frames it replaces took
#: twice as long on CPU (0.20 of the demo baseline's time against 0.10) and found the camera's own
#: shift less often (below).
PYRAMID_LEVELS = 2
#: The coarsest level keeps at least this many pixels a side (small frames get fewer halvings).
MIN_CORRELATION_SIDE = 16
#: Phase-correlation peaks tried as the camera's shift on the coarsest level (besides no shift at
#: all). The moving blocks' sharp edges often outweigh the panned background in the whitened
#: correlation, so the residual chooses among the peaks: on 672 frame pairs of rendered busy-scene
#: clips the camera's own shift was found for 0.89 of the pairs (0.85 by the same search on
#: full-resolution frames, 0.99 by an exhaustive search of every shift up to 8 px).
CAMERA_CANDIDATES = 3
#: Pixels a side of the grid, on each level, on which candidate shifts' residuals are compared.
RESIDUAL_SAMPLES = 16
#: The shifts tried around the doubled coarser estimate on each finer level: ``(dy, dx)`` in {-1, 0, 1}^2.
_NEIGHBOURHOOD = torch.stack(torch.meshgrid(torch.arange(-1, 2), torch.arange(-1, 2), indexing='ij'), dim=-1).view(9, 2)


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


def _spectra(grey: torch.Tensor) -> torch.Tensor:
    """The real FFT of grey images ``(..., H, W)`` under a Hann window, whitened (each frequency
    scaled to magnitude 1): what phase correlation compares. The product of two whitened spectra
    is their whitened cross-power spectrum; whitening each image once, in real arithmetic, costs
    about half as much as whitening each pair's product."""
    height, width = grey.shape[-2:]
    window = torch.outer(
        torch.hann_window(height, periodic=False, device=grey.device, dtype=grey.dtype),
        torch.hann_window(width, periodic=False, device=grey.device, dtype=grey.dtype),
    )
    parts = torch.view_as_real(torch.fft.rfft2(grey * window))  # (..., 2): real and imaginary
    inverse_magnitude = (parts[..., 0].square() + parts[..., 1].square()).clamp_min_(1e-24).rsqrt_()
    return torch.view_as_complex(parts * inverse_magnitude[..., None])


def _correlation_peaks(
    previous: torch.Tensor, current: torch.Tensor, size: tuple[int, int], count: int
) -> torch.Tensor:
    """The ``count`` strongest whole-pixel shifts ``(N, count, 2)`` as ``(dy, dx)`` of the current
    images against the previous ones, by phase correlation of their :func:`_spectra` (any leading
    axes, ``N`` pairs in all; images of ``size`` ``(H, W)``)."""
    height, width = size
    correlation = torch.fft.irfft2(current * previous.conj(), s=size).reshape(-1, height * width)
    peaks = correlation.topk(count, dim=1).indices
    dy, dx = peaks // width, peaks % width
    return torch.stack([(dy + height // 2) % height - height // 2, (dx + width // 2) % width - width // 2], dim=2)


def _aligned_differences(
    previous: torch.Tensor, current: torch.Tensor, shifts: torch.Tensor, stride: int = 1
) -> torch.Tensor:
    """``|current - previous shifted by shifts|`` ``(N, K, H', W')`` for ``K`` shifts ``(N, K, 2)`` of
    each pair of images ``(N, H, W)``, at every ``stride``-th row and column of ``current``, zero
    where a shift brings no pixel in."""
    height, width = current.shape[-2:]
    rows = torch.arange(0, height, stride, device=current.device) - shifts[..., :1]  # (N, K, H'): source rows
    cols = torch.arange(0, width, stride, device=current.device) - shifts[..., 1:]
    inside = ((rows >= 0) & (rows < height))[..., :, None] & ((cols >= 0) & (cols < width))[..., None, :]
    sources = rows.clamp(0, height - 1)[..., :, None] * width + cols.clamp(0, width - 1)[..., None, :]
    aligned = previous.flatten(1).gather(1, sources.flatten(1)).view(sources.shape)
    return (current[:, None, ::stride, ::stride] - aligned).abs() * inside


def _halved(grey: torch.Tensor) -> torch.Tensor:
    """Grey images ``(..., H, W)`` halved: the mean of each 2x2 block (an odd last row or column is
    dropped). Four strided sums: the CPU's ``avg_pool2d`` takes several times as long."""
    height, width = grey.shape[-2] // 2 * 2, grey.shape[-1] // 2 * 2
    return (
        grey[..., 0:height:2, 0:width:2]
        + grey[..., 1:height:2, 0:width:2]
        + grey[..., 0:height:2, 1:width:2]
        + grey[..., 1:height:2, 1:width:2]
    ) / 4


def _pyramid(grey: torch.Tensor) -> list[torch.Tensor]:
    """Grey images ``(..., H, W)`` and up to :data:`PYRAMID_LEVELS` :func:`_halved` copies,
    finest first; a halving stops before a side would fall under :data:`MIN_CORRELATION_SIDE`."""
    levels = [grey]
    while len(levels) <= PYRAMID_LEVELS and min(levels[-1].shape[-2:]) >= 2 * MIN_CORRELATION_SIDE:
        levels.append(_halved(levels[-1]))
    return levels


def _least_residual(previous: torch.Tensor, current: torch.Tensor, options: torch.Tensor) -> torch.Tensor:
    """Of the shifts ``options`` ``(N, K, 2)`` of each image pair ``(N, H, W)``, the one ``(N, 2)`` that
    leaves the least mean difference on a grid of about :data:`RESIDUAL_SAMPLES` pixels a side."""
    stride = max(1, min(current.shape[-2:]) // RESIDUAL_SAMPLES)
    best = _aligned_differences(previous, current, options, stride).mean(dim=(2, 3)).argmin(dim=1)
    rows = torch.arange(best.shape[0], device=best.device)  # not len(): an exported graph keeps its batch axis free
    return options[rows, best]


def _coarse_to_fine(
    previous: list[torch.Tensor], current: list[torch.Tensor], spectra: tuple[torch.Tensor, torch.Tensor]
) -> torch.Tensor:
    """:func:`camera_shifts` ``(N, 2)`` from the :func:`_pyramid` levels of the grey image pairs
    (``(N, h, w)`` each) and the :func:`_spectra` of their coarsest level (previous, current; any
    leading axes holding the ``N`` pairs): of the :data:`CAMERA_CANDIDATES` strongest
    phase-correlation peaks and no motion at all, the shift with the least residual on the
    coarsest level, then refined level by level."""
    height, width = current[-1].shape[-2:]
    peaks = _correlation_peaks(*spectra, (height, width), CAMERA_CANDIDATES)
    options = torch.cat([torch.zeros_like(peaks[:, :1]), peaks], dim=1)  # no motion, then the peaks
    shifts = _least_residual(previous[-1], current[-1], options)
    for finer_previous, finer_current in zip(reversed(previous[:-1]), reversed(current[:-1])):
        options = 2 * shifts[:, None] + _NEIGHBOURHOOD.to(shifts.device)
        shifts = _least_residual(finer_previous, finer_current, options)
    return shifts


def camera_shifts(previous: torch.Tensor, current: torch.Tensor) -> torch.Tensor:
    """The camera's whole-pixel motion ``(N, 2)`` as ``(dy, dx)`` from ``previous`` to ``current``
    (grey images ``(N, H, W)``), coarse to fine: on the images halved :data:`PYRAMID_LEVELS`
    times, the strongest phase-correlation peaks and no motion at all are tried and the one that
    leaves the least mean difference wins (a strongly textured object moving over a plain
    background can win the correlation; the residual tells); each finer level then tries the
    doubled shift and its neighbours."""
    previous_levels, current_levels = _pyramid(previous), _pyramid(current)
    spectra = (_spectra(previous_levels[-1]), _spectra(current_levels[-1]))
    return _coarse_to_fine(previous_levels, current_levels, spectra)


def _grey(clips: torch.Tensor) -> torch.Tensor:
    """Grey frames ``(B, T, H, W)`` of clips ``(B, T, C, H, W)``: the mean over channels."""
    return clips.float().mean(dim=2)


def _neighbour_shifts(clips: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """:func:`camera_shifts` ``(B*(T-1), 2)`` from each frame of clips ``(B, T, C, H, W)`` (``T >= 2``)
    to the next, and the grey frames ``(B, T, H, W)``; each frame's pyramid and spectrum are
    computed once. Every frame of the batch is paired with the next as it lies in memory (no
    copy), and the pairs that cross from one clip to the next are dropped afterwards."""
    batch, frames = clips.shape[:2]
    grey = _grey(clips)
    levels = _pyramid(grey.flatten(0, 1))
    spectra = _spectra(levels[-1])
    shifts = _coarse_to_fine(
        [level[:-1] for level in levels], [level[1:] for level in levels], (spectra[:-1], spectra[1:])
    )
    # pair i is frame i against frame i + 1: a clip's last frame against the next clip's first is dropped
    shifts = torch.cat([shifts, shifts[:1]]).view(batch, frames, 2)[:, :-1]
    return shifts.flatten(0, 1), grey


def compensated_differences(clips: torch.Tensor, offsets: torch.Tensor | None = None) -> torch.Tensor:
    """Frame differences with the camera's motion removed: ``(B, T, C, H, W)`` clips ->
    ``(B*T, 1, H, W)`` absolute differences between each frame and its predecessor shifted by
    :func:`camera_shifts` (zero where the shift brings no pixel in; the first frame takes the
    second's difference, a single frame has none). ``offsets``: the clips'
    :func:`neighbour_offsets`, when already computed (the camera is then not estimated again)."""
    batch, frames, _, height, width = clips.shape
    if frames < 2:
        return torch.zeros(batch * frames, 1, height, width, device=clips.device)
    if offsets is None:
        shifts, grey = _neighbour_shifts(clips)
    else:  # frame t's offset against its predecessor is the camera's shift into t, negated, as (dx, dy)
        shifts, grey = -offsets.view(batch, frames, 2)[:, 1:].flip(-1).flatten(0, 1), _grey(clips)
    differences = _aligned_differences(grey[:, :-1].flatten(0, 1), grey[:, 1:].flatten(0, 1), shifts[:, None])
    differences = differences.view(batch, frames - 1, 1, height, width)
    return torch.cat([differences[:, :1], differences], dim=1).flatten(0, 1)


def neighbour_offsets(clips: torch.Tensor) -> torch.Tensor:
    """Where the camera moved each frame's content in its neighbour frame: ``(B, T, C, H, W)``
    clips -> ``(B*T, 2)`` whole-pixel offsets ``(dx, dy)`` such that what frame ``t`` shows at
    ``(x, y)`` its previous frame showed at ``(x + dx, y + dy)`` (the first frame's neighbour is
    the next frame; a single frame has none: zeros). By :func:`camera_shifts`."""
    batch, frames = clips.shape[:2]
    if frames < 2:
        return torch.zeros(batch * frames, 2, dtype=torch.long, device=clips.device)
    shifts = _neighbour_shifts(clips)[0].view(batch, frames - 1, 2).flip(-1)  # (dx, dy) against the predecessor
    return torch.cat([shifts[:, :1], -shifts], dim=1).flatten(0, 1)
