"""Regenerate ``mmaction2_tsm.pt``: outputs of the real mmaction2 TSM models on fixed weights.

Run in a scratch environment (mmaction2 is not a gfvideo dependency)::

    python -m venv /tmp/mm && /tmp/mm/bin/pip install torch==2.13.0 mmaction2==1.2.0 mmcv-lite==2.1.0 \
        importlib_metadata mmengine && /tmp/mm/bin/pip install -e . --no-deps
    /tmp/mm/bin/python tests/models/golden/make_golden.py

The weights are regenerated from ``SEED`` by ``tests/models/test_fidelity.py`` (see
``random_state``), so the file stores only the seed, the input, mmaction2's parameter names and
its outputs.
"""

import os
import sys
import types
import warnings

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fidelity import CASES, NUM_CLASSES, NUM_SEGMENTS, SEED, gfvideo_model, make_input, random_state  # noqa: E402

from gfvideo.models.checkpoints import convert_mmaction2  # noqa: E402


def import_mmaction():
    """mmaction2 1.2.0's wheel lacks ``localizers.drn``; a stub lets ``mmaction.models`` import."""
    warnings.filterwarnings('ignore')
    package = types.ModuleType('mmaction.models.localizers.drn')
    module = types.ModuleType('mmaction.models.localizers.drn.drn')
    module.DRN = type('DRN', (), {})
    package.drn = module
    sys.modules.update({'mmaction.models.localizers.drn': package, 'mmaction.models.localizers.drn.drn': module})
    from mmaction.models.backbones import MobileNetV2TSM, ResNetTSM
    from mmaction.models.heads import TSMHead

    return ResNetTSM, MobileNetV2TSM, TSMHead


def main() -> None:
    resnet_tsm, mobilenet_tsm, tsm_head = import_mmaction()
    golden = {'seed': SEED, 'input': make_input()}
    for name in CASES:
        backbone = (
            resnet_tsm(depth=50, pretrained=None, num_segments=NUM_SEGMENTS)
            if name == 'resnet50'
            else mobilenet_tsm(num_segments=NUM_SEGMENTS, pretrained=None)
        )
        head = tsm_head(num_classes=NUM_CLASSES, in_channels=backbone_channels(name), num_segments=NUM_SEGMENTS)
        mm_keys = [f'backbone.{k}' for k in backbone.state_dict()] + [f'cls_head.{k}' for k in head.state_dict()]
        weights = random_state(gfvideo_model(name))
        converted = convert_mmaction2({key: torch.empty(0) for key in mm_keys})
        assert len(converted) == len(mm_keys) and set(converted) == set(weights), 'key conversion is not one-to-one'
        mm_state = {mm: weights[gf] for mm, gf in zip(mm_keys, converted) if not gf.endswith('num_batches_tracked')}
        missing, unexpected = backbone.load_state_dict(
            {k[9:]: v for k, v in mm_state.items() if k.startswith('backbone.')}, strict=False
        )
        assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
        head.load_state_dict({k[9:]: v for k, v in mm_state.items() if k.startswith('cls_head.')}, strict=True)
        backbone.eval()
        head.eval()
        with torch.no_grad():
            features = backbone(golden['input'])
            logits = head(features, num_segs=NUM_SEGMENTS)
        golden[name] = {'mm_keys': mm_keys, 'features': features, 'logits': logits}
        print(name, tuple(features.shape), tuple(logits.shape))
    torch.save(golden, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'mmaction2_tsm.pt'))


def backbone_channels(name: str) -> int:
    return 2048 if name == 'resnet50' else 1280


if __name__ == '__main__':
    main()
