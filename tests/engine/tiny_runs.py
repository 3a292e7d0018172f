"""Training runs small enough to run in-process: the tiny TSM config on two encoded clips."""

from __future__ import annotations

import itertools
import os

from mmengine.config import Config

from gfvideo.data.prep.video_writer import write_video
from tests.cli.train_helpers import CONFIGS
from tests.media import moving_frames

#: Numbers that make every run's experiment name (its logger, visualizer, message hub) its own.
_RUN_NUMBERS = itertools.count()


def tiny_tsm_config(tmp_path, bad_videos: int = 0, epochs: int = 1, work_dir: str = 'work') -> Config:
    """The tiny TSM config training on two good clips (after ``bad_videos`` empty files), in list
    order, for ``epochs`` epochs into ``tmp_path / work_dir``; no validation or test loop."""
    root = tmp_path / 'data'
    if not root.exists():
        (root / 'lists').mkdir(parents=True)
        for index in range(bad_videos):
            (root / f'bad{index}.mp4').write_bytes(b'')  # unreadable: skipped
        for index in range(2):
            write_video(str(root / f'good{index}.mp4'), moving_frames(8, 32, 32, seed=index), fps=10)
        lines = [f'bad{i}.mp4 {i % 2}' for i in range(bad_videos)] + ['good0.mp4 0', 'good1.mp4 1']
        (root / 'lists' / 'train.txt').write_text('\n'.join(lines) + '\n')
        (root / 'lists' / 'classes.txt').write_text('a\nb\n')
    cfg = Config.fromfile(os.path.join(CONFIGS, 'tsm_tiny.py'))
    cfg.merge_from_dict(
        {
            'train_dataloader.dataset.data_root': str(root),
            'train_dataloader.batch_size': 2,
            'train_dataloader.sampler.shuffle': False,
            'model.num_classes': 2,
            'train_cfg.max_epochs': epochs,
            'param_scheduler': [],
        }
    )
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.work_dir = str(tmp_path / work_dir)
    cfg.experiment_name = f'{work_dir}-{epochs}-{os.getpid()}-{next(_RUN_NUMBERS)}'
    return cfg
