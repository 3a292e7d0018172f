"""The decord backend: :class:`DecordReader` (decord's batched decoding, bounded by the demuxed
frame count, handing a file to PyAV where decord cannot read it exactly: :func:`decord_inexact`)
and :func:`decord_available`."""

from __future__ import annotations

import logging

import av
import cv2  # noqa: F401 (loaded before decord, whose bundled zlib 1.2.3 breaks OpenCV's PNG writing when loaded first)
import numpy as np

from .base import VideoReader, VideoReadError, _to_rgb, register_backend
from .index import StreamIndex, _demux_index, _open_checked
from .pyav import PyAVReader, display_matrix, is_mirrored

try:
    import decord
except ImportError:  # decord ships x86_64 wheels only; PyAV reads everything it reads
    decord = None

logger = logging.getLogger(__name__)


#: Codecs whose B-frames decord seeks in exactly (H.264 with closed GOPs); in others (HEVC) its
#: random access returns neighbouring frames.
DECORD_REORDERING_CODECS = ('h264',)


def decord_inexact(index: StreamIndex, rotation: float = 0, mirrored: bool = False) -> str | None:
    """Why decord would not return frame ``i`` of this stream as :mod:`~gfvideo.data.readers` defines
    it (the ``i``-th frame PyAV decodes from the start, in display orientation), or None where it
    reads the stream exactly. Every reason was observed: decord counts and seeks by its own rules
    (edit lists ignored, MPEG-TS and open-GOP random access off by some frames), reads another
    stream than FFmpeg's best when a file has several, and rotates only some display matrices."""
    if index.width % 2 or index.height % 2:
        return 'an odd frame size (decord rounds the last chroma column/row differently)'
    if index.bits > 8:
        return f'{index.bits}-bit pixels'
    if index.pts is None:
        return 'packets without timestamps'
    if index.video_streams > 1:
        return f'{index.video_streams} video streams'
    if 'mpegts' in index.container_format.split(','):
        return 'an MPEG-TS container'
    if index.hidden:
        return f'{index.hidden} packets that are not frames (an edit list, or a start on a non-keyframe)'
    if index.open_gop:
        return 'open GOPs (frames that refer to the previous keyframe)'
    if index.reordered and index.codec not in DECORD_REORDERING_CODECS:
        return f'B-frames in {index.codec}'
    if index.new_parameter_sets:
        return 'a new sequence parameter set mid-stream (the picture size may change; decord keeps the first)'
    if round(rotation / 90) % 4:
        return f'a display-matrix rotation of {rotation:g} degrees'
    if mirrored:
        return 'a display matrix that mirrors the picture'
    return None


def _first_frame_display(container, stream_number: int) -> tuple[float, bool]:
    """The rotation of the stream's first frame's display matrix (decoders attach it to frames), and
    whether it mirrors."""
    try:
        stream = container.streams[stream_number]
        container.seek(0, stream=stream, backward=True)
        frame = next(container.decode(stream), None)
    except av.FFmpegError:
        return 0, False
    if frame is None:
        return 0, False
    return frame.rotation or 0, is_mirrored(display_matrix(frame))


class DecordReader(VideoReader):
    """decord's batched decoding where it is exact, PyAV where it is not.

    The file is indexed by PyAV's demux pass (:func:`~gfvideo.data.readers.index.index_stream`:
    frame count, damage checks, structure). decord reads it only where it returns frame ``i`` as
    defined for every backend (:func:`decord_inexact` says why not: edit lists, non-keyframe starts,
    MPEG-TS, open GOPs, B-frames outside H.264, several video streams, rotation, a new sequence
    parameter set mid-stream, odd sizes, more than 8 bits); otherwise PyAV reads it, and
    :attr:`pyav_reason` says why. decord is never asked for a frame beyond the demuxed count (where
    it hangs). Unlike PyAV, decord does not report frames the decoder concealed damage in, so
    corruption inside a frame's data can go unnoticed.

    With ``fallback=True`` (what ``backend='auto'`` uses) a decord failure on this file hands the
    reader over to PyAV instead of raising.

    ``container``: the file opened by PyAV (header only), as :func:`open_video` has it.
    """

    backend = 'decord'

    def __init__(
        self,
        path: str,
        num_threads: int = 1,
        index: StreamIndex | None = None,
        fallback: bool = False,
        container=None,
        stream: int | None = None,
        autorotate: bool = True,
    ) -> None:
        super().__init__(path)
        if decord is None:
            if container is not None:
                container.close()
            raise ImportError('decord is not installed: pip install decord (x86_64), or use backend="pyav"')
        self.num_threads = num_threads
        self.autorotate = autorotate
        self._pyav: PyAVReader | None = None
        self._fallback = fallback
        self._video: decord.VideoReader | None = None
        if container is None:
            container = _open_checked(self.path, stream=stream)
        if index is None:
            index = _demux_index(self.path, container, stream)
        self.index = index
        self.stream = index.stream
        self.pyav_reason = decord_inexact(index)
        if self.pyav_reason is None:  # the rotation is known from a decoded frame only
            self.pyav_reason = decord_inexact(index, *_first_frame_display(container, index.stream))
            container.close()
            container = None
        if self.pyav_reason is not None:
            logger.debug('%s: read by PyAV, not decord: %s', self.path, self.pyav_reason)
            self._pyav = PyAVReader(self.path, num_threads, index, container, autorotate=autorotate)
            self._length = index.num_frames
            return
        try:
            self._video = decord.VideoReader(self.path, num_threads=self.num_threads)
        except (decord.DECORDError, AssertionError) as error:  # decord asserts a positive frame count
            self._give_up_or_fall_back(error)
        self._length = index.num_frames if self._video is None else min(len(self._video), index.num_frames)

    def _give_up_or_fall_back(self, error: Exception) -> PyAVReader:
        """Raise, or (with ``fallback``) hand the file over to PyAV and return its reader."""
        if not self._fallback:
            raise VideoReadError(self.path, f'decord failed on stream {self.stream}: {error}') from error
        logger.debug('%s: decord failed (%s); reading with PyAV', self.path, error)
        self._video = None
        self.pyav_reason = f'decord failed: {error}'
        self._pyav = PyAVReader(self.path, self.num_threads, self.index, autorotate=self.autorotate)
        return self._pyav

    def __len__(self) -> int:
        return self._length

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        pyav = self._pyav
        if pyav is None:
            assert self._video is not None, 'a DecordReader reads with decord or PyAV until it is closed'
            try:
                batch = self._video.get_batch(unique_sorted.tolist()).asnumpy()
                return [_to_rgb(frame) for frame in batch]
            except decord.DECORDError as error:
                pyav = self._give_up_or_fall_back(error)
        frames = pyav._read(unique_sorted)
        self.rotation, self.mirrored = pyav.rotation, pyav.mirrored  # decord reads no rotated file
        return frames

    def close(self) -> None:
        self._video = None
        if self._pyav is not None:
            self._pyav.close()

    def __repr__(self) -> str:
        by = '' if self.pyav_reason is None else f', read by PyAV: {self.pyav_reason}'
        return f'{type(self).__name__}({self.path!r}, stream={self.stream}, num_frames={len(self)}{by})'


def decord_available() -> bool:
    """Whether the decord backend can be used here."""
    return decord is not None


@register_backend('decord')
def _open_decord(
    path: str, container, num_threads: int, fallback: bool, stream: int | None = None, autorotate: bool = True
) -> DecordReader:
    """decord reads ``path`` where it is exact, PyAV where not (see :func:`decord_inexact`)."""
    return DecordReader(path, num_threads, fallback=fallback, container=container, stream=stream, autorotate=autorotate)
