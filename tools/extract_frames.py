"""``gfvideo extract-frames`` as a script (mmaction2's habit); the code and its ``--help`` are in
:mod:`gfvideo.commands.extract_frames`."""

import sys

from gfvideo.commands.extract_frames import main

if __name__ == '__main__':
    sys.exit(main())
