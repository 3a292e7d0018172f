"""TSM backbones with torchvision parameter names."""

from __future__ import annotations

from typing import Union

from ...registry import MODELS
from .mobilenet_v2 import MobileNetV2
from .resnet import ResNet

BACKBONES = ('resnet18', 'resnet34', 'resnet50', 'resnet101', 'mobilenet_v2')
#: What :func:`build_backbone` builds.
Backbone = Union[MobileNetV2, ResNet]


def build_backbone(
    name: str,
    num_segments: int = 8,
    shift_div: int = 8,
    shift_place: str = 'blockres',
    is_shift: bool = True,
    width_mult: float = 1.0,
) -> Backbone:
    """A TSM backbone without classifier: ``forward_features``, ``forward`` and ``out_channels``.

    Args:
        name: ``resnet18``, ``resnet34``, ``resnet50``, ``resnet101`` or ``mobilenet_v2``.
        num_segments, shift_div, shift_place, is_shift: the temporal shift (see ``ResNet``).
        width_mult: channel multiplier; 1.0 is the standard network whose checkpoints load.
    """
    backbone: Backbone
    if name == 'mobilenet_v2':
        backbone = MobileNetV2(
            num_segments=num_segments,
            shift_div=shift_div,
            shift_place=shift_place,
            is_shift=is_shift,
            width_mult=width_mult,
        )
    elif name in BACKBONES:
        backbone = ResNet(
            int(name[len('resnet') :]),
            num_segments=num_segments,
            shift_div=shift_div,
            shift_place=shift_place,
            is_shift=is_shift,
            width_mult=width_mult,
        )
    else:
        raise ValueError(f'unknown backbone {name!r}; choose one of {BACKBONES}')
    backbone.arch = name
    return backbone


def build_backbone_from_cfg(cfg: dict) -> Backbone:
    """:func:`build_backbone` from a config dict that may also name ``pretrained`` weights (any
    layout :func:`gfvideo.models.load_weights` reads, loaded strictly) and a ``pretrained_prefix``
    (e.g. ``'focus_backbone.'`` to take one component of a gfvideo checkpoint)."""
    from ..checkpoints import load_weights

    cfg = dict(cfg)
    pretrained, prefix = cfg.pop('pretrained', None), cfg.pop('pretrained_prefix', None)
    backbone = build_backbone(**cfg)
    if pretrained:
        load_weights(backbone, pretrained, prefix=prefix)
    return backbone


MODELS.register_module('TSMBackbone', module=build_backbone)

__all__ = ['BACKBONES', 'Backbone', 'MobileNetV2', 'ResNet', 'build_backbone', 'build_backbone_from_cfg']
