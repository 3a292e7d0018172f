"""Use a trained model on videos: load it, recognise a clip, extract its features.

The clip goes through the config's test pipeline (the same sampling, resizing and cropping as
evaluation), so results match ``tools/test.py`` on the same video.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch
from mmengine.config import Config
from torch import nn

from ..data import ArrayReader, build_pipeline, class_list_hash, read_class_list
from ..evaluation.budget import NEVER_EXIT, replay_exits
from ..models import load_weights
from ..registry import MODELS


@dataclass(frozen=True)
class PreparedClip:
    """A clip ready for the model: ``inputs`` uint8 ``(1, T, 3, H, W)`` and its sampling facts."""

    inputs: torch.Tensor
    frame_inds: np.ndarray
    img_to_video: tuple[float, float, float, float]
    original_shape: tuple[int, int]
    filename: str


@dataclass(frozen=True)
class Recognition:
    """What :func:`recognize` returns for one video."""

    label: int
    class_name: str | None
    score: float
    exit_step: int
    gmacs: float
    boxes: np.ndarray  # (exit_step, T, 4) patch boxes in original-video pixels


def _config_classes(cfg: Config) -> list[str] | None:
    dataset = cfg.test_dataloader.dataset
    classes = dataset.get('classes')
    if isinstance(classes, str):
        path = os.path.join(dataset.get('data_root', ''), classes)
        return read_class_list(path) if os.path.isfile(path) else None
    return list(classes) if classes else None


def load_config(path: str, options: dict | None = None) -> Config:
    """A config file with ``--cfg-options``-style overrides merged."""
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    return cfg


def load_model(config: str | Config, checkpoint: str, device: str | torch.device = 'cpu') -> nn.Module:
    """Build the config's model, load a gfvideo checkpoint strictly and put it in eval mode.

    The model gets ``cfg``, ``classes`` (from the checkpoint, else the config's class list, else
    ``None``) and ``classes_hash`` attributes.
    """
    cfg = Config.fromfile(config) if not isinstance(config, Config) else config
    model = MODELS.build(cfg.model)
    report = load_weights(model, checkpoint, source='gfvideo')
    model.to(device).eval()
    classes = report.meta.get('classes') or _config_classes(cfg)
    model.cfg = cfg
    model.classes = list(classes) if classes else None
    model.classes_hash = report.meta.get('classes_hash') or (class_list_hash(classes) if classes else None)
    return model


def eval_pipeline(model: nn.Module) -> list[dict]:
    """The test pipeline of the config a model was loaded with."""
    return list(model.cfg.test_dataloader.dataset.pipeline)


def prepare_clip(pipeline: Sequence[dict], video: str | os.PathLike | np.ndarray, **fields) -> PreparedClip:
    """Run a test ``pipeline`` on a video file, frame folder or ``(T, H, W, 3)`` uint8 array.

    ``fields`` go into the pipeline's input (a list record's ``total_frames``, ``start_index``,
    ``filename_tmpl``, ``offset``).
    """
    transforms = list(pipeline)
    if isinstance(video, np.ndarray):
        reader = ArrayReader(video)
        results = dict(filename=reader.path, video_reader=reader, total_frames=len(reader),
                       img_to_video=[1.0, 1.0, 0.0, 0.0])
        transforms = [t for t in transforms if t['type'] != 'VideoInit']
    else:
        results = dict(filename=os.fspath(video))
    results.update({key: value for key, value in fields.items() if value is not None})
    results.update(label=-1, sample_idx=0)
    packed = build_pipeline(transforms)(results)
    meta = packed['meta']
    return PreparedClip(packed['inputs'][None], packed['frame_inds'].numpy(),
                        tuple(meta.get('img_to_video', (1.0, 1.0, 0.0, 0.0))), tuple(meta['original_shape']),
                        meta['filename'])


def boxes_to_video(boxes: np.ndarray, img_to_video) -> np.ndarray:
    """Map ``(..., 4)`` boxes ``(x0, y0, x1, y1)`` from model-input pixels to original-video pixels."""
    sx, sy, tx, ty = img_to_video
    return np.asarray(boxes, dtype=np.float64) * np.array([sx, sy, sx, sy]) + np.array([tx, ty, tx, ty])


def _normalised(model: nn.Module, clip: PreparedClip) -> torch.Tensor:
    return model.data_preprocessor.normalize(clip.inputs)


@torch.no_grad()
def recognize(model: nn.Module, video: str | os.PathLike | np.ndarray, thresholds=None) -> Recognition:
    """Classify one video with the early-exit runtime (all steps when ``thresholds`` is None)."""
    clip = prepare_clip(eval_pipeline(model), video)
    if thresholds is None:
        thresholds = [NEVER_EXIT] * model.max_focus_steps
    result = model.forward_adaptive(_normalised(model, clip), thresholds)
    step = int(result.exit_steps[0])
    label = int(result.predictions[0])
    boxes = result.boxes[:step, 0].cpu().numpy()
    return Recognition(label, model.classes[label] if model.classes else None, float(result.confidences[0]), step,
                       float(result.macs[0]) / 1e9, boxes_to_video(boxes, clip.img_to_video))


def extract_features(model: nn.Module, video: str | os.PathLike | np.ndarray, thresholds=None,
                     steps: int | None = None) -> dict[str, np.ndarray]:
    """Features of every step of one video, as ``tools/extract_features.py`` saves them.

    Keys: ``glance`` (T, C), ``focus`` (K, T, C'), ``boxes`` (K, T, 4) in original-video pixels,
    ``boxes_input`` (K, T, 4) in model-input pixels, ``logits`` (K+1, classes), ``exit_step``
    (where ``thresholds`` would stop; K without thresholds) and ``frame_inds``. All ``K`` (or
    ``steps``) focus steps are computed whatever the exit step.
    """
    return clip_features(model, prepare_clip(eval_pipeline(model), video), thresholds, steps)


@torch.no_grad()
def clip_features(model: nn.Module, clip: PreparedClip, thresholds=None, steps: int | None = None
                  ) -> dict[str, np.ndarray]:
    """:func:`extract_features` on a clip that :func:`prepare_clip` already decoded."""
    logits, details = model(_normalised(model, clip), mode='tensor', max_steps=steps, return_details=True)
    logits = logits[:, 0].float().cpu().numpy()
    focus_steps = logits.shape[0] - 1
    exit_step = focus_steps
    if thresholds is not None:
        exit_step = int(replay_exits(logits[:, None], list(thresholds)[:focus_steps]).exit_steps[0])
    if focus_steps:
        boxes_input = np.stack([d.boxes[0].cpu().numpy() for d in details[1:]])
        focus = np.stack([d.features[0].float().cpu().numpy() for d in details[1:]])
    else:
        boxes_input = np.zeros((0, model.num_segments, 4), np.int64)
        focus = np.zeros((0, model.num_segments, model.focus_backbone.out_channels), np.float32)
    return dict(glance=details[0].features[0].float().cpu().numpy(), focus=focus,
                boxes=boxes_to_video(boxes_input, clip.img_to_video).astype(np.float32),
                boxes_input=boxes_input.astype(np.int64), logits=logits, exit_step=np.int64(exit_step),
                frame_inds=clip.frame_inds.astype(np.int64))
