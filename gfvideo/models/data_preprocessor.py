"""Batched normalisation of uint8 clips inside the model (on the model's device)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from mmengine.model import BaseDataPreprocessor

from ..registry import MODELS

IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


@MODELS.register_module()
class VideoDataPreprocessor(BaseDataPreprocessor):
    """Move a batch to the model's device and turn ``uint8 (B, T, 3, H, W)`` clips into
    normalised float (ImageNet mean/std on the 0-255 scale, as mmaction2 and TSM do)."""

    def __init__(self, mean: Sequence[float] = IMAGENET_MEAN, std: Sequence[float] = IMAGENET_STD) -> None:
        super().__init__()
        self.register_buffer('mean', torch.tensor(mean, dtype=torch.float32).view(1, 1, 3, 1, 1), persistent=False)
        self.register_buffer('std', torch.tensor(std, dtype=torch.float32).view(1, 1, 3, 1, 1), persistent=False)

    def normalize(self, clips: torch.Tensor) -> torch.Tensor:
        """``(B, T, 3, H, W)`` uint8 or float (0-255) -> normalised float32."""
        if clips.dim() != 5 or clips.shape[2] != 3:
            raise ValueError(f'expected clips (B, T, 3, H, W), got {tuple(clips.shape)}')
        # Move first, then convert: a blocking ``.to(device, float32)`` converts on the CPU and
        # copies 4x the bytes of the uint8 clip to the GPU.
        return (clips.to(self.mean.device).to(torch.float32) - self.mean) / self.std

    def forward(self, data: dict, training: bool = False) -> dict:
        data = self.cast_data(data)
        data['inputs'] = self.normalize(data['inputs'])
        return data


def build_data_preprocessor(cfg: dict | BaseDataPreprocessor | None) -> BaseDataPreprocessor:
    """A preprocessor from gfvideo's registry (mmengine's own ``BaseModel`` looks only in its root)."""
    if cfg is None:
        return VideoDataPreprocessor()
    return cfg if isinstance(cfg, BaseDataPreprocessor) else MODELS.build(cfg)
