"""Count a config's compute per clip with torch.utils.flop_counter: GMACs and parameters.

For a TSM recognizer: the GMACs of one view and of the test protocol's views. For a
GlanceFocusNet: the cumulative GMACs after the glance and after each focus step (what early exit
spends when a clip leaves at that step), and the parts of a step. The frame size is the test
pipeline's crop unless ``--shape`` gives it.

Example::

    gfvideo get-flops gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb
"""

import argparse
import sys

from mmengine.config import DictAction

from gfvideo.config import load_config
from gfvideo.models import GlanceFocusNet, without_init_weights
from gfvideo.models.cost import glance_focus_costs, recognizer_macs
from gfvideo.registry import MODELS

#: Test transforms whose ``crop_size`` is the size of the frames the model sees: views per frame.
CROPS = {'CenterCrop': 1, 'ThreeCrop': 3, 'TenCrop': 10}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file or shipped recipe name')
    parser.add_argument('--shape', type=int, nargs=2, metavar=('H', 'W'), help='frame size (default: the test crop)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config keys, key=value')
    return parser.parse_args(argv)


def test_views_and_size(cfg) -> tuple[int, int | None]:
    """Views per clip of the test pipeline (clips x crops) and its crop size (None without a crop)."""
    pipeline = cfg.get('test_dataloader', {}).get('dataset', {}).get('pipeline') or []
    clips, crops, size = 1, 1, None
    for transform in pipeline:
        if transform.get('type') == 'SampleFrames':
            clips = int(transform.get('num_clips', 1))
        if transform.get('type') in CROPS:
            size = int(transform['crop_size'])
            crops = CROPS[transform['type']]
    return clips * crops, size


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        cfg = load_config(args.config, args.cfg_options)
    except FileNotFoundError as error:
        print(f'error: {error}', file=sys.stderr)
        return 2
    views, crop = test_views_and_size(cfg)
    if args.shape is None and crop is None:
        print(
            f'error: {args.config}: the test pipeline has no crop; give the frame size with --shape H W',
            file=sys.stderr,
        )
        return 2
    height, width = args.shape or (int(crop or 0), int(crop or 0))
    model = MODELS.build(without_init_weights(cfg.model)).eval()
    parameters = sum(p.numel() for p in model.parameters()) / 1e6
    print(f'{type(model).__name__}, {model.num_segments} frames of {height}x{width}, {parameters:.2f} M parameters')
    if isinstance(model, GlanceFocusNet):
        costs = glance_focus_costs(model, height, width)
        print(f'glance: {costs.glance / 1e9:.4f} GMACs (backbone {costs.glance_backbone / 1e9:.4f})')
        print(
            f'each focus step: focus backbone {costs.focus_backbone / 1e9:.4f}, policy {costs.policy / 1e9:.6f} GMACs'
        )
        for step, gmacs in enumerate(costs.cumulative_gmacs):
            print(f'exit after step {step}: {gmacs:.4f} GMACs per clip')
    else:
        gmacs = recognizer_macs(model, height, width) / 1e9
        print(f"{gmacs:.4f} GMACs per view; the test protocol's {views} views: {gmacs * views:.4f} GMACs per clip")
    return 0


if __name__ == '__main__':
    sys.exit(main())
