"""Exported models for the deploy tests: each exported once per session, with random weights whose
batch-norm statistics and classifier are set so that confidences differ between clips."""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass

import numpy as np
import pytest
import torch

pytest.importorskip('onnxruntime', reason="the deploy extra: pip install -e '.[deploy]'")

from gfvideo.apis import load_config  # noqa: E402
from gfvideo.apis.export import export_model, single_view_pipeline  # noqa: E402
from gfvideo.benchmark.deploy import EXIT_MARGIN  # noqa: E402
from gfvideo.benchmark.early_exit import exit_thresholds, smooth_clips  # noqa: E402
from gfvideo.benchmark.models import GLANCE_FOCUS  # noqa: E402
from gfvideo.demo.recipes import RECIPES, demo_model_configs  # noqa: E402
from gfvideo.deploy import ExportedModel  # noqa: E402
from gfvideo.registry import MODELS  # noqa: E402
from tests.cli.train_helpers import CONFIGS  # noqa: E402

#: A clip batch's size: the exits differ between its clips.
BATCH = 7


def model_config(name: str, frames: int) -> tuple[dict, int]:
    """``(model config, frame size)``: the synthetic recipe's model (``'demo'``; ``'demo_gru'`` with a
    GRU over the frames in its aggregator; ``'demo_busy'``, the busy scene's, which also reads the
    glance's pixels, codes the patches' positions and shows the focus network its boxes' change
    with the camera's motion removed)
    or a MobileNetV2 glance / ResNet-50 focus model (``'mobilenetv2_resnet50'``, at small sizes),
    ``frames`` per clip."""
    if name == 'demo_busy':
        config, size = load_config(RECIPES['busy'].gfnet).model.to_dict(), 128
    elif name.startswith('demo'):
        config, size = copy.deepcopy(demo_model_configs()[0]), 128
    else:
        config, size = dict(GLANCE_FOCUS, glance_size=64, patch_size=64), 96
    if name == 'demo_gru':
        config['aggregator'] = dict(config['aggregator'], temporal='gru')
    for backbone in ('glance_backbone', 'focus_backbone'):
        config[backbone] = dict(config[backbone], num_segments=frames)
    return config, size


@dataclass
class Exported:
    """A model, its export run by onnxruntime, uint8 clips and thresholds that spread their exits."""

    model: torch.nn.Module
    runtime: ExportedModel
    clips: np.ndarray  # (BATCH, T, 3, H, W) uint8
    thresholds: list[float]

    def normalised(self, batch: int) -> torch.Tensor:
        return self.model.data_preprocessor.normalize(torch.from_numpy(self.clips[:batch]))


@pytest.fixture(scope='session')
def exported(request, tmp_path_factory) -> Exported:
    """``request.param``: ``(model name, frames)`` (see :func:`model_config`)."""
    name, frames = request.param
    config, size = model_config(name, frames)
    torch.manual_seed(0)
    model = MODELS.build(config).eval()
    smooth = smooth_clips(BATCH, frames, size)
    clips = (smooth * 60 + 120).round().clamp(0, 255).to(torch.uint8)
    with torch.no_grad():
        thresholds = exit_thresholds(model, model.data_preprocessor.normalize(clips), margin=EXIT_MARGIN)
    folder = tmp_path_factory.mktemp(f'export_{name}_{frames}')
    export_model(model, folder, pipeline=single_view_pipeline(frames, size))
    return Exported(model, ExportedModel(folder, threads=1), clips.numpy(), thresholds)


@pytest.fixture(scope='session')
def tiny_tsm_export(synthetic, tmp_path_factory) -> tuple[str, torch.nn.Module]:
    """``(export folder, model)`` of the tiny TSM config, randomly initialised, 64 px frames."""
    cfg = load_config(os.path.join(CONFIGS, 'tsm_tiny.py'), data_root=synthetic('sthv2'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    torch.nn.init.normal_(model.fc.weight, 0, 1)
    model.cfg = cfg
    folder = str(tmp_path_factory.mktemp('tiny_tsm_export'))
    export_model(model, folder, input_size=(64, 64))
    return folder, model
