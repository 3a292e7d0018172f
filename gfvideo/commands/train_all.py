"""Train GlanceFocusNet stages 1 -> 2 -> 3, each resumable, skipping stages already finished.

The stage 2 and 3 configs are found next to the stage 1 config by name: ``stage1`` -> ``stage2``,
``stage3``, and where the names give epochs (``-50e_``), the stage's own (``-15e_``); each stage
starts from the previous stage's final checkpoint, found by rule: ``load_from`` is the previous
stage's work dir, whose ``last_checkpoint`` names it (:mod:`gfvideo.engine.stages`). A stage
config's ``stage_retry`` rule trains a stalled stage again in ``stage<k>-retry<n>`` with the next
training seeds; the next stage starts from its best run (:mod:`gfvideo.engine.stage_retry`).

Example::

    gfvideo train-all \\
        configs/recognition/gfnet/gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py \\
        --work-dir work_dirs/gfnet_synthetic
"""

import argparse
import functools
import subprocess
import sys

from gfvideo.engine.stages import StageError, StageFailedError, train_stages


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the stage 1 config (its name contains "stage1")')
    parser.add_argument('--work-dir', help='parent of the stage work dirs (default: work_dirs/<stage 1 config name>)')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='passed to every stage')
    parser.add_argument('--data-root', help="dataset folder of every stage's dataloaders")
    parser.add_argument('--seed', type=int, default=None, help='training seed of every stage')
    return parser.parse_args(argv)


def train_stage(args: argparse.Namespace, config: str, work_dir: str, options: list[str]) -> int:
    """One stage with ``gfvideo train`` in its own process, resuming its work dir."""
    command = [sys.executable, '-m', 'gfvideo', 'train', config, '--work-dir', work_dir, '--resume']
    command += ['--cfg-options', *options] if options else []
    command += ['--data-root', args.data_root] if args.data_root else []
    return subprocess.call(command)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        train_stages(
            args.config,
            functools.partial(train_stage, args),
            args.work_dir,
            # as a config option, so that a stage_retry's seed (a later option) overrides it
            args.cfg_options + ([f'randomness.seed={args.seed}'] if args.seed is not None else []),
            report=functools.partial(print, flush=True),
        )
    except StageFailedError as failure:
        return failure.status
    except StageError as error:
        raise SystemExit(str(error)) from None
    return 0


if __name__ == '__main__':
    sys.exit(main())
