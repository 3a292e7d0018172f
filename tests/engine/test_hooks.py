"""Training hooks: checkpoints written whole under their final name, and per-epoch reseeding."""

import os
import random
import re
from types import SimpleNamespace

import numpy as np
import pytest
import torch

from gfvideo.engine import EpochSeedHook, GFRunner
from tests.engine.tiny_runs import tiny_tsm_config


@pytest.mark.parametrize('interval, max_keep, saved, kept', [(2, None, [2, 3], [2, 3]), (1, 1, [1, 2, 3], [3])])
def test_checkpoints_are_renamed_into_place_whole_and_last_checkpoint_follows(
    tmp_path, monkeypatch, interval, max_keep, saved, kept
):
    cfg = tiny_tsm_config(tmp_path, epochs=3)
    cfg.custom_hooks = [hook for hook in cfg.custom_hooks if hook['type'] != 'AtomicCheckpointHook']
    cfg.custom_hooks.append(dict(type='AtomicCheckpointHook', interval=interval, max_keep=max_keep))
    work = tmp_path / 'work'
    renames, replace = [], os.replace

    def recording_replace(source, target):
        if os.path.dirname(os.fspath(target)) == str(work):
            name = os.path.basename(target)
            content = (
                torch.load(source, weights_only=True)['meta']['epoch'] if name.endswith('.pth') else open(source).read()
            )
            renames.append((os.path.basename(source), name, content))
        replace(source, target)

    monkeypatch.setattr(os, 'replace', recording_replace)
    GFRunner.from_cfg(cfg).train()
    expected = [name for epoch in saved for name in (f'epoch_{epoch}.pth', 'last_checkpoint')]
    assert [target for _, target, _ in renames] == expected  # every epoch `interval` and the last one
    for (temporary, target, content), before in zip(renames, [None, *renames]):
        assert re.fullmatch(rf'\.{re.escape(target)}\.\w+\.tmp', temporary)  # a hidden sibling, renamed whole
        if target == 'last_checkpoint':
            assert content == str(work / before[1])  # it names the checkpoint renamed just before
        else:
            assert target == f'epoch_{content}.pth'  # the file holds that epoch's checkpoint
    assert sorted(name for name in os.listdir(work) if name.endswith('.pth')) == [f'epoch_{e}.pth' for e in kept]
    assert (work / 'last_checkpoint').read_text() == str(work / 'epoch_3.pth')
    assert not [name for name in os.listdir(work) if name.endswith('.tmp')]
    checkpoint = torch.load(work / 'epoch_3.pth', weights_only=True)
    assert {'meta', 'state_dict', 'rng', 'optimizer'} <= set(checkpoint) and checkpoint['meta']['classes'] == ['a', 'b']


def _draws() -> tuple[float, float, float]:
    return random.random(), float(np.random.random()), torch.rand(1).item()


def _reseeded(seed, epoch: int, rank: int) -> tuple[float, float, float]:
    _draws()  # whatever was drawn before does not matter
    EpochSeedHook().before_train_epoch(SimpleNamespace(seed=seed, epoch=epoch, rank=rank))
    return _draws()


def test_each_epoch_reseeds_python_numpy_and_torch_from_the_seed_epoch_and_rank():
    first = _reseeded(3, 2, 1)
    assert _reseeded(3, 2, 1) == first
    others = [_reseeded(4, 2, 1), _reseeded(3, 1, 1), _reseeded(3, 2, 0)]  # another seed, epoch, rank
    assert all(a != b for other in others for a, b in zip(other, first))
    assert _reseeded(None, 2, 1) == _reseeded(0, 2, 1)  # no seed: seed 0
