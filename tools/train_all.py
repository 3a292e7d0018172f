"""``gfvideo train-all`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.train_all`."""

import sys

from gfvideo.commands.train_all import main

if __name__ == '__main__':
    sys.exit(main())
