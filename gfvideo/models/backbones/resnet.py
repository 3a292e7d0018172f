"""ResNet-18/34/50/101 with temporal shift, in torchvision's module layout and parameter names."""

from __future__ import annotations

from typing import cast

import torch
from torch import nn

from ..temporal_shift import SHIFT_PLACES, TemporalShift
from .base import VideoBackbone

#: (block type, blocks per stage) of each depth.
RESNET_SPECS = {
    18: ('basic', (2, 2, 2, 2)),
    34: ('basic', (3, 4, 6, 3)),
    50: ('bottleneck', (3, 4, 6, 3)),
    101: ('bottleneck', (3, 4, 23, 3)),
}


def scaled_channels(channels: int, width_mult: float, divisor: int = 8) -> int:
    """``channels * width_mult`` rounded to a multiple of ``divisor`` (never below it, never
    more than 10% down), as torchvision's MobileNet rounds; exact at ``width_mult=1``."""
    value = channels * width_mult
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    return rounded + divisor if rounded < 0.9 * value else rounded


class StemMaxPool2d(nn.MaxPool2d):
    """The stem's max-pool; on CPU it pools channels-first maps as a channels-last copy, then
    returns them channels-first: the same values and gradients, and several times faster in
    inference (this PyTorch CPU build's max-pool is slow on channels-first maps; BENCHMARKS.md,
    time_parts). Channels-last maps, and maps on other devices, are pooled as they are."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.device.type != 'cpu' or x.is_contiguous(memory_format=torch.channels_last):
            return super().forward(x)
        return super().forward(x.contiguous(memory_format=torch.channels_last)).contiguous()


class _ShiftableBlock(nn.Module):
    """A residual block whose input can be shifted in time: on the residual branch only
    (``'blockres'``) or for the whole block, identity included (``'block'``)."""

    def __init__(self) -> None:
        super().__init__()
        self.shift: TemporalShift | None = None
        self.shift_place = 'blockres'

    def enable_shift(self, num_segments: int, shift_div: int, place: str) -> None:
        self.shift = TemporalShift(num_segments, shift_div)
        self.shift_place = place

    def _split_input(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(identity input, residual input)``."""
        if self.shift is None:
            return x, x
        shifted = self.shift(x)
        return (x, shifted) if self.shift_place == 'blockres' else (shifted, shifted)


class BasicBlock(_ShiftableBlock):
    expansion = 1

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(planes)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity, x = self._split_input(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(identity)
        return self.relu(out + identity)


class Bottleneck(_ShiftableBlock):
    expansion = 4

    def __init__(self, inplanes: int, planes: int, stride: int = 1, downsample: nn.Module | None = None) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(inplanes, planes, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, stride, 1, bias=False)  # stride on the 3x3 (ResNet v1.5)
        self.bn2 = nn.BatchNorm2d(planes)
        self.conv3 = nn.Conv2d(planes, planes * self.expansion, 1, bias=False)
        self.bn3 = nn.BatchNorm2d(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        identity, x = self._split_input(x)
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(identity)
        return self.relu(out + identity)


class ResNet(VideoBackbone):
    """ResNet backbone without classifier; optional temporal shift (TSM).

    Args:
        depth: 18, 34, 50 or 101.
        num_segments: frames per clip (``T``); inputs are ``(N*T, 3, H, W)``.
        shift_div: 1/shift_div of the channels move each way.
        shift_place: ``'blockres'`` (residual branch; ResNet-101 shifts every other block, as
            TSM and mmaction2 do for 23-block stages) or ``'block'`` (every whole block).
        is_shift: False gives the plain 2D network.
        width_mult: channel multiplier (1.0 = the standard network).
    """

    #: the :func:`~gfvideo.models.build_backbone` name, set by it
    arch: str
    #: the four stages (strides 4 to 32), built in ``__init__``
    layer1: nn.Sequential
    layer2: nn.Sequential
    layer3: nn.Sequential
    layer4: nn.Sequential

    def __init__(
        self,
        depth: int = 50,
        *,
        num_segments: int = 8,
        shift_div: int = 8,
        shift_place: str = 'blockres',
        is_shift: bool = True,
        width_mult: float = 1.0,
        in_channels: int = 3,
    ) -> None:
        super().__init__()
        if depth not in RESNET_SPECS:
            raise ValueError(f'ResNet depth must be one of {sorted(RESNET_SPECS)}, got {depth}')
        if shift_place not in SHIFT_PLACES:
            raise ValueError(f'shift_place must be one of {SHIFT_PLACES}, got {shift_place!r}')
        kind, blocks = RESNET_SPECS[depth]
        block = BasicBlock if kind == 'basic' else Bottleneck
        self.depth, self.num_segments, self.width_mult, self.in_channels = depth, num_segments, width_mult, in_channels
        self.inplanes = scaled_channels(64, width_mult)
        self.conv1 = nn.Conv2d(in_channels, self.inplanes, 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = StemMaxPool2d(3, 2, 1)
        #: channels of the map each stride ends with (stride 4 = layer1 ... 32 = layer4)
        self.stride_channels: dict[int, int] = {}
        for stage, (planes, count) in enumerate(zip((64, 128, 256, 512), blocks), start=1):
            setattr(
                self,
                f'layer{stage}',
                self._make_layer(block, scaled_channels(planes, width_mult), count, 1 if stage == 1 else 2),
            )
            self.stride_channels[2 ** (stage + 1)] = self.inplanes
        self.out_channels = self.inplanes
        self._init_weights()
        if is_shift and num_segments > 1:
            every = 2 if shift_place == 'blockres' and blocks[2] >= 23 else 1
            for layer in (self.layer1, self.layer2, self.layer3, self.layer4):
                for index, residual_block in enumerate(layer):
                    if index % every == 0:
                        cast(_ShiftableBlock, residual_block).enable_shift(num_segments, shift_div, shift_place)

    def _make_layer(self, block, planes: int, count: int, stride: int) -> nn.Sequential:
        downsample = None
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample)]
        self.inplanes = planes * block.expansion
        layers += [block(self.inplanes, planes) for _ in range(1, count)]
        return nn.Sequential(*layers)

    def _init_weights(self) -> None:
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.kaiming_normal_(module.weight, mode='fan_out', nonlinearity='relu')
            elif isinstance(module, nn.BatchNorm2d):
                nn.init.ones_(module.weight)
                nn.init.zeros_(module.bias)

    def forward_features(self, x: torch.Tensor) -> torch.Tensor:
        """``(N*T, 3, H, W)`` -> last feature map ``(N*T, C, H/32, W/32)``."""
        return self.forward_maps(x, 32)[1]

    def forward_maps(self, x: torch.Tensor, stride: int) -> tuple[torch.Tensor, torch.Tensor]:
        """``(map at stride, last map)``; ``stride`` is one of ``stride_channels``."""
        if stride not in self.stride_channels:
            raise ValueError(f'stride must be one of {sorted(self.stride_channels)}, got {stride}')
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        at_stride = x
        for stage in range(1, 5):
            x = getattr(self, f'layer{stage}')(x)
            if 2 ** (stage + 1) == stride:
                at_stride = x
        return at_stride, x
