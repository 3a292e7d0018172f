"""``recognize`` and ``extract_features`` with a model loaded on a CUDA GPU give what the CPU gives."""

import os

import numpy as np
import pytest
import torch

from gfvideo.apis import eval_pipeline, extract_features, load_config, load_model, prepare_clip, recognize
from gfvideo.registry import MODELS
from tests.cli.train_helpers import CONFIGS
from tests.cuda.helpers import PIXEL_MARGIN, TOLERANCE, decision_margins, decisive_policy

pytestmark = pytest.mark.cuda

CLASSES = [f'class {index}' for index in range(16)]


@pytest.fixture(scope='module')
def models(tmp_path_factory):
    """The tiny stage-3 model with a policy whose choices on the test video are clear of ties
    (boxes then compare exactly), loaded on the CPU and on the GPU from one checkpoint file."""
    cfg = load_config(os.path.join(CONFIGS, 'gfnet_tiny-stage3.py'))
    checkpoint = str(tmp_path_factory.mktemp('checkpoint') / 'tiny.pth')
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    torch.nn.init.normal_(model.aggregator.fc.weight, 0, 1)
    torch.save(dict(state_dict=model.state_dict(), meta=dict(classes=CLASSES)), checkpoint)
    return cfg, checkpoint


def clear_policy(cfg, checkpoint: str, video: str) -> tuple[torch.nn.Module, torch.nn.Module]:
    for seed in range(50):
        cpu = decisive_policy(load_model(cfg, checkpoint, device='cpu'), seed=seed)
        clip = prepare_clip(eval_pipeline(cpu), video)
        with torch.no_grad():
            _, details = cpu(cpu.data_preprocessor.normalize(clip.inputs), return_details=True)
        if decision_margins(cpu, details, *clip.inputs.shape[-2:])[0] > PIXEL_MARGIN:
            gpu = load_model(cfg, checkpoint, device='cuda')
            gpu.load_state_dict(cpu.state_dict())
            return cpu, gpu
    raise AssertionError('test precondition: no policy seed gives clear patch choices on the video')


def close(actual, expected, what: str) -> None:
    scale = float(np.abs(expected).max()) or 1.0
    error = float(np.abs(np.asarray(actual, np.float64) - expected).max())
    assert error <= TOLERANCE['fp32'] * scale, f'{what}: {error:.3g} > {TOLERANCE["fp32"]} x {scale:.3g}'


def test_recognize_and_extract_features_on_the_gpu(models, media_dir):
    cfg, checkpoint = models
    video = os.path.join(media_dir, 'clip.mp4')
    cpu, gpu = clear_policy(cfg, checkpoint, video)
    assert next(gpu.parameters()).device.type == 'cuda' and gpu.data_preprocessor.mean.device.type == 'cuda'
    for thresholds in (None, [0.0, 0.0], [1.0, 0.0]):
        want, got = recognize(cpu, video, thresholds), recognize(gpu, video, thresholds)
        assert (got.label, got.class_name, got.exit_step, got.gmacs) == (
            want.label,
            want.class_name,
            want.exit_step,
            want.gmacs,
        )
        assert np.array_equal(got.boxes, want.boxes) and abs(got.score - want.score) <= 1e-4
    want, got = extract_features(cpu, video), extract_features(gpu, video)
    assert sorted(got) == sorted(want)
    for key in ('boxes', 'boxes_input', 'exit_step', 'frame_inds'):
        assert np.array_equal(got[key], want[key]), key
        assert got[key].dtype == want[key].dtype
    for key in ('glance', 'focus', 'logits'):
        assert isinstance(got[key], np.ndarray) and got[key].dtype == want[key].dtype
        close(got[key], want[key], key)
