"""Does the policy look at the evidence? Hit rates against ground-truth object boxes.

A benchmark that knows where its evidence is (the synthetic benchmark's
``annotations/actor_boxes.json``: one ``(x0, y0, x1, y1)`` box per video frame, in video pixels)
lets evaluation measure the *hit rate*: the fraction of frames whose focus patch contains the
object's centre, and an oracle location source (patches centred on the object). The boxes are
for measurement only; no training stage reads them.
"""

from __future__ import annotations

import json
import os

import numpy as np
import torch

from ..models.locations import LocationSource, Placement
from ..models.patches import centred_locations
from ..registry import LOCATION_SOURCES


def video_key(path: str) -> str:
    """The name a video is keyed by in ``actor_boxes.json``: its file or folder name without
    extension (the Something-Something id, or the Kinetics clip stem)."""
    return os.path.splitext(os.path.basename(os.path.normpath(path)))[0]


def batch_paths(batch: dict) -> list[str]:
    """Each clip's video path in a collated batch."""
    return [str(meta.get('filename', '')) for meta in batch['meta']]


def read_actor_boxes(path: str) -> dict[str, np.ndarray]:
    """``actor_boxes.json`` -> ``{video key: (frames, 4) int array}``; errors name the file."""
    try:
        with open(path, encoding='utf-8') as file:
            raw = json.load(file)
    except (OSError, ValueError) as error:
        raise ValueError(f'{path}: cannot read actor boxes ({error})') from error
    if not isinstance(raw, dict):
        raise ValueError(f'{path}: expected an object mapping video names to per-frame boxes')
    boxes = {}
    for key, value in raw.items():
        array = np.asarray(value)
        if array.ndim != 2 or array.shape[1] != 4 or not np.issubdtype(array.dtype, np.number):
            raise ValueError(f'{path}: video {key!r} needs a list of [x0, y0, x1, y1] boxes, got shape {array.shape}')
        boxes[str(key)] = array.astype(np.int64)
    return boxes


def clip_actor_centres(
    actor_boxes: dict[str, np.ndarray], paths: list[str], frame_inds: torch.Tensor, img_to_video: list
) -> torch.Tensor:
    """Actor centres ``(B, T, 2)`` in model-input pixels for a batch.

    Args:
        paths: each clip's video path (the batch's ``meta['filename']``).
        frame_inds: ``(B, T)`` 0-based frame indices sampled from each video.
        img_to_video: per clip ``[sx, sy, tx, ty]`` with ``video = input * s + t`` (the
            transforms' mapping).
    """
    centres = []
    for path, inds, mapping in zip(paths, frame_inds.tolist(), img_to_video):
        key = video_key(path)
        if key not in actor_boxes:
            raise KeyError(f'no actor boxes for video {key!r} ({path})')
        boxes = actor_boxes[key]
        if max(inds) >= len(boxes):
            raise ValueError(f'{path}: frame {max(inds)} sampled but actor boxes cover {len(boxes)} frames')
        chosen = boxes[inds].astype(np.float64)
        sx, sy, tx, ty = mapping
        centres.append(
            np.stack(
                [((chosen[:, 0] + chosen[:, 2]) / 2 - tx) / sx, ((chosen[:, 1] + chosen[:, 3]) / 2 - ty) / sy], axis=1
            )
        )
    return torch.from_numpy(np.stack(centres)).float()


def patch_hits(boxes: torch.Tensor, centres: torch.Tensor) -> torch.Tensor:
    """1.0 where a patch box ``(..., 4)`` ``(x0, y0, x1, y1)`` contains the centre ``(..., 2)``."""
    x, y = centres[..., 0], centres[..., 1]
    boxes = boxes.to(centres)
    return ((boxes[..., 0] <= x) & (x < boxes[..., 2]) & (boxes[..., 1] <= y) & (y < boxes[..., 3])).float()


def step_hit_rates(
    boxes: np.ndarray,
    paths: list[str],
    frame_inds: np.ndarray,
    img_to_video: list | None,
    actor_boxes: dict[str, np.ndarray],
) -> list[float]:
    """Hit rate of each focus step ``[k=1..K]`` over all frames of all clips.

    ``boxes`` ``(K, N, T, 4)`` are patch boxes in model-input pixels (e.g. a
    :class:`gfvideo.evaluation.StepLogits`'s), the other arguments as :func:`clip_actor_centres`.
    """
    if img_to_video is None:
        raise ValueError('hit rates need the input-to-video mapping of every clip (single-view evaluation)')
    centres = clip_actor_centres(actor_boxes, paths, torch.as_tensor(frame_inds), img_to_video)
    return [patch_hits(torch.as_tensor(step), centres).mean().item() for step in boxes]


@LOCATION_SOURCES.register_module()
class OracleLocations(LocationSource):
    """Patches centred on the benchmark's object (the upper bound of any policy), from
    ``actor_boxes`` (a dict of :func:`read_actor_boxes`, or the path of an ``actor_boxes.json``).
    Bound to a batch (:meth:`bind`), it reads the clips' paths, sampled frames and input-to-video
    mappings."""

    def __init__(self, actor_boxes: dict[str, np.ndarray] | str, centres: torch.Tensor | None = None) -> None:
        self.actor_boxes = read_actor_boxes(actor_boxes) if isinstance(actor_boxes, str) else actor_boxes
        self.centres = centres  # (B, T, 2) model-input pixels of the bound batch

    def bind(self, batch: dict) -> OracleLocations:
        mappings = [meta['img_to_video'] for meta in batch['meta']]
        centres = clip_actor_centres(self.actor_boxes, batch_paths(batch), batch['frame_inds'], mappings)
        return OracleLocations(self.actor_boxes, centres)

    def __call__(self, model, state, generator=None) -> Placement:
        if self.centres is None:
            raise RuntimeError('OracleLocations reads a batch: bind it first (source.bind(batch))')
        height, width = state.frames.shape[-2:]
        running = self.centres.flatten(0, 1).to(state.frames.device)[state.frame_ids]
        return centred_locations(running, model.patch_size, height, width), None
