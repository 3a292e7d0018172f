"""Resolutions and modalities computed inside the models."""

import pytest
import torch
import torch.nn.functional as F

from gfvideo.models.modality import resize_frames


@pytest.mark.parametrize(
    ('shape', 'size'),
    [((6, 3, 128, 128), 32), ((2, 3, 90, 160), 48), ((2, 1, 20, 30), 64), ((3, 3, 37, 37), 37)],
    ids=['shrink-by-4', 'shrink-wide', 'enlarge', 'same-size'],
)
def test_resize_matches_antialiased_bilinear_interpolation(shape, size):
    frames = torch.randn(shape)
    expected = F.interpolate(frames, size=(size, size), mode='bilinear', align_corners=False, antialias=True)
    resized = resize_frames(frames, size)
    assert resized.shape == expected.shape and resized.is_contiguous()
    assert torch.allclose(resized, expected, atol=1e-5, rtol=0)


def test_resize_keeps_full_precision_under_autocast():
    frames = torch.randn(2, 3, 64, 64)
    with torch.autocast('cpu', dtype=torch.bfloat16):
        resized = resize_frames(frames, 16)
    assert resized.dtype == torch.float32
    assert torch.allclose(resized, resize_frames(frames, 16), atol=1e-6, rtol=0)
