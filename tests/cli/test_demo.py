"""The README's first command at --quick size, the benchmark's --quick mode, and reruns that reuse."""
import json
import os
import subprocess
import sys

import pytest

from tests.cli.train_helpers import ROOT, tool


@pytest.fixture(scope='module')
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp('demo')
    result = tool('demo.py', '--quick', '--out', str(out), timeout=900)
    return out, result


def test_demo_writes_results_and_report(demo):
    out, result = demo
    results = json.load(open(out / 'results.json'))
    assert results['split'] == 'val'
    for key in ('top1', 'gmacs_per_clip', 'cpu_ms_per_clip'):
        assert 0 <= results['baseline'][key] and 0 <= results['gfnet_best'][key]
    assert 0 <= results['baseline']['top1'] <= 1 and 0 <= results['gfnet_best']['top1'] <= 1
    matched = results['gfnet_matched']
    if matched is None:
        assert results['gmacs_ratio'] is None and results['gfnet_best']['top1'] < results['baseline']['top1']
    else:
        assert matched['top1'] >= results['baseline']['top1'] and len(matched['thresholds']) == 3
        assert results['gmacs_ratio'] == pytest.approx(matched['gmacs_per_clip'] / results['baseline']['gmacs_per_clip'])
    assert [p['focus_steps'] for p in results['policy_vs_random']] == [1, 2, 3]
    report = open(out / 'report.md').read()
    for needle in ('budget/budget_curve.png', '| focus steps | learned | random | centre |', 'glimpses/',
                   'exits per step', 'CPU ms per clip', '--quick run'):
        assert needle in report
    for link in [line.split('](')[1].split(')')[0] for line in report.splitlines() if '](' in line]:
        assert (out / link).exists(), link
    assert len(list((out / 'features').glob('*.npz'))) == 4
    assert 'gfnet_best' in result.stdout


def test_a_rerun_reuses_every_finished_step(demo):
    out, _ = demo
    before = json.load(open(out / 'results.json'))
    again = tool('demo.py', '--quick', '--out', str(out), timeout=300)
    assert again.stdout.count('done before') == 6 and 'train.py' not in again.stdout
    assert json.load(open(out / 'results.json')) == before


def test_benchmark_quick_rewrites_only_its_sections(tmp_path):
    output = tmp_path / 'BENCHMARKS.md'
    output.write_text('# Benchmarks\n\nkept\n\n<!-- section:early_exit -->\nSTALE FIGURES\n<!-- /section:early_exit -->\n')
    result = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'benchmark.py'), '--quick', '--sections',
                             'early_exit', '--output', str(output)], cwd=ROOT, capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text()
    assert 'kept' in text and 'STALE FIGURES' not in text and 'synthetic demo' in text
    assert '--sections early_exit --repeats 3 --quick' in text and 'time ratio / GMACs ratio | goal met' in text
