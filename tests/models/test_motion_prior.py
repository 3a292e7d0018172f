"""Label-free motion priors: the frame-difference peak, and the camera's motion removed first."""

import torch

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
