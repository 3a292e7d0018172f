"""The temporal shift module (TSM, Lin et al. 2019): exchange channels between neighbouring frames.

A shift has no parameters, so it is applied in ``forward`` rather than by wrapping a conv; the
backbones keep torchvision's parameter names (TSM's own code wraps convs as ``.net``, which
checkpoint loading strips).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

SHIFT_PLACES = ('blockres', 'block')


def temporal_shift(x: torch.Tensor, num_segments: int, shift_div: int = 8) -> torch.Tensor:
    """Shift ``1/shift_div`` of the channels one frame back in time and another ``1/shift_div``
    one frame forward, zero-filling at the clip ends.

    Args:
        x: ``(N*T, C, H, W)`` with the ``T = num_segments`` frames of a clip consecutive.
    """
    nt, channels, height, width = x.shape
    if nt % num_segments:
        raise ValueError(f'batch of {nt} frames is not a multiple of num_segments={num_segments}')
    x = x.view(nt // num_segments, num_segments, channels, height, width)
    fold = channels // shift_div
    # one concatenation of padded slices: its backward is slicing, not zero-filled scatters
    later = F.pad(x[:, 1:, :fold], (0, 0, 0, 0, 0, 0, 0, 1))  # frame t sees frame t+1
    earlier = F.pad(x[:, :-1, fold : 2 * fold], (0, 0, 0, 0, 0, 0, 1, 0))  # frame t sees frame t-1
    return torch.cat([later, earlier, x[:, :, 2 * fold :]], dim=2).view(nt, channels, height, width)


class TemporalShift(nn.Module):
    """:func:`temporal_shift` as a module (identity when ``num_segments`` is 1)."""

    def __init__(self, num_segments: int, shift_div: int = 8) -> None:
        super().__init__()
        self.num_segments = num_segments
        self.shift_div = shift_div

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.num_segments == 1:
            return x
        return temporal_shift(x, self.num_segments, self.shift_div)

    def extra_repr(self) -> str:
        return f'num_segments={self.num_segments}, shift_div={self.shift_div}'
