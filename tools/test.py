"""``gfvideo test`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.test`."""

import sys

from gfvideo.commands.test import main

if __name__ == '__main__':
    sys.exit(main())
