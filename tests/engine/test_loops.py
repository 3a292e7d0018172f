"""gfvideo's train loop: found by name, built for epoch-based configs that name no loop, and its
epoch and iteration counters restored where mmengine's loops keep them."""

from __future__ import annotations

import subprocess
import sys

import pytest
from mmengine.runner import EpochBasedTrainLoop, IterBasedTrainLoop

from gfvideo.engine import GFRunner
from gfvideo.engine.runner import SkippingEpochBasedTrainLoop, set_loop_progress
from tests.engine.tiny_runs import tiny_tsm_config


@pytest.mark.slow
def test_the_loop_is_found_by_name_without_importing_the_engine_first():
    code = (
        'from gfvideo.registry import LOOPS\n'
        "loop = LOOPS.get('SkippingEpochBasedTrainLoop')\n"
        "print(f'{loop.__module__}.{loop.__name__}')\n"
    )
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True, timeout=300, check=True)
    assert result.stdout.strip() == 'gfvideo.engine.runner.SkippingEpochBasedTrainLoop'


@pytest.mark.parametrize(
    'train_cfg, loop_class',
    [
        (None, SkippingEpochBasedTrainLoop),  # the tiny config's, which names it
        (dict(by_epoch=True, max_epochs=1), SkippingEpochBasedTrainLoop),  # a user's epoch loop, no type
        (dict(type='EpochBasedTrainLoop', max_epochs=1), SkippingEpochBasedTrainLoop),  # mmengine's, named
        (dict(by_epoch=False, max_iters=2), IterBasedTrainLoop),
    ],
    ids=['named', 'by_epoch', 'mmengine_epoch_loop', 'by_iteration'],
)
def test_an_epoch_based_train_cfg_builds_the_skipping_loop(tmp_path, train_cfg, loop_class):
    cfg = tiny_tsm_config(tmp_path)
    if train_cfg is not None:
        cfg.train_cfg = train_cfg
    runner = GFRunner.from_cfg(cfg)
    assert type(runner.train_loop) is loop_class
    if train_cfg is not None:
        assert runner.cfg.train_cfg.to_dict() == train_cfg  # the config is left as written


@pytest.mark.parametrize('loop_cfg', [dict(by_epoch=True, max_epochs=5), dict(by_epoch=False, max_iters=8)])
def test_the_counters_set_loop_progress_writes_are_mmengines(tmp_path, loop_cfg):
    """set_loop_progress writes mmengine's private ``_epoch`` and ``_iter``: this fails when
    mmengine's train loops stop keeping their counters there."""
    cfg = tiny_tsm_config(tmp_path)
    cfg.train_cfg = loop_cfg
    runner = GFRunner.from_cfg(cfg)
    loop = runner.train_loop
    assert {'_epoch': 0, '_iter': 0}.items() <= vars(loop).items()
    set_loop_progress(loop, 3, 7)
    assert (loop.epoch, loop.iter) == (3, 7) == (runner.epoch, runner.iter)


class RenamedCounters(EpochBasedTrainLoop):
    """An mmengine loop as it would be if mmengine kept its epoch elsewhere."""

    @property
    def epoch(self):
        return vars(self).get('_current_epoch', 0)


def test_counters_mmengine_no_longer_reads_are_refused(tmp_path):
    loop = GFRunner.from_cfg(tiny_tsm_config(tmp_path)).build_train_loop(dict(type=RenamedCounters, max_epochs=5))
    with pytest.raises(RuntimeError, match=r'reports epoch, iter \(0, 7\) after they were set to \(3, 7\)'):
        set_loop_progress(loop, 3, 7)


def test_resuming_through_load_or_resume_restores_the_counters_once(tmp_path, monkeypatch):
    GFRunner.from_cfg(tiny_tsm_config(tmp_path, work_dir='source')).train()
    cfg = tiny_tsm_config(tmp_path, epochs=2, work_dir='resumed')
    cfg.resume, cfg.load_from = True, str(tmp_path / 'source' / 'epoch_1.pth')
    runner = GFRunner.from_cfg(cfg)
    runner.load_or_resume()
    assert (runner.train_loop.epoch, runner.train_loop.iter) == (1, 1) == (runner.epoch, runner.iter)
    resumed_again = []
    monkeypatch.setattr(runner, 'resume', lambda *args, **kwargs: resumed_again.append(args))
    monkeypatch.setattr(runner, 'load_checkpoint', lambda *args, **kwargs: resumed_again.append(args))
    runner.load_or_resume()  # as train() calls it: the runner is marked loaded
    assert not resumed_again
