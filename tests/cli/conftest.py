"""A tiny trained GlanceFocusNet and TSM baseline, shared by the evaluation and extraction tests."""

import pytest

from tests.cli.train_helpers import CONFIGS, data_options, tool


@pytest.fixture(scope='session')
def trained(synthetic, tmp_path_factory):
    """``(data_root, gfnet_checkpoint, tsm_checkpoint)`` after one epoch each on the synthetic clips."""
    root = synthetic('sthv2')
    work = tmp_path_factory.mktemp('trained')
    for name in ('gfnet_tiny-stage1', 'tsm_tiny'):
        tool(
            'train.py',
            f'{CONFIGS}/{name}.py',
            '--work-dir',
            str(work / name),
            '--cfg-options',
            *data_options(root),
            'train_cfg.max_epochs=1',
            'train_cfg.val_interval=5',
        )
    return root, str(work / 'gfnet_tiny-stage1' / 'epoch_1.pth'), str(work / 'tsm_tiny' / 'epoch_1.pth')
