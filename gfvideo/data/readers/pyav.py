"""The PyAV backend: :class:`PyAVReader` (exact seeking and decoding, skipping non-reference
frames nothing asked for depends on) and :func:`read_all_frames_pyav`, the reference decode."""

from __future__ import annotations

import bisect
import logging
import os
import threading
from collections.abc import Iterator

import av
import numpy as np
from av.sidedata.sidedata import Type as SideDataType
from av.video.reformatter import VideoReformatter

from .base import DamagedVideoError, VideoReader, VideoReadError, _to_rgb, register_backend
from .index import StreamIndex, _demux_index, _index_and_open, video_stream

logger = logging.getLogger(__name__)


_converters = threading.local()


def _rgb24(frame) -> np.ndarray:
    """``frame.to_ndarray(format='rgb24')``, the same swscale conversion, with one converter per
    thread and process: ``to_ndarray`` builds a new swscale context for every frame, which costs
    more than the conversion itself; a kept converter rebuilds it only when the frame size or
    format changes. It converts with one thread (no swscale thread pool, which a forked DataLoader
    worker would inherit without its threads and wait on forever)."""
    kept = getattr(_converters, 'rgb24', None)
    if kept is None or kept[0] != os.getpid():
        kept = _converters.rgb24 = (os.getpid(), VideoReformatter())
    return kept[1].reformat(frame, format='rgb24', threads=1).to_ndarray()


#: Codecs whose non-reference pictures the PyAV reader may leave undecoded. Only those where a
#: non-reference picture leaves nothing behind for later pictures: in VP9, for instance, a frame
#: that refreshes no reference slot still updates the probability context and lends its motion
#: vectors to the next frame, so it is always decoded.
NONREF_SKIPPING_CODECS = ('h264',)


class PyAVReader(VideoReader):
    """Exact PyAV decoding: seek to the keyframe before a frame, decode forward to its pts.

    Frames that no asked frame depends on are not decoded: for the codecs in
    :data:`NONREF_SKIPPING_CODECS`, with one decoding thread (the default) and a timestamp index,
    every packet that is not an asked frame is decoded with FFmpeg's ``skip_frame='NONREF'``, so
    the decoder drops it when it is a non-reference picture (in H.264, ``nal_ref_idc`` 0: no
    other picture is predicted from it, and the decoder keeps no other state from it; often half
    the B-frames). Reference frames and asked frames are decoded as usual, so the asked frames are
    bit-identical to a full decode; a damaged frame that is skipped cannot be reported, as it
    cannot change any frame returned. ``skip_nonref=False`` decodes every packet.

    ``container``: an open ``av.InputContainer`` of ``path`` to decode from (what
    :func:`open_video` passes after indexing, so the file is opened and probed once).

    Frames come in display orientation: a display matrix's rotation (phones record upright video
    as landscape pictures and a rotation) is applied, as ``ffmpeg`` does; ``autorotate=False``
    keeps the coded orientation. A stream whose resolution changes is refused at the first frame
    read at another size than the stream starts with.
    """

    backend = 'pyav'

    def __init__(
        self,
        path: str,
        num_threads: int = 1,
        index: StreamIndex | None = None,
        container=None,
        skip_nonref: bool = True,
        autorotate: bool = True,
    ) -> None:
        super().__init__(path)
        if index is None:
            index, container = _index_and_open(self.path)
        self.index = index
        self.stream = index.stream
        self.autorotate = autorotate
        self.num_threads = num_threads
        self._frame_of_pts = None if self.index.pts is None else {int(p): i for i, p in enumerate(self.index.pts)}
        self._container = container
        self._configured = False
        # counting frames by decoding order needs every frame out of the decoder
        self.skip_nonref = (
            skip_nonref
            and num_threads == 1
            and self._frame_of_pts is not None
            and self.index.codec in NONREF_SKIPPING_CODECS
        )

    def __len__(self) -> int:
        return self.index.num_frames

    def _stream(self):
        if self._container is None:
            self._container = av.open(self.path)
        stream = self._container.streams[self.index.stream]
        if not self._configured:
            stream.thread_count = self.num_threads  # FFmpeg's own default would start one per core
            if self.num_threads != 1:
                stream.thread_type = 'AUTO'
            self._configured = True
        return stream

    def _frames_from(self, start: int, wanted: frozenset = frozenset()):
        """Yield ``(index, frame)`` decoding from the keyframe at or before frame ``start``; with
        ``wanted`` (pts of the asked frames), other packets are decoded with ``skip_frame='NONREF'``.

        Demuxers seek by different clocks (MP4 and Matroska by presentation time, MPEG-TS by
        decoding time, where a presentation time lands after the keyframe): the keyframe's
        presentation time is tried first, then its decoding time, then the file is decoded from
        its start, whichever first lands on the keyframe."""
        stream = self._stream()
        if self._frame_of_pts is None:  # no timestamps: count frames from the beginning
            self._container.seek(0, stream=stream, backward=True)
            yield from enumerate(self._container.decode(stream))
            return
        assert self.index.pts is not None and self.index.seek_points is not None, 'the timestamp index'
        at = bisect.bisect_right(self.index.keyframes, start) - 1
        key = int(self.index.keyframes[at])
        for seek_to in dict.fromkeys([int(self.index.pts[key]), int(self.index.seek_points[at]), None]):
            if seek_to is None:  # reopen: decode from the very start
                logger.debug('%s: seeking for frame %d missed its keyframe; decoding from the start', self.path, start)
                self.close()
                stream = self._stream()
            else:
                self._container.seek(seek_to, stream=stream, backward=True, any_frame=False)
            landed = yield from self._decode_from_seek(stream, key, wanted, must_land=seek_to is not None)
            if landed:
                return

    def _decode_from_seek(self, stream, key: int, wanted: frozenset, must_land: bool):
        """Decode after a seek, yielding ``(index, frame)`` from frame ``key`` on; returns False,
        having yielded nothing, where ``must_land`` and the seek landed after frame ``key``."""
        assert self._frame_of_pts is not None, 'seeking needs the timestamp index'
        codec = stream.codec_context
        skipping = False
        try:
            for packet in self._container.demux(stream):
                skip = bool(wanted) and packet.pts is not None and packet.pts not in wanted
                if skip != skipping:
                    codec.skip_frame = 'NONREF' if skip else 'DEFAULT'
                    skipping = skip
                for frame in codec.decode(packet):
                    position = self._frame_of_pts.get(frame.pts)
                    if position is None or position < key:
                        continue  # not a frame, or a leading picture of an open GOP decoded without its references
                    if must_land and position > key:
                        return False
                    must_land = False
                    yield position, frame
        finally:
            if skipping and self._container is not None:
                codec.skip_frame = 'DEFAULT'
        return not must_land

    def _decode_to(self, decoder, target: int, last: int):
        """Advance ``decoder`` to frame ``target``; returns ``(last position seen, frame)``."""
        frame = None
        for position, frame in decoder:
            last = position
            if frame.is_corrupt:  # FFmpeg conceals damage (grey or smeared blocks) and flags it
                raise DamagedVideoError(
                    self.path, f'frame {position} is damaged (the decoder had to conceal errors in it)'
                )
            if position >= target:
                break
        return last, frame

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        keyframes = self.index.keyframes
        wanted: frozenset[int] = frozenset()
        if self.skip_nonref:
            assert self.index.pts is not None, 'skipping frames needs the timestamp index'
            wanted = frozenset(self.index.pts[unique_sorted].tolist())
        frames: list[np.ndarray] = []
        decoder, last = None, -1
        try:
            for target in unique_sorted.tolist():
                next_keyframe = keyframes[bisect.bisect_right(keyframes, target) - 1]
                if decoder is None or target <= last or (self._frame_of_pts is not None and next_keyframe > last + 1):
                    decoder, last = self._frames_from(target, wanted), -1
                last, frame = self._decode_to(decoder, target, last)
                if last != target and wanted:  # never seen; decode every packet before giving up
                    logger.debug(
                        '%s: frame %d not found with non-reference frames skipped; decoding all', self.path, target
                    )
                    wanted = frozenset()
                    decoder, last = self._frames_from(target), -1
                    last, frame = self._decode_to(decoder, target, last)
                if last != target:
                    raise VideoReadError(
                        self.path,
                        f'frame {target} of stream {self.stream} could not be decoded (the stream ends or is '
                        f'damaged near frame {last}; {len(self)} frames were indexed)',
                    )
                frames.append(self._picture(frame, target))
        except av.FFmpegError as error:
            self.close()
            raise VideoReadError(
                self.path, f'decoding stream {self.stream} failed near frame {last + 1}: {error}'
            ) from error
        return frames

    def _picture(self, frame, position: int) -> np.ndarray:
        """The RGB picture of a decoded ``frame``, in display orientation unless ``autorotate`` is off."""
        if (frame.width, frame.height) != (self.index.width, self.index.height):
            raise VideoReadError(
                self.path,
                f'the resolution changes mid-stream: frame {position} of stream {self.stream} is '
                f'{frame.width}x{frame.height}, the stream starts at {self.index.width}x{self.index.height} '
                '(such streams are refused by every backend; re-encode at one size)',
            )
        picture = _to_rgb(_rgb24(frame))
        if not self.autorotate:
            return picture
        self.rotation = round(frame.rotation / 90) % 4 * 90
        self.mirrored = is_mirrored(display_matrix(frame))
        return to_display(picture, frame)

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
            self._configured = False

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.path!r}, stream={self.stream}, num_frames={len(self)})'


def display_matrix(frame) -> np.ndarray | None:
    """The display matrix a decoded ``frame`` carries (9 integers, 16.16 fixed point), or None."""
    side_data = frame.side_data.get(SideDataType.DISPLAYMATRIX)
    return None if side_data is None else np.frombuffer(bytes(side_data), dtype='<i4')


def is_mirrored(matrix: np.ndarray | None) -> bool:
    """Whether a display matrix mirrors the picture (a negative determinant)."""
    return matrix is not None and int(matrix[0]) * int(matrix[4]) - int(matrix[1]) * int(matrix[3]) < 0


def to_display(picture: np.ndarray, frame) -> np.ndarray:
    """``picture`` (decoded from ``frame``) turned and mirrored as its display matrix says, the way
    ``ffmpeg`` autorotates (fftools: ``transpose``, ``hflip``, ``vflip``); an angle that is not a
    quarter turn goes to the nearest quarter turn."""
    matrix = display_matrix(frame)
    if matrix is None:
        return picture
    theta = -float(frame.rotation)  # clockwise degrees, in [0, 360)
    theta -= 360 * np.floor(theta / 360 + 0.9 / 360)
    quarter = round(theta / 90) % 4
    if quarter == 1:  # transpose=cclock_flip (swap the axes) or clock
        shown = picture.swapaxes(0, 1) if matrix[3] > 0 else np.rot90(picture, -1)
    elif quarter == 2:
        shown = picture[:, ::-1] if matrix[0] < 0 else picture
        shown = shown[::-1] if matrix[4] < 0 else shown
    elif quarter == 3:  # transpose=clock_flip (the other diagonal) or cclock
        shown = np.rot90(picture, -1)[::-1] if matrix[3] < 0 else np.rot90(picture, 1)
    else:
        shown = picture[::-1] if matrix[4] < 0 else picture
    return shown if shown is picture else np.ascontiguousarray(shown)


@register_backend('pyav')
def _open_pyav(
    path: str, container, num_threads: int, fallback: bool, stream: int | None = None, autorotate: bool = True
) -> PyAVReader:
    """PyAV indexes the open ``container`` and decodes from it (``fallback`` has nothing to fall back to)."""
    return PyAVReader(path, num_threads, _demux_index(path, container, stream), container, autorotate=autorotate)


def iter_frames_pyav(path: str, stream: int | None = None, autorotate: bool = True) -> Iterator[np.ndarray]:
    """Frame ``i`` by definition: every frame plain PyAV decodes from the start of FFmpeg's best video
    stream (or stream number ``stream``), as RGB in display orientation unless ``autorotate`` is
    off. As ``ffmpeg`` does, packets the decoder refuses before its first picture (inter frames
    of a stream that starts on a non-keyframe, which VP9 rejects) are passed over."""
    with av.open(os.fspath(path)) as container:
        chosen = video_stream(os.fspath(path), container, stream)
        started = False
        for packet in container.demux(chosen):
            try:
                decoded = chosen.codec_context.decode(packet)
            except av.InvalidDataError:
                if started:
                    raise
                continue
            for frame in decoded:
                started = True
                picture = _to_rgb(frame.to_ndarray(format='rgb24'))
                yield to_display(picture, frame) if autorotate else picture


def read_all_frames_pyav(path: str, stream: int | None = None, autorotate: bool = True) -> np.ndarray:
    """:func:`iter_frames_pyav` as one array ``(T, H, W, 3)``: the reference for exactness checks."""
    return np.stack(list(iter_frames_pyav(path, stream, autorotate)))
