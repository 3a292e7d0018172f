"""The demo: gfvideo on the built-in synthetic benchmark, from nothing to a report.

``python tools/demo.py`` calls :func:`run_demo`, which runs the same command-line tools a user
runs (their folder is an argument: the package never imports them) in resumable steps and writes
``report.md`` and ``results.json``.
"""

from .pipeline import run_demo
from .recipes import GFNET_CONFIG, STAGE3_CONFIG, TSM_CONFIG
from .steps import Steps

__all__ = ['run_demo', 'GFNET_CONFIG', 'STAGE3_CONFIG', 'TSM_CONFIG', 'Steps']
