"""``gfvideo make-synthetic`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.make_synthetic`."""

import sys

from gfvideo.commands.make_synthetic import main

if __name__ == '__main__':
    sys.exit(main())
