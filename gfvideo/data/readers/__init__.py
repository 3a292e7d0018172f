"""Frame-exact video readers with one interface: decord, PyAV and JPEG/PNG frame folders.

``open_video(path)`` returns a :class:`VideoReader`. ``len(reader)`` is the number of frames
known at open and ``reader.get_frames(indices)`` returns those frames as ``uint8`` RGB
``(len(indices), H, W, 3)``, for any index order and with repeats.

Frame ``i``, whichever backend reads it, is the ``i``-th frame FFmpeg's demuxer and decoder present
for the selected stream (FFmpeg's best video stream, or ``stream=N``) with edit lists applied: what
``ffmpeg -i`` shows and plain PyAV decoding from the start yields (:func:`read_all_frames_pyav`),
turned to display orientation by the stream's display matrix (``autorotate=False`` keeps the coded
orientation). Packets an edit list hides, and packets before the first keyframe that the decoder
cannot make a picture of, are not frames. decord reads a file only where it returns exactly those
frames (:func:`decord_inexact`); PyAV reads the others. A stream whose resolution changes
mid-stream is refused, by every backend, at the first frame read at another size.

Frame counts never come from container headers (WebM has none, MP4 headers may over-report):
one demux pass at open (packets only, no decoding) yields the presentation timestamps and
keyframes of the stream, from the container the PyAV reader then decodes from. A file whose
header declares more frames, or a longer duration, than its packets hold is truncated or damaged:
:class:`DamagedVideoError`, never a shorter video. Still images, bare elementary streams and
frames over :data:`MAX_PIXELS` are refused at open. decord is never asked for a frame beyond the
demuxed count (which is where it hangs) and PyAV seeks to the right keyframe and decodes forward
to the exact frame (never decord's ``seek()+next()``, which lands on keyframes), skipping the
non-reference frames nothing asked for depends on. Truncated JPEG/PNG frames are errors, not the
grey fill libjpeg substitutes.

One module per backend, pytorchvideo-style: :mod:`.base` (the interface, the errors and the
backend registry), :mod:`.index` (the demux pass and the checks at open), :mod:`.pyav`,
:mod:`.decord_reader`, :mod:`.frames` (frame folders) and :mod:`.images` (JPEG/PNG files, frames
in memory). Each backend registers itself with :func:`~.base.register_backend`; this module
resolves ``backend='auto'`` and opens the path with the backend it names.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

from .base import _REGISTRY, DamagedVideoError, VideoReader, VideoReadError
from .decord_reader import DecordReader, decord_available, decord_inexact
from .frames import FRAME_FILE_PATTERN, FrameFolderReader, FrameLayout, detect_frame_layout
from .images import ArrayReader, read_image
from .index import MAX_PIXELS, StreamIndex, _open_checked, index_stream, missing_reason, video_stream
from .pyav import NONREF_SKIPPING_CODECS, PyAVReader, iter_frames_pyav, read_all_frames_pyav, to_display

BACKENDS = ('auto', 'decord', 'pyav', 'frames')

#: Backend that ``open_video(backend='auto')`` uses per codec. A table, not a measurement made
#: where it runs: each entry is the faster exact file backend for that codec as
#: ``tools/benchmark.py --sections loader`` measured it (one decoding thread each) on the machine
#: and date its BENCHMARKS.md section names; re-running that section keeps it current. decord and
#: PyAV bundle different FFmpeg builds, so another machine can measure otherwise: the benchmark
#: prints whether the table agrees with the machine it runs on, and the
#: :data:`AUTO_BACKEND_VARIABLE` setting that follows its measurement. Codecs not listed are read
#: by PyAV; a codec mapped to ``'decord'`` falls back to PyAV where decord is missing or fails on
#: a file. Where the two are close, PyAV is listed: it reports frames whose damage the decoder
#: concealed, decord does not.
PREFERRED_BACKEND = {'h264': 'pyav', 'vp9': 'pyav'}
#: Environment variable that overrides :data:`PREFERRED_BACKEND` on a machine where
#: ``tools/benchmark.py --sections loader`` measures otherwise: ``pyav`` or ``decord`` for every
#: codec, or per codec, e.g. ``h264=decord,vp9=pyav`` (unlisted codecs keep the table's choice).
AUTO_BACKEND_VARIABLE = 'GFVIDEO_AUTO_BACKEND'


def preferred_backend(codec: str) -> str:
    """The file backend ``open_video(backend='auto')`` tries first for ``codec``: the
    :data:`AUTO_BACKEND_VARIABLE` environment variable where it names one, else
    :data:`PREFERRED_BACKEND`, else ``'pyav'``."""
    setting = os.environ.get(AUTO_BACKEND_VARIABLE, '').strip()
    choices = dict(PREFERRED_BACKEND)
    if setting:
        for item in setting.split(','):
            name, _, value = item.strip().rpartition('=')
            if value not in ('pyav', 'decord'):
                raise ValueError(
                    f'{AUTO_BACKEND_VARIABLE}={setting!r}: expected "pyav", "decord" or '
                    f'"codec=backend,..." (e.g. "h264=decord,vp9=pyav"), got {item.strip()!r}'
                )
            if name:
                choices[name.strip()] = value
            else:
                return value
    return choices.get(codec, 'pyav')


def open_video(
    path: str | os.PathLike,
    backend: str = 'auto',
    num_threads: int = 1,
    filename_tmpl: str | None = None,
    start_index: int | None = None,
    num_frames: int | None = None,
    max_pixels: int | None = None,
    stream: int | None = None,
    autorotate: bool = True,
) -> VideoReader:
    """Open a video file or frame folder for frame-exact random access.

    Args:
        path: a video file, or a folder of numbered frame images.
        backend: ``'auto'`` (frame folders -> ``frames``; files -> :func:`preferred_backend` of
            the file's codec: the :data:`AUTO_BACKEND_VARIABLE` setting, else the table
            :data:`PREFERRED_BACKEND` measured on one machine, falling back to PyAV when decord is
            missing or fails on the file), ``'decord'``, ``'pyav'`` or ``'frames'``.
        num_threads: decoder threads for file backends: 1 (default) suits DataLoader workers,
            0 lets the decoder start one per core.
        filename_tmpl, start_index, num_frames: frame-folder layout; detected when not given.
        max_pixels: largest frame (width x height) a file backend decodes (default
            :data:`MAX_PIXELS`); larger streams are refused before any decoding.
        stream: the container's stream number of the video stream to read (files only); by
            default FFmpeg's best video stream, as ``ffmpeg -i`` picks it.
        autorotate: frames in display orientation (the video's display matrix; the EXIF
            orientation of JPEG frames); False keeps the coded orientation.

    Raises:
        VideoReadError: the file or folder is missing, empty, a still image, too large or not a
            readable video; :class:`DamagedVideoError` when it is truncated or damaged.
    """
    path = os.fspath(path)
    if backend not in BACKENDS:
        raise ValueError(f'unknown video backend {backend!r}; choose one of {BACKENDS}')
    name = 'frames' if backend == 'auto' and os.path.isdir(path) else backend
    if name != 'auto' and _REGISTRY[name].folders:
        return _REGISTRY[name].opener(path, filename_tmpl, start_index, num_frames, autorotate)
    if os.path.isdir(path):
        raise VideoReadError(path, f'is a folder; backend {backend!r} reads video files')
    container = _open_checked(path, max_pixels, stream)
    if name == 'auto':
        codec = video_stream(path, container, stream).codec_context.name
        name = 'decord' if decord_available() and preferred_backend(codec) == 'decord' else 'pyav'
    return _REGISTRY[name].opener(path, container, num_threads, backend == 'auto', stream, autorotate)


__all__: Sequence[str] = [
    'BACKENDS',
    'PREFERRED_BACKEND',
    'AUTO_BACKEND_VARIABLE',
    'preferred_backend',
    'MAX_PIXELS',
    'VideoReadError',
    'DamagedVideoError',
    'missing_reason',
    'read_image',
    'VideoReader',
    'ArrayReader',
    'StreamIndex',
    'index_stream',
    'PyAVReader',
    'NONREF_SKIPPING_CODECS',
    'DecordReader',
    'decord_inexact',
    'to_display',
    'video_stream',
    'FRAME_FILE_PATTERN',
    'FrameLayout',
    'detect_frame_layout',
    'FrameFolderReader',
    'decord_available',
    'open_video',
    'read_all_frames_pyav',
    'iter_frames_pyav',
]
