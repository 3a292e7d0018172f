"""The whole of gfvideo on the built-in synthetic benchmark, from nothing to a report.

    gfvideo demo [--benchmark busy|static] [--out work_dirs/demo] [--seed 0] [--quick]

1. writes the spatial-redundancy benchmark in the Something-Something V2 layout and builds its
   lists (``gfvideo make-synthetic``, ``gfvideo build-lists``), holding out a calibration slice
   of the training list; the ``busy`` scene (default) moves the camera and look-alike distractors,
   so motion does not say where the evidence is; the ``static`` scene keeps both still;
2. trains the full-frame TSM baseline (``gfvideo train``) and GlanceFocusNet's stages
   (``gfvideo train-all``; 1-3, and the busy recipe's second PPO round, stage 4) from scratch;
3. calibrates early-exit budgets and evaluates them with the real runtime
   (``gfvideo evaluate-budget``);
4. compares the learned policy with random, centre, motion-peak, camera-compensated motion-peak
   and oracle patches (top-1 and hit rate: how often a patch holds the moving object's centre),
   and trains the equal-compute static control (the baseline on frames downscaled to GFNet's
   GMACs);
5. times the baseline against GlanceFocusNet's early exit at the baseline's accuracy, side by
   side (medians of interleaved repeats);
6. extracts features of a few videos and draws where the model looked;
7. writes ``report.md`` and ``results.json`` in the output folder.

Every step runs the same ``gfvideo`` commands a user runs (:func:`gfvideo.demo.run_demo`), each in
its own process; their logs go to ``<out>/logs``. A finished step leaves a marker in
``<out>/steps`` and a rerun of the same benchmark, seed and ``--quick`` skips it when the recipes
it depends on are unchanged (another runs afresh, saying so: a new GlanceFocusNet recipe keeps the
data and the baseline). ``--seed`` seeds the data and all training. ``--quick`` uses a few clips
and one epoch per stage (for tests); its numbers mean nothing.
"""

import argparse
import os
import sys

from gfvideo.demo import run_demo
from gfvideo.demo.recipes import BENCHMARKS


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--benchmark', choices=BENCHMARKS, default='busy', help='the scene (default busy: motion misleads)'
    )
    parser.add_argument('--out', default=os.path.join('work_dirs', 'demo'))
    parser.add_argument('--seed', type=int, default=0, help='seed of the data and of all training (default 0)')
    parser.add_argument('--quick', action='store_true', help='a few clips and one epoch per stage (for tests)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    run_demo(args.out, seed=args.seed, quick=args.quick, benchmark=args.benchmark)
    return 0


if __name__ == '__main__':
    sys.exit(main())
