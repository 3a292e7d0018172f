"""Train GlanceFocusNet stages 1 -> 2 -> 3, each resumable, skipping stages already finished.

The stage 2 and 3 configs are found next to the stage 1 config by name: ``stage1`` -> ``stage2``,
``stage3``, and where the names give epochs (``-50e_``), the stage's own (``-15e_``); each stage
starts from the previous stage's final checkpoint, found by rule: ``load_from`` is the previous
stage's work dir, whose ``last_checkpoint`` names it.

Example::

    python tools/train_all.py configs/gfnet/gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py \\
        --work-dir work_dirs/gfnet_synthetic
"""
import argparse
import os
import re
import subprocess
import sys

from mmengine.config import Config

TOOLS = os.path.dirname(os.path.abspath(__file__))
#: An epoch count in a config name (``..._8xb8-1x1x8-50e_sthv1-rgb.py``): each stage's name gives its own.
EPOCHS = re.compile(r'(?<=[-_])\d+e(?=[-_.])')


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='the stage 1 config (its name contains "stage1")')
    parser.add_argument('--work-dir', help='parent of the stage work dirs (default: work_dirs/<stage 1 config name>)')
    parser.add_argument('--cfg-options', nargs='+', default=[], help='passed to every stage')
    parser.add_argument('--data-root', help='dataset folder of every stage\'s dataloaders')
    parser.add_argument('--seed', type=int, default=None)
    return parser.parse_args(argv)


def stage_config(config: str, stage: int) -> str | None:
    """The stage's config next to the stage 1 config: the same name with ``stage1`` ->
    ``stage<stage>`` and any epoch count; None if there is none."""
    folder, name = os.path.split(config)
    name = name.replace('stage1', f'stage{stage}')
    if os.path.exists(os.path.join(folder, name)):
        return os.path.join(folder, name)
    pattern = EPOCHS.sub('{N}e', name)
    matches = sorted(other for other in os.listdir(folder or '.') if EPOCHS.sub('{N}e', other) == pattern)
    if len(matches) > 1:
        raise SystemExit(f'{config}: several stage {stage} configs next to it: {", ".join(matches)}')
    return os.path.join(folder, matches[0]) if matches else None


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
        config = stage_config(args.config, stage)
        if config is None:
            raise SystemExit(f'{args.config}: no stage {stage} config next to it (its name with "stage{stage}")')
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
