"""Print a config as the tools resolve it: its bases merged and the overrides applied.

Examples::

    gfvideo print-config --list                       # the shipped recipes, by name
    gfvideo print-config tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb
    gfvideo print-config configs/recognition/gfnet/gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py \\
        --data-root data/mine --cfg-options model.num_classes=5
"""

import argparse
import sys

from mmengine.config import DictAction

from gfvideo.config import load_config
from gfvideo.resources import find_config, shipped_configs


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', nargs='?', help='config file or shipped recipe name')
    parser.add_argument('--list', action='store_true', help='list the shipped recipes and where they are')
    parser.add_argument('--data-root', help='dataset folder for all dataloaders')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    args = parser.parse_args(argv)
    if not args.list and not args.config:
        parser.error('give a config (or --list)')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        for name, path in shipped_configs().items():
            print(f'{name}\n    {path}')
        return 0
    try:
        path = find_config(args.config)
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'# {path}')
    print(load_config(path, args.cfg_options, args.data_root).pretty_text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
