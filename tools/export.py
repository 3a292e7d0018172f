"""``gfvideo export`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.export`."""

import sys

from gfvideo.cli import run_command

if __name__ == '__main__':
    sys.exit(run_command('export'))
