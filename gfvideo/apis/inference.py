"""Use a trained model on videos: load it, recognise a clip, extract its features.

The clip goes through the config's test pipeline (the same sampling, resizing and cropping as
evaluation), so results match ``tools/test.py`` on the same video.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Union

import numpy as np
import torch
from mmengine.config import Config

from ..classes import class_list_hash, read_class_list
from ..config import load_config
from ..data import VideoReadError, boxes_to_video, build_pipeline, clip_input, open_video
from ..deploy import Recognition, recognition_of
from ..engine.config_checks import check_frame_count, refused_model_options
from ..evaluation.budget import NEVER_EXIT, replay_exits
from ..exit_rule import check_thresholds, read_thresholds
from ..models import TSM, GlanceFocusNet, load_weights, read_checkpoint, without_init_weights
from ..registry import MODELS
from ..visualization import save_glimpses

#: What :func:`load_model` returns: either recognizer, with the config (``cfg``), class list
#: (``classes``) and its hash (``classes_hash``) it was loaded with.
Recognizer = Union[TSM, GlanceFocusNet]


@dataclass(frozen=True)
class PreparedClip:
    """A clip ready for the model: ``inputs`` uint8 ``(1, T, 3, H, W)`` and its sampling facts."""

    inputs: torch.Tensor
    frame_inds: np.ndarray
    img_to_video: tuple[float, float, float, float]
    original_shape: tuple[int, int]
    filename: str


def _config_classes(cfg: Config) -> list[str] | None:
    dataset = cfg.test_dataloader.dataset
    classes = dataset.get('classes')
    if isinstance(classes, str):
        path = os.path.join(dataset.get('data_root', ''), classes)
        return read_class_list(path) if os.path.isfile(path) else None
    return list(classes) if classes else None


def load_model(
    config: str | Config,
    checkpoint: str,
    device: str | torch.device = 'cpu',
    cfg_options: dict | None = None,
) -> Recognizer:
    """Build the config's model, load a gfvideo checkpoint (or a work dir's final checkpoint)
    strictly and put it in eval mode. The backbones' initialisation weights are not read.

    ``config`` is a path, a shipped recipe's name or a loaded config; ``cfg_options`` are
    ``--cfg-options``-style overrides. The class count comes from the checkpoint's class list
    when it has one (so a recipe's ``num_classes`` need not be repeated for your own classes).
    The model gets ``cfg``, ``classes`` (from the checkpoint, else the config's class list, else
    ``None``) and ``classes_hash`` attributes. A test pipeline that samples another number of
    frames than the model's ``num_segments``, or a model option its constructor refuses, raises
    ``ConfigError``.
    """
    cfg = load_config(config, cfg_options) if not isinstance(config, Config) else config
    check_frame_count(cfg, ['test_dataloader'])
    state_dict, meta = read_checkpoint(checkpoint)
    if meta.get('classes'):
        cfg.model.num_classes = len(meta['classes'])
    with refused_model_options(cfg.filename or 'the config'):
        model = MODELS.build(without_init_weights(cfg.model))
    load_weights(model, {'state_dict': state_dict, 'meta': meta}, source='gfvideo')
    model.to(device).eval()
    classes = meta.get('classes') or _config_classes(cfg)
    model.cfg = cfg
    model.classes = list(classes) if classes else None
    model.classes_hash = meta.get('classes_hash') or (class_list_hash(classes) if classes else None)
    return model


def eval_pipeline(model: Recognizer) -> list[dict]:
    """The test pipeline of the config a model was loaded with."""
    return list(model.cfg.test_dataloader.dataset.pipeline)


def prepare_clip(pipeline: Sequence[dict], video: str | os.PathLike | np.ndarray, **fields) -> PreparedClip:
    """Run a test ``pipeline`` on a video file, frame folder or ``(T, H, W, 3)`` uint8 array.

    ``fields`` go into the pipeline's input (a list record's ``total_frames``, ``start_index``,
    ``filename_tmpl``, ``offset``).
    """
    results, transforms = clip_input(video, pipeline, **fields)
    packed = build_pipeline(transforms)(results)
    meta = packed['meta']
    return PreparedClip(
        packed['inputs'][None],
        packed['frame_inds'].numpy(),
        tuple(meta.get('img_to_video', (1.0, 1.0, 0.0, 0.0))),
        tuple(meta['original_shape']),
        meta['filename'],
    )


def _normalised(model: Recognizer, clip: PreparedClip) -> torch.Tensor:
    """The clip's frames normalised for the model; frames smaller than its patch raise
    :class:`VideoReadError` naming the video."""
    height, width = clip.inputs.shape[-2:]
    patch = getattr(model, 'patch_size', 0)
    if height < patch or width < patch:
        raise VideoReadError(
            clip.filename,
            f"its frames are {height}x{width} after the test pipeline, smaller than the model's {patch}-px patch",
        )
    return model.data_preprocessor.normalize(clip.inputs)


def class_name(model: Recognizer, label: int) -> str | None:
    """The name of class ``label`` of a loaded model (None when it has no class list)."""
    return model.classes[label] if model.classes and 0 <= label < len(model.classes) else None


def model_thresholds(model: GlanceFocusNet, thresholds: str | os.PathLike | Sequence[float] | None) -> list[float]:
    """Exit thresholds from a list or a ``thresholds.json`` path (checked against the model);
    None: never exit early."""
    if thresholds is None:
        return [NEVER_EXIT] * model.max_focus_steps
    if isinstance(thresholds, (str, os.PathLike)):
        return read_thresholds(os.fspath(thresholds), model.classes_hash, model.max_focus_steps)
    return check_thresholds(list(thresholds), model.max_focus_steps, 'the given thresholds')


@torch.no_grad()
def recognize(
    model: GlanceFocusNet,
    video: str | os.PathLike | np.ndarray,
    thresholds: str | os.PathLike | Sequence[float] | None = None,
) -> Recognition:
    """Classify one video with the early-exit runtime (all steps when ``thresholds`` is None;
    a list of thresholds or the path of a ``thresholds.json``)."""
    return recognize_clip(model, prepare_clip(eval_pipeline(model), video), thresholds)


@torch.no_grad()
def recognize_clip(
    model: GlanceFocusNet, clip: PreparedClip, thresholds: str | os.PathLike | Sequence[float] | None = None
) -> Recognition:
    """:func:`recognize` on a clip that :func:`prepare_clip` already decoded."""
    result = model.forward_adaptive(_normalised(model, clip), model_thresholds(model, thresholds))
    return recognition_of(
        result.logits[:, 0].float().cpu().numpy(),
        int(result.exit_steps[0]),
        result.boxes[:, 0].cpu().numpy(),
        float(result.macs[0]) / 1e9,
        model.classes,
        clip.img_to_video,
    )


def extract_features(
    model: GlanceFocusNet, video: str | os.PathLike | np.ndarray, thresholds=None, steps: int | None = None
) -> dict[str, np.ndarray]:
    """Features of every step of one video, as ``tools/extract_features.py`` saves them.

    Keys: ``glance`` (T, C), ``focus`` (K, T, C'), ``boxes`` (K, T, 4) in original-video pixels,
    ``boxes_input`` (K, T, 4) in model-input pixels, ``logits`` (K+1, classes), ``exit_step``
    (where ``thresholds`` would stop; K without thresholds) and ``frame_inds``. All ``K`` (or
    ``steps``) focus steps are computed whatever the exit step.
    """
    return clip_features(model, prepare_clip(eval_pipeline(model), video), thresholds, steps)


@torch.no_grad()
def clip_features(
    model: GlanceFocusNet, clip: PreparedClip, thresholds=None, steps: int | None = None
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
    return dict(
        glance=details[0].features[0].float().cpu().numpy(),
        focus=focus,
        boxes=boxes_to_video(boxes_input, clip.img_to_video).astype(np.float32),
        boxes_input=boxes_input.astype(np.int64),
        logits=logits,
        exit_step=np.int64(exit_step),
        frame_inds=clip.frame_inds.astype(np.int64),
    )


def save_clip_glimpses(
    model: GlanceFocusNet,
    clip: PreparedClip,
    prefix: str,
    thresholds: str | os.PathLike | Sequence[float] | None = None,
    true_label: int | None = None,
) -> tuple[str, str]:
    """Draw where the model looked on a decoded clip: ``<prefix>.png`` (the whole sampled frames of
    the video with the model input's region, then one row per step with its patch and top class
    name, up to the exit step when ``thresholds`` are given) and ``<prefix>.gif``. A clip made from
    an in-memory array is drawn on the model's input frames."""
    features = clip_features(model, clip, None if thresholds is None else model_thresholds(model, thresholds))
    if os.path.exists(clip.filename):
        reader = open_video(clip.filename)
        try:
            frames = reader.get_frames(clip.frame_inds)
        finally:
            reader.close()
        height, width = clip.inputs.shape[-2:]
        region = boxes_to_video(np.array([0, 0, width, height]), clip.img_to_video)
    else:
        frames, region = clip.inputs[0].permute(0, 2, 3, 1).numpy(), None
    return save_glimpses(prefix, frames, features, model.classes, input_region=region, true_label=true_label)
