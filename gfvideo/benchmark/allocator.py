"""The ``allocator`` section: the demo's training steps with glibc's default allocator settings
against gfvideo's (freed memory kept, :mod:`gfvideo.allocator`), each setting in its own process,
since the settings hold for a whole process."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from ..allocator import GLIBC_VARIABLES, OPT_OUT_VARIABLE

#: One process's measurement: the demo's TSM baseline (``tsm``) or GlanceFocusNet stage 1
#: (``gfnet``) trained on one batch for ``repeats`` steps after a warm-up step; prints a JSON line
#: with whether the settings applied, the median step's seconds and the page faults per timed step.
STEPS = """
import json, resource, sys
import torch
from gfvideo.allocator import keep_freed_memory
from gfvideo.benchmark.training import train_step_seconds, training_pairs
from gfvideo.registry import MODELS

applied = keep_freed_memory()
name, repeats = sys.argv[1], int(sys.argv[2])
_, gfnet_cfg, tsm_cfg, batch, size = training_pairs(quick=True)[0]
gfnet = MODELS.build(gfnet_cfg)
model = gfnet if name == 'gfnet' else MODELS.build(tsm_cfg)
clips = torch.randn(batch, gfnet.num_segments, 3, size, size)
labels = torch.randint(0, gfnet.num_classes, (batch,))
train_step_seconds(model, clips, labels, repeats=1, warmup=0)  # the warm-up step
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
seconds = train_step_seconds(model, clips, labels, repeats, warmup=0)
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults
print(json.dumps(dict(applied=applied, seconds=seconds, faults_per_step=faults / repeats)))
"""
#: The models of the section, as the table names them.
MODEL_LABELS = {'tsm': 'TSM baseline (demo)', 'gfnet': 'GlanceFocusNet stage 1 (demo)'}


def measure_process(model: str, keep_freed_memory: bool, repeats: int) -> dict:
    """Run :data:`STEPS` for ``model`` (``tsm`` or ``gfnet``) in a fresh interpreter with the
    settings on or off; its result."""
    env = {name: value for name, value in os.environ.items() if name not in GLIBC_VARIABLES}
    env[OPT_OUT_VARIABLE] = '1' if keep_freed_memory else '0'
    output = subprocess.run(
        [sys.executable, '-c', STEPS, model, str(repeats)], env=env, capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.splitlines()[-1])


def allocator_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """Training step time of the demo's TSM baseline and GlanceFocusNet stage 1 (batch 16, 128-px
    frames) with glibc's default allocator settings and with freed memory kept (what the
    ``gfvideo`` command sets), in alternating fresh processes; page faults per step beside."""
    rounds = 2 if quick else 3
    runs: dict[tuple[str, bool], list[dict]] = {(name, keep): [] for name in MODEL_LABELS for keep in (False, True)}
    for _ in range(rounds):  # alternating processes, one model and setting each
        for name, keep in runs:
            runs[name, keep].append(measure_process(name, keep, repeats))
    if not all(run['applied'] for name in MODEL_LABELS for run in runs[name, True]):
        return 'The allocator settings did not apply on this machine (not glibc): nothing to compare.'
    lines = [
        '| model | glibc defaults, s/step | freed memory kept, s/step | speed-up | page faults/step, defaults / kept |',
        '|---|---|---|---|---|',
    ]
    for name, label in MODEL_LABELS.items():
        default, kept = (statistics.median(run['seconds'] for run in runs[name, keep]) for keep in (False, True))
        faults = ' / '.join(
            f'{statistics.median(run["faults_per_step"] for run in runs[name, keep]):,.0f}' for keep in (False, True)
        )
        lines.append(f'| {label} | {default:.3f} | {kept:.3f} | **{default / kept:.2f}x** | {faults} |')
    lines += [
        '',
        'One training step = forward, backward and SGD update on one batch (data loading excluded). '
        f'Each model and setting ran in {rounds} fresh processes, alternating; each process times {repeats} '
        'steps after a warm-up step, and the table shows the median over processes of each '
        "process's median step. The defaults are glibc's own (`GFVIDEO_KEEP_FREED_MEMORY=0`).",
    ]
    return '\n'.join(lines)
