"""The README's first command at --quick size, the benchmark's --quick mode, and reruns that reuse."""

import json
import os
import re
import subprocess
import sys

import pytest

from gfvideo.demo.pipeline import equal_compute_size
from gfvideo.demo.recipes import demo_model_configs
from tests.cli.train_helpers import ROOT, tool

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo')
    result = tool('demo.py', '--quick', '--out', str(out), timeout=900)
    return out, result


def test_demo_writes_results_and_report(demo):
    out, result = demo
    results = json.load(open(out / 'results.json'))
    assert results['split'] == 'val' and results['seed'] == 0 and 0 <= results['glance_top1'] <= 1
    assert results['benchmark'] == 'busy' and results['quick'] is True
    for key in ('top1', 'gmacs_per_clip', 'cpu_ms_per_clip'):
        assert 0 <= results['baseline'][key]
    assert 0 <= results['baseline']['top1'] <= 1 and 0 <= results['gfnet_best']['top1'] <= 1
    matched = results['gfnet_matched']
    if matched is None:
        assert results['gmacs_ratio'] is None and results['gfnet_best']['top1'] < results['baseline']['top1']
    else:
        assert matched['top1'] >= results['baseline']['top1'] - 0.005 and len(matched['thresholds']) == 3
        assert results['gmacs_ratio'] == pytest.approx(
            matched['gmacs_per_clip'] / results['baseline']['gmacs_per_clip']
        )
        assert results['time_ratio'] == pytest.approx(
            matched['cpu_ms_per_clip'] / results['baseline']['cpu_ms_per_clip']
        )
    timing = results['timing']
    assert timing['repeats'] == len(timing['baseline']['repeats_ms']) == len(timing['gfnet']['repeats_ms']) >= 2
    assert timing['baseline']['min_ms'] <= timing['baseline']['median_ms'] <= timing['baseline']['max_ms']
    rows = results['policy_vs_random']
    assert [row['focus_steps'] for row in rows] == [1, 2, 3]
    for row in rows:
        for name in ('learned', 'random', 'center', 'motion', 'compensated_motion', 'oracle'):
            assert 0 <= row[f'{name}_top1'] <= 1 and 0 <= row[f'{name}_hit'] <= 1
            for attribute in ('identity', 'direction'):  # a right class has both halves right
                assert row[f'{name}_top1'] <= row[f'{name}_{attribute}_top1'] <= 1
        assert row['oracle_hit'] == 1.0  # patches centred on the actor always hold its centre
        assert row['glance_direction_top1'] == rows[0]['glance_direction_top1']  # the same glance each row
    # --quick turns the retries off (the baseline's and the busy recipe's stage_retry): every
    # stage trained once, each going on
    assert results['baseline_runs'] is None
    assert [(entry['stage'], entry['stage_retry'], entry['chosen']) for entry in results['stage_runs']] == [
        (stage, None, f'stage{stage}') for stage in (1, 2, 3, 4)
    ]
    control = results['equal_compute_static']
    assert 8 <= control['input_size'] < 128 and 0 <= control['top1'] <= 1
    gfnet_gmacs = (matched or results['gfnet_best'])['gmacs_per_clip']
    # the size whose cost comes nearest GlanceFocusNet's point: within 15% on the full demo's
    # one-step points, but a TSM's cost jumps where its last map grows a cell, so no size comes
    # that near the --quick model's glance-only point (0.027 GMACs: 0.022 at 32 px, 0.044 at 33)
    size, gmacs = equal_compute_size(demo_model_configs()[1], gfnet_gmacs, 128)
    assert (control['input_size'], control['gmacs_per_clip']) == (size, gmacs)
    report = open(out / 'report.md').read()
    for needle in (
        'budget/budget_curve.png',
        '| focus steps | learned policy | uniform random | frame centre |',
        'glimpses/',
        'exits per step',
        'CPU ms per clip',
        '--quick run',
        'interleaved repeats',
        'gfvideo test gfnet_stage4_',  # the busy recipe's last stage
        'hit ',
        'busy scene',
        'equal-compute static control',
        'label-free heuristic closest to the learned policy',
        "the true block's identity / its direction",
    ):
        assert needle in report
    for link in [line.split('](')[1].split(')')[0] for line in report.splitlines() if '](' in line]:
        assert (out / link).exists(), link
    assert len(list((out / 'features').glob('*.npz'))) == 4
    # a short progress view: one line per step, the tools' output in log files
    assert 'training GlanceFocusNet stages 1-4' in result.stdout and 'Epoch(train)' not in result.stdout
    assert (out / 'logs' / 'train_gfnet.log').read_text().count('Epoch(train)') > 0
    assert 'GMACs ratio' in result.stdout and 'gfvideo visualize gfnet_stage4_' in result.stdout


def test_a_rerun_reuses_every_finished_step(demo):
    out, _ = demo
    before = json.load(open(out / 'results.json'))
    again = tool('demo.py', '--quick', '--out', str(out), timeout=300)
    assert again.stdout.count('reused') == 8 and 'Epoch(train)' not in again.stdout
    assert json.load(open(out / 'results.json')) == before
    assert 'these numbers mean nothing' in again.stdout


def test_benchmark_quick_rewrites_only_its_sections(tmp_path):
    output = tmp_path / 'BENCHMARKS.md'
    output.write_text(
        '# Benchmarks\n\nkept\n\n<!-- section:early_exit -->\nSTALE FIGURES\n<!-- /section:early_exit -->\n'
    )
    result = subprocess.run(
        [
            sys.executable,
            os.path.join(ROOT, 'tools', 'benchmark.py'),
            '--quick',
            '--sections',
            'early_exit',
            '--output',
            str(output),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text()
    assert 'kept' in text and 'STALE FIGURES' not in text and 'synthetic demo' in text
    assert '--sections early_exit --repeats 3 --quick' in text and 'time ratio / GMACs ratio | goal met' in text


def test_the_readme_commands_run_as_written_on_the_demo_outputs(demo, tmp_path):
    """The README's block of commands after the demo, verbatim, in a folder where
    ``work_dirs/demo`` is this demo's output."""
    out, _ = demo
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    block = next(b for b in re.findall(r'```bash\n(.*?)```', text, flags=re.S) if 'gfvideo evaluate-budget' in b)
    (tmp_path / 'work_dirs').mkdir()
    (tmp_path / 'work_dirs' / 'demo').symlink_to(out)  # nothing else of the checkout: recipes by name
    env = dict(
        os.environ, OMP_NUM_THREADS='1', PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get('PATH', '')
    )
    result = subprocess.run(
        ['bash', '-euo', 'pipefail', '-c', block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    val = open(out / 'data' / 'lists' / 'val.txt').read().splitlines()
    assert json.load(open(out / 'budget_0.05' / 'thresholds.json'))['budget_gmacs'] == 0.05
    assert len(open(out / 'clips.csv').read().splitlines()) == len(val) + 1
    assert len(list((out / 'features_val').glob('*.npz'))) == len(val)
    assert (out / 'my_glimpses' / '1_glimpses.png').exists() and (out / '1.png').exists()
    assert 'exit at step' in result.stdout and 'picture:' in result.stdout
