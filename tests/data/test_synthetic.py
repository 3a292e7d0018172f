"""The synthetic benchmark: deterministic, evidence in one small moving actor, official layouts."""

import hashlib
import json
import os

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gfvideo.data import load_official, open_video, read_flip_pairs
from gfvideo.data.prep.synthetic import (
    DEFAULT_SPEC,
    DIRECTIONS,
    IDENTITIES,
    SyntheticSpec,
    class_attributes,
    class_names,
    flip_pairs,
    identity_pattern,
    make_synthetic_dataset,
    render_clip,
)
from gfvideo.data.prep.video_writer import write_video


def tree_digest(root):
    digest = hashlib.sha256()
    for folder, _, files in sorted(os.walk(root)):
        for name in sorted(files):
            digest.update(name.encode())
            digest.update(open(os.path.join(folder, name), 'rb').read())
    return digest.hexdigest()


@pytest.mark.parametrize('layout', ['sthv1', 'sthv2', 'kinetics'])
def test_same_seed_same_bytes_other_seed_other_data(tmp_path, layout):
    def make(name, seed):
        make_synthetic_dataset(layout, str(tmp_path / name), 4, 2, 1, seed, num_frames=6, size=48, workers=2)
        return tree_digest(tmp_path / name)

    assert make('a', 3) == make('b', 3)
    assert make('c', 4) != make('a', 3)


def test_class_attributes_name_each_class_in_label_order():
    attributes = class_attributes()
    assert set(attributes) == {'identity', 'direction'}
    assert [f'Moving {i} block {d}' for i, d in zip(attributes['identity'], attributes['direction'])] == class_names()
    assert len(set(attributes['identity'])) == len(set(attributes['direction'])) == 4


def test_actor_moves_in_the_direction_of_its_class():
    for label, name in enumerate(class_names()):
        clip = render_clip(label, 8, 96, np.random.default_rng(label))
        x0, y0 = clip.boxes[:, 0], clip.boxes[:, 1]
        direction = next(d for d in DIRECTIONS if name.endswith(d))
        moves = {
            'from left to right': (np.diff(x0) >= 0).all() and x0[-1] - x0[0] >= 40,
            'from right to left': (np.diff(x0) <= 0).all() and x0[0] - x0[-1] >= 40,
            'down': (np.diff(y0) >= 0).all() and y0[-1] - y0[0] >= 40,
            'up': (np.diff(y0) <= 0).all() and y0[0] - y0[-1] >= 40,
        }
        assert moves[direction], name
        assert (clip.boxes[:, 2] - clip.boxes[:, 0] == 12).all()  # an eighth of the frame, whole periods


@pytest.mark.parametrize('identity', IDENTITIES)
def test_identity_patterns_are_flat_over_any_period_window(identity):
    pattern = identity_pattern(identity, 24, cell=2).astype(float)
    window_means = [pattern[y : y + 4, x : x + 4].mean() for y in range(21) for x in range(21)]
    assert np.ptp(window_means) == 0  # whatever the alignment
    assert 0 < pattern.mean() < 1


@pytest.mark.parametrize('direction', DIRECTIONS)
def test_identity_is_visible_at_full_resolution_and_gone_at_the_glance_resolution(direction):
    """Clips that differ only in the actor's identity (same seed) differ strongly at 128 px and
    hardly at the glance's 32 px (antialiased resize, as GlanceFocusNet does it)."""

    def render(identity):
        label = class_names().index(f'Moving {identity} block {direction}')
        return render_clip(label, 4, 128, np.random.default_rng(5))

    def quarter(frames):
        frames = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
        return F.interpolate(frames, size=(32, 32), mode='bilinear', antialias=True, align_corners=False)

    reference = render('striped')
    assert DEFAULT_SPEC.actor_side(128) == 16 and (reference.boxes[:, 2] - reference.boxes[:, 0] == 16).all()
    for identity in ('banded', 'checkered'):  # patterns with the same share of each colour
        other = render(identity)
        assert (other.boxes == reference.boxes).all()
        for t, (x0, y0, x1, y1) in enumerate(reference.boxes):
            # glance pixels whose 8-px antialiasing support lies inside the actor
            cols = slice(-(-(x0 + 2) // 4), (x1 - 6) // 4 + 1)
            rows = slice(-(-(y0 + 2) // 4), (y1 - 6) // 4 + 1)
            full = np.abs(other.frames[t, y0:y1, x0:x1].astype(float) - reference.frames[t, y0:y1, x0:x1]).mean()
            small = (quarter(other.frames[t : t + 1]) - quarter(reference.frames[t : t + 1]))[0, :, rows, cols]
            assert small.numel() >= 3 and full > 30 and small.abs().max() < 1, (identity, t, full, small)


def test_the_pattern_survives_vp9_coding_in_luma(tmp_path):
    label = class_names().index('Moving checkered block up')
    clip = render_clip(label, 4, 128, np.random.default_rng(7))
    write_video(str(tmp_path / 'clip.webm'), clip.frames, fps=12)
    decoded = open_video(str(tmp_path / 'clip.webm')).get_frames([0, 1, 2, 3])
    x0, y0, x1, y1 = clip.boxes[2]
    weights = np.array([0.299, 0.587, 0.114])
    original = clip.frames[2, y0:y1, x0:x1].astype(float) @ weights
    coded = decoded[2, y0:y1, x0:x1].astype(float) @ weights
    assert np.corrcoef(original.ravel(), coded.ravel())[0, 1] > 0.9


def test_benchmark_settings_are_checked():
    with pytest.raises(ValueError, match='background'):
        SyntheticSpec(background='noise')
    with pytest.raises(ValueError, match='invalid benchmark settings'):
        SyntheticSpec(actor_fraction=1.5)
    assert SyntheticSpec(cell=3, actor_fraction=0.1).actor_side(128) == 12  # whole periods of 6 px
    assert SyntheticSpec(cell=1, actor_fraction=0.1).actor_side(32) == 4


def test_distractors_never_move():
    clip = render_clip(0, 6, 96, np.random.default_rng(0))
    outside = np.ones((96, 96), bool)
    for x0, y0, x1, y1 in clip.boxes:
        outside[y0:y1, x0:x1] = False
    assert (clip.frames[:, outside] == clip.frames[0, outside]).all()


@pytest.mark.parametrize(
    'layout,media', [('sthv1', 'frames/1/00001.jpg'), ('sthv2', 'videos/1.webm'), ('kinetics', 'videos/train')]
)
def test_official_layouts_parse_with_the_real_parsers(synthetic, layout, media):
    root = synthetic(layout)
    annotations = load_official(layout, os.path.join(root, 'annotations'))
    assert annotations.classes == class_names()
    assert {split: len(videos) for split, videos in annotations.splits.items()} == {'train': 20, 'val': 8, 'test': 3}
    assert all(video.label == -1 for video in annotations.splits['test'])
    assert os.path.exists(os.path.join(root, media))
    pairs = read_flip_pairs(os.path.join(root, 'annotations', 'flip_pairs.tsv'))
    assert pairs == flip_pairs() and len(pairs) == 4
    boxes = json.load(open(os.path.join(root, 'annotations', 'actor_boxes.json')))
    assert len(boxes) == 31 and all(len(clip) == 10 for clip in boxes.values())


def test_invalid_settings_are_refused(tmp_path):
    with pytest.raises(ValueError, match='unknown layout'):
        make_synthetic_dataset('ucf101', str(tmp_path), 1, 1)
    with pytest.raises(ValueError, match='even for H.264'):
        make_synthetic_dataset('kinetics', str(tmp_path), 1, 1, size=65)
