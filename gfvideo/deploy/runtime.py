"""Run an export folder with onnxruntime and NumPy: the early-exit loop on the host.

As :meth:`gfvideo.models.GlanceFocusNet.forward_adaptive` does, after each step the clips whose
confidence reached their step's threshold leave the batch, so later steps cost time only for
the clips still running. Imports neither torch nor mmengine; onnxruntime (the ``deploy`` extra)
loads when a model does.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Union

import numpy as np

from ..exit_rule import NEVER_EXIT, exits, read_thresholds
from .manifest import (
    BOXES,
    CLIPS,
    LOGITS,
    STATE,
    STEP,
    UPDATED_STATE,
    Manifest,
    read_manifest,
)

#: Exit thresholds of steps ``0..K-1``: a list, a ``thresholds.json`` path, or None.
Thresholds = Union[Sequence[float], str, os.PathLike, None]


class InputError(ValueError):
    """Clips of another shape than the export fixed."""


@dataclass
class DeployResult:
    """Early exit on a batch of ``B`` clips, the fields of ``forward_adaptive``'s result as NumPy.

    ``logits`` is ``(K+1, B, classes)`` with NaN for steps a clip did not run; ``boxes`` is
    ``(K, B, T, 4)`` (``x0, y0, x1, y1`` input-frame pixels) with -1 likewise; ``gmacs`` is each
    clip's cumulative GMACs up to its exit; ``step_batch_sizes`` the clips each step ran on.
    """

    predictions: np.ndarray
    confidences: np.ndarray
    exit_steps: np.ndarray
    logits: np.ndarray
    boxes: np.ndarray
    gmacs: np.ndarray
    step_batch_sizes: list[int] = field(default_factory=list)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Softmax over the last axis, in the logits' precision."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


class ExportedModel:
    """An export folder (``tools/export.py``) ready to run.

    Args:
        folder: the export folder (``model.json`` and the graphs).
        threads: onnxruntime's intra-op threads (None: its default, one per core).
        providers: onnxruntime execution providers (default: the CPU's).
    """

    def __init__(
        self, folder: str | os.PathLike, threads: int | None = None, providers: Sequence[str] | None = None
    ) -> None:
        try:
            import onnxruntime as ort
        except ImportError as error:
            raise ImportError("running an export needs onnxruntime: pip install 'gfvideo[deploy]'") from error
        self.folder = os.fspath(folder)
        self.manifest: Manifest = read_manifest(self.folder)
        options = ort.SessionOptions()
        options.log_severity_level = 3  # errors only: constant folding's notes on CastLike nodes are noise
        if threads is not None:
            options.intra_op_num_threads = threads
        providers = list(providers or ['CPUExecutionProvider'])
        self.sessions = {
            name: ort.InferenceSession(os.path.join(self.folder, file), options, providers=providers)
            for name, file in self.manifest.graphs.items()
        }
        self.mean = np.asarray(self.manifest.mean, dtype=np.float32).reshape(1, 1, 3, 1, 1)
        self.std = np.asarray(self.manifest.std, dtype=np.float32).reshape(1, 1, 3, 1, 1)

    @property
    def max_focus_steps(self) -> int:
        return self.manifest.max_focus_steps

    def check_clips(self, clips: np.ndarray) -> None:
        """:class:`InputError`, naming the folder, unless ``clips`` is ``(B, T, 3, H, W)`` with the
        export's ``T``, ``H`` and ``W``."""
        expected = (self.manifest.num_segments, 3, *self.manifest.input_size)
        if clips.ndim != 5 or tuple(clips.shape[1:]) != expected:
            raise InputError(
                f'{self.folder}: expected clips (B, {", ".join(map(str, expected))}) (batch, frames, channels, '
                f'height, width), got {tuple(clips.shape)}; only the batch axis is free in this export'
            )

    def normalize(self, clips: np.ndarray) -> np.ndarray:
        """``uint8`` (or 0-255 float) clips ``(B, T, 3, H, W)`` -> normalised float32."""
        self.check_clips(clips)
        return (clips.astype(np.float32) - self.mean) / self.std

    def thresholds(self, thresholds: Thresholds = None) -> list[float]:
        """``thresholds`` (a list, or a ``thresholds.json`` path checked against the export's class
        list and steps), else the export's, else never exit early."""
        steps = self.max_focus_steps
        if isinstance(thresholds, (str, os.PathLike)):
            return read_thresholds(os.fspath(thresholds), self.manifest.classes_hash, steps)
        chosen = thresholds if thresholds is not None else self.manifest.thresholds
        if chosen is None:
            return [NEVER_EXIT] * steps
        if len(chosen) != steps:
            raise ValueError(f'{self.folder}: expected {steps} thresholds (steps 0..{steps - 1}), got {len(chosen)}')
        return [float(t) for t in chosen]

    def run(self, clips: np.ndarray, thresholds: Thresholds = None) -> DeployResult:
        """Early-exit inference on ``uint8`` clips ``(B, T, 3, H, W)`` (normalised here).

        ``thresholds`` (one per step ``0..K-1``, or a ``thresholds.json``) override the export's;
        without either every step runs. A TSM export runs its one graph (``K = 0``).
        """
        inputs = self.normalize(clips)
        batch, frames = inputs.shape[:2]
        steps = self.max_focus_steps
        limits = self.thresholds(thresholds)
        logits_all = np.full((steps + 1, batch, self.manifest.num_classes), np.nan, dtype=np.float32)
        boxes_all = np.full((steps, batch, frames, 4), -1, dtype=np.int64)
        exit_steps = np.zeros(batch, dtype=np.int64)
        running = np.arange(batch)
        glance_focus = self.manifest.kind == 'GlanceFocusNet'
        first = self.sessions['glance' if glance_focus else 'recognizer']
        logits, *values = first.run([LOGITS, *STATE] if glance_focus else [LOGITS], {CLIPS: inputs})
        state = dict(zip(STATE, values))
        logits_all[0] = logits
        sizes = [batch]
        for step in range(1, steps + 1):  # none for a TSM (K = 0)
            keep = ~exits(softmax(logits).max(axis=-1), limits[step - 1])
            if not keep.any():
                break
            if not keep.all():
                running, inputs = running[keep], inputs[keep]
                state = {name: value[keep] for name, value in state.items()}
            feed = {CLIPS: inputs, STEP: np.array(step - 1, dtype=np.int64), **state}
            logits, boxes, *updated = self.sessions['focus'].run(
                [LOGITS, BOXES, *(f'new_{name}' for name in UPDATED_STATE)], feed
            )
            state.update(zip(UPDATED_STATE, updated))
            logits_all[step, running] = logits
            boxes_all[step - 1, running] = boxes
            exit_steps[running] = step
            sizes.append(len(running))
        final = logits_all[exit_steps, np.arange(batch)]
        probabilities = softmax(final)
        gmacs = np.asarray(self.manifest.cumulative_gmacs, dtype=np.float64)[exit_steps]
        return DeployResult(
            probabilities.argmax(-1), probabilities.max(-1), exit_steps, logits_all, boxes_all, gmacs, sizes
        )
