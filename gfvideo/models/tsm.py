"""TSM: the full-frame recognizer (backbone + dropout + fc + average consensus), the baseline."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from ..registry import MODELS
from .backbones import build_backbone_from_cfg
from .data_preprocessor import build_data_preprocessor
from .modality import apply_modality, check_modality, resize_frames
from .views import average_view_scores, split_views


@MODELS.register_module()
class TSM(BaseModel):
    """Temporal Shift Module network on whole frames, as TSM and mmaction2's ``TSMHead`` define it.

    Args:
        backbone: keyword arguments of :func:`build_backbone` (``name`` required), and
            optionally ``pretrained`` weights (see :func:`build_backbone_from_cfg`).
        num_classes: classifier outputs.
        dropout: dropout before the classifier (TSM: 0.5, mmaction2: 0.5-0.8).
        init_std: std of the classifier's normal initialisation.
        modality: ``'rgb'`` or ``'diff'`` (frame differences, see :mod:`gfvideo.models.modality`).
        input_size: frames are resized to ``input_size x input_size`` inside the model (None: as
            given); the equal-compute static control runs the baseline on downscaled frames.
        data_preprocessor: config of the normaliser (``VideoDataPreprocessor`` by default).

    ``forward`` takes normalised clips ``(B, T, 3, H, W)``; the data preprocessor produces them
    from ``uint8`` batches when the model runs under mmengine (``mode='loss'`` / ``'predict'``).
    """

    def __init__(
        self,
        backbone: dict,
        num_classes: int,
        dropout: float = 0.5,
        init_std: float = 0.001,
        modality: str = 'rgb',
        input_size: int | None = None,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor))
        self.modality = check_modality(modality)
        self.input_size = input_size
        self.backbone = build_backbone_from_cfg(backbone)
        self.num_segments = self.backbone.num_segments
        self.dropout = nn.Dropout(dropout)
        self.fc = nn.Linear(self.backbone.out_channels, num_classes)
        nn.init.normal_(self.fc.weight, 0, init_std)
        nn.init.zeros_(self.fc.bias)

    def logits(self, clips: torch.Tensor) -> torch.Tensor:
        """Normalised clips ``(B, T, 3, H, W)`` -> class scores ``(B, num_classes)``."""
        batch, frames = clips.shape[:2]
        flat = apply_modality(clips, self.modality).flatten(0, 1)
        features = self.backbone(flat if self.input_size is None else resize_frames(flat, self.input_size))
        scores = self.fc(self.dropout(features))
        return scores.view(batch, frames, -1).mean(dim=1)

    def forward(self, inputs: torch.Tensor, label: torch.Tensor | None = None, mode: str = 'tensor', **unused):
        """``mode='tensor'``: logits; ``'loss'``: ``{'loss': cross-entropy}``; ``'predict'``: scores
        and labels per clip (views of a multi-view clip are averaged as probabilities)."""
        if mode == 'tensor':
            return self.logits(inputs)
        if mode == 'loss':
            if label is None:
                raise ValueError("mode='loss' needs the labels")
            return {'loss': F.cross_entropy(self.logits(inputs), label)}
        if mode == 'predict':
            return predict_views(self.logits, inputs, self.num_segments, label)
        raise ValueError(f'unknown mode {mode!r}')


def predict_views(logits_fn, inputs: torch.Tensor, num_segments: int, label: torch.Tensor | None) -> list[dict]:
    """Scores and labels per clip, the softmax of each clip's ``V = T_in / num_segments`` views
    averaged (:mod:`gfvideo.models.views`)."""
    view_clips, views = split_views(inputs, num_segments)
    scores = average_view_scores(logits_fn(view_clips), views)
    labels = label.tolist() if label is not None else [None] * inputs.shape[0]
    return [{'scores': score, 'label': target} for score, target in zip(scores, labels)]
