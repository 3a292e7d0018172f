"""Extract glance/focus features, patch boxes and per-step logits of videos, one ``.npz`` each.

Examples::

    gfvideo extract-features CONFIG CKPT --list data/lists/val.txt --media-root data --out feats
    gfvideo extract-features CONFIG CKPT --videos a.mp4 b.webm --out feats --steps 2 --resume
    torchrun --nproc_per_node 2 tools/extract_features.py CONFIG CKPT --list L --media-root R --out feats \\
        --launcher pytorch

Each ``<name>.npz`` holds ``glance`` (T, C), ``focus`` (K, T, C'), ``boxes`` (K, T, 4: original
video pixels), ``boxes_input`` (model-input pixels), ``logits`` (K+1, classes), ``exit_step`` and
``frame_inds``; ``manifest.jsonl`` gets one row per video and ``errors.jsonl`` one per video that
could not be read (the run goes on). Files are written atomically; ``--resume`` skips videos
whose ``.npz`` exists. A run holds ``OUT/.lock`` (naming it) while it runs; a second run on the
same ``--out`` is refused.

Output names, with ``--list`` and ``--videos`` alike: a video's base name without extension
(``41.webm`` -> ``41.npz``; a frame folder's name); videos that share a base name keep their
path relative to ``--media-root`` (with ``--videos``: to the videos' common folder), with '/'
as '__' (``a/41.webm``, ``b/41.webm`` -> ``a__41.npz``, ``b__41.npz``).
"""

import argparse
import sys

from mmengine.config import DictAction

from gfvideo.apis import extract_to_folder
from gfvideo.engine.launch import finish_distributed, init_distributed
from gfvideo.evaluation import BudgetError
from gfvideo.fileio import DiskFullError, OutputLockedError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--list', help='a video or frame list file (as for training)')
    source.add_argument('--videos', nargs='+', help='video files or frame folders')
    parser.add_argument('--media-root', default='', help='with --list: the folder list paths are relative to')
    parser.add_argument('--out', required=True)
    parser.add_argument('--steps', type=int, help='focus steps to compute (default: all)')
    parser.add_argument('--thresholds', help='thresholds.json: exit_step says where early exit would stop')
    parser.add_argument('--resume', action='store_true', help='skip videos whose .npz already exists')
    parser.add_argument('--workers', type=int, default=0, help='decoding processes')
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    parser.add_argument('--launcher', choices=['none', 'pytorch'], default='none')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    init_distributed(args.launcher)
    try:
        summary = extract_to_folder(
            args.config,
            args.checkpoint,
            args.out,
            videos=args.videos,
            list_file=args.list,
            media_root=args.media_root,
            cfg_options=args.cfg_options,
            thresholds=args.thresholds,
            steps=args.steps,
            resume=args.resume,
            workers=args.workers,
            device=args.device,
        )
    except OutputLockedError as error:
        print(f'error: {error}', file=sys.stderr)
        finish_distributed()
        return 2
    except BudgetError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    except DiskFullError as error:  # every later video would fail the same way
        print(f'error: {error.strerror}; rerun with --resume once there is space', file=sys.stderr)
        return 1
    if summary is not None:
        print(summary)
    finish_distributed()
    return 0


if __name__ == '__main__':
    sys.exit(main())
