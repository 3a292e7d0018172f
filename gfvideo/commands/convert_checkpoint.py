"""Convert a torchvision, TSM-official or mmaction2 checkpoint to a clean gfvideo checkpoint.

The output holds the weights under gfvideo's names (``backbone.*`` with torchvision names
inside, ``fc.*`` for a classifier head) and ``meta``: the source layout, the inferred backbone,
the number of classes and, with ``--classes``, the class list and its hash. The input is read
with ``torch.load(weights_only=True)``; the output is written atomically.

Example::

    gfvideo convert-checkpoint TSM_something_RGB_resnet50_shift8_blockres_avg_segment8_e45.pth \\
        checkpoints/tsm_r50_sthv2.pth --classes data_lists/sthv2_classes.txt
"""

import argparse
import sys

from gfvideo.classes import read_class_list
from gfvideo.fileio import atomic_torch_save
from gfvideo.models.checkpoints import SOURCES, CheckpointError, convert_checkpoint


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('out', help='gfvideo checkpoint to write')
    parser.add_argument('--source', choices=SOURCES, default='auto', help='layout of SRC (default: detected)')
    parser.add_argument('--classes', help='class list file (one name per line) the head was trained on')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    classes = read_class_list(args.classes) if args.classes else None
    try:
        checkpoint = convert_checkpoint(args.src, args.source, classes)
    except CheckpointError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    atomic_torch_save(checkpoint, args.out)
    meta = checkpoint['meta']
    print(
        f'{args.out}: {len(checkpoint["state_dict"])} tensors from a {meta["converted_from"]} checkpoint; '
        f'model {meta["model"]}' + (f', {len(meta["classes"])} classes' if 'classes' in meta else '')
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
