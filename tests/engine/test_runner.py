"""GFRunner on bad batches, bad checkpoints, moved work dirs, full disks, killed saves and interrupted runs."""

from __future__ import annotations

import errno
import os
import shutil

import pytest
import torch
from mmengine.config import Config
from mmengine.hooks import Hook

from gfvideo.engine import GFRunner
from gfvideo.fileio import DiskFullError
from gfvideo.models import CheckpointError
from tests.engine.tiny_runs import tiny_tsm_config


def test_a_batch_of_skipped_samples_is_counted_and_training_goes_on(tmp_path):
    runner = GFRunner.from_cfg(tiny_tsm_config(tmp_path, bad_videos=2))  # batch 1: only bad samples
    runner.train()
    assert runner.iter == 2  # both batches were passed, the empty one without a model step
    assert runner.message_hub.get_info('skipped_samples') == 2
    assert os.path.exists(tmp_path / 'work' / 'epoch_1.pth')


def test_a_moved_work_dir_resumes_and_stale_saves_are_removed(tmp_path):
    GFRunner.from_cfg(tiny_tsm_config(tmp_path, work_dir='old')).train()
    shutil.move(tmp_path / 'old', tmp_path / 'moved')
    stale = tmp_path / 'moved' / '.epoch_2.pth.x1y2.tmp'  # a save killed in a former run
    stale.write_bytes(b'partial')
    cfg = tiny_tsm_config(tmp_path, epochs=2, work_dir='moved')
    cfg.resume = True
    runner = GFRunner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 2 and not stale.exists()
    # last_checkpoint names a file the work dir does not have: fall back to the newest checkpoint
    (tmp_path / 'moved' / 'last_checkpoint').write_text(str(tmp_path / 'old' / 'epoch_9.pth'))
    cfg = tiny_tsm_config(tmp_path, epochs=3, work_dir='moved')
    cfg.resume = True
    runner = GFRunner.from_cfg(cfg)
    runner.train()
    assert runner.epoch == 3


@pytest.fixture(scope='module')
def trained(tmp_path_factory) -> str:
    """A gfvideo training checkpoint of the tiny config."""
    tmp_path = tmp_path_factory.mktemp('trained')
    GFRunner.from_cfg(tiny_tsm_config(tmp_path, work_dir='source')).train()
    return str(tmp_path / 'source' / 'epoch_1.pth')


def _bad_resume_file(tmp_path, trained: str, kind: str) -> tuple[str, str]:
    path = tmp_path / f'{kind}.pth'
    if kind == 'random':
        path.write_bytes(os.urandom(3000))
        return str(path), 'not a PyTorch checkpoint'
    checkpoint = torch.load(trained, weights_only=True)
    if kind == 'truncated':
        with open(trained, 'rb') as file:
            data = file.read()
        path.write_bytes(data[: len(data) // 3])
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'no_rng':
        del checkpoint['rng']
        expected = r'not a gfvideo training checkpoint \(no rng\)'
    elif kind == 'no_epoch':
        del checkpoint['meta']['epoch']
        expected = r'not a gfvideo training checkpoint \(no meta\.epoch\)'
    elif kind == 'weights_only':
        checkpoint = {'state_dict': checkpoint['state_dict']}
        expected = r'not a gfvideo training checkpoint \(no meta, rng\)'
    else:  # nan
        name = next(iter(checkpoint['state_dict']))
        checkpoint['state_dict'][name].view(-1)[0] = float('nan')
        expected = rf'1 tensors hold NaN or infinity .*{name}'
    torch.save(checkpoint, path)
    return str(path), expected


@pytest.mark.parametrize('kind', ['random', 'truncated', 'no_rng', 'no_epoch', 'weights_only', 'nan'])
def test_resuming_from_a_bad_checkpoint_names_the_file(tmp_path, trained, kind):
    path, expected = _bad_resume_file(tmp_path, trained, kind)
    cfg = tiny_tsm_config(tmp_path, work_dir='resumed')
    cfg.resume, cfg.load_from = True, path
    with pytest.raises(CheckpointError, match=expected) as info:
        GFRunner.from_cfg(cfg).train()
    assert str(info.value).startswith(path) and 'weights_only=False' not in str(info.value)


def test_a_full_disk_during_a_checkpoint_save_is_named_and_leaves_nothing(tmp_path, monkeypatch):
    def full_disk(obj, file, *args, **kwargs):
        with open(file, 'wb') as handle:
            handle.write(b'half')
        raise RuntimeError(
            '[enforce fail at inline_container.cc:672] . PytorchStreamWriter failed writing file '
            'data/0: file write failed'
        )

    monkeypatch.setattr(torch, 'save', full_disk)
    monkeypatch.setattr(shutil, 'disk_usage', lambda path: shutil._ntuple_diskusage(10**9, 10**9 - 4096, 4096))
    with pytest.raises(DiskFullError, match=r'epoch_1\.pth: not written, the disk is full \(4096 bytes free'):
        GFRunner.from_cfg(tiny_tsm_config(tmp_path)).train()
    assert not [name for name in os.listdir(tmp_path / 'work') if 'epoch_1' in name]


def test_enospc_from_the_writer_is_a_full_disk(tmp_path, monkeypatch):
    def no_space(obj, file, *args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(torch, 'save', no_space)
    with pytest.raises(DiskFullError, match=r'epoch_1\.pth: not written, the disk is full'):
        GFRunner.from_cfg(tiny_tsm_config(tmp_path)).train()


def _test_config(tmp_path, trained: str, classes: str, **dataset_options) -> Config:
    cfg = tiny_tsm_config(tmp_path, work_dir='evaluated')
    root = tmp_path / 'data'
    (root / 'lists' / 'other_classes.txt').write_text(classes)
    pipeline = [
        dict(type='VideoInit'),
        dict(type='SampleFrames', num_segments=4, mode='test'),
        dict(type='VideoDecode'),
        dict(type='PackClip'),
    ]
    dataset = dict(
        type='VideoDataset',
        data_root=str(root),
        ann_file='lists/train.txt',
        classes='lists/other_classes.txt',
        pipeline=pipeline,
        **dataset_options,
    )
    cfg.test_dataloader = dict(
        batch_size=2,
        num_workers=0,
        sampler=dict(type='EpochIndexSampler', shuffle=False),
        collate_fn=dict(type='gfvideo.collate_skipping'),
        dataset=dataset,
    )
    cfg.test_cfg, cfg.test_evaluator = dict(type='TestLoop'), dict(type='AccuracyMetric')
    cfg.load_from = trained
    return cfg


def test_evaluation_refuses_a_checkpoint_of_another_class_list(tmp_path, trained):
    cfg = _test_config(tmp_path, trained, 'b\na\n', test_mode=True)  # same names, other order
    with pytest.raises(CheckpointError, match=r'epoch_1\.pth: trained on another class list .* the test dataset'):
        GFRunner.from_cfg(cfg).test()
    metrics = GFRunner.from_cfg(_test_config(tmp_path, trained, 'a\nb\n', test_mode=True)).test()
    assert 0 <= metrics['top1'] <= 1


def test_evaluation_refuses_a_dataset_that_skips(tmp_path, trained):
    from gfvideo.engine.config_checks import ConfigError

    cfg = _test_config(tmp_path, trained, 'a\nb\n', on_error='skip')
    with pytest.raises(ConfigError, match=r"test_dataloader\.dataset has on_error='skip': evaluation never skips"):
        GFRunner.from_cfg(cfg).test()


class Interrupted(Exception):
    """Stands for a run killed between two epochs."""


class InterruptAfterAnEpoch(Hook):
    """Stop training after the first epoch's checkpoint is saved."""

    def after_train_epoch(self, runner) -> None:
        raise Interrupted


def test_a_resumed_run_ends_in_the_state_of_an_uninterrupted_one(tmp_path):
    """Two epochs in one run, and a run interrupted after its first epoch then resumed: the same
    weights, optimizer moments, learning-rate schedule and counters."""

    def config(work_dir: str, resume: bool = False) -> Config:
        cfg = tiny_tsm_config(tmp_path, epochs=2, work_dir=work_dir)
        cfg.param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=2, eta_min=1e-5)]
        cfg.resume = resume
        return cfg

    GFRunner.from_cfg(config('whole')).train()
    runner = GFRunner.from_cfg(config('interrupted'))
    runner.register_hook(InterruptAfterAnEpoch(), priority='LOWEST')
    with pytest.raises(Interrupted):
        runner.train()
    first_epoch = tmp_path / 'interrupted' / 'epoch_1.pth'
    saved_at = first_epoch.stat().st_mtime_ns
    assert not (tmp_path / 'interrupted' / 'epoch_2.pth').exists()
    runner = GFRunner.from_cfg(config('interrupted', resume=True))
    runner.train()
    assert (runner.epoch, runner.iter) == (2, 2) and first_epoch.stat().st_mtime_ns == saved_at  # not trained again
    whole, resumed = (
        torch.load(tmp_path / name / 'epoch_2.pth', weights_only=True) for name in ('whole', 'interrupted')
    )
    assert whole['meta']['iter'] == resumed['meta']['iter'] == 2
    assert whole['state_dict'].keys() == resumed['state_dict'].keys()
    for key, value in whole['state_dict'].items():
        assert torch.equal(value, resumed['state_dict'][key]), key
    moments = [
        (whole['optimizer']['state'][index], resumed['optimizer']['state'][index])
        for index in whole['optimizer']['state']
    ]
    assert moments and all(torch.equal(a[name], b[name]) for a, b in moments for name in a)
    assert whole['optimizer']['param_groups'] == resumed['optimizer']['param_groups']
    assert whole['param_schedulers'] == resumed['param_schedulers']
