"""Export a trained model to a folder that onnxruntime runs without PyTorch (``gfvideo.deploy``).

Examples::

    gfvideo export \\
        configs/recognition/gfnet/gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py \\
        work_dirs/stage3 --out export/gfnet --thresholds work_dirs/budget/thresholds.json
    gfvideo recognize export/gfnet video.mp4 --json

``CHECKPOINT`` is a checkpoint file or a training work dir (its final checkpoint). A
GlanceFocusNet becomes ``glance.onnx`` and ``focus.onnx`` (one focus step, run up to K times); a
TSM recognizer ``recognizer.onnx``; ``model.json`` holds the classes, sizes, normalisation,
decoding pipeline, cumulative GMACs per step and the thresholds. Only the batch axis is dynamic.
"""

import argparse
import sys

from mmengine.config import DictAction

from gfvideo.apis import load_config, load_model
from gfvideo.apis.export import ExportError, export_model
from gfvideo.engine.config_checks import ConfigError
from gfvideo.evaluation import BudgetError
from gfvideo.models import CheckpointError


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config')
    parser.add_argument('checkpoint', help='checkpoint file or training work dir')
    parser.add_argument('--out', required=True, help='the export folder (created)')
    parser.add_argument('--thresholds', help="thresholds.json of gfvideo evaluate-budget, stored as the export's")
    parser.add_argument(
        '--input-size',
        nargs=2,
        type=int,
        metavar=('H', 'W'),
        help="frame size of the graphs (default: the test pipeline's crop)",
    )
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        model = load_model(load_config(args.config, args.cfg_options), args.checkpoint)
        manifest = export_model(model, args.out, args.thresholds, args.input_size)
    except (BudgetError, CheckpointError, ConfigError, ExportError) as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    gmacs = ', '.join(f'{value:.4f}' for value in manifest.cumulative_gmacs)
    print(
        f'{args.out}: {manifest.kind}, {", ".join(manifest.graphs.values())} and model.json; '
        f'{manifest.num_segments} frames of {manifest.input_size[0]}x{manifest.input_size[1]}, '
        f'cumulative GMACs per step [{gmacs}]'
    )
    return 0


if __name__ == '__main__':
    sys.exit(main())
