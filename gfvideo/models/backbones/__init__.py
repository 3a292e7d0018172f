"""TSM backbones with torchvision parameter names, built from config dicts through ``MODELS``.

A backbone config names a registered ``type``; without one it is a ``TSMBackbone``, gfvideo's
ResNet or MobileNetV2 picked by ``name``. A registered backbone of a user's own provides what
the models read: it is a :class:`VideoBackbone`.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, Union

from ...registry import MODELS
from ..checkpoints import load_weights
from ..parts import build_part
from .base import VideoBackbone
from .mobilenet_v2 import MobileNetV2
from .resnet import ResNet

#: What :func:`build_backbone` builds.
Backbone = Union[MobileNetV2, ResNet]
#: The architectures a ``TSMBackbone`` is, by name.
ARCHITECTURES: dict[str, Callable[..., Backbone]] = {
    'resnet18': partial(ResNet, 18),
    'resnet34': partial(ResNet, 34),
    'resnet50': partial(ResNet, 50),
    'resnet101': partial(ResNet, 101),
    'mobilenet_v2': MobileNetV2,
}
BACKBONES = tuple(ARCHITECTURES)


@MODELS.register_module('TSMBackbone')
def build_backbone(
    name: str,
    num_segments: int = 8,
    shift_div: int = 8,
    shift_place: str = 'blockres',
    is_shift: bool = True,
    width_mult: float = 1.0,
    in_channels: int = 3,
) -> Backbone:
    """A TSM backbone without classifier: ``forward_features``, ``forward`` and ``out_channels``.

    Args:
        name: ``resnet18``, ``resnet34``, ``resnet50``, ``resnet101`` or ``mobilenet_v2``.
        num_segments, shift_div, shift_place, is_shift: the temporal shift (see ``ResNet``).
        width_mult: channel multiplier; 1.0 is the standard network whose checkpoints load.
        in_channels: channels of each input image (3: RGB; ImageNet checkpoints need 3).
    """
    if name not in ARCHITECTURES:
        raise ValueError(f'unknown backbone {name!r}; choose one of {BACKBONES}')
    backbone = ARCHITECTURES[name](
        num_segments=num_segments,
        shift_div=shift_div,
        shift_place=shift_place,
        is_shift=is_shift,
        width_mult=width_mult,
        in_channels=in_channels,
    )
    backbone.arch = name
    return backbone


def build_backbone_from_cfg(cfg: dict) -> VideoBackbone:
    """A backbone from a config dict (``type`` defaults to ``'TSMBackbone'``) that may also name
    ``pretrained`` weights (any layout :func:`gfvideo.models.load_weights` reads, loaded
    strictly) and a ``pretrained_prefix`` (e.g. ``'focus_backbone.'`` to take one component of a
    gfvideo checkpoint)."""
    cfg = dict(cfg)
    pretrained, prefix = cfg.pop('pretrained', None), cfg.pop('pretrained_prefix', None)
    backbone = build_part(cfg, 'TSMBackbone', VideoBackbone)
    if pretrained:
        load_weights(backbone, pretrained, prefix=prefix)
    return backbone


__all__ = [
    'ARCHITECTURES',
    'BACKBONES',
    'Backbone',
    'MobileNetV2',
    'ResNet',
    'VideoBackbone',
    'build_backbone',
    'build_backbone_from_cfg',
]
