"""What a model reads of a backbone: the :class:`VideoBackbone` interface."""

from __future__ import annotations

from abc import ABC, abstractmethod

import torch
from torch import nn


class VideoBackbone(nn.Module, ABC):
    """A frame-level backbone (temporal modelling inside, e.g. TSM shifts) without classifier.

    Inputs are ``(N*T, C, H, W)`` frames of ``N`` clips of ``num_segments`` frames.

    Attributes:
        num_segments: frames per clip ``T``.
        in_channels: channels ``C`` of each input image (3, RGB, unless the backbone says otherwise).
        out_channels: width of the pooled features.
        stride_channels: channels of the feature map at each stride ``forward_maps`` can return.
        arch: the architecture's name.
    """

    num_segments: int
    in_channels: int = 3
    out_channels: int
    stride_channels: dict[int, int]
    arch: str

    @abstractmethod
    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(N*T, C, H, W)`` -> the last feature map ``(N*T, out_channels, h, w)``."""

    @abstractmethod
    def forward_maps(self, x: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(map at stride, last map)``; ``stride`` is one of ``stride_channels``."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``(N*T, C, H, W)`` -> pooled features ``(N*T, out_channels)``."""
        return self.forward_features(x).mean(dim=(2, 3))
