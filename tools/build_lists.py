"""``gfvideo build-lists`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.build_lists`."""

import sys

from gfvideo.commands.build_lists import main

if __name__ == '__main__':
    sys.exit(main())
