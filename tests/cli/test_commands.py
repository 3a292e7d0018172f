"""The ``gfvideo`` command: one subcommand per tool, shipped recipes by name, and the commands an
mmaction2 user looks for (print-config, get-flops, analyze-logs)."""

import ast
import json
import os
import re
import subprocess
import sys

import pytest

from gfvideo import cli
from gfvideo.commands import COMMANDS, module_name
from gfvideo.config import load_config
from gfvideo.models import without_init_weights
from gfvideo.models.cost import glance_focus_costs
from gfvideo.registry import MODELS
from gfvideo.resources import CONFIGS, DATA_LISTS, find_config, shipped_configs
from tests.cli.train_helpers import ROOT, load_tool

SYNTHETIC_STAGE3 = 'gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb'


def test_every_tool_script_runs_its_command_and_every_command_has_a_script():
    scripts = sorted(name[: -len('.py')] for name in os.listdir(os.path.join(ROOT, 'tools')) if name.endswith('.py'))
    assert scripts == sorted(module.replace('-', '_') for module in COMMANDS)
    for command in COMMANDS:
        text = open(os.path.join(ROOT, 'tools', f'{command.replace("-", "_")}.py'), encoding='utf-8').read()
        assert f"run_command('{command}')" in text
        assert callable(load_tool(command.replace('-', '_')).main)


def test_help_lists_every_command_with_its_summary(capsys):
    assert cli.main(['--help']) == 0
    listed = capsys.readouterr().out
    for command in COMMANDS:
        assert re.search(rf'^  {re.escape(command)}\s+\S', listed, re.M), command


def test_an_unknown_command_suggests_the_closest(capsys):
    assert cli.main(['extract_features']) == 2
    assert "did you mean 'extract-features'" in capsys.readouterr().err


@pytest.mark.parametrize('command', sorted(COMMANDS))
def test_help_examples_keep_their_line_breaks(command):
    """A backslash that ends a line of a docstring example must survive as a backslash (a bare
    one joins the lines in ``--help``)."""
    path = module_name(command).replace('.', os.sep) + '.py'
    source = open(os.path.join(ROOT, path), encoding='utf-8').read()
    docstring = ast.get_docstring(ast.parse(source), clean=False) or ''
    raw = source[source.index('"""') + 3 : source.index('"""', source.index('"""') + 3)]
    assert docstring.count('\n') == raw.count('\n'), f'{path}: a line continuation swallowed a line break'


def test_gfvideo_runs_as_a_module_with_the_commands_prog_name():
    result = subprocess.run(
        [sys.executable, '-m', 'gfvideo', 'get-flops', '--help'], capture_output=True, text=True, cwd=os.sep
    )
    assert result.returncode == 0 and result.stdout.startswith('usage: gfvideo get-flops')


def test_an_unwritable_output_ends_in_one_line_naming_it(tmp_path, capsys):
    blocker = tmp_path / 'file'
    blocker.write_text('')
    run = tmp_path / 'run' / '20260101_000000' / 'vis_data'
    run.mkdir(parents=True)
    (run / 'scalars.json').write_text('{"loss": 1.0, "iter": 1, "epoch": 1, "step": 1}\n')
    status = cli.main(['analyze-logs', str(tmp_path / 'run'), '--keys', 'loss', '--out', str(blocker / 'curves.png')])
    err = capsys.readouterr().err
    assert status == 1 and err.startswith('error: ') and str(blocker / 'curves.png') in err
    assert 'Traceback' not in err


def test_ctrl_c_ends_with_one_line_and_status_130(monkeypatch, capsys):
    def interrupted(argv=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(load_tool('print_config'), 'main', interrupted)
    assert cli.main(['print-config', 'x']) == 130
    err = capsys.readouterr().err
    assert 'interrupted' in err and 'Traceback' not in err


# ----------------------------------------------------------------------------- shipped recipes
def test_shipped_recipes_are_the_repositorys_configs_and_class_lists():
    assert os.path.realpath(CONFIGS) == os.path.realpath(os.path.join(ROOT, 'configs'))
    assert os.path.realpath(DATA_LISTS) == os.path.realpath(os.path.join(ROOT, 'data_lists'))
    names = shipped_configs()
    on_disk = [
        name[: -len('.py')]
        for folder in ('gfnet', 'tsm')
        for name in os.listdir(os.path.join(ROOT, 'configs', 'recognition', folder))
        if name.endswith('.py')
    ]
    assert sorted(names) == sorted(on_disk)


def test_a_recipe_is_found_by_name_by_repository_path_from_anywhere_and_else_refused(tmp_path, monkeypatch):
    by_name = find_config(SYNTHETIC_STAGE3)
    assert by_name == find_config(SYNTHETIC_STAGE3 + '.py') and os.path.isfile(by_name)
    monkeypatch.chdir(tmp_path)  # no configs/ here: the repository path names the shipped file
    assert find_config(f'configs/recognition/gfnet/{SYNTHETIC_STAGE3}.py') == by_name
    with pytest.raises(FileNotFoundError, match='gfnet_stage3_tsm-r18') as refused:
        find_config('gfnet_stage3_tsm-r18-wrong')
    assert 'print-config --list' in str(refused.value)


def test_print_config_resolves_bases_and_overrides(capsys):
    status = cli.main(['print-config', SYNTHETIC_STAGE3, '--cfg-options', 'train_cfg.max_epochs=3'])
    out = capsys.readouterr().out
    assert status == 0 and "type='GlanceFocusNet'" in out and 'max_epochs=3' in out
    assert cli.main(['print-config', '--list']) == 0
    assert SYNTHETIC_STAGE3 in capsys.readouterr().out


def test_get_flops_prints_the_flop_counters_gmacs_per_exit_step(capsys):
    assert cli.main(['get-flops', SYNTHETIC_STAGE3]) == 0
    out = capsys.readouterr().out
    model = MODELS.build(without_init_weights(load_config(SYNTHETIC_STAGE3).model)).eval()
    costs = glance_focus_costs(model, 128, 128)
    for step, gmacs in enumerate(costs.cumulative_gmacs):
        assert f'exit after step {step}: {gmacs:.4f} GMACs per clip' in out
    assert cli.main(['get-flops', SYNTHETIC_STAGE3, '--shape', '64', '64']) == 0
    assert 'of 64x64' in capsys.readouterr().out


def test_analyze_logs_plots_a_resumed_runs_curves_and_names_a_bad_line(tmp_path, capsys):
    run = tmp_path / 'work'
    rows = [
        [{'loss': 2.0, 'lr': 0.1, 'iter': 1, 'epoch': 1, 'step': 1}, {'top1': 0.25, 'step': 1}],
        [{'loss': 1.0, 'lr': 0.1, 'iter': 2, 'epoch': 2, 'step': 2}, {'top1': 0.5, 'step': 2}],
    ]
    for launch, lines in zip(('20260101_000000', '20260102_000000'), rows):
        (run / launch / 'vis_data').mkdir(parents=True)
        (run / launch / 'vis_data' / 'scalars.json').write_text(''.join(json.dumps(r) + '\n' for r in lines))
    assert cli.main(['analyze-logs', str(run)]) == 0
    out = capsys.readouterr().out
    assert 'loss: last 1, min 1, max 2 (2 values)' in out and 'val/top1: last 0.5' in out
    assert (run / 'curves.png').read_bytes().startswith(b'\x89PNG')
    assert cli.main(['analyze-logs', str(run), '--keys', 'val/top5']) == 2
    assert 'no scalar val/top5' in capsys.readouterr().err
    with open(run / '20260102_000000' / 'vis_data' / 'scalars.json', 'a') as file:
        file.write('{"loss": \n')
    assert cli.main(['analyze-logs', str(run)]) == 2
    assert 'scalars.json:3: not a JSON line' in capsys.readouterr().err


def test_slurm_train_builds_one_task_per_gpu_running_train_with_the_slurm_launcher(tmp_path):
    fake = tmp_path / 'bin'
    fake.mkdir()
    (fake / 'srun').write_text('#!/usr/bin/env bash\nprintf "%s\\n" "$@"\n')
    (fake / 'srun').chmod(0o755)
    env = dict(os.environ, PATH=f'{fake}:{os.environ["PATH"]}', GPUS='16', SRUN_ARGS='--time=1:00:00')
    result = subprocess.run(
        ['bash', os.path.join(ROOT, 'tools', 'slurm_train.sh'), 'gpu', 'job', 'C.py', 'work', '--seed', '1'],
        capture_output=True,
        text=True,
        env=env,
    )
    args = result.stdout.split('\n')
    assert result.returncode == 0, result.stderr
    assert ['-p', 'gpu', '--job-name=job', '--gres=gpu:8', '--ntasks=16', '--ntasks-per-node=8'] == args[:6]
    assert '--time=1:00:00' in args
    tail = args[args.index(os.path.join(ROOT, 'tools', 'train.py')) :]
    assert tail[:7] == [
        os.path.join(ROOT, 'tools', 'train.py'),
        'C.py',
        '--work-dir',
        'work',
        '--launcher',
        'slurm',
        '--seed',
    ]
    missing = subprocess.run(['bash', os.path.join(ROOT, 'tools', 'slurm_train.sh'), 'gpu'], capture_output=True)
    assert missing.returncode == 2 and b'usage' in missing.stderr


@pytest.mark.parametrize(
    'command, output',
    [
        ('recognize', ['VIDEO', '--out-picture', 'OUT/look.png']),
        ('visualize', ['VIDEO', '--out', 'OUT']),
        ('extract-features', ['--videos', 'VIDEO', '--out', 'OUT']),
        ('evaluate-budget', ['--out', 'OUT', '--calib-size', '4', '--num-points', '2']),
        ('test', ['--work-dir', 'OUT']),
    ],
)
def test_an_output_folder_that_cannot_be_made_is_named_in_one_line(tiny_gfnet, tmp_path, capsys, command, output):
    config, root, checkpoint = tiny_gfnet
    blocker = tmp_path / 'a_file'
    blocker.write_text('')
    video = os.path.join(root, 'videos', '21.webm')
    args = [a.replace('VIDEO', video).replace('OUT', str(blocker / 'out')) for a in output]
    data = [
        f'{loader}.dataset.data_root={root}' for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader')
    ]
    status = cli.main([command, config, checkpoint, *args, '--cfg-options', *data])
    err = capsys.readouterr().err
    assert status != 0 and str(blocker) in err and 'Traceback' not in err, err
