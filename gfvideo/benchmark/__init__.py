"""Speed measurements behind BENCHMARKS.md: one function per section, each returning its Markdown.

``python tools/benchmark.py`` runs the sections and writes them into BENCHMARKS.md; each one is
also a plain call::

    from gfvideo.benchmark import models_section
    print(models_section(work_dir='/tmp/benchmark', repeats=3))

Every section takes ``(work_dir, repeats, quick=False)``: a folder for its files (the re-encoded
clips), the interleaved repeats per measurement, and fewer settings. ``mmaction_section`` also
takes ``python`` (an interpreter that imports mmaction2) and ``gpu_section`` ``device`` and
``smoke``.
"""

from .allocator import allocator_section
from .device import gpu_section
from .early_exit import early_exit_section, exit_thresholds, smooth_clips
from .loader import loader_section
from .mmaction import mmaction_section
from .models import models_section
from .report import machine_description, replace_section, section_markdown
from .sections import ORDER, SECTIONS, Section
from .time_parts import time_parts_section
from .training import train_step_seconds, training_section

__all__ = [
    'allocator_section',
    'gpu_section',
    'early_exit_section',
    'exit_thresholds',
    'smooth_clips',
    'loader_section',
    'mmaction_section',
    'models_section',
    'machine_description',
    'replace_section',
    'section_markdown',
    'ORDER',
    'SECTIONS',
    'Section',
    'time_parts_section',
    'train_step_seconds',
    'training_section',
]
