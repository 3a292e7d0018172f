"""The benchmark's sections by name: each a title and a function ``(work_dir, repeats, quick)``
that measures it and returns its Markdown."""

from __future__ import annotations

from typing import Callable, NamedTuple

from .allocator import allocator_section
from .deploy import deploy_section
from .device import gpu_section
from .early_exit import early_exit_section
from .loader import loader_section
from .mmaction import mmaction_section
from .models import models_section
from .time_parts import time_parts_section
from .training import training_section


class Section(NamedTuple):
    """A section's title in BENCHMARKS.md and the function that measures it."""

    title: str
    measure: Callable[..., str]


SECTIONS = {
    'loader': Section('Data loading', loader_section),
    'mmaction': Section('Data loading against mmaction2', mmaction_section),
    'models': Section('Model speed and compute', models_section),
    'early_exit': Section('Early exit: wall time against GMACs', early_exit_section),
    'time_parts': Section('Early exit on the busy recipe: where the time goes', time_parts_section),
    'training': Section('Training throughput', training_section),
    'allocator': Section('Allocator settings: freed memory kept', allocator_section),
    'deploy': Section('Deployment: onnxruntime against eager PyTorch', deploy_section),
    'gpu': Section('On a GPU', gpu_section),
}
#: The CPU sections, which a plain run measures; ``gpu`` runs with ``--device cuda``.
ORDER = ('loader', 'mmaction', 'models', 'early_exit', 'time_parts', 'training', 'allocator', 'deploy')
