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

from gfvideo.apis import clip_features, load_config, load_model, prepare_clip, eval_pipeline
from gfvideo.data import VideoReadError
from gfvideo.evaluation import BudgetError, read_thresholds
from gfvideo.visualization import save_glimpses


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
            features = clip_features(model, clip, thresholds)
            name = os.path.splitext(os.path.basename(os.path.normpath(video)))[0]
            frames = clip.inputs[0].permute(0, 2, 3, 1).numpy()
            png, gif = save_glimpses(os.path.join(args.out, f'{name}_glimpses'), frames, features, model.classes)
            print(f'{video}: {png} {gif}')
    except (BudgetError, VideoReadError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
