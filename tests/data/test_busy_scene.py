"""The busy scene: the camera and look-alike distractors move, the actor is marked by a cue that
names no class, and motion, raw or camera-compensated, rarely finds it."""

import colorsys
from dataclasses import replace
from functools import partial
from types import SimpleNamespace

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from gfvideo.data.prep.busy_scene import BUSY_SPEC, DISTRACTOR_HUES, WARM_HUES
from gfvideo.data.prep.synthetic import (
    SyntheticClip,
    class_names,
    class_parts,
    make_synthetic_dataset,
    render_busy_clip,
    render_clip,
)
from gfvideo.evaluation import patch_hits
from gfvideo.models.locations import build_location_source
from gfvideo.models.patches import crop_patches

SIZE, FRAMES, GLANCE, PATCH = 128, 8, 32, 32


def clips(render, count: int, seed: int = 0):
    """``count`` clips of 16 frames, every other one kept (as the demo samples 8 of 16)."""
    rendered = [render(label % 16, 2 * FRAMES, SIZE, np.random.default_rng((seed, label))) for label in range(count)]
    return [SyntheticClip(clip.frames[::2], clip.boxes[::2], clip.label) for clip in rendered]


def hue(rgb: np.ndarray) -> float:
    return colorsys.rgb_to_hsv(*(np.asarray(rgb, dtype=np.float64) / 255))[0]


def glance(frames: np.ndarray) -> np.ndarray:
    """Frames ``(T, S, S, 3)`` at the glance's quarter resolution (area average)."""
    tensor = torch.from_numpy(frames).permute(0, 3, 1, 2).float()
    return F.avg_pool2d(tensor, SIZE // GLANCE).permute(0, 2, 3, 1).numpy()


def test_same_seed_same_clip_and_the_split_counts_hold(tmp_path):
    first, again = (render_busy_clip(5, FRAMES, SIZE, np.random.default_rng(3)) for _ in range(2))
    assert np.array_equal(first.frames, again.frames) and np.array_equal(first.boxes, again.boxes)
    other = render_busy_clip(5, FRAMES, SIZE, np.random.default_rng(4))
    assert not np.array_equal(first.frames, other.frames)
    summary = make_synthetic_dataset('sthv2', str(tmp_path), 4, 2, seed=1, num_frames=6, size=64, scene='busy')
    assert summary.counts == {'train': 4, 'val': 2, 'test': 0}
    with pytest.raises(ValueError, match="unknown scene 'windy'"):
        make_synthetic_dataset('sthv2', str(tmp_path / 'x'), 1, 1, scene='windy')


def test_the_cue_is_readable_at_the_glance_size_and_the_identity_is_not():
    alone = replace(BUSY_SPEC, num_distractors=0)  # no distractor passes over the actor
    for clip in clips(partial(render_busy_clip, busy=alone), 16):
        small = glance(clip.frames)
        for t, box in enumerate(clip.boxes):
            x0, y0, x1, y1 = (box // (SIZE // GLANCE)).tolist()
            inner = small[t, y0 + 1 : y1 - 1, x0 + 1 : x1 - 1]  # cells wholly inside the actor
            mean = inner.reshape(-1, 3).mean(axis=0)
            assert WARM_HUES[0] - 0.03 <= hue(mean) <= WARM_HUES[1] + 0.03, hue(mean)
            assert inner.std(axis=(0, 1)).max() < 12  # flat: the identity's 2-px cells average away
            full = clip.frames[t, box[1] : box[3], box[0] : box[2]]
            assert full.std(axis=(0, 1)).max() > 40  # at full resolution the pattern is there


def distractor_hues(clip: SyntheticClip) -> list[float]:
    """The hues of the first frame's saturated glance cells outside the actor: the distractors'."""
    small = glance(clip.frames)[0]
    x0, y0, x1, y1 = (clip.boxes[0] // (SIZE // GLANCE)).tolist()
    return [
        hue(small[y, x])
        for y in range(GLANCE)
        for x in range(GLANCE)
        if np.ptp(small[y, x]) > 90 and not (x0 - 1 <= x <= x1 and y0 - 1 <= y <= y1)
    ]


def test_distractors_wear_every_hue_but_the_actors():
    every = []
    for clip in clips(render_busy_clip, 16, seed=7):
        hues = distractor_hues(clip)
        assert len(hues) >= 2 * BUSY_SPEC.num_distractors  # cells of several distractors
        assert all(DISTRACTOR_HUES[0] - 0.03 <= h <= DISTRACTOR_HUES[1] + 0.03 for h in hues), hues
        every += hues
    # green to violet, not one colour family: where two distractors cross, their colours differ as
    # much as where the actor crosses one (the raw motion peak gains nothing from the actor's colour)
    assert np.ptp(every) > 0.45


def test_the_camera_moves_so_raw_frame_differences_cover_the_frame():
    busy, still = clips(render_busy_clip, 8), clips(render_clip, 8)

    def moving_share(clip) -> float:
        difference = np.abs(np.diff(clip.frames.astype(np.float32), axis=0)).sum(axis=-1)
        return float((difference > 30).mean())

    shares = [moving_share(c) for c in busy]
    assert np.median(shares) > 0.4 and min(shares) > 0.1 > 0.05 > max(moving_share(c) for c in still)


def test_the_direction_is_the_actors_own_motion_whatever_the_camera_does():
    for clip in clips(render_busy_clip, 32):
        _, direction = class_parts(clip.label)
        step = clip.boxes[-1, :2] - clip.boxes[0, :2]
        axis = 0 if direction.startswith('from') else 1
        sign = 1 if direction in ('from left to right', 'down') else -1
        assert sign * step[axis] > abs(step[1 - axis])  # own motion outruns the camera's pan
    assert len(class_names()) == 16


def heuristic_hit_rate(render, source: str, count: int = 48) -> float:
    """Hit rate of a label-free location source over ``count`` rendered clips."""
    model = SimpleNamespace(num_segments=FRAMES, patch_size=PATCH, glance_size=GLANCE, estimates_camera=False)
    hits = []
    for clip in clips(render, count, seed=1):
        frames = torch.from_numpy(clip.frames).permute(0, 3, 1, 2).float() / 64
        small = F.interpolate(frames, size=(GLANCE, GLANCE), mode='bilinear', antialias=True, align_corners=False)
        differences = torch.cat([small[1:2] - small[:1], small[1:] - small[:-1]])
        state = SimpleNamespace(frames=frames, frame_ids=torch.arange(FRAMES), differences=differences)
        locations, _ = build_location_source(source)(model, state)
        boxes = crop_patches(frames, locations, PATCH)[1]
        centres = torch.from_numpy((clip.boxes[:, :2] + clip.boxes[:, 2:]) / 2).float()
        hits.append(patch_hits(boxes, centres))
    return torch.cat(hits).mean().item()


@pytest.mark.parametrize('source', ['motion', 'compensated_motion'])
def test_motion_finds_the_actor_in_the_static_scene_and_rarely_in_the_busy_one(source):
    assert heuristic_hit_rate(render_clip, source) > 0.9
    assert heuristic_hit_rate(render_busy_clip, source, count=96) < 0.40
