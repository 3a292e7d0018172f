"""The three GlanceFocusNet stages trained from the command line, and what each one changes."""

import json
import os

import pytest
import torch

from gfvideo.engine.stage_retry import last_validation
from gfvideo.engine.stages import read_stage_record
from gfvideo.fileio import output_lock
from tests.cli.train_helpers import CONFIGS, ROOT, data_options, load_tool, tool, train


def weights(path):
    return torch.load(path, weights_only=True)['state_dict']


def changed(before, after, prefix):
    keys = [k for k in before if k.startswith(prefix) and before[k].is_floating_point()]
    assert keys
    return any(not torch.equal(before[k], after[k]) for k in keys)


@pytest.fixture(scope='module')
def stages(synthetic, tmp_path_factory):
    root = synthetic('sthv2')
    work = tmp_path_factory.mktemp('stages')
    train(1, root, str(work / 's1'))
    train(2, root, str(work / 's2'), f'load_from={work}/s1/epoch_2.pth')
    train(3, root, str(work / 's3'), f'load_from={work}/s2/epoch_2.pth')
    return root, work


@pytest.mark.slow
def test_each_stage_trains_what_it_should(stages):
    _, work = stages
    s1, s2, s3 = (weights(work / name / 'epoch_2.pth') for name in ('s1', 's2', 's3'))
    assert changed(s1, s2, 'policy.') and not changed(s1, s2, 'focus_backbone.')
    assert not changed(s1, s2, 'aggregator.') and not changed(s1, s2, 'glance_backbone.')  # BN statistics too
    assert changed(s2, s3, 'focus_backbone.') and changed(s2, s3, 'aggregator.')
    assert not changed(s2, s3, 'policy.') and not changed(s2, s3, 'glance_backbone.')
    assert open(work / 's3' / 'last_checkpoint').read().strip().endswith('epoch_2.pth')


@pytest.mark.slow
def test_logs_report_rewards_steps_and_skips(stages):
    _, work = stages
    logs = {name: open(next((work / name).rglob('*.log'))).read() for name in ('s1', 's2')}
    assert 'step0_top1' in logs['s1'] and 'step2_gmacs' in logs['s1'] and 'bad samples skipped' in logs['s1']
    assert 'reward' in logs['s2'] and 'policy_std' in logs['s2'] and 'loss_policy' in logs['s2']


@pytest.mark.slow
def test_test_tool_reports_per_step_accuracy(stages):
    root, work = stages
    result = tool(
        'test.py',
        os.path.join(CONFIGS, 'gfnet_tiny-stage3.py'),
        str(work / 's3' / 'epoch_2.pth'),
        '--work-dir',
        str(work / 'test'),
        '--cfg-options',
        *data_options(root),
    )
    metrics = json.loads(result.stdout.strip().splitlines()[-1])
    assert {'top1', 'top5', 'mean_class_accuracy', 'step0_top1', 'step2_top1', 'step2_gmacs'} <= set(metrics)
    assert 0 <= metrics['top1'] <= 1 and metrics['step2_gmacs'] > metrics['step0_gmacs'] > 0


@pytest.mark.slow
def test_bad_configs_fail_at_start_with_a_clear_message(synthetic, tmp_path):
    root = synthetic('sthv2')
    missing = train(1, root, str(tmp_path / 'a'), 'train_dataloader.dataset.ann_file=lists/absent.txt', check=False)
    assert missing.returncode == 2 and 'train_dataloader.dataset.ann_file' in missing.stderr
    assert 'absent.txt does not exist' in missing.stderr
    classes = train(1, root, str(tmp_path / 'b'), 'model.num_classes=10', check=False)
    assert classes.returncode == 2 and 'model.num_classes is 10 but the class list' in classes.stderr
    bad_value = train(1, root, str(tmp_path / 'd'), 'model.ppo.reward=random', check=False)
    assert bad_value.returncode == 1 and 'Traceback' not in bad_value.stderr
    assert 'gfnet_tiny-stage1.py: model: ' in bad_value.stderr and "got 'random'" in bad_value.stderr
    unknown = train(1, root, str(tmp_path / 'e'), 'model.glance_sise=32', check=False)
    assert unknown.returncode == 1 and 'glance_sise' in unknown.stderr and 'Traceback' not in unknown.stderr
    other = torch.nn.Linear(2, 2)
    torch.save({'state_dict': {'backbone.fc.weight': other.weight}}, tmp_path / 'other.pth')
    wrong = train(2, root, str(tmp_path / 'c'), f'load_from={tmp_path}/other.pth', check=False)
    assert wrong.returncode != 0 and 'does not fit GlanceFocusNet' in wrong.stderr
    assert not os.path.exists(tmp_path / 'c' / 'epoch_1.pth')


@pytest.mark.slow
def test_train_all_runs_the_stages_once(synthetic, tmp_path):
    root = synthetic('sthv2')
    options = [
        '--data-root',
        root,
        '--cfg-options',
        'train_cfg.max_epochs=1',
        'param_scheduler.0.T_max=1',
        'optim_wrapper.paramwise_cfg.bias_lr_mult=1.0',
    ]
    first = tool('train_all.py', os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'), '--work-dir', str(tmp_path), *options)
    assert [f'stage {k}: training' in first.stdout for k in (1, 2, 3)] == [True] * 3
    assert f'all stages finished: {tmp_path}/stage3/epoch_1.pth' in first.stdout
    # each stage starts from the previous stage's final checkpoint, found through its last_checkpoint
    logs = {k: open(next((tmp_path / f'stage{k}').rglob('*.log'))).read() for k in (2, 3)}
    assert f'from {tmp_path}/stage1/epoch_1.pth' in logs[2] and f'from {tmp_path}/stage2/epoch_1.pth' in logs[3]
    # frozen parameters never reach the optimizer, so none is reported "skipped" one line each
    assert 'is skipped since' not in logs[2] + logs[3]
    second = tool('train_all.py', os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'), '--work-dir', str(tmp_path), *options)
    assert [f'stage {k}: already finished' in second.stdout for k in (1, 2, 3)] == [True] * 3


@pytest.mark.slow
def test_train_all_trains_a_stage_under_its_retry_threshold_again_with_the_next_seed(synthetic, tmp_path):
    recipe = tmp_path / 'recipe'
    recipe.mkdir()
    for stage in (1, 2, 3):
        base = os.path.join(CONFIGS, f'gfnet_tiny-stage{min(stage, 2)}.py')
        rule = "stage_retry = dict(metric='top1', below=1.01, max_retries=1)\n" if stage == 1 else ''
        (recipe / f'tiny_stage{stage}.py').write_text(f'_base_ = [{base!r}]\n{rule}')
    work = tmp_path / 'work'
    options = ['--data-root', synthetic('sthv2'), '--seed', '3', '--cfg-options', 'train_cfg.max_epochs=1']
    result = tool('train_all.py', str(recipe / 'tiny_stage1.py'), '--work-dir', str(work), *options)
    assert 'stage 1: validation top1 ' in result.stdout and 'training it again with seed 4' in result.stdout
    seeds = {run: open(next((work / run).rglob('*.log'))).read() for run in ('stage1', 'stage1-retry1')}
    assert 'seed: 3' in seeds['stage1'] and 'seed: 4' in seeds['stage1-retry1']
    chosen = result.stdout.split('going on from ')[1].split()[0]  # the better run by its real validation
    assert chosen in (f'{work}/stage1', f'{work}/stage1-retry1')
    assert f'from {chosen}/epoch_1.pth' in open(next((work / 'stage2').rglob('*.log'))).read()
    record = read_stage_record(str(work))  # the runs with their real scores, and the chosen one
    assert [(run['work_dir'], run['score']) for run in record[0]['runs']] == [
        (str(work / run), last_validation(str(work / run), 'top1')) for run in ('stage1', 'stage1-retry1')
    ]
    assert record[0]['chosen'] == chosen and [entry['chosen'] for entry in record[1:]] == [
        str(work / 'stage2'),
        str(work / 'stage3'),
    ]


@pytest.mark.slow
def test_amp_on_cpu_trains_in_bfloat16(synthetic, tmp_path):
    root = synthetic('sthv2')
    result = tool(
        'train.py',
        os.path.join(CONFIGS, 'gfnet_tiny-stage1.py'),
        '--work-dir',
        str(tmp_path),
        '--amp',
        '--cfg-options',
        *data_options(root),
        'train_cfg.max_epochs=1',
    )
    log = open(next(tmp_path.rglob('*.log'))).read()
    assert 'BFloat16OptimWrapper' in log and (tmp_path / 'epoch_1.pth').exists(), result.stdout[-2000:]


@pytest.mark.slow
def test_a_bad_list_line_ends_training_with_the_file_and_line_not_a_traceback(synthetic, tmp_path):
    root = synthetic('sthv2')
    lines = open(os.path.join(root, 'lists', 'train.txt'), encoding='utf-8').read().splitlines()
    lines[2] = lines[2].rsplit(' ', 1)[0] + ' \u0661'  # an Arabic-Indic digit one, which int() accepts
    bad_list = tmp_path / 'train.txt'
    bad_list.write_text('\n'.join(lines) + '\n', encoding='utf-8')
    result = train(1, root, str(tmp_path / 'work'), f'train_dataloader.dataset.ann_file={bad_list}', check=False)
    assert result.returncode == 1
    assert f'error: {bad_list}:3: expected' in result.stderr and 'Traceback' not in result.stderr


def test_deterministic_training_fixes_the_cublas_workspace(monkeypatch, tmp_path):
    monkeypatch.delenv('CUBLAS_WORKSPACE_CONFIG', raising=False)
    train_tool = load_tool('train')
    config = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')
    cfg = train_tool.build_config(train_tool.parse_args([config, '--deterministic', '--work-dir', str(tmp_path)]))
    assert cfg.randomness.deterministic and os.environ['CUBLAS_WORKSPACE_CONFIG'] == ':4096:8'


def test_a_second_run_into_a_work_dir_in_use_is_refused(synthetic, tmp_path, capsys):
    root, work = synthetic('sthv2'), tmp_path / 'work'
    config = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')
    with output_lock(work):  # the first run, still training
        status = load_tool('train').main([config, '--work-dir', str(work), '--cfg-options', *data_options(root)])
    assert status == 2 and f'{work}: in use by another run' in capsys.readouterr().err
    assert not any(name.endswith('.pth') for name in os.listdir(work))


@pytest.mark.slow
def test_tensorboard_is_one_config_line_away(synthetic, tmp_path):
    """The line that configs/_base_/default_runtime.py documents, in a config inheriting a recipe."""
    runtime = open(os.path.join(ROOT, 'configs', '_base_', 'default_runtime.py'), encoding='utf-8').read()
    line = next(line.lstrip('#').strip() for line in runtime.splitlines() if 'TensorboardVisBackend' in line)
    config = tmp_path / 'with_tensorboard.py'
    config.write_text(f"_base_ = ['{os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')}']\n{line}\n")
    root = synthetic('sthv2')
    tool(
        'train.py',
        str(config),
        '--work-dir',
        str(tmp_path / 'work'),
        '--cfg-options',
        *data_options(root),
        'train_cfg.max_epochs=1',
    )
    events = [name for _, _, names in os.walk(tmp_path / 'work') for name in names if 'tfevents' in name]
    assert events, 'no TensorBoard event file written'
