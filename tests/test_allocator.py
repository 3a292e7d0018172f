"""The allocator settings of a ``gfvideo`` process: freed activations are reused, not faulted in
again. Each case runs in its own interpreter, since the settings change the whole process."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.skipif(not sys.platform.startswith('linux'), reason='mallopt is glibc only')

# Eight 16 MiB tensors made and freed, as a training iteration's activations are, six times over;
# prints whether the settings took effect and the page faults of the last four rounds (two warm up).
ITERATIONS = """
import resource, torch
from gfvideo.allocator import keep_freed_memory
applied = keep_freed_memory()
def iteration():
    activations = [torch.ones(4 << 20) for _ in range(8)]
    del activations
iteration()
iteration()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(4):
    iteration()
print(applied, resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def page_faults(**environment: str) -> tuple[bool, int]:
    """Run the iterations with ``environment`` added; whether the settings applied, and the faults."""
    env = {name: value for name, value in os.environ.items() if not name.startswith(('MALLOC_', 'GLIBC_'))}
    result = subprocess.run(
        [sys.executable, '-c', ITERATIONS], env={**env, **environment}, capture_output=True, text=True, check=True
    )
    applied, faults = result.stdout.split()
    return applied == 'True', int(faults)


#: glibc's documented defaults, fixed (its dynamic threshold otherwise varies from run to run).
GLIBC_DEFAULTS = dict(MALLOC_MMAP_THRESHOLD_=str(128 << 10), MALLOC_TRIM_THRESHOLD_=str(128 << 10))


def test_freed_memory_is_reused_without_page_faults():
    applied, kept = page_faults()
    applied_over_users_settings, released = page_faults(**GLIBC_DEFAULTS)
    pages_per_iteration = 8 * (16 << 20) // 4096
    assert applied and not applied_over_users_settings  # the user's own glibc settings win
    assert released >= 4 * pages_per_iteration  # every iteration faults its activations in again
    assert kept <= pages_per_iteration / 2


def test_opting_out_leaves_the_allocator_alone():
    applied, _ = page_faults(GFVIDEO_KEEP_FREED_MEMORY='0')
    assert not applied


def test_the_command_line_applies_the_settings(monkeypatch):
    calls = []
    monkeypatch.setattr('gfvideo.cli.keep_freed_memory', lambda: calls.append(True))
    from gfvideo.cli import run_command

    assert run_command('print-config', ['--list']) == 0
    assert calls == [True]
