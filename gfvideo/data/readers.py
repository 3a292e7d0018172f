"""Frame-exact video readers with one interface: decord, PyAV and JPEG/PNG frame folders.

``open_video(path)`` returns a :class:`VideoReader`. ``len(reader)`` is the number of frames
known at open and ``reader.get_frames(indices)`` returns those frames as ``uint8`` RGB
``(len(indices), H, W, 3)``, for any index order and with repeats. Frame ``i`` is always the
``i``-th frame PyAV yields when it decodes the file from the start, whichever backend reads it.

Frame counts never come from container headers (WebM has none, MP4 headers may over-report):
one demux pass at open (packets only, no decoding) yields the presentation timestamps and
keyframes of the stream: PyAV's, from the container the PyAV reader then decodes from, or, for a
file decord reads, decord's own (decord demuxes every file it opens, so PyAV does not demux it
again; see :class:`DecordReader` for when PyAV still does). A file whose header declares more
frames, or a longer duration, than its packets hold is truncated or damaged:
:class:`DamagedVideoError`, never a shorter video. Still images, bare elementary streams and
frames over :data:`MAX_PIXELS` are refused at open. decord is never asked for a frame beyond the
demuxed count (which is where it hangs) and PyAV seeks to the right keyframe and decodes forward
to the exact frame (never decord's ``seek()+next()``, which lands on keyframes), skipping the
non-reference frames nothing asked for depends on. Truncated JPEG/PNG frames are errors, not the
grey fill libjpeg substitutes.
"""

from __future__ import annotations

import bisect
import logging
import os
import re
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import av
import cv2
import numpy as np
from av.video.reformatter import VideoReformatter

try:
    import decord
except ImportError:  # decord ships x86_64 wheels only; PyAV reads everything it reads
    decord = None

logger = logging.getLogger(__name__)

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

FRAME_FILE_PATTERN = re.compile(r'^(?P<prefix>[A-Za-z_\-]*?)(?P<number>\d+)\.(?P<ext>jpg|jpeg|png)$', re.IGNORECASE)


class VideoReadError(RuntimeError):
    """A video or frame folder could not be read; the message names the file.

    ``VideoReadError(message)`` alone also works: a DataLoader worker re-raises it that way.
    """

    def __init__(self, path: str, reason: str | None = None) -> None:
        super().__init__(path if reason is None else f'{path}: {reason}')
        self.path = path
        self.reason = reason or path


class VideoReader(ABC):
    """Random access to the frames of one video; use it as a context manager."""

    backend: str = ''

    def __init__(self, path: str) -> None:
        self.path = str(path)

    @abstractmethod
    def __len__(self) -> int:
        """Number of frames that can be read."""

    @abstractmethod
    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        """Return RGB frames for sorted, distinct, in-range indices."""

    def get_frames(self, indices: Iterable[int]) -> np.ndarray:
        """Frames at ``indices`` (0-based, any order, repeats allowed) as uint8 ``(N, H, W, 3)``."""
        indices = np.asarray(list(indices) if not isinstance(indices, np.ndarray) else indices, dtype=np.int64)
        if indices.ndim != 1 or indices.size == 0:
            raise ValueError(f'{self.path}: expected a non-empty 1-D list of frame indices, got shape {indices.shape}')
        bad = indices[(indices < 0) | (indices >= len(self))]
        if bad.size:
            raise IndexError(f'{self.path}: frame index {int(bad[0])} out of range for a video of {len(self)} frames')
        unique, inverse = np.unique(indices, return_inverse=True)
        frames = self._read(unique)
        shapes = {frame.shape for frame in frames}
        if len(shapes) > 1:
            raise VideoReadError(self.path, f'frames have different sizes {sorted(shapes)}')
        return np.stack(frames)[inverse]

    def close(self) -> None:  # noqa: B027 (a no-op for readers that hold no handle)
        """Release the file handles; the reader cannot be used afterwards."""

    def __enter__(self) -> VideoReader:
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def __repr__(self) -> str:
        return f'{type(self).__name__}({self.path!r}, num_frames={len(self)})'


def _to_rgb(image: np.ndarray) -> np.ndarray:
    """Grayscale or RGBA arrays to contiguous RGB."""
    if image.ndim == 2:
        image = np.repeat(image[:, :, None], 3, axis=2)
    elif image.shape[2] == 4:
        image = image[:, :, :3]
    return np.ascontiguousarray(image)


# ----------------------------------------------------------------------------- video files
@dataclass(frozen=True)
class StreamIndex:
    """What one demux pass learns about a video stream.

    Attributes:
        pts: presentation timestamps in frame order (sorted), or None when the stream has
            packets without timestamps (then frames can only be counted by decoding order).
        keyframes: sorted frame indices of the keyframes (seek targets).
        codec: the codec's short name (``h264``, ``vp9`` ...).
        num_frames: number of frames (packets that carry a picture).
        width, height: frame size the stream declares.
        bits: bits per sample of the decoded pixels (8, or 10/12 for high-bit-depth streams).
    """

    pts: np.ndarray | None
    keyframes: np.ndarray
    codec: str
    num_frames: int
    width: int = 0
    height: int = 0
    bits: int = 8


#: Containers that hold one still image (FFmpeg's image demuxers): not videos.
_STILL_IMAGE_FORMATS = ('image2',)
#: Elementary streams without a container: no timestamps, no seeking.
_RAW_STREAM_FORMATS = {
    'h264': 'H.264',
    'hevc': 'HEVC',
    'm4v': 'MPEG-4',
    'mpegvideo': 'MPEG',
    'rawvideo': 'raw',
    'vc1': 'VC-1',
    'obu': 'AV1',
    'cavsvideo': 'CAVS',
}
#: Largest frame (width x height) the file backends decode unless ``open_video(max_pixels=...)``
#: says otherwise: 4K UHD. A tiny file can declare an 8K stream that costs gigabytes to decode.
MAX_PIXELS = 3840 * 2160


class DamagedVideoError(VideoReadError):
    """The container declares more than can be demuxed: a truncated or corrupted file."""


def missing_reason(path: str) -> str:
    """Why ``path`` cannot be opened, in the operating system's words (a looping link is not missing)."""
    try:
        os.stat(path)
    except FileNotFoundError:
        return 'no such file'
    except OSError as error:
        return (error.strerror or 'cannot be opened').lower()
    return 'not a regular file'


def _check_container(path: str, container) -> None:
    """Refuse still images and raw elementary streams, which open as one-stream 'videos'."""
    formats = container.format.name.split(',')
    if any(name.endswith('_pipe') or name in _STILL_IMAGE_FORMATS for name in formats):
        raise VideoReadError(
            path,
            f'is a still image ({container.format.name}), not a video; to use it as a '
            'one-frame clip put it in a frame folder (backend "frames")',
        )
    for name in formats:
        if name in _RAW_STREAM_FORMATS:
            raise VideoReadError(
                path,
                f'is a bare {_RAW_STREAM_FORMATS[name]} stream without a container (no '
                'timestamps, cannot seek); remux it, e.g. ffmpeg -i IN -c copy OUT.mp4',
            )


def _check_declared_length(
    path: str, container, stream, num_frames: int, end_seconds: float, frame_seconds: float, check_duration: bool = True
) -> None:
    """Raise :class:`DamagedVideoError` when the header promises more than the demux found.

    ``end_seconds``: where the last demuxed packet of any stream ends; ``check_duration=False``
    leaves the container's declared duration unchecked (for a caller that saw only some streams).
    """
    declared_frames = stream.frames or 0
    if declared_frames > num_frames:
        raise DamagedVideoError(
            path,
            f'truncated or damaged: the header declares {declared_frames} frames, only {num_frames} can be demuxed',
        )
    if check_duration and container.duration:
        declared = container.duration / av.time_base
        found = end_seconds - (container.start_time or 0) / av.time_base
        if declared - found > 1.5 * frame_seconds + 0.05:
            raise DamagedVideoError(
                path,
                f'truncated or damaged: the container declares {declared:.2f} s, only '
                f'{found:.2f} s ({num_frames} frames) can be demuxed',
            )


def index_stream(path: str, max_pixels: int | None = None) -> StreamIndex:
    """Demux (without decoding) the first video stream of ``path``.

    Raises :class:`VideoReadError` for still images, bare elementary streams and frames larger
    than ``max_pixels`` (default :data:`MAX_PIXELS`), and :class:`DamagedVideoError` when the
    container declares more frames or a longer duration than its packets hold.
    """
    index, container = _index_and_open(path, max_pixels)
    container.close()
    return index


def _index_and_open(path: str, max_pixels: int | None = None):
    """:func:`index_stream`, returning the still-open container too (the PyAV reader decodes from it
    instead of opening and probing the file a second time)."""
    container = _open_checked(path, max_pixels)
    return _demux_index(path, container), container


def _stream_format(stream) -> tuple[str, int, int, int]:
    """Codec name, width, height and bits per sample that a video stream declares."""
    context = stream.codec_context
    pixel_format = context.format
    bits = max((c.bits for c in pixel_format.components), default=8) if pixel_format else 8
    return context.name, context.width, context.height, bits


def _open_checked(path: str, max_pixels: int | None = None):
    """Open ``path`` with PyAV (header only, nothing demuxed) and refuse what is not a readable
    video: missing or empty files, still images, bare streams, no video stream, too many pixels."""
    if not os.path.isfile(path):
        raise VideoReadError(path, missing_reason(path))
    if os.path.getsize(path) == 0:
        raise VideoReadError(path, 'the file is empty')
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    try:
        container = av.open(path)
    except av.FFmpegError as error:
        raise VideoReadError(path, f'cannot be opened as a video ({error})') from error
    try:
        _check_container(path, container)
        if not container.streams.video:
            raise VideoReadError(path, 'the file has no video stream')
        _, width, height, _ = _stream_format(container.streams.video[0])
        if width * height > max_pixels:
            raise VideoReadError(
                path,
                f'frames of {width}x{height} ({width * height / 1e6:.1f} Mpixels) exceed '
                f'the decode limit of {max_pixels / 1e6:.1f} Mpixels '
                f'(max_pixels={max_pixels})',
            )
    except BaseException:
        container.close()
        raise
    return container


def _demux_index(path: str, container) -> StreamIndex:
    """Demux every packet of an open container (closed on error) into the first video stream's
    :class:`StreamIndex`, after checking the declared length against what was demuxed."""
    stream = container.streams.video[0]
    codec, width, height, bits = _stream_format(stream)
    try:
        # Integer timestamps per stream in the loop (Fraction arithmetic per packet costs more than the
        # demuxing itself); converted to seconds once at the end.
        video = stream.index
        packet_pts: list[int | None] = []
        packet_key: list[bool] = []
        ends: dict[int, int] = {}  # stream index -> end of its last packet, in its time base
        longest = 0
        for packet in container.demux():
            size, pts, index = packet.size, packet.pts, packet.stream_index
            if not size:
                continue
            if pts is None:
                if index == video:
                    packet_pts.append(None)
                    packet_key.append(packet.is_keyframe)
                continue
            duration = packet.duration or 0
            if pts + duration > ends.get(index, pts + duration - 1):
                ends[index] = pts + duration
            if index == video:
                packet_pts.append(pts)
                packet_key.append(packet.is_keyframe)
                longest = max(longest, duration)
        time_bases = {s.index: s.time_base for s in container.streams}
        end_seconds = max([0.0] + [float(end * time_bases[index]) for index, end in ends.items()])
        frame_seconds = max(
            float(longest * stream.time_base) if longest else 0.0, end_seconds / max(len(packet_pts), 1)
        )
        _check_declared_length(path, container, stream, len(packet_pts), end_seconds, frame_seconds)
        if not packet_pts:
            raise VideoReadError(path, 'the video stream has no frames')
    except av.FFmpegError as error:
        container.close()
        raise VideoReadError(path, f'cannot be opened as a video ({error})') from error
    except BaseException:
        container.close()
        raise
    if any(p is None for p in packet_pts) or len(set(packet_pts)) != len(packet_pts):
        return StreamIndex(None, np.zeros(1, np.int64), codec, len(packet_pts), width, height, bits)
    pts = np.asarray(packet_pts, dtype=np.int64)
    order = np.argsort(pts, kind='stable')
    frame_of_packet = np.empty_like(order)
    frame_of_packet[order] = np.arange(len(order))
    keyframes = np.sort(frame_of_packet[np.asarray(packet_key, dtype=bool)])
    if keyframes.size == 0 or keyframes[0] != 0:
        keyframes = np.concatenate([[0], keyframes])
    return StreamIndex(pts[order], keyframes, codec, len(pts), width, height, bits)


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
    """

    backend = 'pyav'

    def __init__(
        self,
        path: str,
        num_threads: int = 1,
        index: StreamIndex | None = None,
        container=None,
        skip_nonref: bool = True,
    ) -> None:
        super().__init__(path)
        if index is None:
            index, container = _index_and_open(self.path)
        self.index = index
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
        stream = self._container.streams.video[0]
        if not self._configured:
            stream.thread_count = self.num_threads  # FFmpeg's own default would start one per core
            if self.num_threads != 1:
                stream.thread_type = 'AUTO'
            self._configured = True
        return stream

    def _frames_from(self, start: int, wanted: frozenset = frozenset()):
        """Yield ``(index, frame)`` decoding from the keyframe at or before frame ``start``; with
        ``wanted`` (pts of the asked frames), other packets are decoded with ``skip_frame='NONREF'``."""
        stream = self._stream()
        if self._frame_of_pts is None:  # no timestamps: count frames from the beginning
            self._container.seek(0, stream=stream, backward=True)
            yield from enumerate(self._container.decode(stream))
            return
        keyframe = self.index.keyframes[bisect.bisect_right(self.index.keyframes, start) - 1]
        assert self.index.pts is not None, '_frame_of_pts comes from the timestamps'
        self._container.seek(int(self.index.pts[keyframe]), stream=stream, backward=True, any_frame=False)
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
                    if position is not None:
                        yield position, frame
        finally:
            if skipping and self._container is not None:
                codec.skip_frame = 'DEFAULT'

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
                        f'frame {target} could not be decoded (the stream ends or is '
                        f'damaged near frame {last}; {len(self)} packets were indexed)',
                    )
                frames.append(_to_rgb(_rgb24(frame)))
        except av.FFmpegError as error:
            self.close()
            raise VideoReadError(self.path, f'decoding failed near frame {last + 1}: {error}') from error
        return frames

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None
            self._configured = False


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


# ----------------------------------------------------------------------------- frame folders
@dataclass(frozen=True)
class FrameLayout:
    """How the frames of a folder are named: ``filename_tmpl.format(start_index + i)``."""

    filename_tmpl: str
    start_index: int
    num_frames: int


def _numbered_files(folder: str) -> dict[tuple[str, int, str], list[int]]:
    """Group the frame-like file names of a folder by (prefix, digit count, extension)."""
    groups: dict[tuple[str, int, str], list[int]] = {}
    for name in os.listdir(folder):
        match = FRAME_FILE_PATTERN.match(name)
        if match:
            key = (match['prefix'], len(match['number']), match['ext'])
            groups.setdefault(key, []).append(int(match['number']))
    return groups


def detect_frame_layout(folder: str, filename_tmpl: str | None = None, start_index: int | None = None) -> FrameLayout:
    """Find the file-name template, first index and count of a frame folder.

    Only files that match the template count (stray files are ignored). The numbers must be
    contiguous; on a mismatch the error shows the expected and found names.
    """
    if not os.path.isdir(folder):
        raise VideoReadError(folder, f'frame folder: {missing_reason(folder)}')
    names = sorted(os.listdir(folder))
    if filename_tmpl is None:
        groups = _numbered_files(folder)
        if not groups:
            raise VideoReadError(folder, f'no frame files (like 00001.jpg or img_00001.jpg) among {names[:5]}')
        (prefix, digits, ext), numbers = max(groups.items(), key=lambda item: len(item[1]))
        filename_tmpl = f'{prefix}{{:0{digits}d}}.{ext}'
    else:
        numbers = [n for n in range(0, len(names) + 2) if os.path.exists(os.path.join(folder, filename_tmpl.format(n)))]
        if not numbers:
            raise VideoReadError(
                folder,
                f'expected frames named like {filename_tmpl.format(start_index or 1)!r} '
                f'(template {filename_tmpl!r}), found {names[:5]}',
            )
    numbers = sorted(numbers)
    if start_index is None:
        start_index = numbers[0]
    expected = list(range(start_index, start_index + len(numbers)))
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        first_missing = filename_tmpl.format(missing[0] if missing else numbers[0])
        raise VideoReadError(
            folder,
            f'expected frame {first_missing!r} (template {filename_tmpl!r}, '
            f'start index {start_index}); found {names[:5]}',
        )
    return FrameLayout(filename_tmpl, start_index, len(numbers))


class FrameFolderReader(VideoReader):
    """Frames stored as numbered images in a folder (Something-Something V1, extracted frames).

    When ``filename_tmpl``, ``start_index`` and ``num_frames`` are all given (a list file says
    them), the folder is not listed; a missing frame then fails with its file name on read.
    """

    backend = 'frames'

    def __init__(
        self, path: str, filename_tmpl: str | None = None, start_index: int | None = None, num_frames: int | None = None
    ) -> None:
        super().__init__(path)
        if filename_tmpl is None or start_index is None or num_frames is None:
            layout = detect_frame_layout(self.path, filename_tmpl, start_index)
            if num_frames is not None and num_frames > layout.num_frames:
                raise VideoReadError(
                    self.path,
                    f'the list says {num_frames} frames, the folder has {layout.num_frames} ({layout.filename_tmpl})',
                )
            self.layout = FrameLayout(layout.filename_tmpl, layout.start_index, num_frames or layout.num_frames)
        else:
            self.layout = FrameLayout(filename_tmpl, start_index, num_frames)
        if self.layout.num_frames <= 0:
            raise VideoReadError(self.path, 'the frame folder is empty')

    def __len__(self) -> int:
        return self.layout.num_frames

    def frame_path(self, index: int) -> str:
        """File of the 0-based frame ``index``."""
        return os.path.join(self.path, self.layout.filename_tmpl.format(self.layout.start_index + index))

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        frames = []
        for index in unique_sorted.tolist():
            file = self.frame_path(index)
            image = read_image(file, f'frame {index}')
            if image.ndim == 3:
                image = cv2.cvtColor(image, cv2.COLOR_BGRA2RGB if image.shape[2] == 4 else cv2.COLOR_BGR2RGB)
            frames.append(_to_rgb(image))
        return frames


def _truncation(data: bytes) -> str | None:
    """What is missing at the end of a JPEG or PNG file (libjpeg fills a cut image with grey)."""
    # Scan data never holds a bare 0xFFD9 (0xFF bytes are stuffed), so the end-of-image marker must
    # follow the last start-of-scan; bytes some cameras append after it do not matter.
    if data[:2] == b'\xff\xd8' and data.rfind(b'\xff\xd9') < data.rfind(b'\xff\xda'):
        return 'the JPEG is truncated (no end-of-image marker after its last scan)'
    if data[:8] == b'\x89PNG\r\n\x1a\n' and b'IEND\xaeB`\x82' not in data:  # the end chunk and its fixed CRC
        return 'the PNG is truncated (no IEND chunk)'
    return None


def read_image(file: str, what: str = 'image') -> np.ndarray:
    """An 8-bit image as OpenCV decodes it (BGR/BGRA/gray); truncated files are errors, not grey."""
    try:
        with open(file, 'rb') as handle:
            data = handle.read()
    except OSError as error:
        reason = 'missing' if not os.path.lexists(file) else missing_reason(file)
        raise VideoReadError(file, f'{what} is {reason}') from error
    truncated = _truncation(data)
    if truncated:
        raise VideoReadError(file, f'{what}: {truncated}')
    image = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) if data else None
    if image is None:
        raise VideoReadError(file, f'{what} is not a readable image')
    if image.dtype != np.uint8:
        raise VideoReadError(file, f'expected 8-bit pixels, got {image.dtype}')
    return image


# ----------------------------------------------------------------------------- entry point
class ArrayReader(VideoReader):
    """Frames already in memory, ``(T, H, W, 3)`` uint8 RGB (or ``(T, H, W)`` grayscale)."""

    backend = 'array'

    def __init__(self, frames: np.ndarray, name: str = '<array>') -> None:
        super().__init__(name)
        frames = np.asarray(frames)
        if frames.dtype != np.uint8 or frames.ndim not in (3, 4) or len(frames) == 0:
            raise VideoReadError(
                name, f'expected non-empty uint8 frames (T, H, W, 3), got {frames.dtype} {tuple(frames.shape)}'
            )
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        return [_to_rgb(self.frames[i]) for i in unique_sorted]


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


def decord_available() -> bool:
    """Whether the decord backend can be used here."""
    return decord is not None


def open_video(
    path: str | os.PathLike,
    backend: str = 'auto',
    num_threads: int = 1,
    filename_tmpl: str | None = None,
    start_index: int | None = None,
    num_frames: int | None = None,
    max_pixels: int | None = None,
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

    Raises:
        VideoReadError: the file or folder is missing, empty, a still image, too large or not a
            readable video; :class:`DamagedVideoError` when it is truncated or damaged.
    """
    path = os.fspath(path)
    if backend not in BACKENDS:
        raise ValueError(f'unknown video backend {backend!r}; choose one of {BACKENDS}')
    if backend == 'frames' or (backend == 'auto' and os.path.isdir(path)):
        return FrameFolderReader(path, filename_tmpl, start_index, num_frames)
    if os.path.isdir(path):
        raise VideoReadError(path, f'is a folder; backend {backend!r} reads video files')
    container = _open_checked(path, max_pixels)
    codec = container.streams.video[0].codec_context.name
    if backend == 'pyav' or (backend == 'auto' and (decord is None or preferred_backend(codec) != 'decord')):
        return PyAVReader(path, num_threads, _demux_index(path, container), container)
    return DecordReader(path, num_threads, fallback=backend == 'auto', container=container)


def read_all_frames_pyav(path: str) -> np.ndarray:
    """Decode every frame from the start with PyAV: the reference order for exactness checks."""
    with av.open(os.fspath(path)) as container:
        return np.stack([_to_rgb(f.to_ndarray(format='rgb24')) for f in container.decode(video=0)])


__all__: Sequence[str] = [
    'BACKENDS',
    'PREFERRED_BACKEND',
    'AUTO_BACKEND_VARIABLE',
    'preferred_backend',
    'MAX_PIXELS',
    'VideoReadError',
    'DamagedVideoError',
    'read_image',
    'VideoReader',
    'StreamIndex',
    'index_stream',
    'PyAVReader',
    'DecordReader',
    'FrameLayout',
    'detect_frame_layout',
    'FrameFolderReader',
    'decord_available',
    'open_video',
    'read_all_frames_pyav',
]
