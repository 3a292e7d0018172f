"""The allocator section: both settings measured in their own processes, side by side."""

from __future__ import annotations

import sys

import pytest

from gfvideo.benchmark import allocator
from gfvideo.benchmark.allocator import allocator_section, measure_process


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='mallopt is glibc only')
def test_each_process_measures_its_own_setting():
    kept, default = measure_process('tsm', True, repeats=2), measure_process('tsm', False, repeats=2)
    assert kept['applied'] and not default['applied']
    assert kept['seconds'] > 0 and default['seconds'] > 0
    # the baseline's activations are faulted in again each step with glibc's defaults only
    assert kept['faults_per_step'] < default['faults_per_step'] / 2


def test_the_table_compares_the_medians_of_alternating_processes(tmp_path, monkeypatch):
    calls = []

    def fake_process(model: str, keep: bool, repeats: int) -> dict:
        calls.append((model, keep))
        return dict(applied=keep, seconds=0.2 if keep else 0.3, faults_per_step=1000 if keep else 9000)

    monkeypatch.setattr(allocator, 'measure_process', fake_process)
    table = allocator_section(str(tmp_path), repeats=3, quick=True)
    assert calls == [('tsm', False), ('tsm', True), ('gfnet', False), ('gfnet', True)] * 2
    assert '| TSM baseline (demo) | 0.300 | 0.200 | **1.50x** | 9,000 / 1,000 |' in table


def test_the_section_says_when_the_settings_do_not_apply(tmp_path, monkeypatch):
    result = dict(applied=False, seconds=0.3, faults_per_step=9000)
    monkeypatch.setattr(allocator, 'measure_process', lambda model, keep, repeats: result)
    assert 'did not apply' in allocator_section(str(tmp_path), repeats=3, quick=True)
