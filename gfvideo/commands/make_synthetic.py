"""Write the synthetic spatial-redundancy benchmark in an official dataset layout.

Example::

    gfvideo make-synthetic --layout sthv2 --scene busy --out data/synthetic_sthv2 --num-train 800 --num-val 200
"""

import argparse
import sys

from gfvideo.data.prep.synthetic import LAYOUTS, SCENES, make_synthetic_dataset
from gfvideo.progress import progress


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        '--layout',
        choices=LAYOUTS,
        required=True,
        help='sthv1: JPEG folders + CSVs; sthv2: VP9 WebM + JSONs; kinetics: H.264 MP4 + CSVs',
    )
    parser.add_argument(
        '--scene',
        choices=SCENES,
        default='busy',
        help='busy: a moving camera and moving look-alike distractors (default); static: both still',
    )
    parser.add_argument('--out', required=True, help='output folder (annotations/ and frames/ or videos/)')
    parser.add_argument('--num-train', type=int, required=True)
    parser.add_argument('--num-val', type=int, required=True)
    parser.add_argument('--num-test', type=int, default=0, help='unlabelled test clips (default 0)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--frames', type=int, default=16, help='frames per clip (default 16)')
    parser.add_argument('--size', type=int, default=128, help='frame side in pixels (default 128)')
    parser.add_argument('--workers', type=int, default=None, help='processes (default: all cores)')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    summary = make_synthetic_dataset(
        args.layout,
        args.out,
        args.num_train,
        args.num_val,
        args.num_test,
        args.seed,
        args.frames,
        args.size,
        args.workers,
        progress=lambda it, total: progress(it, total, 'clips', 'clips'),
        scene=args.scene,
    )
    counts = ', '.join(f'{split} {count}' for split, count in summary.counts.items() if count)
    print(
        f'synthetic {summary.layout} dataset ({args.scene} scene) in {summary.out}: {counts} clips of '
        f'{summary.num_frames} frames {summary.size}x{summary.size}, {summary.num_classes} classes; '
        f'{summary.bytes_written / 1e6:.1f} MB in {summary.seconds:.1f} s'
    )
    print(
        f'next: gfvideo build-lists {summary.layout} --annotations {summary.out}/annotations '
        f'--media-root {summary.out} --out {summary.out}/lists'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
