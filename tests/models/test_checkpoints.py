"""load_weights: every supported layout round-trips, mismatches are readable, pickles are refused."""

import collections
import re

import numpy as np
import pytest
import torch

from gfvideo.models import TSM, CheckpointError, build_backbone, detect_source, load_weights
from tests.models.checkpoint_layouts import X, randomized, to_tsm_official


def tsm_model(name='resnet50', classes=5):
    return randomized(TSM(dict(name=name, num_segments=4, width_mult=0.25), classes))


def fresh(name='resnet50', classes=5):
    return TSM(dict(name=name, num_segments=4, width_mult=0.25), classes).eval()


def same_outputs(a, b):
    with torch.no_grad():
        return torch.allclose(a(X.view(2, 4, 3, 32, 32)), b(X.view(2, 4, 3, 32, 32)), atol=1e-5)


@pytest.mark.parametrize('name', ['resnet50', 'mobilenet_v2'])
def test_tsm_official_checkpoint(name, tmp_path):
    source = tsm_model(name)
    checkpoint = to_tsm_official(source)
    assert any('.net.' in k for k in checkpoint['state_dict'])
    torch.save(checkpoint, tmp_path / 'tsm.pth.tar')
    target = fresh(name)
    report = load_weights(target, tmp_path / 'tsm.pth.tar')
    assert report.source == 'tsm' and report.ok and same_outputs(source, target)


def test_torchvision_weights_drop_the_imagenet_head():
    source = randomized(build_backbone('resnet18', num_segments=4, width_mult=0.25))
    state = dict(source.state_dict(), **{'fc.weight': torch.zeros(1000, 128), 'fc.bias': torch.zeros(1000)})
    assert detect_source(state) == 'torchvision'
    target = build_backbone('resnet18', num_segments=4, width_mult=0.25).eval()
    report = load_weights(target, state)
    assert report.dropped == ['imagenet_fc.bias', 'imagenet_fc.weight'] and torch.equal(target(X), source(X))
    recognizer = fresh('resnet18')
    report = load_weights(recognizer, state, strict=False)
    assert report.missing == ['fc.bias', 'fc.weight'] and report.dropped == ['imagenet_fc.bias', 'imagenet_fc.weight']


def test_gfvideo_round_trip_and_head_handling(tmp_path):
    source = tsm_model()
    torch.save(
        {'state_dict': source.state_dict(), 'meta': {'gfvideo_version': '0.1.0', 'classes': list('abcde')}},
        tmp_path / 'model.pth',
    )
    target = fresh()
    report = load_weights(target, tmp_path / 'model.pth')
    assert report.source == 'gfvideo' and report.meta['classes'] == list('abcde') and same_outputs(source, target)
    backbone = build_backbone('resnet50', num_segments=4, width_mult=0.25).eval()
    report = load_weights(backbone, tmp_path / 'model.pth')
    assert report.dropped == ['fc.bias', 'fc.weight'] and torch.equal(backbone(X), source.backbone(X))


def test_mismatches_print_a_readable_diff():
    with pytest.raises(CheckpointError) as error:
        load_weights(fresh('resnet50'), tsm_model('resnet18').state_dict())
    message = str(error.value)
    assert 'missing from the file (165)' in message and 'backbone.layer1.0.bn3.bias' in message
    assert 'shape conflicts' in message and re.search(r'layer1\.0\.conv1\.weight: file \(\d+, \d+, 3, 3\)', message)
    with pytest.raises(CheckpointError, match=r'unexpected in the file \(\d+\):\n    backbone\.features\.0\.0\.weight'):
        load_weights(fresh('resnet50'), tsm_model('mobilenet_v2').state_dict())
    with pytest.raises(CheckpointError, match=r'fc\.weight: file \(7, 512\) vs model \(5, 512\)'):
        load_weights(fresh(classes=5), tsm_model(classes=7).state_dict())


def test_files_that_need_pickled_code_are_refused(tmp_path):
    torch.save({'state_dict': collections.Counter(a=1), 'model': Unsafe()}, tmp_path / 'unsafe.pth')
    expected = r'unsafe\.pth: holds Python objects \(.*\).*weights_only=True only'
    with pytest.raises(CheckpointError, match=expected) as info:
        load_weights(fresh(), tmp_path / 'unsafe.pth')
    assert 'weights_only=False' not in str(info.value)
    with pytest.raises(CheckpointError, match='no such checkpoint'):
        load_weights(fresh(), tmp_path / 'absent.pth')


def _bad_checkpoint(tmp_path, kind: str) -> tuple[str, str]:
    """A checkpoint file broken in one way, and the error expected for it."""
    path = tmp_path / f'{kind}.pth'
    good = tmp_path / 'good.pth'
    torch.save({'state_dict': fresh().state_dict()}, good)
    data = good.read_bytes()
    if kind == 'truncated':
        path.write_bytes(data[: len(data) // 2])
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'random':
        path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'text':
        path.write_text('hello')
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'empty':
        path.write_bytes(b'')
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'plain_pickle':
        import pickle

        path.write_bytes(pickle.dumps({'a': 1}, protocol=4))
        return str(path), 'not a PyTorch checkpoint'
    if kind == 'damaged_zip':
        middle = len(data) // 2
        path.write_bytes(data[:middle] + bytes(64) + data[middle + 64 :])
        return str(path), r'a damaged PyTorch checkpoint \(the checksum of .* does not match'
    if kind == 'foreign_object':
        torch.save({'model': Unsafe()}, path)
        return str(path), r'holds Python objects \(.*Unsafe\)'
    if kind == 'nan_weights':
        state = fresh().state_dict()
        state['fc.weight'][0, 0] = float('nan')
        state['backbone.conv1.weight'][0, 0, 0, 0] = float('inf')
        torch.save({'state_dict': state}, path)
        return str(path), r'2 tensors hold NaN or infinity .*backbone\.conv1\.weight, fc\.weight'
    if kind == 'a_list':
        torch.save([torch.ones(2)], path)
        return str(path), 'expected a dict of tensors, got list'
    raise ValueError(kind)


BAD_CHECKPOINTS = [
    'truncated',
    'random',
    'text',
    'empty',
    'plain_pickle',
    'damaged_zip',
    'foreign_object',
    'nan_weights',
    'a_list',
]


@pytest.mark.parametrize('kind', BAD_CHECKPOINTS)
def test_bad_checkpoint_files_give_a_clear_error_naming_the_file(tmp_path, kind):
    path, expected = _bad_checkpoint(tmp_path, kind)
    with pytest.raises(CheckpointError) as info:
        load_weights(fresh(), path)
    message = str(info.value)
    assert message.startswith(path) and re.search(expected, message), message
    assert 'weights_only=False' not in message


class Unsafe:
    """Not an allowed global for weights_only loading."""
