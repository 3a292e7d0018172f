"""Draw where a GlanceFocusNet looked, as a PNG and an animated GIF.

The whole sampled frames with the model input's region, one row per step with that step's patch
(a dashed outline in the step's colour) and the top prediction after every step, up to the exit
step.

Example::

    gfvideo visualize \\
        configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        CKPT video.webm --out work_dirs/glimpses
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
    parser.add_argument('--thresholds', help='thresholds.json: draw the steps up to where early exit stops')
    parser.add_argument(
        '--true-labels', nargs='+', help='the true class (index or name) of each video, shown above its predictions'
    )
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def _class_index(label: str, classes) -> int:
    if label.isascii() and label.isdigit():
        return int(label)
    if classes and label in classes:
        return list(classes).index(label)
    raise ValueError(f'--true-labels: {label!r} is neither a class index nor a class name of this model')


def main(argv=None) -> int:
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = load_model(load_config(args.config, args.cfg_options), args.checkpoint, device)
    try:
        thresholds = (
            read_thresholds(args.thresholds, model.classes_hash, model.max_focus_steps) if args.thresholds else None
        )
        true_labels = [_class_index(label, model.classes) for label in args.true_labels or []]
        if true_labels and len(true_labels) != len(args.videos):
            raise ValueError(f'--true-labels gives {len(true_labels)} labels for {len(args.videos)} videos')
        for index, video in enumerate(args.videos):
            clip = prepare_clip(eval_pipeline(model), video)
            name = os.path.splitext(os.path.basename(os.path.normpath(video)))[0]
            png, gif = save_clip_glimpses(
                model,
                clip,
                os.path.join(args.out, f'{name}_glimpses'),
                thresholds,
                true_labels[index] if true_labels else None,
            )
            result = recognize_clip(model, clip, thresholds)
            print(
                f'{video}: {result.class_name or f"class {result.label}"} ({result.score:.4f}, step '
                f'{result.exit_step}) {png} {gif}'
            )
    except (BudgetError, VideoReadError, ValueError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
