"""Training on a CUDA GPU: a stage-1, stage-2 (PPO) and stage-3 step under mixed precision as
``tools/train.py --amp`` sets it up, the tool itself through all three stages, and two processes
with NCCL through ``tools/dist_train.sh`` where there are two GPUs."""

import os

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from mmengine.registry import DefaultScope

from gfvideo.registry import MODELS
from tests.cli.train_helpers import CONFIGS, data_options, load_tool, torchrun, train

pytestmark = pytest.mark.cuda

#: what each stage must update (prefixes of parameter and buffer names); everything else stays bit for bit
TRAINED = {
    1: ('glance_backbone.', 'focus_backbone.', 'glance_proj.', 'focus_proj.', 'aggregator.'),
    2: ('policy.',),
    3: ('focus_backbone.', 'focus_proj.', 'aggregator.'),
}


def snapshot(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {name: value.detach().clone() for name, value in model.state_dict().items()}


@pytest.mark.parametrize('stage', [1, 2, 3])
@pytest.mark.parametrize('dtype', ['float16', 'bfloat16'])
def test_training_steps_under_amp(stage, dtype, tmp_path):
    tool = load_tool('train')
    cfg = tool.build_config(
        tool.parse_args([os.path.join(CONFIGS, f'gfnet_tiny-stage{stage}.py'), '--amp', '--work-dir', str(tmp_path)])
    )
    assert cfg.optim_wrapper.type == 'AmpOptimWrapper'  # what --amp chooses where there is a GPU
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).cuda()
    optim_cfg = cfg.optim_wrapper.to_dict()
    if dtype == 'bfloat16':
        optim_cfg['dtype'] = 'bfloat16'
    with DefaultScope.overwrite_default_scope('gfvideo'):  # as the Runner builds it
        optim_wrapper = build_optim_wrapper(model, optim_cfg)
    generator = torch.Generator().manual_seed(0)
    data = dict(
        inputs=torch.randint(0, 256, (4, model.num_segments, 3, 64, 64), dtype=torch.uint8, generator=generator),
        label=torch.randint(0, model.num_classes, (4,), generator=generator),
    )
    before = snapshot(model)
    model.train()
    for _ in range(6):  # float16's dynamic loss scale may skip the first steps (overflow at 2**16)
        log = model.train_step(data, optim_wrapper)
        assert all(torch.isfinite(value).all() for value in log.values()), log
        assert all(value.device.type == 'cuda' for value in log.values())
    after = model.state_dict()
    for name, value in after.items():
        assert value.device.type == 'cuda'
        assert value.dtype == before[name].dtype, f'{name} changed dtype to {value.dtype}'
        if not name.startswith(TRAINED[stage]):
            assert torch.equal(value, before[name]), f'stage {stage} changed {name}'
    for prefix in TRAINED[stage]:
        assert any(not torch.equal(value, before[name]) for name, value in after.items() if name.startswith(prefix)), (
            f'stage {stage} did not train {prefix}'
        )


def weights(path) -> dict[str, torch.Tensor]:
    return torch.load(path, map_location='cpu', weights_only=True)['state_dict']


def changed(a: dict, b: dict, prefix: str) -> bool:
    return any(not torch.equal(a[k], b[k]) for k in a if k.startswith(prefix))


@pytest.mark.slow
def test_train_tool_with_amp_runs_the_three_stages_on_the_gpu(synthetic, tmp_path):
    root = synthetic('sthv2')
    one_epoch = ('train_cfg.max_epochs=1',)
    train(1, root, str(tmp_path / 's1'), *one_epoch, '--amp')
    train(2, root, str(tmp_path / 's2'), *one_epoch, f'load_from={tmp_path}/s1/epoch_1.pth', '--amp')
    train(3, root, str(tmp_path / 's3'), *one_epoch, f'load_from={tmp_path}/s2/epoch_1.pth', '--amp')
    log = open(next((tmp_path / 's1').rglob('*.log'))).read()
    assert 'AmpOptimWrapper' in log and 'CUDA available: True' in log
    s1, s2, s3 = (weights(tmp_path / name / 'epoch_1.pth') for name in ('s1', 's2', 's3'))
    assert changed(s1, s2, 'policy.') and not changed(s1, s2, 'focus_backbone.') and not changed(s1, s2, 'aggregator.')
    assert changed(s2, s3, 'focus_backbone.') and not changed(s2, s3, 'policy.')


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.device_count() < 2, reason='needs two CUDA GPUs')
def test_two_processes_with_nccl(synthetic, tmp_path):
    root = synthetic('sthv2')
    data = data_options(root)
    torchrun(
        'dist_train.sh',
        os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'),
        '--work-dir',
        str(tmp_path / 's1'),
        '--cfg-options',
        *data,
        'train_cfg.max_epochs=1',
    )
    log = open(next((tmp_path / 's1').rglob('*.log'))).read()
    assert 'Distributed training: True' in log and 'GPU number: 2' in log
    torchrun(
        'dist_train.sh',
        os.path.join(CONFIGS, 'gfnet_tiny-stage2.py'),
        '--work-dir',
        str(tmp_path / 's2'),
        '--cfg-options',
        *data,
        'train_cfg.max_epochs=1',
        f'load_from={tmp_path}/s1/epoch_1.pth',
    )
    s1, s2 = weights(tmp_path / 's1' / 'epoch_1.pth'), weights(tmp_path / 's2' / 'epoch_1.pth')
    assert changed(s1, s2, 'policy.') and not changed(s1, s2, 'focus_backbone.')
