"""``gfvideo evaluate-budget`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.evaluate_budget`."""

import sys

from gfvideo.cli import run_command

if __name__ == '__main__':
    sys.exit(run_command('evaluate-budget'))
