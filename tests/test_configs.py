"""Every shipped config parses and builds its model."""
import glob
import os

import pytest
from mmengine.config import Config

from gfvideo.registry import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIGS = sorted(glob.glob(os.path.join(ROOT, 'configs', '*.py')))


def test_there_are_recipes_for_every_dataset():
    names = [os.path.basename(path) for path in CONFIGS]
    for dataset in ('sthv1', 'sthv2', 'kinetics400', 'synthetic'):
        assert any(dataset in name for name in names), dataset


@pytest.mark.parametrize('path', CONFIGS, ids=os.path.basename)
def test_config_builds(path):
    cfg = Config.fromfile(path)
    assert cfg.default_scope == 'gfvideo' and cfg.train_dataloader.sampler.type == 'EpochIndexSampler'
    model_cfg = cfg.model.to_dict()
    for name in ('backbone', 'glance_backbone', 'focus_backbone'):
        if name in model_cfg:
            model_cfg[name]['pretrained'] = None  # ImageNet weights are not downloaded in tests
    model = MODELS.build(model_cfg)
    outputs = model.num_classes if hasattr(model, 'num_classes') else model.fc.out_features
    assert outputs == cfg.model.num_classes
    if 'stage' in os.path.basename(path):
        assert model.train_stage == int(os.path.basename(path).split('stage')[1][0])
