"""Two processes (gloo, CPU) train stages 1 and 2 through tools/dist_train.sh (torchrun); results match one
process."""

import json
import os

import pytest
import torch

from tests.cli.train_helpers import CONFIGS, data_options, tool, torchrun

pytestmark = pytest.mark.slow


def last_json(output: str) -> dict:
    return json.loads([line for line in output.splitlines() if line.startswith('{')][-1])


def test_two_process_stage1_and_stage2(synthetic, tmp_path):
    root = synthetic('sthv2')
    data = data_options(root)
    with_missing = tmp_path / 'train_with_missing.txt'  # one bad sample: skipped and counted once over both ranks
    with_missing.write_text(open(os.path.join(root, 'lists', 'train.txt')).read() + 'videos/absent.webm 3\n')
    torchrun(
        'dist_train.sh',
        os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'),
        '--work-dir',
        str(tmp_path / 's1'),
        '--cfg-options',
        *data,
        f'train_dataloader.dataset.ann_file={with_missing}',
    )
    log = open(next((tmp_path / 's1').rglob('*.log'))).read()
    assert 'epoch 1: 1 bad samples skipped' in log and 'training finished: 2 bad samples skipped in all' in log
    stage1 = tmp_path / 's1' / 'epoch_2.pth'
    torchrun(
        'dist_train.sh',
        os.path.join(CONFIGS, 'gfnet_tiny-stage2.py'),
        '--work-dir',
        str(tmp_path / 's2'),
        '--cfg-options',
        *data,
        f'load_from={stage1}',
    )
    stage2 = tmp_path / 's2' / 'epoch_2.pth'
    before = torch.load(stage1, weights_only=True)['state_dict']
    after = torch.load(stage2, weights_only=True)['state_dict']
    assert any(not torch.equal(before[k], after[k]) for k in before if k.startswith('policy.'))
    assert all(torch.equal(before[k], after[k]) for k in before if k.startswith('focus_backbone.'))

    config = os.path.join(CONFIGS, 'gfnet_tiny-stage2.py')
    distributed = last_json(
        torchrun('dist_test.sh', config, str(stage2), '--work-dir', str(tmp_path / 't2'), '--cfg-options', *data).stdout
    )
    single = last_json(
        tool('test.py', config, str(stage2), '--work-dir', str(tmp_path / 't1'), '--cfg-options', *data).stdout
    )
    assert distributed == single


def test_two_processes_pass_over_a_batch_one_of_them_skipped_entirely(tmp_path):
    from gfvideo.data.prep.video_writer import write_video
    from tests.media import moving_frames

    root = tmp_path / 'data'
    (root / 'lists').mkdir(parents=True)
    for index in range(2):
        (root / f'bad{index}.mp4').write_bytes(b'')
        write_video(str(root / f'good{index}.mp4'), moving_frames(8, 32, 32, seed=index), fps=10)
    # DefaultSampler without shuffling gives rank 0 items 0 and 2 (both bad), rank 1 items 1 and 3
    (root / 'lists' / 'train.txt').write_text('bad0.mp4 0\ngood0.mp4 0\nbad1.mp4 1\ngood1.mp4 1\n')
    (root / 'lists' / 'classes.txt').write_text('a\nb\n')
    torchrun(
        'dist_train.sh',
        os.path.join(CONFIGS, 'tsm_tiny.py'),
        '--work-dir',
        str(tmp_path / 'work'),
        '--cfg-options',
        f'train_dataloader.dataset.data_root={root}',
        'train_dataloader.batch_size=1',
        'train_dataloader.sampler.shuffle=False',
        'model.num_classes=2',
        'train_cfg.max_epochs=1',
        'val_dataloader=None',
        'val_cfg=None',
        'val_evaluator=None',
        'param_scheduler=[]',
    )
    log = open(next((tmp_path / 'work').rglob('*.log'))).read()
    assert 'training finished: 4 bad samples skipped in all' in log
    assert os.path.exists(tmp_path / 'work' / 'epoch_1.pth')
