"""Run models over a dataloader: a GlanceFocusNet with all steps (calibration, anytime) or with
real early exit, and a plain recognizer (the TSM baseline).

All take batches as :func:`gfvideo.data.collate_skipping` makes them and normalise them with
the model's own data preprocessor. Evaluation never skips: a batch that lost samples is an error.
An early-exit run split over processes (each took every ``world_size``-th clip) is gathered back
in the dataset's order by :func:`gather_adaptive_run`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist

from ..models import TSM, GlanceFocusNet
from ..models.locations import LocationSource, build_location_source
from .budget import NEVER_EXIT
from .localization import batch_paths
from .metrics import mean_class_accuracy, topk_accuracy
from .timing import synchronize


@dataclass(frozen=True)
class StepLogits:
    """Per-step logits of every clip of a split, from :func:`collect_step_logits`, with where
    each focus step looked (for hit rates, :mod:`gfvideo.evaluation.localization`)."""

    logits: np.ndarray  # (K+1, N, classes) float32
    labels: np.ndarray  # (N,)
    paths: list[str]
    frame_shape: tuple[int, int]  # (H, W) of the model's input frames
    boxes: np.ndarray | None = None  # (K, N, T, 4) patch boxes in model-input pixels
    frame_inds: np.ndarray | None = None  # (N, T) frames sampled from each video
    img_to_video: list | None = None  # per clip [sx, sy, tx, ty] (None for multi-crop views)

    @property
    def confidences(self) -> np.ndarray:
        """Max softmax probability per clip and step ``(N, K+1)`` (float32 torch softmax)."""
        return torch.from_numpy(self.logits).softmax(-1).amax(-1).numpy().T


@dataclass(frozen=True)
class ScoredRun:
    """Scores ``(N, classes)`` of a plain recognizer, with labels and wall time per clip."""

    scores: np.ndarray
    labels: np.ndarray
    ms_per_clip: float
    frame_shape: tuple[int, int]  # (H, W) of the input frames
    views: int  # views per clip (num_clips x crops)

    def summary(self) -> dict:
        return dict(
            top1=topk_accuracy(self.scores, self.labels, 1),
            top5=topk_accuracy(self.scores, self.labels, min(5, self.scores.shape[1])),
            mean_class_accuracy=mean_class_accuracy(self.scores, self.labels),
            ms_per_clip=self.ms_per_clip,
            num_clips=len(self.labels),
        )


@dataclass(frozen=True)
class ClipRecord:
    """One clip of an early-exit run (one CSV row of ``tools/test.py --per-clip``).

    ``batch_ms`` is the wall time of the clip's batch, of ``batch_size`` clips; at batch size 1
    it is the clip's own latency.
    """

    path: str
    label: int
    prediction: int
    confidence: float
    exit_step: int
    gmacs: float
    batch_ms: float
    batch_size: int

    @property
    def latency_ms(self) -> float:
        """The clip's latency; measured only at batch size 1 (NaN otherwise)."""
        return self.batch_ms if self.batch_size == 1 else float('nan')


def _spread(values: Sequence[float]) -> dict:
    quartiles = np.percentile(values, [25, 50, 75]) if len(values) else [float('nan')] * 3
    return dict(median=float(quartiles[1]), p25=float(quartiles[0]), p75=float(quartiles[2]))


@dataclass(frozen=True)
class AdaptiveRun:
    """All clips of an early-exit run and their final scores ``(N, classes)``."""

    records: list[ClipRecord]
    scores: np.ndarray

    @classmethod
    def interleaved(cls, parts: Sequence[AdaptiveRun]) -> AdaptiveRun:
        """One run from the parts of ``len(parts)`` processes, part ``r`` holding clips ``r``,
        ``r + len(parts)``, ... of the dataset: the clips back in the dataset's order."""
        order = sorted(
            (rank + position * len(parts), rank, position)
            for rank, part in enumerate(parts)
            for position in range(len(part.records))
        )
        return cls([parts[r].records[p] for _, r, p in order], np.stack([parts[r].scores[p] for _, r, p in order]))

    def per_clip_rows(self) -> list[list]:
        """The per-clip table, header first: path, label, prediction, confidence, exit step,
        GMACs and the clip's ``latency_ms`` at batch size 1, else its batch's ``batch_ms`` and
        ``batch_size`` (a batch's time is not a per-clip latency)."""
        per_batch = any(r.batch_size > 1 for r in self.records)
        header = ['path', 'label', 'prediction', 'confidence', 'exit_step', 'gmacs']
        header += ['batch_ms', 'batch_size'] if per_batch else ['latency_ms']
        return [header] + [
            [r.path, r.label, r.prediction, f'{r.confidence:.6f}', r.exit_step, f'{r.gmacs:.6f}']
            + ([f'{r.batch_ms:.3f}', r.batch_size] if per_batch else [f'{r.latency_ms:.3f}'])
            for r in self.records
        ]

    def summary(self, num_steps: int) -> dict:
        """Accuracy, mean GMACs, the exit histogram (counts per step) and time per clip: the
        median, 25th and 75th percentiles over clips (batch size 1: each clip's latency) or over
        batches (each batch's time divided by its size), and the mean (total time / clips).
        ``time_basis`` says which."""
        labels = np.array([r.label for r in self.records])
        exits = np.array([r.exit_step for r in self.records])
        batches = {(r.batch_ms, r.batch_size): r for r in self.records}  # the clips of a batch share its time
        per_clip = [record.batch_ms / record.batch_size for record in batches.values()]
        sizes = sorted({record.batch_size for record in self.records})
        spread = _spread(per_clip)
        return dict(
            top1=topk_accuracy(self.scores, labels, 1),
            top5=topk_accuracy(self.scores, labels, min(5, self.scores.shape[1])),
            mean_class_accuracy=mean_class_accuracy(self.scores, labels),
            mean_gmacs=float(np.mean([r.gmacs for r in self.records])),
            median_ms_per_clip=spread['median'],
            p25_ms_per_clip=spread['p25'],
            p75_ms_per_clip=spread['p75'],
            mean_latency_ms=float(sum(r.batch_ms for r in batches.values()) / max(len(self.records), 1)),
            time_basis=(
                'latency per clip (batch size 1)'
                if sizes == [1]
                else f'batch time / batch size (batch size {max(sizes) if sizes else 0}), not a per-clip latency'
            ),
            exit_histogram=np.bincount(exits, minlength=num_steps + 1).tolist(),
            num_clips=len(labels),
        )


def gather_adaptive_run(run: AdaptiveRun) -> AdaptiveRun:
    """Under ``torch.distributed``, every process's part of a run (each took every
    ``world_size``-th clip) gathered into one run in the dataset's order, on every process;
    otherwise ``run`` itself."""
    world_size = dist.get_world_size() if dist.is_initialized() else 1
    if world_size == 1:
        return run
    parts: list = [None] * world_size  # all_gather_object puts every process's run in it
    dist.all_gather_object(parts, run)
    return AdaptiveRun.interleaved(parts)


def _batches(loader: Iterable[dict], model: TSM | GlanceFocusNet) -> Iterable[tuple[torch.Tensor, dict]]:
    for batch in loader:
        if batch.get('num_skipped'):
            raise RuntimeError(
                'a sample failed to load during evaluation; evaluation never skips samples '
                '(use on_error="raise" on evaluation datasets)'
            )
        inputs = model.data_preprocessor.normalize(batch['inputs'])
        yield inputs, batch


def collect_step_logits(
    model: GlanceFocusNet,
    loader: Iterable[dict],
    locations: str | dict | LocationSource = 'mean',
    progress: Callable | None = None,
) -> StepLogits:
    """Logits after every step for every clip (no exit).

    ``locations`` is a location source (:func:`gfvideo.models.locations.build_location_source`:
    ``'mean'``, ``'random'``, ``'centre'``, ``'motion'``, a registered name or config, or a
    :class:`~gfvideo.models.locations.LocationSource`, bound to each batch).
    """
    return collect_step_logits_many(model, loader, [locations], progress)[0]


@torch.no_grad()
def collect_step_logits_many(
    model: GlanceFocusNet, loader: Iterable[dict], sources: Sequence, progress: Callable | None = None
) -> list[StepLogits]:
    """:func:`collect_step_logits` for several location sources on one pass: each batch is
    decoded and glanced at once, then every source runs its focus steps from the same glance.
    Random sources draw from a generator seeded 0 of their own."""
    model.eval()
    device = next(model.parameters()).device
    built = [build_location_source(source) for source in sources]
    generators = [torch.Generator(device=device).manual_seed(0) for _ in built]
    logits: list[list[torch.Tensor]] = [[] for _ in built]
    boxes: list[list[torch.Tensor]] = [[] for _ in built]
    labels: list[torch.Tensor] = []
    frame_inds: list[torch.Tensor] = []
    paths: list[str] = []
    mappings: list = []
    shape: tuple[int, ...] = (0, 0)
    for inputs, batch in (progress or (lambda x: x))(_batches(loader, model)):
        shape = tuple(inputs.shape[-2:])
        glance = model.glance(inputs)
        for index, (source, generator) in enumerate(zip(built, generators)):
            steps = list(model.run_steps(locations=source.bind(batch), generator=generator, glance=glance))
            logits[index].append(torch.stack([step.logits for step in steps]).float().cpu())
            boxes[index].append(torch.stack([step.boxes.cpu() for step in steps[1:]]))
        labels.append(batch['label'])
        paths += batch_paths(batch)
        frame_inds.append(batch['frame_inds'])
        mappings += [meta.get('img_to_video') for meta in batch['meta']]
    known_mapping = all(mapping is not None for mapping in mappings)
    return [
        StepLogits(
            torch.cat(mode_logits, dim=1).numpy(),
            torch.cat(labels).numpy(),
            paths,
            (shape[0], shape[1]),
            torch.cat(mode_boxes, dim=1).numpy(),
            torch.cat(frame_inds).numpy(),
            mappings if known_mapping else None,
        )
        for mode_logits, mode_boxes in zip(logits, boxes)
    ]


def run_adaptive(
    model: GlanceFocusNet, loader: Iterable[dict], thresholds, progress: Callable | None = None
) -> AdaptiveRun:
    """Evaluate with the real early-exit runtime (:meth:`GlanceFocusNet.forward_adaptive`).

    Each record gets its batch's wall time and size (synchronised on CUDA; at batch size 1 the
    clip's own latency). The first batch runs once untimed first, through every step, so
    one-time costs (allocator, kernel selection, thread pools) do not land on the first clip.
    """
    return run_adaptive_many(model, loader, [thresholds], progress)[0]


def run_adaptive_many(
    model: GlanceFocusNet, loader: Iterable[dict], threshold_sets: Sequence, progress: Callable | None = None
) -> list[AdaptiveRun]:
    """:func:`run_adaptive` for several threshold sets on one pass over the loader: each batch is
    decoded once and run through the early-exit runtime once per set."""
    model.eval()
    records: list[list[ClipRecord]] = [[] for _ in threshold_sets]
    scores: list[list[torch.Tensor]] = [[] for _ in threshold_sets]
    device = next(model.parameters()).device
    warm = False
    for inputs, batch in (progress or (lambda x: x))(_batches(loader, model)):
        paths, labels = batch_paths(batch), batch['label'].tolist()
        if not warm:
            model.forward_adaptive(inputs, [NEVER_EXIT] * model.max_focus_steps)  # warm-up, untimed
            warm = True
        for index, thresholds in enumerate(threshold_sets):
            synchronize(device)
            start = time.perf_counter()
            result = model.forward_adaptive(inputs, thresholds)
            synchronize(device)
            batch_ms = (time.perf_counter() - start) * 1000
            rows = torch.arange(inputs.shape[0], device=result.logits.device)
            scores[index].append(result.logits[result.exit_steps, rows].softmax(-1).cpu())
            for path, label, prediction, confidence, step, macs in zip(
                paths,
                labels,
                result.predictions.tolist(),
                result.confidences.tolist(),
                result.exit_steps.tolist(),
                result.macs.tolist(),
            ):
                records[index].append(
                    ClipRecord(path, label, prediction, confidence, step, macs / 1e9, batch_ms, inputs.shape[0])
                )
    return [
        AdaptiveRun(clip_records, torch.cat(clip_scores).numpy()) for clip_records, clip_scores in zip(records, scores)
    ]


@torch.no_grad()
def collect_scores(model: TSM | GlanceFocusNet, loader: Iterable[dict], progress: Callable | None = None) -> ScoredRun:
    """Class probabilities of a recognizer's ``predict`` mode (multi-view clips averaged) and the
    model's mean wall time per clip (data loading excluded; the first batch runs once untimed
    first, as in :func:`run_adaptive`)."""
    model.eval()
    scores: list[torch.Tensor] = []
    labels: list[torch.Tensor] = []
    seconds, shape = 0.0, (0, 0, 0)
    device = next(model.parameters()).device
    for inputs, batch in (progress or (lambda x: x))(_batches(loader, model)):
        if not labels:
            model(inputs, mode='predict')  # warm-up, untimed
        shape = tuple(inputs.shape[1:2]) + tuple(inputs.shape[-2:])
        synchronize(device)
        start = time.perf_counter()
        predictions = model(inputs, mode='predict')
        synchronize(device)
        seconds += time.perf_counter() - start
        scores += [(p['step_scores'][-1] if 'step_scores' in p else p['scores']).float().cpu() for p in predictions]
        labels.append(batch['label'])
    clip_labels = torch.cat(labels).numpy()
    return ScoredRun(
        torch.stack(scores).numpy(),
        clip_labels,
        seconds * 1000 / max(len(clip_labels), 1),
        shape[1:],
        shape[0] // model.num_segments,
    )
