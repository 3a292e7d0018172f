"""kill -9 in the middle of an epoch, then --resume: the run ends with the same weights."""

import os
import signal
import subprocess
import sys
import time

import pytest
import torch

from tests.cli.train_helpers import CONFIGS, ROOT, data_options, train

pytestmark = pytest.mark.slow

OPTIONS = ['train_cfg.max_epochs=3', 'train_dataloader.batch_size=2', 'param_scheduler.0.T_max=3']


def test_resume_after_kill_matches_an_uninterrupted_run(synthetic, tmp_path):
    root = synthetic('sthv2')
    train(1, root, str(tmp_path / 'whole'), *OPTIONS, '--seed', '3', '--deterministic')

    work = tmp_path / 'killed'
    command = [
        sys.executable,
        os.path.join(ROOT, 'tools', 'train.py'),
        os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'),
        '--work-dir',
        str(work),
        '--cfg-options',
        *data_options(root),
        *OPTIONS,
        '--seed',
        '3',
        '--deterministic',
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=dict(os.environ, OMP_NUM_THREADS='1'),
    )
    deadline = time.time() + 300
    in_second_epoch = False
    while time.time() < deadline and process.poll() is None and not in_second_epoch:
        logs = list(work.rglob('*.log'))
        in_second_epoch = bool(logs) and 'Epoch(train) [2][ 3/10]' in open(logs[0]).read()
        time.sleep(0.05)
    assert in_second_epoch, 'the run did not reach its second epoch'
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert (work / 'epoch_1.pth').exists() and not (work / 'epoch_2.pth').exists()
    assert not [name for name in os.listdir(work) if name.endswith('.tmp')]

    resumed = train(1, root, str(work), *OPTIONS, '--seed', '3', '--deterministic', '--resume')
    assert 'resumed from' in resumed.stdout + resumed.stderr
    whole_checkpoint = torch.load(tmp_path / 'whole' / 'epoch_3.pth', weights_only=True)
    again_checkpoint = torch.load(work / 'epoch_3.pth', weights_only=True)
    assert whole_checkpoint['meta']['iter'] == again_checkpoint['meta']['iter'] == 30  # 3 epochs of 10 batches
    whole, again = whole_checkpoint['state_dict'], again_checkpoint['state_dict']
    assert whole.keys() == again.keys()
    for key in whole:
        assert torch.equal(whole[key], again[key]), key
