"""The GPU check's CPU side: tools/gpu_check.sh's argument handling and plan, and the benchmark's
gpu section (its refusals, and its whole code path on tiny models on the CPU)."""

import os
import subprocess
import sys

import pytest
import torch

from tests.cli.train_helpers import ROOT, load_tool

SCRIPT = os.path.join(ROOT, 'tools', 'gpu_check.sh')


def gpu_check(*args: str, cwd: str = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(['bash', SCRIPT, *args], cwd=cwd, capture_output=True, text=True, timeout=120)


def test_gpu_check_script_parses():
    assert subprocess.run(['bash', '-n', SCRIPT], capture_output=True).returncode == 0


@pytest.mark.slow
def test_gpu_check_dry_run_plans_the_tests_and_the_benchmark(tmp_path):
    wheels, logs = tmp_path / 'wheels', tmp_path / 'logs'
    wheels.mkdir()
    result = gpu_check('--dry-run', str(wheels), str(logs))
    assert result.returncode == 0, result.stdout + result.stderr
    summary = (logs / 'summary.txt').read_text()
    assert 'pytest -m cuda' in summary and f'--junitxml {logs}/pytest_cuda.xml' in summary
    assert f'tools/benchmark.py --device cuda --repeats 5 --output {logs}/BENCHMARKS.md' in summary
    assert 'missing: nothing' in summary and 'nothing was installed or run' in summary
    assert not (logs / 'pytest_cuda.log').exists() and not (logs / 'BENCHMARKS.md').exists()
    out = tmp_path / 'from_out'
    result = subprocess.run(
        ['bash', SCRIPT, '--dry-run', str(wheels)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=dict(os.environ, OUT=str(out)),
    )
    assert result.returncode == 0 and (out / 'summary.txt').exists()  # LOG_DIR defaults to $OUT


@pytest.mark.slow
def test_gpu_check_refuses_bad_usage(tmp_path):
    assert gpu_check().returncode == 2
    result = gpu_check(str(tmp_path / 'absent'), str(tmp_path / 'logs'))
    assert result.returncode == 2 and 'does not exist' in result.stderr
    result = gpu_check('--dry-run', str(tmp_path), cwd=str(tmp_path))
    assert result.returncode == 2 and 'repository root' in result.stderr


def fake_python(tmp_path, pytest_status: int = 0) -> str:
    """A python that lacks scikit-video, sees a GPU, and stands in for pip, pytest and the benchmark
    (which checks that its --output starts as a copy of BENCHMARKS.md, then rewrites it with a
    gpu section); everything else goes to this python."""
    script = tmp_path / 'python'
    script.write_text(f"""#!/usr/bin/env bash
case "$*" in
    "-c import skvideo") exit 1 ;;
    *"torch.cuda.is_available() else 1"*) exit 0 ;;
    *"get_device_name(0)"*) echo "Fake GPU"; exit 0 ;;
    "-m pytest"*) echo "pytest $*"; exit {pytest_status} ;;
    "tools/benchmark.py"*) cmp -s BENCHMARKS.md "${{@: -1}}" || exit 3
        printf 'kept\\n<!-- section:gpu -->\\nmeasured\\n<!-- /section:gpu -->\\n' > "${{@: -1}}"; exit 0 ;;
    "-m pip install"*) echo "pip $*"; exit 0 ;;
esac
exec {sys.executable} "$@"
""")
    script.chmod(0o755)
    return str(script)


@pytest.mark.slow
def test_gpu_check_installs_what_is_missing_and_reports_each_step(tmp_path):
    wheels, logs = tmp_path / 'wheels', tmp_path / 'logs'
    wheels.mkdir()
    env = dict(os.environ, PYTHON=fake_python(tmp_path))
    result = subprocess.run(
        ['bash', SCRIPT, '--dry-run', str(wheels), str(logs)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    summary = (logs / 'summary.txt').read_text()
    assert result.returncode == 0 and 'missing: scikit-video' in summary
    assert f'pip install --no-index --find-links {wheels} scikit-video' in summary
    result = subprocess.run(
        ['bash', SCRIPT, str(wheels), str(logs)], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    summary = (logs / 'summary.txt').read_text()
    assert result.returncode == 0, summary
    for step in ('install', 'cuda tests', 'benchmark'):
        assert f'{step}: passed' in summary
    assert 'device: Fake GPU' in summary and 'every step passed' in summary
    assert (logs / 'gpu_section.md').read_text() == '<!-- section:gpu -->\nmeasured\n<!-- /section:gpu -->\n'
    assert 'pytest -m cuda' in (logs / 'pytest_cuda.log').read_text()


@pytest.mark.slow
def test_gpu_check_reports_a_failed_step_and_still_benchmarks(tmp_path):
    logs = tmp_path / 'logs'
    env = dict(os.environ, PYTHON=fake_python(tmp_path, pytest_status=1))
    result = subprocess.run(
        ['bash', SCRIPT, str(tmp_path), str(logs)], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    summary = (logs / 'summary.txt').read_text()
    assert result.returncode == 1 and 'cuda tests: FAILED with status 1' in summary
    assert 'benchmark: passed' in summary and 'a step failed' in summary


@pytest.mark.slow
@pytest.mark.skipif(torch.cuda.is_available(), reason='checks the refusal on a machine without a GPU')
def test_gpu_check_stops_when_pytorch_sees_no_gpu(tmp_path):
    result = gpu_check(str(tmp_path), str(tmp_path / 'logs'))
    assert result.returncode == 2 and 'sees no CUDA GPU' in (tmp_path / 'logs' / 'summary.txt').read_text()
    assert 'CUDA available: False' in (tmp_path / 'logs' / 'env.txt').read_text()


def test_benchmark_gpu_section_refuses_what_would_mislead():
    benchmark = load_tool('benchmark')
    for argv in (
        ['--device', 'cpu', '--sections', 'gpu'],  # CPU numbers into BENCHMARKS.md's gpu section
        ['--sections', 'gpu', '--smoke'],  # smoke numbers likewise
        ['--smoke', '--output', 'other.md'],  # --smoke is for the gpu section only
        ['--device', 'cuda', '--sections', 'loader'],
    ):  # the CPU sections never run on a GPU
        with pytest.raises(SystemExit):
            benchmark.parse_args(argv)
    assert benchmark.parse_args([]).sections == list(benchmark.ORDER)
    if not torch.cuda.is_available():
        with pytest.raises(SystemExit):
            benchmark.parse_args(['--device', 'cuda'])


def test_benchmark_gpu_section_code_path_on_the_cpu(tmp_path):
    output = tmp_path / 'BENCHMARKS.md'
    output.write_text('# Benchmarks\n\n<!-- section:models -->\nkept\n<!-- /section:models -->\n')
    benchmark = load_tool('benchmark')
    assert (
        benchmark.main(['--device', 'cpu', '--sections', 'gpu', '--smoke', '--repeats', '1', '--output', str(output)])
        == 0
    )
    text = output.read_text()
    assert '<!-- section:models -->\nkept\n<!-- /section:models -->' in text
    gpu = text[text.index('<!-- section:gpu -->') : text.index('<!-- /section:gpu -->')]
    assert 'Command: `python tools/benchmark.py --device cpu --repeats 1 --smoke`' in gpu
    assert 'a self-check of the code path, not a GPU measurement' in gpu
    for title in ('### Models', 'time per step against GMACs per step', '### Early exit', '### Training throughput'):
        assert title in gpu
    rows = [line for line in gpu.splitlines() if line.startswith('| ') and not line.startswith('| model')]
    assert sum(line.startswith('| smoke') for line in rows) == 4  # 2 models x fp32 and bf16
    assert sum(line.startswith(('| fp32 | ', '| bf16 | ')) for line in rows) == 2 * 4 + 2  # steps 0-3; training
    assert sum(line.startswith(('| 1 | ', '| 4 | ')) for line in rows) == 2  # early exit, batch 1 and 4
