"""Clip transforms for configs: the torch-free ones of :mod:`gfvideo.data.clip_transforms`,
registered, and :class:`PackClip`, which turns a clip into the model's input tensors.

Everything stays ``uint8``; normalisation is the model's data preprocessor's job.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Callable

import numpy as np
import torch
from mmengine.dataset import Compose

from ..registry import TRANSFORMS
from .clip_transforms import (
    CLIP_TRANSFORMS,
    FIXED_CROP_POSITIONS,
    CenterCrop,
    Flip,
    MultiScaleCrop,
    Resize,
    SampleFrames,
    ThreeCrop,
    VideoDecode,
    VideoInit,
)

for _transform in CLIP_TRANSFORMS.values():
    TRANSFORMS.register_module(module=_transform)

__all__ = [
    'FIXED_CROP_POSITIONS',
    'CenterCrop',
    'Flip',
    'MultiScaleCrop',
    'PackClip',
    'Resize',
    'SampleFrames',
    'ThreeCrop',
    'VideoDecode',
    'VideoInit',
    'build_pipeline',
]


def build_pipeline(transforms: Sequence[dict | Callable]) -> Compose:
    """Compose transforms given as configs (``dict(type='Resize', ...)``, looked up in gfvideo's
    registry) or as callables."""
    return Compose([TRANSFORMS.build(t) if isinstance(t, dict) else t for t in transforms])


@TRANSFORMS.register_module()
class PackClip:
    """Pack a sample for the model: ``inputs`` uint8 tensor ``(N, 3, H, W)``, ``label``, metadata.

    Required keys: ``imgs``, ``label``, ``frame_inds``. Output keys: ``inputs``, ``label``
    (int64; a multi-hot float vector of ``num_classes`` for multi-label samples), ``frame_inds``,
    ``meta`` (``filename``, ``sample_idx``, ``num_clips``, ``original_shape``, ``img_shape``,
    ``img_to_video`` when known).
    """

    META_KEYS = ('filename', 'sample_idx', 'num_clips', 'original_shape', 'img_shape', 'img_to_video')

    def __init__(self, num_classes: int | None = None) -> None:
        self.num_classes = num_classes

    def __call__(self, results: dict) -> dict:
        inputs = torch.from_numpy(np.ascontiguousarray(results['imgs'].transpose(0, 3, 1, 2)))
        label = results['label']
        if isinstance(label, tuple):
            if self.num_classes is None:
                raise ValueError('PackClip needs num_classes to pack multi-label samples')
            target = torch.zeros(self.num_classes)
            target[list(label)] = 1.0
        else:
            target = torch.tensor(label, dtype=torch.int64)
        meta = {key: results[key] for key in self.META_KEYS if key in results}
        return {
            'inputs': inputs,
            'label': target,
            'frame_inds': torch.from_numpy(np.asarray(results['frame_inds'], dtype=np.int64)),
            'meta': meta,
        }

    def __repr__(self) -> str:
        return f'{type(self).__name__}(num_classes={self.num_classes})'
