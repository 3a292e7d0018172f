"""``python -m gfvideo <command>``: the ``gfvideo`` command without its console script."""

import sys

from gfvideo.cli import main

sys.exit(main())
