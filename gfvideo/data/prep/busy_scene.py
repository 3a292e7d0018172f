"""The busy scene of the spatial-redundancy benchmark: motion does not say where the evidence is.

The camera pans (and shakes) over a desaturated textured background, and distractor blocks of
the actor's size move like the actor and wear identity patterns, so the frame-difference peak,
raw or after removing the camera's motion, lands on the actor in about one frame in (number of
moving blocks). The actor is marked by a cue that names no class: its two colours come from a
warm family, each distractor's from a hue of its own drawn from all the others (green to
violet). At the glance's quarter resolution each block's pattern averages to one flat colour, so
the glance can learn *where* the actor is (the warm block) but not *what* it is; its identity
needs a full-resolution look and its direction needs time. No code outside the generator knows
the cue; models learn it from labels.

The class is (actor identity) x (the actor's own direction of motion, in scene coordinates: its
motion relative to the background); the camera's motion is a nuisance. The actor's own speed is
at least twice the camera's, so its direction in frame coordinates agrees with the scene's on
the axis of motion.

The settings and the measurement behind them are in :class:`BusySpec`'s docstring.
"""

from __future__ import annotations

import colorsys
from dataclasses import dataclass

import numpy as np

#: Hue ranges (fractions of the colour wheel) of the cue: the actor's family and the distractors'
#: (each distractor draws its own hue, so no two blocks need share a colour family).
WARM_HUES = (0.0, 0.14)  # red to yellow
DISTRACTOR_HUES = (0.30, 0.85)  # green through cyan and blue to violet: every hue but the warm ones


@dataclass(frozen=True)
class BusySpec:
    """The busy scene's settings, tuned once on the full-frame TSM baseline (then left alone).

    Attributes:
        camera_speed: the camera pans by a whole number of pixels per video frame drawn from
            ``[-camera_speed, camera_speed]`` on each axis (per clip), comparable to the actor's
            own speed, so raw frame differences are large over the whole textured frame.
        shake: a further random offset of up to this many pixels per frame on each axis.
        num_distractors: moving blocks of the actor's size and speed, in random directions.
        distractor_identities: the distractors wear identity patterns (``True``: reading one at
            full resolution gives a plausible wrong identity) or look-alike non-identity patterns.
        saturation: the background's colour saturation relative to its texture (0 is grey), so
            the actor's warm cue is the only strongly warm thing in the frame.

    Measured on seed 0 (128-px frames, 16 per clip, 8 sampled; 32-px patches; hit rate = the
    fraction of frames whose patch holds the actor's centre). With 3 distractors drawn under the
    actor the full-frame baseline (the demo's recipe, 12 epochs on 1600 clips) reached 98.75%
    validation top-1, but the motion peak found the actor in 0.44 of validation frames and the
    camera-compensated peak in 0.34: a 32-px patch often holds two blocks, and the actor on top
    of the others kept its whole pattern. 4 distractors left the raw peak at 0.45 (rendered
    clips); a texture of twice or 2.5 times the contrast did not move it (0.45), because at the
    glance's quarter resolution the blocks' sharp edges outweigh the panned texture. 5
    distractors, with the actor at a random depth among them, brought both to 0.38 and 0.31 (96
    rendered clips). On the decoded validation clips of seeds 0-7 the raw peak held the actor in
    0.398-0.434 of frames and the compensated one in 0.333-0.387 with the distractors' hues in a
    cool family (0.45-0.72). The
    raw peak works on RGB differences and gained 0.10-0.12 from the actor being the one block
    whose colours differed strongly from every other block's: with the actor in the distractors'
    family it fell to 0.28-0.33 (seeds 0-3), with the two families swapped it stayed at
    0.400-0.429 (seeds 0-2); a faster camera (3 px) or a sixth distractor did not take the gain
    away. Distractors whose hues span green to violet (:data:`DISTRACTOR_HUES`, 0.30-0.85) do:
    raw 0.322-0.381, compensated 0.335-0.358 on the decoded validation clips of seeds 0-7
    (tests/data/test_busy_scene.py checks rendered clips stay below 0.40). The baseline still
    learns the scene (97.0%, 97.75% and 96.75% validation top-1 on seeds 0-2, 95.75-98.25% on
    seeds 3, 4 and 6). GlanceFocusNet's stage 1 stalled on seed 0 with them (0.2175, and 0.2825
    with its retry's training seed, against 0.3825 and 0.43 on seeds 1 and 2), but PPO's policy
    found the actor all the same (0.87 of frames) and the later stages recovered: early exit
    reaches the baseline on seeds 0, 1, 2 and 4, and ends 0.75 points short on seeds 3 and 6
    (BENCHMARKS.md).
    """

    camera_speed: int = 2
    shake: int = 1
    num_distractors: int = 5
    distractor_identities: bool = True
    saturation: float = 0.25


BUSY_SPEC = BusySpec()


def family_colors(rng: np.random.Generator, hues: tuple[float, float], min_luma_contrast: float) -> np.ndarray:
    """Two saturated RGB colours ``(2, 3)`` whose hues lie in ``hues`` (a dark and a light one,
    at least ``min_luma_contrast`` apart in luma)."""
    luma = np.array([0.299, 0.587, 0.114])
    while True:
        hue = rng.uniform(*hues)
        dark = colorsys.hsv_to_rgb(hue, rng.uniform(0.75, 1.0), rng.uniform(0.25, 0.5))
        light = colorsys.hsv_to_rgb(hue + rng.uniform(-0.02, 0.02), rng.uniform(0.6, 1.0), rng.uniform(0.9, 1.0))
        colors = np.clip(np.array([dark, light]) * 255, 0, 255)
        if abs(float((colors[1] - colors[0]) @ luma)) >= min_luma_contrast:
            return colors.round().astype(np.int64)[rng.permutation(2)]


def textured_background(height: int, width: int, saturation: float, rng: np.random.Generator) -> np.ndarray:
    """A desaturated texture ``(height, width, 3)`` uint8: gratings of several scales and
    rectangles of 4-24 px, so a moving camera changes every part of the frame."""
    rows, cols = np.mgrid[:height, :width].astype(np.float32)
    image = np.tile(rng.uniform(80, 170, size=3).astype(np.float32), (height, width, 1))
    for period in (48, 24, 12, 8):
        angle = rng.uniform(0, np.pi)
        wave = np.sin((cols * np.cos(angle) + rows * np.sin(angle)) * 2 * np.pi / period + rng.uniform(0, 2 * np.pi))
        image += wave[..., None] * rng.uniform(-22, 22, size=3).astype(np.float32)
    for _ in range(height * width // 256):
        y, x = rng.integers(0, height), rng.integers(0, width)
        h, w = rng.integers(4, 25, size=2)
        image[y : y + h, x : x + w] += rng.uniform(-40, 40, size=3).astype(np.float32)
    grey = image @ np.array([0.299, 0.587, 0.114], dtype=np.float32)
    image = grey[..., None] + saturation * (image - grey[..., None])
    return np.clip(image, 0, 255).astype(np.uint8)


def straight_path(
    rng: np.random.Generator, direction: str, start_progress: np.ndarray, camera: np.ndarray, size: int, side: int
) -> np.ndarray | None:
    """Top-left corners ``(T, 2)`` (x, y) in frame pixels of a block moving ``start_progress``
    along ``direction`` (in scene coordinates) while the camera moves by ``camera`` ``(T, 2)``;
    the whole path inside the frame, or None where no start keeps it there."""
    along = np.where(direction in ('from left to right', 'down'), start_progress, -start_progress)
    own = (
        np.stack([along, np.zeros_like(along)], 1)
        if direction.startswith('from')
        else np.stack([np.zeros_like(along), along], 1)
    )
    relative = own - camera  # what the frame shows: own motion less the camera's
    low = -relative.min(axis=0)
    high = size - side - relative.max(axis=0)
    if (high < low).any():
        return None
    start = np.array([rng.integers(low[0], high[0] + 1), rng.integers(low[1], high[1] + 1)])
    return start + relative


def camera_path(rng: np.random.Generator, num_frames: int, spec: BusySpec) -> np.ndarray:
    """The camera's offset ``(T, 2)`` in pixels: a steady pan plus shake, starting at 0."""
    velocity = rng.integers(-spec.camera_speed, spec.camera_speed + 1, size=2)
    shake = rng.integers(-spec.shake, spec.shake + 1, size=(num_frames, 2))
    shake[0] = 0
    return np.arange(num_frames)[:, None] * velocity + shake
