"""One video's recognition (top-5, exit step, GMACs, per-step scores, boxes), from either runtime."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..data.clip_transforms import boxes_to_video
from .runtime import ExportedModel, Thresholds, softmax
from .video import decode_clip

#: ``(label, class name or None, probability)``.
Scored = tuple[int, 'str | None', float]


@dataclass(frozen=True)
class Recognition:
    """What recognising one video gives (``tools/recognize.py``, :func:`gfvideo.apis.recognize`,
    :func:`gfvideo.deploy.recognize_video`)."""

    label: int
    class_name: str | None
    score: float
    exit_step: int
    gmacs: float
    boxes: np.ndarray  # (exit_step, T, 4) patch boxes in original-video pixels
    top5: list[Scored]  # at the exit step, best first
    step_scores: list[Scored]  # the top-1 class after each step run (0..exit_step)

    def to_json(self) -> dict:
        """The ``--json`` object of ``tools/recognize.py``."""
        return {
            'top5': [{'name': _label_name(label, name), 'score': score} for label, name, score in self.top5],
            'exit_step': self.exit_step,
            'gmacs': self.gmacs,
            'step_scores': [
                {'name': _label_name(label, name), 'score': score} for label, name, score in self.step_scores
            ],
            'boxes': self.boxes.tolist(),
        }


def _label_name(label: int, name: str | None) -> str:
    return name if name is not None else f'class {label}'


def recognition_of(
    logits: np.ndarray,
    exit_step: int,
    boxes: np.ndarray,
    gmacs: float,
    classes: Sequence[str] | None,
    img_to_video: Sequence[float],
) -> Recognition:
    """A :class:`Recognition` from one clip's per-step logits ``(K+1, classes)`` (NaN after its
    exit), its exit step, patch boxes ``(K, T, 4)`` in model-input pixels and GMACs."""

    def named(label: int, probability: float) -> Scored:
        name = classes[label] if classes and 0 <= label < len(classes) else None
        return int(label), name, float(probability)

    probabilities = softmax(np.asarray(logits, dtype=np.float64)[: exit_step + 1])
    final = probabilities[exit_step]
    order = np.argsort(-final, kind='stable')[:5]
    top5 = [named(int(i), final[i]) for i in order]
    steps = [named(int(p.argmax()), p.max()) for p in probabilities]
    return Recognition(
        top5[0][0],
        top5[0][1],
        top5[0][2],
        int(exit_step),
        float(gmacs),
        boxes_to_video(np.asarray(boxes)[:exit_step], img_to_video),
        top5,
        steps,
    )


def recognize_video(
    model: ExportedModel, video: str | os.PathLike | np.ndarray, thresholds: Thresholds = None
) -> Recognition:
    """Decode one video with the export's pipeline and recognise it with early exit
    (``thresholds`` override the export's; without either, all steps run)."""
    clip = decode_clip(model.manifest, video)
    result = model.run(clip.inputs, thresholds)
    step = int(result.exit_steps[0])
    return recognition_of(
        result.logits[:, 0], step, result.boxes[:, 0], float(result.gmacs[0]), model.manifest.classes, clip.img_to_video
    )
