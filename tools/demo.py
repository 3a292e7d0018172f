"""``gfvideo demo`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.demo`."""

import sys

from gfvideo.commands.demo import main

if __name__ == '__main__':
    sys.exit(main())
