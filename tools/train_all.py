"""Train GlanceFocusNet stages 1 -> 2 -> 3, each resumable, skipping stages already finished.

The stage 2 and 3 configs are found next to the stage 1 config by name (``stage1`` ->
``stage2``, ``stage3``); each stage starts from the previous stage's final checkpoint, found by
rule: ``load_from`` is the previous stage's work dir, whose ``last_checkpoint`` names it.

Example::

    python tools/train_all.py configs/gfnet_small_synthetic-stage1.py --work-dir work_dirs/gfnet_synthetic
"""
import argparse
import os
import subprocess
import sys

from mmengine.config import Config

TOOLS = os.path.dirname(os.path.abspath(__file__))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the stage 1 config (its name contains "stage1")')
    parser.add_argument('--work-dir', help='parent of the stage work dirs (default: work_dirs/<stage 1 config name>)')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='passed to every stage')
    parser.add_argument('--data-root', help='dataset folder of every stage\'s dataloaders')
    parser.add_argument('--seed', type=int, default=None)
    return parser.parse_args(argv)


def final_checkpoint(config: str, work_dir: str, cfg_options: list[str]) -> str | None:
    """The stage's last checkpoint if the stage has finished, else None."""
    pointer = os.path.join(work_dir, 'last_checkpoint')
    if not os.path.exists(pointer):
        return None
    cfg = Config.fromfile(config)
    if cfg_options:
        from mmengine.config import DictAction
        parser = argparse.ArgumentParser()
        parser.add_argument('--o', nargs='+', action=DictAction)
        cfg.merge_from_dict(parser.parse_args(['--o', *cfg_options]).o)
    path = open(pointer).read().strip()
    expected = os.path.join(work_dir, f'epoch_{cfg.train_cfg.max_epochs}.pth')
    return path if os.path.abspath(path) == os.path.abspath(expected) and os.path.exists(path) else None


def main(argv=None) -> int:
    args = parse_args(argv)
    if 'stage1' not in os.path.basename(args.config):
        raise SystemExit(f'{args.config}: expected a stage 1 config (with "stage1" in its name)')
    root = args.work_dir or os.path.join('work_dirs', os.path.splitext(os.path.basename(args.config))[0])
    previous, final = None, None
    for stage in (1, 2, 3):
        config = os.path.join(os.path.dirname(args.config), os.path.basename(args.config).replace('stage1',
                                                                                                   f'stage{stage}'))
        if not os.path.exists(config):
            raise SystemExit(f'{config}: stage {stage} config not found')
        work_dir = os.path.join(root, f'stage{stage}')
        options = list(args.cfg_options) + ([f'load_from={previous}'] if previous else [])
        done = final_checkpoint(config, work_dir, options)
        if done:
            print(f'stage {stage}: already finished ({done})')
            previous, final = work_dir, done
            continue
        print(f'stage {stage}: training {config} in {work_dir}', flush=True)
        command = [sys.executable, os.path.join(TOOLS, 'train.py'), config, '--work-dir', work_dir, '--resume']
        command += ['--cfg-options', *options] if options else []
        command += ['--seed', str(args.seed)] if args.seed is not None else []
        command += ['--data-root', args.data_root] if args.data_root else []
        status = subprocess.call(command)
        if status:
            return status
        previous, final = work_dir, final_checkpoint(config, work_dir, options)
        if final is None:
            raise SystemExit(f'stage {stage} ended without its final checkpoint in {work_dir}')
    print(f'all stages finished: {final}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
