"""Plot a training run's curves (loss, accuracy, learning rate, ...) from its scalars, as a PNG.

Reads ``<work dir>/<timestamp>/vis_data/scalars.json`` (every launch of a resumed run) or one
such file. Training scalars are plotted by iteration, validation scalars (``val/<key>``) by epoch.

Examples::

    gfvideo analyze-logs work_dirs/tsm                       # loss and val/top1
    gfvideo analyze-logs work_dirs/gfnet/stage1 --keys loss val/step1_top1 val/step1_hit --out curves.png
    gfvideo analyze-logs work_dirs/tsm --list                # the keys the run logged
"""

import argparse
import os
import sys

from gfvideo.engine.training_logs import read_series
from gfvideo.visualization import plot_curves


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('run', help='training work dir or a scalars.json file')
    parser.add_argument(
        '--keys', nargs='+', default=['loss', 'val/top1'], help='scalars to plot (default: loss val/top1)'
    )
    parser.add_argument('--out', help='PNG to write (default: <work dir>/curves.png)')
    parser.add_argument('--title', default='', help='title of the figure')
    parser.add_argument('--list', action='store_true', help='list the logged keys and stop')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        series = read_series(args.run)
    except (FileNotFoundError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.list:
        for key, entry in series.items():
            print(f'{key}  ({len(entry.values)} values by {entry.axis}, last {entry.values[-1]:.6g})')
        return 0
    missing = [key for key in args.keys if key not in series]
    if missing:
        print(f'error: {args.run}: no scalar {", ".join(missing)}; logged: {", ".join(series)}', file=sys.stderr)
        return 2
    out = args.out or os.path.join(args.run if os.path.isdir(args.run) else os.path.dirname(args.run), 'curves.png')
    curves = [(key, series[key].axis, series[key].steps, series[key].values) for key in args.keys]
    plot_curves(out, curves, args.title)
    for key in args.keys:
        values = series[key].values
        print(f'{key}: last {values[-1]:.6g}, min {min(values):.6g}, max {max(values):.6g} ({len(values)} values)')
    print(f'wrote {out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
