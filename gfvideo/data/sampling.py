"""Segment sampling: which frames of a video a clip is made of.

All modes follow mmaction2's ``SampleFrames(clip_len=1, frame_interval=1)`` (TSN/TSM sampling)
and ``DenseSampleFrames`` where TSM's and mmaction2's code differ, and return 0-based frame
indices; the file names of 1-based frame folders are formed later, from the record's
``start_index``.
"""

from __future__ import annotations

import numpy as np

SAMPLING_MODES = ('train', 'test', 'twice', 'dense')

#: Length of the window that ``dense`` sampling spreads its segments over (I3D style).
DENSE_WINDOW = 64
#: Number of evenly spaced windows ``dense`` test sampling takes when ``num_clips`` is 1.
DENSE_TEST_CLIPS = 10


def _train_offsets(num_frames: int, num_segments: int, rng: np.random.Generator) -> np.ndarray:
    """TSN training: a random frame inside each of ``num_segments`` equal segments."""
    average = num_frames // num_segments
    if average > 0:
        return np.arange(num_segments) * average + rng.integers(0, average, size=num_segments)
    if num_frames > num_segments:
        return np.sort(rng.integers(0, num_frames, size=num_segments))
    # fewer frames than segments: spread them evenly (repeats, never all zeros)
    return np.around(np.arange(num_segments) * num_frames / num_segments)


def _test_offsets(num_frames: int, num_segments: int, num_clips: int) -> np.ndarray:
    """TSN testing: segment centres ``int(n/S/2 + n/S*k)``; more clips shift the grid evenly."""
    average = num_frames / num_segments
    base = np.arange(num_segments) * average
    shifts = [average / 2.0] if num_clips == 1 else np.arange(num_clips) * average / num_clips
    return np.concatenate([base + shift for shift in shifts])


def _dense_offsets(num_frames: int, num_segments: int, num_clips: int, rng: np.random.Generator | None) -> np.ndarray:
    """I3D-style: ``num_segments`` frames evenly spread over a 64-frame window: one window at a
    random start when ``rng`` is given (training), else evenly spaced windows (testing)."""
    last_start = max(1, 1 + num_frames - DENSE_WINDOW)
    interval = max(1, DENSE_WINDOW // num_segments)
    base = np.arange(num_segments) * interval
    starts: list[int] | np.ndarray
    if rng is not None:
        starts = [0 if last_start == 1 else int(rng.integers(0, last_start - 1))]
    else:
        count = DENSE_TEST_CLIPS if num_clips == 1 else num_clips
        starts = np.linspace(0, last_start - 1, num=count, dtype=int)
    return np.concatenate([base + start for start in starts])


def sample_segments(
    num_frames: int, num_segments: int, mode: str = 'test', rng: np.random.Generator | None = None, num_clips: int = 1
) -> np.ndarray:
    """Sample the frame indices of a clip.

    Args:
        num_frames: frames in the video (at least 1).
        num_segments: frames per clip (``T``).
        mode: ``train`` (random offset in each segment), ``test`` (segment centres; with
            ``num_clips`` > 1 the grid is shifted evenly per clip), ``twice`` (the segment
            centres and the segment starts: two views), or ``dense`` (segments spread over a
            64-frame window: one window at a random start when ``rng`` is given (training),
            else ``num_clips`` evenly spaced windows, 10 when ``num_clips`` is 1 (testing)).
        rng: random generator; required for ``train``, selects training for ``dense``.
        num_clips: views concatenated for ``test`` and ``dense``.

    Returns:
        ``int64`` array of ``num_segments * views`` 0-based indices, every one ``< num_frames``.
    """
    if num_frames < 1:
        raise ValueError(f'cannot sample from a video of {num_frames} frames')
    if num_segments < 1 or num_clips < 1:
        raise ValueError(f'num_segments ({num_segments}) and num_clips ({num_clips}) must be positive')
    if mode not in SAMPLING_MODES:
        raise ValueError(f'unknown sampling mode {mode!r}; choose one of {SAMPLING_MODES}')
    if mode == 'train':
        if rng is None:
            raise ValueError("sampling mode 'train' needs a numpy Generator (rng)")
        offsets = _train_offsets(num_frames, num_segments, rng)
    elif mode == 'test':
        offsets = _test_offsets(num_frames, num_segments, num_clips)
    elif mode == 'twice':
        average = num_frames / num_segments
        base = np.arange(num_segments) * average
        offsets = np.concatenate([base + average / 2.0, base])
    else:
        offsets = _dense_offsets(num_frames, num_segments, num_clips, rng)
    return np.mod(offsets.astype(np.int64), num_frames)
