"""Label-free motion priors: the frame-difference peak, and the camera's motion removed first."""

import numpy as np
import pytest
import torch

from gfvideo.data.prep.busy_scene import camera_path
from gfvideo.data.prep.synthetic import BUSY_SPEC, class_names, render_busy_clip
from gfvideo.models import motion_prior
from gfvideo.models.motion_prior import camera_shifts, compensated_differences, neighbour_offsets


def panned_clip(shift: tuple[int, int], block_speed: int, frames: int = 4, generator_seed: int = 0) -> torch.Tensor:
    """A textured scene panned by ``shift`` pixels a frame with a bright block moving
    ``block_speed`` pixels a frame to the right: ``(1, T, 3, 64, 64)``."""
    scene = torch.randn(3, 120, 120, generator=torch.Generator().manual_seed(generator_seed))
    clip = []
    for t in range(frames):
        view = scene[:, 20 + shift[0] * t : 84 + shift[0] * t, 20 + shift[1] * t : 84 + shift[1] * t].clone()
        view[:, 24:32, 8 + block_speed * t : 16 + block_speed * t] = 6.0
        clip.append(view)
    return torch.stack(clip)[None]


def test_the_camera_shift_is_found_and_removed():
    clip = panned_clip((2, -3), block_speed=5)
    grey = clip[0].mean(dim=1)
    # the view moves by (2, -3): the scene's content moves by (-2, 3) in the frame
    assert camera_shifts(grey[:-1], grey[1:]).tolist() == [[-2, 3]] * 3
    differences = compensated_differences(clip)[:, 0]  # (T, H, W)
    rows, cols = differences[2].nonzero().unbind(1)
    assert rows.min() >= 24 - 2 and rows.max() < 32 + 2  # what is left is the block's own motion
    raw = (clip[0, 2] - clip[0, 1]).abs().sum(0)
    assert (raw > 0.5).float().mean() > 0.5 > 0.1 > (differences[2] > 0.5).float().mean()


@pytest.mark.parametrize('size', [20, 45, 97, 128])
def test_pans_of_many_pixels_are_found_coarse_to_fine_at_every_frame_size(size):
    """The coarsest level sees an 18-px pan as about 4 px; each finer level must recover the odd
    pixel (frames of 20 px are not halved at all, 45 px once, 97 px twice with odd sides)."""
    scene = torch.randn(1, 1, size + 48, size + 48, generator=torch.Generator().manual_seed(size))
    scene = torch.nn.functional.avg_pool2d(scene, 3, stride=1, padding=1)[0, 0]  # a camera's smooth texture
    shifts = [(0, 0), (1, -1), (-(size // 9), size // 8 + 1), (size // 12 + 1, -(size // 7))]  # up to 18 px at 128
    previous = torch.stack([scene[24 : 24 + size, 24 : 24 + size]] * len(shifts))
    current = torch.stack([scene[24 + dy : 24 + dy + size, 24 + dx : 24 + dx + size] for dy, dx in shifts])
    # the view moves by (dy, dx): the content moves by (-dy, -dx) in the frame
    assert camera_shifts(previous, current).tolist() == [[-dy, -dx] for dy, dx in shifts]


def test_a_still_camera_is_not_fooled_by_a_textured_moving_object():
    background = torch.randn(3, 64, 64, generator=torch.Generator().manual_seed(1))  # faint texture, still
    scene = background.repeat(1, 4, 1, 1, 1)
    stripes = (torch.arange(12) % 2).float().repeat(12, 1) * 8  # a strong pattern, moving
    for t in range(4):
        scene[0, t, :, 20:32, 10 + 6 * t : 22 + 6 * t] = stripes
    grey = scene[0].mean(dim=1)
    assert camera_shifts(grey[:-1], grey[1:]).tolist() == [[0, 0]] * 3  # the object's own motion is not the camera's
    assert compensated_differences(scene)[0].sum() > 0
    assert compensated_differences(scene[:, :1]).abs().sum() == 0  # one frame: no motion


def test_neighbour_offsets_point_at_each_frames_content_in_its_neighbour():
    clip = panned_clip((2, -3), block_speed=5, frames=4)
    offsets = neighbour_offsets(torch.cat([clip, panned_clip((0, 0), block_speed=5)]))
    # the view moves by (dy, dx) = (2, -3): what frame t shows at (x, y) frame t-1 showed at (x - 3, y + 2)
    assert offsets[:4].tolist() == [[3, -2]] + [[-3, 2]] * 3  # the first frame's neighbour is the next
    assert not offsets[4:].any()  # a still camera
    for t in range(1, 4):  # the background away from the block, where the offsets say
        assert torch.equal(clip[0, t, :, 40:60, 30:50], clip[0, t - 1, :, 42:62, 27:47])
    assert neighbour_offsets(clip[:, :1]).tolist() == [[0, 0]]


def test_the_camera_is_found_among_the_busy_scenes_moving_blocks(monkeypatch):
    """Rendered busy-scene clips, 8 of 16 frames as the demo samples them: the moving blocks'
    sharp edges often outweigh the panned texture in the whitened correlation, so the camera's
    own shift is found when it is among the peaks tried (of 336 pairs, with 3 peaks tried: 0.88 on
    frames halved twice, 0.83 by the same search on the full-size frames; with 8: 0.91)."""
    clips, truth = [], []
    for seed in range(48):
        clip = render_busy_clip(seed % len(class_names()), 16, 128, np.random.default_rng(seed))
        camera = camera_path(np.random.default_rng(seed), 16, BUSY_SPEC)[::2]  # the renderer's first draw: (x, y)
        clips.append(torch.from_numpy(clip.frames[::2]).permute(0, 3, 1, 2).float())
        truth.append(torch.from_numpy(-np.diff(camera, axis=0)[:, ::-1].copy()))  # the content moves against the view
    frames, truth = torch.stack(clips), torch.cat(truth)

    def found() -> float:
        offsets = neighbour_offsets(frames).view(48, 8, 2)[:, 1:]  # against each predecessor, (dx, dy)
        return (-offsets.flip(-1).flatten(0, 1) == truth).all(dim=1).float().mean().item()

    coarse_to_fine = found()
    assert coarse_to_fine >= 0.85
    monkeypatch.setattr(motion_prior, 'PYRAMID_LEVELS', 0)
    assert found() < coarse_to_fine
    monkeypatch.setattr(motion_prior, 'PYRAMID_LEVELS', 2)
    monkeypatch.setattr(motion_prior, 'CAMERA_CANDIDATES', 8)
    assert found() >= 0.9


def test_the_differences_reuse_offsets_already_estimated():
    clip = torch.cat([panned_clip((2, -3), block_speed=5), panned_clip((-1, 0), block_speed=3, generator_seed=2)])
    assert torch.equal(compensated_differences(clip, neighbour_offsets(clip)), compensated_differences(clip))
    wrong = torch.zeros(8, 2, dtype=torch.long)  # the offsets given are the ones used
    assert not torch.equal(compensated_differences(clip, wrong), compensated_differences(clip))
