"""tools/convert_checkpoint.py on a TSM-official checkpoint, then loading the result."""

import os
import subprocess
import sys

import pytest
import torch

from gfvideo.models import TSM, load_weights
from tests.models.checkpoint_layouts import X, randomized, to_tsm_official

pytestmark = pytest.mark.slow

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_convert_tsm_official_checkpoint(tmp_path):
    source = randomized(TSM(dict(name='resnet50', num_segments=4, width_mult=0.25), 3))
    torch.save(to_tsm_official(source), tmp_path / 'tsm.pth.tar')
    (tmp_path / 'classes.txt').write_text('left\nright\nup\n')
    result = subprocess.run(
        [
            sys.executable,
            'tools/convert_checkpoint.py',
            str(tmp_path / 'tsm.pth.tar'),
            str(tmp_path / 'gf.pth'),
            '--classes',
            str(tmp_path / 'classes.txt'),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert 'from a tsm checkpoint' in result.stdout and '3 classes' in result.stdout
    checkpoint = torch.load(tmp_path / 'gf.pth', weights_only=True)
    meta = checkpoint['meta']
    assert meta['model'] == {'type': 'TSM', 'backbone': {'name': 'resnet50', 'width_mult': 0.25}, 'num_classes': 3}
    assert meta['classes'] == ['left', 'right', 'up'] and len(meta['classes_hash']) == 16
    target = TSM(dict(num_segments=4, **meta['model']['backbone']), meta['model']['num_classes']).eval()
    assert load_weights(target, tmp_path / 'gf.pth').source == 'gfvideo'
    with torch.no_grad():
        assert torch.allclose(target(X.view(2, 4, 3, 32, 32)), source(X.view(2, 4, 3, 32, 32)), atol=1e-5)

    (tmp_path / 'two.txt').write_text('a\nb\n')
    wrong = subprocess.run(
        [
            sys.executable,
            'tools/convert_checkpoint.py',
            str(tmp_path / 'tsm.pth.tar'),
            str(tmp_path / 'bad.pth'),
            '--classes',
            str(tmp_path / 'two.txt'),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert wrong.returncode == 1 and 'the class list has 2 names but the head has 3 outputs' in wrong.stderr
    assert not os.path.exists(tmp_path / 'bad.pth')
