"""The demo: gfvideo on the built-in synthetic benchmark, from nothing to a report.

``gfvideo demo`` calls :func:`run_demo`, which runs the same ``gfvideo`` commands a user runs,
each in its own process, in resumable steps and writes ``report.md`` and ``results.json``.
"""

from .pipeline import run_demo
from .recipes import GFNET_CONFIG, TSM_CONFIG
from .steps import Steps

__all__ = ['run_demo', 'GFNET_CONFIG', 'TSM_CONFIG', 'Steps']
