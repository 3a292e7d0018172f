"""Build train/val(/test) list files and classes.txt from a dataset's official annotations.

Examples::

    gfvideo build-lists sthv1 --annotations data/sthv1/annotations \\
        --media-root data/sthv1/frames --out data/sthv1
    gfvideo build-lists sthv2 --annotations data/sthv2/annotations \\
        --media-root data/sthv2/videos --out data/sthv2 --probe
    gfvideo build-lists kinetics --annotations data/k400/annotations \\
        --media-root data/k400/videos --out data/k400
"""

import argparse
import os
import sys

from gfvideo.classes import AnnotationError
from gfvideo.data.annotations import OFFICIAL_DATASETS
from gfvideo.data.prep.list_builder import build_lists
from gfvideo.progress import progress


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset', choices=OFFICIAL_DATASETS)
    parser.add_argument('--annotations', required=True, help='folder with the official annotation files')
    parser.add_argument('--media-root', required=True, help='folder with the videos or frame folders')
    parser.add_argument('--out', required=True, help='where train.txt, val.txt, test.txt and classes.txt go')
    parser.add_argument(
        '--probe',
        action='store_true',
        help='open every video; report unreadable ones, and (still listed) those only PyAV reads or that are rotated',
    )
    parser.add_argument(
        '--class-order',
        choices=('sorted', 'csv'),
        default='sorted',
        help="sthv1 only: 'sorted' (TSM, default) or 'csv' (labels file order, mmaction2)",
    )
    parser.add_argument(
        '--classes',
        default='canonical',
        help="class list the labels index: a file (one name a line), 'canonical' (default: the "
        'list in data_lists/ that holds every annotated class, e.g. all 400 Kinetics '
        "classes for a subset) or 'annotations' (only the classes the annotations name)",
    )
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1, help='processes for checking media')
    parser.add_argument('--strict', action='store_true', help='exit with status 1 when media are missing or unreadable')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        report = build_lists(
            args.dataset,
            args.annotations,
            args.media_root,
            args.out,
            args.probe,
            args.class_order,
            args.workers,
            progress=lambda it, total: progress(it, total, 'check media', 'videos'),
            classes=args.classes,
        )
    except (AnnotationError, FileNotFoundError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    written = ', '.join(f'{split}.txt {count}' for split, count in report.counts.items())
    print(f'{args.out}: classes.txt ({report.num_classes} classes), {written}')
    if report.frame_templates:
        print(f'frame files: {", ".join(sorted(report.frame_templates))}')
    problems = [
        (len(report.missing), 'referenced by the annotations but missing', 'missing.txt'),
        (len(report.unreadable), 'unreadable', 'unreadable.txt'),
        (len(report.damaged), 'truncated or damaged', 'damaged.txt'),
    ]
    for count, what, name in problems:
        if count:
            print(f'WARNING: {count} videos {what}; not listed, see {os.path.join(args.out, name)}')
    if report.notes:
        print(
            f'NOTE: {len(report.notes)} videos read by PyAV only or rotated (listed, read exactly); '
            f'see {os.path.join(args.out, "probe_notes.txt")}'
        )
    if report.duplicates:
        print(f'WARNING: {len(report.duplicates)} media names found twice (first kept), e.g. {report.duplicates[0]}')
    failed = report.missing or report.unreadable or report.damaged
    return 1 if args.strict and failed else 0


if __name__ == '__main__':
    sys.exit(main())
