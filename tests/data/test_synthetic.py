"""The synthetic benchmark: deterministic, evidence in one small moving actor, official layouts."""
import hashlib
import json
import os

import cv2
import numpy as np
import pytest

from gfvideo.data import load_official, read_flip_pairs
from gfvideo.data.synthetic import DIRECTIONS, class_names, flip_pairs, make_synthetic_dataset, render_clip


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


def test_actor_moves_in_the_direction_of_its_class():
    for label, name in enumerate(class_names()):
        clip = render_clip(label, 8, 96, np.random.default_rng(label))
        x0, y0 = clip.boxes[:, 0], clip.boxes[:, 1]
        direction = next(d for d in DIRECTIONS if name.endswith(d))
        moves = {'from left to right': (np.diff(x0) >= 0).all() and x0[-1] - x0[0] >= 40,
                 'from right to left': (np.diff(x0) <= 0).all() and x0[0] - x0[-1] >= 40,
                 'down': (np.diff(y0) >= 0).all() and y0[-1] - y0[0] >= 40,
                 'up': (np.diff(y0) <= 0).all() and y0[0] - y0[-1] >= 40}
        assert moves[direction], name
        assert (clip.boxes[:, 2] - clip.boxes[:, 0] == 9).all()  # a tenth of the frame


def test_identity_is_visible_at_full_resolution_and_gone_at_half():
    for label in range(len(class_names())):
        clip = render_clip(label, 4, 128, np.random.default_rng(100 + label))
        x0, y0, x1, y1 = clip.boxes[0]
        actor = clip.frames[0, y0:y1, x0:x1].astype(float)
        half = cv2.resize(clip.frames[0], (64, 64), interpolation=cv2.INTER_AREA).astype(float)
        actor_half = half[(y0 + 1) // 2:y1 // 2, (x0 + 1) // 2:x1 // 2]
        assert actor.std(axis=(0, 1)).sum() > 60  # a strong one-pixel pattern
        assert actor_half.std(axis=(0, 1)).sum() < 3  # flat: only its mean colour is left


def test_distractors_never_move():
    clip = render_clip(0, 6, 96, np.random.default_rng(0))
    outside = np.ones((96, 96), bool)
    for x0, y0, x1, y1 in clip.boxes:
        outside[y0:y1, x0:x1] = False
    assert (clip.frames[:, outside] == clip.frames[0, outside]).all()


@pytest.mark.parametrize('layout,media', [('sthv1', 'frames/1/00001.jpg'), ('sthv2', 'videos/1.webm'),
                                          ('kinetics', 'videos/train')])
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
