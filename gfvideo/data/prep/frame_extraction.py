"""Videos to JPEG frame folders or resized H.264 files (TSM's ``vid2img`` step), resumably."""

from __future__ import annotations

import logging
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import av
import cv2
import numpy as np

from ...fileio import DiskFullError
from ..readers import VideoReadError, index_stream, iter_frames_pyav, video_stream
from .list_builder import VIDEO_EXTENSIONS
from .video_writer import write_frame_folder, write_video

logger = logging.getLogger(__name__)


def find_videos(video_dir: str) -> list[str]:
    """Video files under ``video_dir`` (recursive, sorted), relative to it."""
    if not os.path.isdir(video_dir):
        raise FileNotFoundError(f'{video_dir}: no such folder')
    found = []
    for root, folders, files in os.walk(video_dir):
        folders[:] = sorted(name for name in folders if not name.startswith('.'))
        found += [
            os.path.relpath(os.path.join(root, name), video_dir)
            for name in files
            if os.path.splitext(name)[1].lower() in VIDEO_EXTENSIONS and not name.startswith('.')
        ]
    return sorted(found)


def _resized_size(width: int, height: int, short_side: int, even: bool) -> tuple[int, int]:
    if short_side <= 0:
        new_width, new_height = width, height
    else:
        scale = short_side / min(width, height)
        new_width, new_height = round(width * scale), round(height * scale)
    if even:
        new_width, new_height = new_width + new_width % 2, new_height + new_height % 2
    return new_width, new_height


def iter_resized_frames(path: str, short_side: int = 256, even: bool = False) -> Iterator[np.ndarray]:
    """Decode every frame of ``path`` in order (the frames every reader returns: FFmpeg's best
    video stream, in display orientation), resized so its short side is ``short_side`` (0 keeps
    the size; ``even`` rounds the size up to even numbers, as H.264 needs)."""
    try:
        for image in iter_frames_pyav(path):
            height, width = image.shape[:2]
            size = _resized_size(width, height, short_side, even)
            yield image if size == (width, height) else cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    except av.FFmpegError as error:
        raise VideoReadError(path, f'decoding failed: {error}') from error


@dataclass(frozen=True)
class ExtractionJob:
    """Extract one video: ``source`` to ``target`` (a frame folder, or an ``.mp4`` when re-encoding)."""

    source: str
    target: str
    short_side: int = 256
    reencode: bool = False
    filename_tmpl: str = '{:06d}.jpg'
    start_index: int = 1
    quality: int = 95


def run_extraction(job: ExtractionJob) -> tuple[str, int, str | None]:
    """Run one job unless its output exists: ``(source, frames written (0 if skipped), error)``.

    Outputs are written atomically, so an existing output is complete and a killed run resumes.
    Any failure of this one video (not a video, damaged, undecodable, unwritable) comes back as
    its ``error``, so a batch goes on; a full disk raises :class:`~gfvideo.fileio.DiskFullError`,
    since every later video would fail the same way.
    """
    if os.path.exists(job.target):
        return job.source, 0, None
    try:
        index_stream(job.source)  # refuses audio-only files, still images, damaged videos
        frames = iter_resized_frames(job.source, job.short_side, even=job.reencode)
        if job.reencode:
            with av.open(job.source) as container:
                rate = video_stream(job.source, container).average_rate or 25
            count = write_video(job.target, frames, fps=float(rate), codec='h264')
        else:
            count = write_frame_folder(job.target, frames, job.filename_tmpl, job.start_index, job.quality)
        return job.source, count, None
    except DiskFullError:
        raise
    except (VideoReadError, ValueError, OSError, av.FFmpegError) as error:
        return job.source, 0, str(error)
    except Exception as error:  # an unforeseen failure of one video must not stop the others
        return job.source, 0, f'{job.source}: {type(error).__name__}: {error}'


def plan_extraction(
    video_dir: str,
    out_dir: str,
    short_side: int = 256,
    reencode: bool = False,
    filename_tmpl: str = '{:06d}.jpg',
    start_index: int = 1,
) -> list[ExtractionJob]:
    """One job per video under ``video_dir``, mirroring its sub-folders under ``out_dir``.

    Outputs are named by the video's stem (``x.webm`` -> ``x/``), except where one folder holds
    several videos of that stem (``x.mp4`` and ``x.webm``): those keep their extension
    (``x_mp4/``, ``x_webm/``), so no video's output or error hides another's.
    """
    videos = find_videos(video_dir)
    stems = Counter(os.path.splitext(relative)[0] for relative in videos)
    jobs = []
    for relative in videos:
        stem, extension = os.path.splitext(relative)
        if stems[stem] > 1:
            logger.warning(
                '%s: %d videos share the name %r; outputs keep the extension (%s)',
                video_dir,
                stems[stem],
                stem,
                f'{stem}_{extension[1:]}',
            )
            stem = f'{stem}_{extension[1:]}'
        target = os.path.join(out_dir, stem + '.mp4' if reencode else stem)
        jobs.append(
            ExtractionJob(os.path.join(video_dir, relative), target, short_side, reencode, filename_tmpl, start_index)
        )
    return jobs
