"""Pictures of where the model looked: captions that fit and sit above their own row."""

import cv2
import numpy as np

from gfvideo.visualization import glimpse_animation, glimpse_panels, wrapped_lines

LONG = 'Pretending to close something without actually closing it (87%)'


def test_a_long_caption_wraps_to_the_width_and_keeps_every_word():
    lines = wrapped_lines(LONG, 160, 1.0)
    assert len(lines) > 1 and ' '.join(lines) == LONG
    for line in lines:
        assert cv2.getTextSize(line, cv2.FONT_HERSHEY_SIMPLEX, 0.45, 1)[0][0] + 8 <= 160
    word = 'x' * 80  # one word wider than the line: cut, nothing lost
    assert ''.join(wrapped_lines(word, 100, 1.0)) == word


def caption_rows(image: np.ndarray) -> np.ndarray:
    """Rows of a caption bar: mostly white (the frames here are black)."""
    return (image == 255).all(axis=2).mean(axis=1) > 0.5


def test_each_step_caption_sits_above_its_own_row():
    frames = np.zeros((2, 40, 40, 3), np.uint8)  # black frames, so white rows are captions
    boxes = np.array([[[0, 0, 10, 10]] * 2, [[20, 20, 30, 30]] * 2], np.float64)
    panels = glimpse_panels(frames, boxes, ['a', 'b', 'c'])
    white = caption_rows(panels)
    assert white[0] and not white[-1]  # a caption first, a row of frames last
    starts = np.flatnonzero(white[1:] & ~white[:-1]) + 1  # where a caption follows frames
    assert len(starts) == 2  # captions of steps 1 and 2 each open their row


def test_the_animation_caption_holds_the_whole_prediction():
    frames = np.zeros((2, 40, 40, 3), np.uint8)
    boxes = np.zeros((1, 2, 4))
    short = glimpse_animation(frames, boxes, ['a', 'b'])
    long = glimpse_animation(frames, boxes, [LONG, LONG])
    assert long[0].shape[0] > short[0].shape[0]  # the bar grew to take the wrapped lines
