"""Recognise one video with a trained GlanceFocusNet: the top-5 classes, the exit step and its GMACs.

Examples::

    gfvideo recognize \\
        configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        CKPT video.webm
    gfvideo recognize CONFIG CKPT video.mp4 --thresholds work_dirs/budget/thresholds.json --out-picture look.png

``CKPT`` is a checkpoint file or a training work dir (its final checkpoint). ``--out-picture``
writes the sampled frames with each step's patch and prediction (PNG, and a GIF beside it).
"""

import argparse
import os
import sys

import torch
from mmengine.config import DictAction

from gfvideo.apis import eval_pipeline, load_config, load_model, prepare_clip, recognize_clip, save_clip_glimpses
from gfvideo.data import VideoReadError
from gfvideo.engine.config_checks import ConfigError
from gfvideo.evaluation import BudgetError
from gfvideo.models import CheckpointError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint file or training work dir')
    parser.add_argument('video', help='video file or frame folder')
    parser.add_argument('--thresholds', help='thresholds.json of gfvideo evaluate-budget (default: all steps)')
    parser.add_argument('--out-picture', help='PNG of where the model looked (a GIF is written beside it)')
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    try:
        model = load_model(load_config(args.config, args.cfg_options), args.checkpoint, device)
        clip = prepare_clip(eval_pipeline(model), args.video)
        result = recognize_clip(model, clip, args.thresholds)
        picture = (
            save_clip_glimpses(model, clip, os.path.splitext(args.out_picture)[0], args.thresholds)
            if args.out_picture
            else None
        )
    except (BudgetError, CheckpointError, ConfigError, VideoReadError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    print(f'{args.video}: exit at step {result.exit_step} of {model.max_focus_steps}, {result.gmacs:.4f} GMACs')
    for rank, (label, name, probability) in enumerate(result.top5, start=1):
        print(f'{rank}. {name if name is not None else f"class {label}"}  {probability:.4f}')
    if picture:
        print(f'picture: {picture[0]} {picture[1]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
