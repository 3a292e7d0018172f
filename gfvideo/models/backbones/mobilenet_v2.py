"""MobileNetV2 with temporal shift, in torchvision's module layout and parameter names."""

from __future__ import annotations

import torch
from torch import nn

from ..temporal_shift import SHIFT_PLACES, TemporalShift
from .base import VideoBackbone
from .resnet import scaled_channels

#: (expansion t, channels c, blocks n, first stride s) of the inverted residual stages.
INVERTED_RESIDUAL_SETTING = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)


def conv_bn_relu6(inp: int, oup: int, kernel: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """torchvision's ``Conv2dNormActivation``: keys ``.0`` (conv) and ``.1`` (batch norm)."""
    return nn.Sequential(
        nn.Conv2d(inp, oup, kernel, stride, (kernel - 1) // 2, groups=groups, bias=False),
        nn.BatchNorm2d(oup),
        nn.ReLU6(inplace=True),
    )


class InvertedResidual(nn.Module):
    def __init__(self, inp: int, oup: int, stride: int, expand_ratio: int) -> None:
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.use_res_connect = stride == 1 and inp == oup
        layers: list[nn.Module] = [conv_bn_relu6(inp, hidden, kernel=1)] if expand_ratio != 1 else []
        layers += [
            conv_bn_relu6(hidden, hidden, stride=stride, groups=hidden),
            nn.Conv2d(hidden, oup, 1, bias=False),
            nn.BatchNorm2d(oup),
        ]
        self.conv = nn.Sequential(*layers)
        self.shift: TemporalShift | None = None
        self.shift_place = 'blockres'

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.shift is not None and self.shift_place == 'block':
            x = self.shift(x)
        residual_input = self.shift(x) if self.shift is not None and self.shift_place == 'blockres' else x
        out = self.conv(residual_input)
        return x + out if self.use_res_connect else out


class MobileNetV2(VideoBackbone):
    """MobileNetV2 backbone without classifier (``features`` only, as torchvision names them).

    The temporal shift goes into every inverted residual block with a skip connection, before
    its expansion conv (TSM and mmaction2's MobileNetV2TSM); ``shift_place='block'`` shifts the
    block's whole input instead.
    """

    #: the :func:`~gfvideo.models.build_backbone` name, set by it
    arch: str

    def __init__(
        self,
        *,
        num_segments: int = 8,
        shift_div: int = 8,
        shift_place: str = 'blockres',
        is_shift: bool = True,
        width_mult: float = 1.0,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        if shift_place not in SHIFT_PLACES:
            raise ValueError(f'shift_place must be one of {SHIFT_PLACES}, got {shift_place!r}')
        self.num_segments, self.width_mult, self.in_channels = num_segments, width_mult, in_channels
        channels = scaled_channels(32, width_mult)
        layers: list[nn.Module] = [conv_bn_relu6(in_channels, channels, stride=2)]
        #: stride -> (index of the last layer at that stride, its channels)
        self._stride_ends: dict[int, tuple[int, int]] = {}
        stride = 2
        for expand, out, count, first_stride in INVERTED_RESIDUAL_SETTING:
            out = scaled_channels(out, width_mult)
            for index in range(count):
                layers.append(InvertedResidual(channels, out, first_stride if index == 0 else 1, expand))
                channels = out
            stride *= first_stride
            self._stride_ends[stride] = (len(layers) - 1, channels)
        self.out_channels = scaled_channels(1280, max(1.0, width_mult))
        layers.append(conv_bn_relu6(channels, self.out_channels, kernel=1))
        self._stride_ends[stride] = (len(layers) - 1, self.out_channels)
        #: channels of the map each stride ends with
        self.stride_channels = {s: c for s, (_, c) in self._stride_ends.items()}
        self.features = nn.Sequential(*layers)
        self._init_weights()
        if is_shift and num_segments > 1:
            for block in self.features:
                if isinstance(block, InvertedResidual) and block.use_res_connect:
                    block.shift = TemporalShift(num_segments, shift_div)
                    block.shift_place = shift_place

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(N*T, 3, H, W)`` -> last feature map ``(N*T, C, H/32, W/32)``."""
        return self.features(x)

    def forward_maps(self, x: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(map at stride, last map)``; ``stride`` is one of ``stride_channels``."""
        if stride not in self._stride_ends:
            raise ValueError(f'stride must be one of {sorted(self._stride_ends)}, got {stride}')
        end = self._stride_ends[stride][0]
        at_stride = self.features[: end + 1](x)
        return at_stride, self.features[end + 1 :](at_stride)
