"""Accuracy metrics: top-1/top-5/mean-class for TSM, and per step (anytime) for GlanceFocusNet."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
from mmengine.dist import is_main_process
from mmengine.evaluator import BaseMetric

from ..fileio import atomic_write_csv
from ..registry import METRICS
from .localization import clip_actor_centres, patch_hits, read_actor_boxes


def topk_accuracy(scores: np.ndarray, labels: np.ndarray, k: int) -> float:
    """Fraction of rows whose label is among the ``k`` highest scores."""
    top = np.argsort(-scores, axis=1)[:, :k]
    return float((top == labels[:, None]).any(axis=1).mean())


def attribute_accuracy(scores: np.ndarray, labels: np.ndarray, attribute: Sequence[Hashable]) -> float:
    """Fraction of rows whose top-1 class shares the true class's ``attribute`` (one value per
    class, e.g. the direction of motion of each class "Moving <identity> block <direction>"): a
    wrong class with the right attribute counts."""
    values = np.asarray(attribute, dtype=object)
    if len(values) != scores.shape[1]:
        raise ValueError(f'the attribute names {len(values)} classes, the scores {scores.shape[1]}')
    return float((values[scores.argmax(axis=1)] == values[labels]).mean())


def mean_class_accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Top-1 accuracy averaged over the classes present in ``labels``."""
    predictions = scores.argmax(axis=1)
    return float(np.mean([(predictions[labels == c] == c).mean() for c in np.unique(labels)]))


def confusion_matrix(predictions: np.ndarray, labels: np.ndarray, num_classes: int) -> np.ndarray:
    """``(classes, classes)`` counts: row = true class, column = predicted class."""
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (labels, predictions), 1)
    return matrix


def write_confusion_matrix(path: str, matrix: np.ndarray, classes: Sequence[str] | None = None) -> None:
    """A CSV with a header row of predicted classes and one row per true class (atomic write)."""
    names = list(classes) if classes else [str(i) for i in range(len(matrix))]
    rows = [[name, *map(int, row)] for name, row in zip(names, matrix)]
    atomic_write_csv(path, [['true \\ predicted', *names], *rows])


@METRICS.register_module()
class AccuracyMetric(BaseMetric):
    """Top-1, top-5 and mean-class accuracy (fractions in 0-1).

    For predictions with ``step_scores`` (GlanceFocusNet) the metrics of the last step are
    reported as ``top1`` ... and every step's as ``step{k}_top1`` / ``step{k}_top5`` with its
    cumulative ``step{k}_gmacs``. When the dataset's metainfo names ``localization.actor_boxes`` and the
    predictions carry ``step_boxes``, each focus step's hit rate (the fraction of frames whose
    patch holds the object's centre) is reported as ``step{k}_hit``. With ``confusion_file`` the
    final predictions' confusion matrix is written there as CSV (class names from the dataset's
    metainfo).
    """

    default_prefix = ''

    def __init__(self, confusion_file: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.confusion_file = confusion_file
        self._actor_boxes: dict | None = None

    def _hits(self, data_batch, index: int, step_boxes) -> np.ndarray | None:
        """Per-step hit rates of one clip, when the dataset has actor boxes."""
        path = (self.dataset_meta or {}).get('localization', {}).get('actor_boxes')
        if not path or step_boxes is None or not isinstance(data_batch, dict) or 'meta' not in data_batch:
            return None
        if self._actor_boxes is None:
            self._actor_boxes = read_actor_boxes(path)
        meta = data_batch['meta'][index]
        if 'img_to_video' not in meta:
            return None
        centres = clip_actor_centres(
            self._actor_boxes, [meta['filename']], data_batch['frame_inds'][index : index + 1], [meta['img_to_video']]
        )
        return patch_hits(step_boxes.cpu(), centres[0]).mean(dim=-1).numpy()  # (K,)

    def process(self, data_batch, data_samples: Sequence[dict]) -> None:
        for index, sample in enumerate(data_samples):
            scores = sample['step_scores'] if 'step_scores' in sample else sample['scores']
            self.results.append(
                {
                    'scores': scores.float().cpu().numpy(),
                    'label': int(sample['label']),
                    'gmacs': sample.get('step_gmacs'),
                    'hits': self._hits(data_batch, index, sample.get('step_boxes')),
                }
            )

    def compute_metrics(self, results: list) -> dict:
        labels = np.array([r['label'] for r in results])
        scores = np.stack([r['scores'] for r in results])
        if scores.ndim == 2:
            scores = scores[:, None]
        k5 = min(5, scores.shape[-1])
        metrics = {}
        if scores.shape[1] > 1:
            for step in range(scores.shape[1]):
                metrics[f'step{step}_top1'] = topk_accuracy(scores[:, step], labels, 1)
                metrics[f'step{step}_top5'] = topk_accuracy(scores[:, step], labels, k5)
                if results[0]['gmacs'] is not None:
                    metrics[f'step{step}_gmacs'] = float(results[0]['gmacs'][step])
        if all(r.get('hits') is not None for r in results):
            for step, hit in enumerate(np.stack([r['hits'] for r in results]).mean(axis=0), start=1):
                metrics[f'step{step}_hit'] = float(hit)
        final = scores[:, -1]
        metrics.update(
            top1=topk_accuracy(final, labels, 1),
            top5=topk_accuracy(final, labels, k5),
            mean_class_accuracy=mean_class_accuracy(final, labels),
        )
        if self.confusion_file and is_main_process():
            classes = (self.dataset_meta or {}).get('classes')
            write_confusion_matrix(
                self.confusion_file, confusion_matrix(final.argmax(1), labels, final.shape[-1]), classes
            )
        return metrics
