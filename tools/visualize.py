"""Draw where a GlanceFocusNet looked: the sampled frames with each step's patch (one colour per
step) and the top prediction after every step, as a PNG strip and an animated GIF.

Example::

    python tools/visualize.py configs/gfnet_small_synthetic-stage3.py CKPT video.webm --out work_dirs/glimpses
"""
import argparse
import os
import sys

import torch
from mmengine.config import DictAction

from gfvideo.apis import eval_pipeline, load_config, load_model, prepare_clip, recognize_clip, save_clip_glimpses
from gfvideo.data import VideoReadError
from gfvideo.evaluation import BudgetError, read_thresholds


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint')
    parser.add_argument('videos', nargs='+', help='video files or frame folders')
    parser.add_argument('--out', required=True, help='output folder')
    parser.add_argument('--thresholds', help='thresholds.json: mark the step where early exit stops')
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = load_model(load_config(args.config, args.cfg_options), args.checkpoint, device)
    try:
        thresholds = read_thresholds(args.thresholds, model.classes_hash, model.max_focus_steps) \
            if args.thresholds else None
        for video in args.videos:
            clip = prepare_clip(eval_pipeline(model), video)
            name = os.path.splitext(os.path.basename(os.path.normpath(video)))[0]
            png, gif = save_clip_glimpses(model, clip, os.path.join(args.out, f'{name}_glimpses'), thresholds)
            result = recognize_clip(model, clip, thresholds)
            print(f'{video}: {result.class_name or f"class {result.label}"} ({result.score:.4f}, step '
                  f'{result.exit_step}) {png} {gif}')
    except (BudgetError, VideoReadError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
