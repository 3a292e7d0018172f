"""Recognise one video with a trained GlanceFocusNet: the top-5 classes, the exit step and its GMACs.

Examples::

    gfvideo recognize \\
        configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        CKPT video.webm
    gfvideo recognize CONFIG CKPT video.mp4 --thresholds work_dirs/budget/thresholds.json --out-picture look.png
    gfvideo recognize EXPORT_DIR video.mp4 --json

``CKPT`` is a checkpoint file or a training work dir (its final checkpoint). An export folder of
``gfvideo export`` takes the place of ``CONFIG CKPT``: it runs with onnxruntime and NumPy only
(PyTorch need not be installed). ``--json`` prints one JSON object: ``top5`` (``name``,
``score``), ``exit_step``, ``gmacs``, ``step_scores`` (each step's top-1 ``name`` and ``score``)
and ``boxes`` (per step, per frame, ``x0, y0, x1, y1`` in the video's pixels). ``--out-picture``
writes the sampled frames with each step's patch and prediction (PNG, and a GIF beside it).
"""

import argparse
import json
import os
import sys


class CfgOptions(argparse.Action):
    """mmengine's ``DictAction``, imported only when ``--cfg-options`` is given (an export needs no mmengine)."""

    def __call__(self, parser, namespace, values, option_string=None):
        from mmengine.config import DictAction

        DictAction(self.option_strings, self.dest, nargs=self.nargs)(parser, namespace, values, option_string)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        'inputs',
        nargs='+',
        metavar='CONFIG CHECKPOINT VIDEO | EXPORT_DIR VIDEO',
        help='a config, a checkpoint file or training work dir and a video (file or frame folder); or an '
        'export folder of gfvideo export and a video',
    )
    parser.add_argument('--thresholds', help='thresholds.json of gfvideo evaluate-budget (default: all steps)')
    parser.add_argument('--json', action='store_true', help='print one JSON object instead of text')
    parser.add_argument('--out-picture', help='PNG of where the model looked (a GIF is written beside it)')
    parser.add_argument('--device', default=None, help='cpu or cuda (default: cuda if available)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptions, help='override config keys, key=value')
    args = parser.parse_args(argv)
    if len(args.inputs) not in (2, 3):
        parser.error('give CONFIG CHECKPOINT VIDEO or EXPORT_DIR VIDEO')
    if len(args.inputs) == 2 and (args.out_picture or args.device or args.cfg_options):
        parser.error('--out-picture, --device and --cfg-options need CONFIG CHECKPOINT (an export runs on the CPU)')
    return args


def recognize_exported(folder: str, video: str, thresholds: str | None):
    """``(recognition, steps)`` with onnxruntime: imports neither torch nor mmengine."""
    from gfvideo.deploy import ExportedModel, recognize_video

    model = ExportedModel(folder)
    return recognize_video(model, video, thresholds), model.max_focus_steps, None


def recognize_eager(args: argparse.Namespace, config: str, checkpoint: str, video: str):
    """``(recognition, steps, picture)`` with PyTorch."""
    import torch

    from gfvideo.apis import eval_pipeline, load_config, load_model, prepare_clip, recognize_clip, save_clip_glimpses

    device = args.device or ('cuda' if torch.cuda.is_available() else 'cpu')
    model = load_model(load_config(config, args.cfg_options), checkpoint, device)
    clip = prepare_clip(eval_pipeline(model), video)
    result = recognize_clip(model, clip, args.thresholds)
    picture = (
        save_clip_glimpses(model, clip, os.path.splitext(args.out_picture)[0], args.thresholds)
        if args.out_picture
        else None
    )
    return result, model.max_focus_steps, picture


def main(argv=None) -> int:
    args = parse_args(argv)
    from gfvideo.data import VideoReadError
    from gfvideo.deploy import InputError, ManifestError
    from gfvideo.exit_rule import BudgetError

    errors: tuple[type[Exception], ...] = (BudgetError, VideoReadError, ManifestError, InputError)
    video = args.inputs[-1]
    try:
        if len(args.inputs) == 2:
            errors += (ImportError,)  # onnxruntime missing: the message names the extra
            result, steps, picture = recognize_exported(args.inputs[0], video, args.thresholds)
        else:
            from gfvideo.engine.config_checks import ConfigError
            from gfvideo.models import CheckpointError

            errors += (CheckpointError, ConfigError)
            result, steps, picture = recognize_eager(args, *args.inputs)
    except errors as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(result.to_json()))
        return 0
    print(f'{video}: exit at step {result.exit_step} of {steps}, {result.gmacs:.4f} GMACs')
    for rank, (label, name, probability) in enumerate(result.top5, start=1):
        print(f'{rank}. {name if name is not None else f"class {label}"}  {probability:.4f}')
    if picture:
        print(f'picture: {picture[0]} {picture[1]}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
