"""``gfvideo benchmark`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.benchmark`."""

import sys

from gfvideo.commands.benchmark import main

if __name__ == '__main__':
    sys.exit(main())
