"""Segment sampling follows mmaction2's SampleFrames(clip_len=1) / DenseSampleFrames formulas."""

import numpy as np
import pytest

from gfvideo.data import sample_segments


@pytest.mark.parametrize('num_frames', [1, 3, 7, 8, 9, 37, 120, 301])
@pytest.mark.parametrize('num_segments', [1, 8, 16])
def test_test_mode_takes_segment_centres(num_frames, num_segments):
    average = num_frames / num_segments
    expected = [int(average / 2 + average * k) % num_frames for k in range(num_segments)]
    assert sample_segments(num_frames, num_segments, 'test').tolist() == expected


def test_test_mode_on_a_short_video_repeats_frames_instead_of_zeros():
    assert sample_segments(3, 8, 'test').tolist() == [0, 0, 0, 1, 1, 2, 2, 2]
    assert sample_segments(3, 8, 'train', np.random.default_rng(0)).tolist() == [0, 0, 1, 1, 2, 2, 2, 0]


@pytest.mark.parametrize('num_frames', [8, 9, 30, 101])
def test_train_mode_draws_one_frame_inside_each_segment(num_frames):
    rng = np.random.default_rng(1)
    average = num_frames // 8
    draws = np.stack([sample_segments(num_frames, 8, 'train', rng) for _ in range(200)])
    starts = np.arange(8) * average
    assert ((draws >= starts) & (draws < starts + average)).all()
    if average > 1:  # every offset is drawn, not a fixed one
        assert set(np.unique(draws[:, 0])) == set(range(average))


def test_train_mode_with_fewer_frames_per_segment_than_one_is_sorted_random():
    draws = sample_segments(12, 8, 'train', np.random.default_rng(3))  # 12 // 8 = 1: one choice per segment
    assert draws.tolist() == list(np.arange(8))
    draws = sample_segments(10, 16, 'train', np.random.default_rng(3))
    assert len(draws) == 16 and (draws < 10).all() and sorted(draws.tolist()) == draws.tolist()


def test_train_mode_is_reproducible_from_the_generator_and_needs_one():
    first = sample_segments(100, 8, 'train', np.random.default_rng(7))
    assert np.array_equal(first, sample_segments(100, 8, 'train', np.random.default_rng(7)))
    assert not np.array_equal(first, sample_segments(100, 8, 'train', np.random.default_rng(8)))
    with pytest.raises(ValueError, match='needs a numpy Generator'):
        sample_segments(100, 8, 'train')


def test_twice_mode_is_centres_then_segment_starts():
    average = 40 / 8
    assert sample_segments(40, 8, 'twice').tolist() == (
        [int(average / 2 + average * k) for k in range(8)] + [int(average * k) for k in range(8)]
    )


def test_multi_clip_test_mode_shifts_the_grid():
    indices = sample_segments(80, 8, 'test', num_clips=2)
    assert indices.tolist() == list(range(0, 80, 10)) + list(range(5, 80, 10))


def test_dense_mode_matches_the_i3d_window():
    # test: 10 windows with starts linspace(0, n - 64, 10), 8 frames 8 apart in each
    indices = sample_segments(200, 8, 'dense').reshape(10, 8)
    starts = np.linspace(0, 200 - 64, num=10, dtype=int)
    assert np.array_equal(indices, starts[:, None] + np.arange(8) * 8)
    # a video shorter than the window wraps around
    assert sample_segments(20, 8, 'dense', num_clips=1).reshape(10, 8)[0].tolist() == [0, 8, 16, 4, 12, 0, 8, 16]
    # train: one window at a random start in [0, n - 64)
    train = sample_segments(200, 8, 'dense', np.random.default_rng(0))
    assert len(train) == 8 and np.all(np.diff(train) == 8) and 0 <= train[0] < 200 - 64


@pytest.mark.parametrize(
    'args,message',
    [
        ((0, 8, 'test'), 'from a video of 0 frames'),
        ((10, 0, 'test'), 'must be positive'),
        ((10, 8, 'random'), 'unknown sampling mode'),
    ],
)
def test_invalid_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        sample_segments(*args)
