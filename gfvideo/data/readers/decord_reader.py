"""The decord backend: :class:`DecordReader` (decord's batched decoding, bounded by the demuxed
frame count, handing a file to PyAV where decord cannot read it exactly) and
:func:`decord_available`."""

from __future__ import annotations

import logging

import av
import cv2  # noqa: F401 (loaded before decord, whose bundled zlib 1.2.3 breaks OpenCV's PNG writing when loaded first)
import numpy as np

from .base import VideoReader, VideoReadError, _to_rgb, register_backend
from .index import StreamIndex, _check_declared_length, _demux_index, _open_checked, _stream_format
from .pyav import PyAVReader

try:
    import decord
except ImportError:  # decord ships x86_64 wheels only; PyAV reads everything it reads
    decord = None

logger = logging.getLogger(__name__)


class DecordReader(VideoReader):
    """decord's batched decoding, bounded by the demuxed frame count.

    decord demuxes the whole file when it opens it (its own packet index, built in C++), so PyAV
    does not demux it a second time: given no ``index``, the frame count is decord's packet count
    and the damage checks of :func:`index_stream` run on decord's index: the frame count the header
    declares (MP4) against it, and the duration the container declares against the end of the last
    video packet. decord records the video stream's packets only, so that duration check is made
    only where the video stream is the container's only stream; a file with other streams and no
    declared frame count (a WebM with audio) is demuxed by PyAV first, as are streams PyAV must
    read (below) and any file decord cannot index. Unlike PyAV, decord does not report frames the
    decoder concealed damage in, so corruption inside a frame's data can go unnoticed.

    With ``fallback=True`` (what ``backend='auto'`` uses) a decord failure on this file hands
    the reader over to PyAV instead of raising. Streams with an odd width or height are always
    read by PyAV: decord's colour conversion rounds the last chroma column/row differently, and
    frames must be bit-identical whichever backend reads them.

    ``container``: the file opened by PyAV (header only), as :func:`open_video` has it; closed here.
    """

    backend = 'decord'

    def __init__(
        self, path: str, num_threads: int = 1, index: StreamIndex | None = None, fallback: bool = False, container=None
    ) -> None:
        super().__init__(path)
        if decord is None:
            if container is not None:
                container.close()
            raise ImportError('decord is not installed: pip install decord (x86_64), or use backend="pyav"')
        self.index = index
        self.num_threads = num_threads
        self._pyav: PyAVReader | None = None
        self._fallback = fallback
        self._video: decord.VideoReader | None = None
        if index is not None:
            if container is not None:
                container.close()
            self._open_with_index(index)
            return
        container = container if container is not None else _open_checked(self.path)
        try:
            self._open_on_decords_index(container)
        finally:
            container.close()

    def _open_with_index(self, index: StreamIndex) -> None:
        if index.width % 2 or index.height % 2 or index.bits > 8:
            self._pyav = PyAVReader(self.path, self.num_threads, index)
        else:
            try:
                self._video = decord.VideoReader(self.path, num_threads=self.num_threads)
            except (decord.DECORDError, AssertionError) as error:  # decord asserts a positive frame count
                self._give_up_or_fall_back(error)
        self._length = index.num_frames if self._video is None else min(len(self._video), index.num_frames)

    def _open_on_decords_index(self, container) -> None:
        """Open with decord and check the header against decord's own demux; PyAV indexes the file
        first where that check would be incomplete or decord cannot index it."""
        stream = container.streams.video[0]
        _, width, height, bits = _stream_format(stream)
        only_stream = len(container.streams) == 1
        if width % 2 or height % 2 or bits > 8 or not (stream.frames or only_stream):
            self.index = _demux_index(self.path, container)
            return self._open_with_index(self.index)
        try:
            video = decord.VideoReader(self.path, num_threads=self.num_threads)
            times = np.asarray(video.get_frame_timestamp(list(range(len(video)))), dtype=np.float64)
        except (decord.DECORDError, AssertionError, IndexError) as error:  # IndexError: nothing was demuxed
            logger.debug('%s: decord cannot index the file (%s); demuxing it with PyAV', self.path, error)
            self.index = _demux_index(self.path, container)
            return self._open_with_index(self.index)
        if times.ndim != 2 or not len(times) or not np.isfinite(times).all() or times.min() < 0 or times.max() > 1e7:
            # packets without timestamps (decord's times are then meaningless): PyAV's index handles them
            self.index = _demux_index(self.path, container)
            return self._open_with_index(self.index)
        start = (container.start_time or 0) / av.time_base
        frame_seconds = max(float((times[:, 1] - times[:, 0]).max()), float(times[:, 1].max()) / len(times))
        _check_declared_length(
            self.path,
            container,
            stream,
            len(times),
            start + float(times[:, 1].max()),
            frame_seconds,
            check_duration=only_stream,
        )
        self._video = video
        self._length = len(times)

    def _give_up_or_fall_back(self, error: Exception) -> PyAVReader:
        """Raise, or (with ``fallback``) hand the file over to PyAV and return its reader."""
        if not self._fallback:
            raise VideoReadError(self.path, f'decord failed: {error}') from error
        logger.debug('%s: decord failed (%s); reading with PyAV', self.path, error)
        self._video = None
        self._pyav = PyAVReader(self.path, self.num_threads, self.index)
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
        return pyav._read(unique_sorted)

    def close(self) -> None:
        self._video = None
        if self._pyav is not None:
            self._pyav.close()


def decord_available() -> bool:
    """Whether the decord backend can be used here."""
    return decord is not None


@register_backend('decord')
def _open_decord(path: str, container, num_threads: int, fallback: bool) -> DecordReader:
    """decord reads ``path``, with the damage checks on its own index (``container`` is closed)."""
    return DecordReader(path, num_threads, fallback=fallback, container=container)
