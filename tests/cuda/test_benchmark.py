"""The GPU benchmark's timer waits for the GPU, and its gpu section runs end to end on one."""

import pytest
import torch

from gfvideo.evaluation.timing import seconds
from tests.cli.train_helpers import load_tool

pytestmark = pytest.mark.cuda


def test_timer_waits_for_the_kernels_it_times():
    device = torch.device('cuda')
    matrix = torch.randn(4096, 4096, device=device)

    def work() -> None:
        for _ in range(20):
            matrix @ matrix

    work()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    torch.cuda.synchronize(device)
    start.record()
    work()
    end.record()
    torch.cuda.synchronize(device)
    on_device = start.elapsed_time(end) / 1000
    measured = seconds(work, device)
    assert on_device > 0.005  # the work is long enough to tell launches from execution
    assert measured >= 0.8 * on_device, f'timer {measured * 1e3:.2f} ms, the GPU ran {on_device * 1e3:.2f} ms'


def test_gpu_section_smoke_run(tmp_path):
    output = tmp_path / 'BENCHMARKS.md'
    output.write_text('# Benchmarks\n')
    assert load_tool('benchmark').main(['--device', 'cuda', '--smoke', '--repeats', '1', '--output', str(output)]) == 0
    text = output.read_text()
    assert '<!-- section:gpu -->' in text and torch.cuda.get_device_name() in text
    for title in ('### Models', 'time per step against GMACs per step', '### Early exit', '### Training throughput'):
        assert title in text
