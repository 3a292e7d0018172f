"""Training goes on when ``on_error='skip'`` empties a whole batch."""
from __future__ import annotations

import os

from mmengine.config import Config

from gfvideo.data.video_writer import write_video
from gfvideo.engine import GFRunner
from tests.cli.train_helpers import CONFIGS
from tests.conftest import moving_frames


def test_a_batch_of_skipped_samples_is_counted_and_training_goes_on(tmp_path):
    root = tmp_path / 'data'
    (root / 'lists').mkdir(parents=True)
    for name in ('bad0.mp4', 'bad1.mp4'):
        (root / name).write_bytes(b'')  # unreadable: skipped
    for index in range(2):
        write_video(str(root / f'good{index}.mp4'), moving_frames(8, 32, 32, seed=index), fps=10)
    # batch 1 holds only bad samples, batch 2 only good ones (no shuffling)
    (root / 'lists' / 'train.txt').write_text('bad0.mp4 0\nbad1.mp4 1\ngood0.mp4 0\ngood1.mp4 1\n')
    (root / 'lists' / 'classes.txt').write_text('a\nb\n')
    cfg = Config.fromfile(os.path.join(CONFIGS, 'tsm_tiny.py'))
    cfg.merge_from_dict({'train_dataloader.dataset.data_root': str(root), 'train_dataloader.batch_size': 2,
                         'train_dataloader.sampler.shuffle': False, 'model.num_classes': 2,
                         'train_cfg.max_epochs': 1})
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.work_dir = str(tmp_path / 'work')
    runner = GFRunner.from_cfg(cfg)
    runner.train()
    assert runner.iter == 2  # both batches were passed, the empty one without a model step
    assert runner.message_hub.get_info('skipped_samples') == 2
    assert os.path.exists(tmp_path / 'work' / 'epoch_1.pth')
