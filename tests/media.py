"""Frames for the media that tests encode at run time."""

from __future__ import annotations

import numpy as np

#: Frames of the clips that ``tests/conftest.py``'s ``media_dir`` writes.
NUM_FRAMES = 45


def moving_frames(num_frames: int = NUM_FRAMES, height: int = 48, width: int = 64, seed: int = 0) -> np.ndarray:
    """Frames that all differ: a textured background and a bright square moving one step a frame."""
    rng = np.random.default_rng(seed)
    background = rng.integers(0, 200, size=(height // 8 + 1, width // 8 + 1, 3), dtype=np.uint8)
    background = np.kron(background, np.ones((8, 8, 1), dtype=np.uint8))[:height, :width]
    frames = np.repeat(background[None], num_frames, axis=0)
    for t in range(num_frames):
        x = (t * 3) % (width - 8)
        y = (t * 2) % (height - 8)
        frames[t, y : y + 8, x : x + 8] = (255, 255 - 4 * t % 256, 4 * t % 256)
    return frames
