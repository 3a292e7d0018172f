"""Decode a video into an export's input with gfvideo's readers and NumPy/OpenCV only."""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from ..data.clip_transforms import clip_input, compose_clip_transforms
from .manifest import Manifest


@dataclass(frozen=True)
class DecodedClip:
    """A clip ready for :meth:`ExportedModel.run`: ``inputs`` uint8 ``(1, T, 3, H, W)`` and how
    its pixels map back to the video."""

    inputs: np.ndarray
    frame_inds: np.ndarray
    img_to_video: tuple[float, float, float, float]
    original_shape: tuple[int, int]
    filename: str


def decode_clip(manifest: Manifest, video: str | os.PathLike | np.ndarray, **fields) -> DecodedClip:
    """Run the export's pipeline (the model's single-view test pipeline, recorded in ``model.json``)
    on a video file, frame folder or ``(T, H, W, 3)`` uint8 array."""
    results, transforms = clip_input(video, manifest.pipeline, **fields)
    results = compose_clip_transforms(transforms)(results)
    imgs = np.ascontiguousarray(results['imgs'].transpose(0, 3, 1, 2))
    return DecodedClip(
        imgs[None],
        np.asarray(results['frame_inds'], dtype=np.int64),
        tuple(results.get('img_to_video', (1.0, 1.0, 0.0, 0.0))),
        tuple(results['original_shape']),
        results['filename'],
    )
