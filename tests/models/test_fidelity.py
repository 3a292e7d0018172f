"""gfvideo's TSM equals mmaction2's ResNetTSM / MobileNetV2TSM + TSMHead on the same weights.

``golden/mmaction2_tsm.pt`` holds mmaction2's outputs (made by ``golden/make_golden.py`` with the
real mmaction2 1.2.0); the weights are regenerated here from the stored seed, renamed to
mmaction2's parameter names, and loaded through ``load_weights`` like a downloaded checkpoint.
"""

import os

import pytest
import torch

from gfvideo.models import load_weights
from gfvideo.models.checkpoints import convert_mmaction2
from tests.models.golden.fidelity import CASES, NUM_SEGMENTS, SEED, gfvideo_model, make_input, random_state

GOLDEN = torch.load(os.path.join(os.path.dirname(__file__), 'golden', 'mmaction2_tsm.pt'), weights_only=True)


def mmaction2_checkpoint(name: str) -> dict:
    weights = random_state(gfvideo_model(name))
    mm_keys = GOLDEN[name]['mm_keys']
    gf_keys = list(convert_mmaction2({key: torch.empty(0) for key in mm_keys}))
    return {'meta': {'mmaction_version': '1.2.0'}, 'state_dict': {mm: weights[gf] for mm, gf in zip(mm_keys, gf_keys)}}


def test_golden_file_matches_this_setting():
    assert GOLDEN['seed'] == SEED and torch.equal(GOLDEN['input'], make_input())


@pytest.mark.parametrize('name', CASES)
def test_mmaction2_checkpoint_gives_mmaction2_outputs(name):
    model = gfvideo_model(name)
    report = load_weights(model, mmaction2_checkpoint(name))
    assert report.source == 'mmaction2' and report.ok and not report.dropped
    with torch.no_grad():
        features = model.backbone.forward_features(GOLDEN['input'])
        logits = model(GOLDEN['input'].unsqueeze(0))
    assert torch.allclose(features, GOLDEN[name]['features'], atol=1e-4, rtol=1e-4)
    assert torch.allclose(logits, GOLDEN[name]['logits'], atol=1e-4, rtol=1e-4)
    assert features.abs().mean() > 1e-2  # the comparison is not between vanishing activations


@pytest.mark.parametrize('name', CASES)
def test_bare_backbone_drops_the_head_and_matches(name):
    model = gfvideo_model(name)
    report = load_weights(model.backbone, mmaction2_checkpoint(name))
    assert report.ok and report.dropped == ['fc.bias', 'fc.weight']
    with torch.no_grad():
        assert torch.allclose(
            model.backbone.forward_features(GOLDEN['input']), GOLDEN[name]['features'], atol=1e-4, rtol=1e-4
        )


def test_shift_changes_the_output():
    """The check is sensitive to the shift: without it, outputs differ from mmaction2's."""
    from gfvideo.models import TSM
    from tests.models.golden.fidelity import NUM_CLASSES

    plain = TSM(dict(name='resnet50', num_segments=NUM_SEGMENTS, is_shift=False), NUM_CLASSES).eval()
    load_weights(plain, mmaction2_checkpoint('resnet50'))
    with torch.no_grad():
        features = plain.backbone.forward_features(GOLDEN['input'])
    assert not torch.allclose(features, GOLDEN['resnet50']['features'], atol=1e-3)
