"""Clip transforms: one random draw per clip, uint8 all the way, mapping back to video pixels."""

import numpy as np
import pytest
import torch

from gfvideo.data import CenterCrop, Flip, MultiScaleCrop, PackClip, Resize, ThreeCrop, build_pipeline
from gfvideo.data.transforms import FIXED_CROP_POSITIONS


def clip(num_frames=4, height=120, width=160, seed=0):
    imgs = np.random.default_rng(seed).integers(0, 256, size=(num_frames, height, width, 3), dtype=np.uint8)
    return dict(
        imgs=imgs,
        label=3,
        frame_inds=np.arange(num_frames),
        rng=np.random.default_rng(seed),
        img_to_video=[1.0, 1.0, 0.0, 0.0],
        num_clips=1,
    )


def video_point(results, x, y):
    sx, sy, tx, ty = results['img_to_video']
    return x * sx + tx, y * sy + ty


def test_resize_short_side_keeps_aspect_and_uint8():
    results = Resize(256)(clip(height=120, width=160))
    assert results['imgs'].shape == (4, 256, 341, 3) and results['imgs'].dtype == np.uint8
    portrait = Resize(64)(clip(height=160, width=120))
    assert portrait['imgs'].shape[1:3] == (85, 64)


def test_center_crop_and_its_mapping_to_video_pixels():
    source = clip()
    original = source['imgs'].copy()
    results = CenterCrop(100)(Resize(60)(dict(source)))  # 60x80 frames: the crop keeps 60x80
    assert results['imgs'].shape == (4, 60, 80, 3)
    results = CenterCrop(100)(clip())
    assert results['imgs'].shape == (4, 100, 100, 3)
    assert np.array_equal(results['imgs'], original[:, 10:110, 30:130])
    assert video_point(results, 0, 0) == (30, 10)


def test_multi_scale_crop_uses_one_draw_per_clip_and_tsm_positions():
    sizes, corners = set(), set()
    for seed in range(60):
        source = clip(height=128, width=128, seed=seed)
        results = MultiScaleCrop(112, scales=(1, 0.875, 0.75, 0.66))(source)
        assert results['imgs'].shape == (4, 112, 112, 3) and results['imgs'].dtype == np.uint8
        sx, sy, tx, ty = results['img_to_video']
        crop_w, crop_h = round(sx * 112), round(sy * 112)
        sizes.add((crop_w, crop_h))
        corners.add((tx, ty))
        step_x, step_y = (128 - crop_w) // 4, (128 - crop_h) // 4
        assert any((tx, ty) == (px * step_x, py * step_y) for px, py in FIXED_CROP_POSITIONS)
    sides = {128, 112, 96, 84}  # 128 * (1, .875, .75, .66), with 112 snapped to the input size
    assert {w for w, _ in sizes} <= sides and all(
        abs(sorted(sides).index(w) - sorted(sides).index(h)) <= 1 for w, h in sizes
    )
    assert len(sizes) > 4 and len(corners) > 4


def test_multi_scale_crop_is_the_same_for_every_frame():
    source = clip(num_frames=3)
    source['imgs'][:] = source['imgs'][0]  # identical frames stay identical after the crop
    results = MultiScaleCrop(64)(source)
    assert np.array_equal(results['imgs'][0], results['imgs'][1]) and np.array_equal(
        results['imgs'][0], results['imgs'][2]
    )


def test_three_crop_views_along_the_long_side():
    source = clip(height=100, width=160)
    original = source['imgs'].copy()
    results = ThreeCrop(100)(source)
    assert results['imgs'].shape == (12, 100, 100, 3) and results['num_clips'] == 3
    assert np.array_equal(results['imgs'][:4], original[:, :, :100])
    assert np.array_equal(results['imgs'][4:8], original[:, :, 30:130])
    assert np.array_equal(results['imgs'][8:], original[:, :, 60:])


def test_flip_swaps_flip_pair_labels_and_mirrors_every_frame():
    flip = Flip(flip_ratio=1.0, flip_label_map={3: 4, 4: 3})
    source = clip()
    original = source['imgs'].copy()
    results = flip(source)
    assert results['flipped'] and results['label'] == 4
    assert np.array_equal(results['imgs'], original[:, :, ::-1])
    assert video_point(results, 0, 5) == (160, 5) and video_point(results, 160, 5) == (0, 5)
    unchanged = Flip(flip_ratio=1.0)(clip())
    assert unchanged['label'] == 3  # without a map, labels are kept
    assert Flip(flip_ratio=0.0)(clip())['flipped'] is False
    flips = [Flip(0.5)(clip(seed=seed))['flipped'] for seed in range(40)]
    assert 5 < sum(flips) < 35


def test_random_transforms_need_the_sample_generator():
    results = clip()
    del results['rng']
    with pytest.raises(KeyError, match='rng'):
        MultiScaleCrop(64)(results)


def test_pack_clip_and_a_registered_pipeline():
    pipeline = build_pipeline(
        [dict(type='Resize', short_side=64), dict(type='CenterCrop', crop_size=56), dict(type='PackClip')]
    )
    packed = pipeline(clip())
    assert packed['inputs'].shape == (4, 3, 56, 56) and packed['inputs'].dtype == torch.uint8
    assert packed['label'].item() == 3 and packed['frame_inds'].tolist() == [0, 1, 2, 3]
    multi = clip()
    multi['label'] = (1, 3)
    assert PackClip(num_classes=5)(multi)['label'].tolist() == [0, 1, 0, 1, 0]
