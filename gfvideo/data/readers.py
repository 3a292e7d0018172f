"""Frame-exact video readers with one interface: decord, PyAV and JPEG/PNG frame folders.

``open_video(path)`` returns a :class:`VideoReader`. ``len(reader)`` is the number of frames
known at open and ``reader.get_frames(indices)`` returns those frames as ``uint8`` RGB
``(len(indices), H, W, 3)``, for any index order and with repeats. Frame ``i`` is always the
``i``-th frame PyAV yields when it decodes the file from the start, whichever backend reads it.

Frame counts never come from container headers (WebM has none, MP4 headers may over-report):
one PyAV demux pass at open (packets only, no decoding) yields the presentation timestamps and
keyframes of the stream. A file whose header declares more frames, or a longer duration, than its
packets hold is truncated or damaged: :class:`DamagedVideoError`, never a shorter video. Still
images, bare elementary streams and frames over :data:`MAX_PIXELS` are refused at open. Both
file backends use that index, so decord is never asked for a frame that does not exist (which is
where it hangs) and PyAV seeks to the right keyframe and decodes forward to the exact frame
(never decord's ``seek()+next()``, which lands on keyframes). Truncated JPEG/PNG frames are
errors, not the grey fill libjpeg substitutes.
"""
from __future__ import annotations

import bisect
import logging
import os
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Iterable, Sequence

import av
import cv2
import numpy as np

try:
    import decord
except ImportError:  # decord ships x86_64 wheels only; PyAV reads everything it reads
    decord = None

logger = logging.getLogger(__name__)

BACKENDS = ('auto', 'decord', 'pyav', 'frames')

#: Backend that ``open_video(backend='auto')`` uses per codec: the faster of the two exact
#: file backends, as measured by ``tools/benchmark.py`` (see BENCHMARKS.md; both decode with one
#: thread). Codecs not listed are read by PyAV. A codec measured faster with decord maps to
#: ``'decord'``; ``auto`` then falls back to PyAV where decord is missing or fails on a file.
PREFERRED_BACKEND = {'h264': 'pyav', 'vp9': 'pyav'}

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

    def close(self) -> None:
        """Release the file handles; the reader cannot be used afterwards."""

    def __enter__(self) -> 'VideoReader':
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
_RAW_STREAM_FORMATS = {'h264': 'H.264', 'hevc': 'HEVC', 'm4v': 'MPEG-4', 'mpegvideo': 'MPEG', 'rawvideo': 'raw',
                       'vc1': 'VC-1', 'obu': 'AV1', 'cavsvideo': 'CAVS'}
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
        raise VideoReadError(path, f'is a still image ({container.format.name}), not a video; to use it as a '
                                   'one-frame clip put it in a frame folder (backend "frames")')
    for name in formats:
        if name in _RAW_STREAM_FORMATS:
            raise VideoReadError(path, f'is a bare {_RAW_STREAM_FORMATS[name]} stream without a container (no '
                                       'timestamps, cannot seek); remux it, e.g. ffmpeg -i IN -c copy OUT.mp4')


def _check_declared_length(path: str, container, stream, num_frames: int, end_seconds: float,
                           frame_seconds: float) -> None:
    """Raise :class:`DamagedVideoError` when the header promises more than the demux found."""
    declared_frames = stream.frames or 0
    if declared_frames > num_frames:
        raise DamagedVideoError(path, f'truncated or damaged: the header declares {declared_frames} frames, only '
                                      f'{num_frames} can be demuxed')
    if container.duration:
        declared = container.duration / av.time_base
        found = end_seconds - (container.start_time or 0) / av.time_base
        if declared - found > 1.5 * frame_seconds + 0.05:
            raise DamagedVideoError(path, f'truncated or damaged: the container declares {declared:.2f} s, only '
                                          f'{found:.2f} s ({num_frames} frames) can be demuxed')


def index_stream(path: str, max_pixels: int | None = None) -> StreamIndex:
    """Demux (without decoding) the first video stream of ``path``.

    Raises :class:`VideoReadError` for still images, bare elementary streams and frames larger
    than ``max_pixels`` (default :data:`MAX_PIXELS`), and :class:`DamagedVideoError` when the
    container declares more frames or a longer duration than its packets hold.
    """
    if not os.path.isfile(path):
        raise VideoReadError(path, missing_reason(path))
    if os.path.getsize(path) == 0:
        raise VideoReadError(path, 'the file is empty')
    max_pixels = MAX_PIXELS if max_pixels is None else max_pixels
    try:
        with av.open(path) as container:
            _check_container(path, container)
            if not container.streams.video:
                raise VideoReadError(path, 'the file has no video stream')
            stream = container.streams.video[0]
            codec = stream.codec_context.name
            width, height = stream.codec_context.width, stream.codec_context.height
            pixel_format = stream.codec_context.format
            bits = max((c.bits for c in pixel_format.components), default=8) if pixel_format else 8
            if width * height > max_pixels:
                raise VideoReadError(path, f'frames of {width}x{height} ({width * height / 1e6:.1f} Mpixels) exceed '
                                           f'the decode limit of {max_pixels / 1e6:.1f} Mpixels '
                                           f'(max_pixels={max_pixels})')
            packet_pts, packet_key, end_seconds, durations = [], [], 0.0, []
            for packet in container.demux():
                if not packet.size or packet.pts is None:
                    if packet.stream.index == stream.index and packet.size:
                        packet_pts.append(None)
                        packet_key.append(packet.is_keyframe)
                    continue
                end_seconds = max(end_seconds, float((packet.pts + (packet.duration or 0)) * packet.time_base))
                if packet.stream.index == stream.index:
                    packet_pts.append(packet.pts)
                    packet_key.append(packet.is_keyframe)
                    durations.append(float((packet.duration or 0) * packet.time_base))
            frame_seconds = max(max(durations, default=0.0), end_seconds / max(len(packet_pts), 1))
            _check_declared_length(path, container, stream, len(packet_pts), end_seconds, frame_seconds)
    except av.FFmpegError as error:
        raise VideoReadError(path, f'cannot be opened as a video ({error})') from error
    if not packet_pts:
        raise VideoReadError(path, 'the video stream has no frames')
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


class PyAVReader(VideoReader):
    """Exact PyAV decoding: seek to the keyframe before a frame, decode forward to its pts."""

    backend = 'pyav'

    def __init__(self, path: str, num_threads: int = 1, index: StreamIndex | None = None) -> None:
        super().__init__(path)
        self.index = index or index_stream(self.path)
        self.num_threads = num_threads
        self._frame_of_pts = None if self.index.pts is None else {int(p): i for i, p in enumerate(self.index.pts)}
        self._container = None

    def __len__(self) -> int:
        return self.index.num_frames

    def _stream(self):
        if self._container is None:
            self._container = av.open(self.path)
            stream = self._container.streams.video[0]
            stream.thread_count = self.num_threads  # FFmpeg's own default would start one per core
            if self.num_threads != 1:
                stream.thread_type = 'AUTO'
        return self._container.streams.video[0]

    def _frames_from(self, start: int):
        """Yield ``(index, frame)`` decoding from the keyframe at or before frame ``start``."""
        stream = self._stream()
        if self._frame_of_pts is None:  # no timestamps: count frames from the beginning
            self._container.seek(0, stream=stream, backward=True)
            yield from enumerate(self._container.decode(stream))
            return
        keyframe = self.index.keyframes[bisect.bisect_right(self.index.keyframes, start) - 1]
        self._container.seek(int(self.index.pts[keyframe]), stream=stream, backward=True, any_frame=False)
        for frame in self._container.decode(stream):
            position = self._frame_of_pts.get(frame.pts)
            if position is not None:
                yield position, frame

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        keyframes = self.index.keyframes
        frames: list[np.ndarray] = []
        decoder, last = None, -1
        try:
            for target in unique_sorted.tolist():
                next_keyframe = keyframes[bisect.bisect_right(keyframes, target) - 1]
                if decoder is None or target <= last or (self._frame_of_pts is not None and next_keyframe > last + 1):
                    decoder, last = self._frames_from(target), -1
                for position, frame in decoder:
                    last = position
                    if frame.is_corrupt:  # FFmpeg conceals damage (grey or smeared blocks) and flags it
                        raise DamagedVideoError(self.path, f'frame {position} is damaged (the decoder had to '
                                                           'conceal errors in it)')
                    if position >= target:
                        break
                if last != target:
                    raise VideoReadError(self.path, f'frame {target} could not be decoded (the stream ends or is '
                                                    f'damaged near frame {last}; {len(self)} packets were indexed)')
                frames.append(_to_rgb(frame.to_ndarray(format='rgb24')))
        except av.FFmpegError as error:
            self.close()
            raise VideoReadError(self.path, f'decoding failed near frame {last + 1}: {error}') from error
        return frames

    def close(self) -> None:
        if self._container is not None:
            self._container.close()
            self._container = None


class DecordReader(VideoReader):
    """decord's batched decoding, bounded by the demuxed frame count.

    With ``fallback=True`` (what ``backend='auto'`` uses) a decord failure on this file hands
    the reader over to PyAV instead of raising. Streams with an odd width or height are always
    read by PyAV: decord's colour conversion rounds the last chroma column/row differently, and
    frames must be bit-identical whichever backend reads them.
    """

    backend = 'decord'

    def __init__(self, path: str, num_threads: int = 1, index: StreamIndex | None = None,
                 fallback: bool = False) -> None:
        super().__init__(path)
        if decord is None:
            raise ImportError('decord is not installed: pip install decord (x86_64), or use backend="pyav"')
        self.index = index or index_stream(self.path)
        self.num_threads = num_threads
        self._pyav: PyAVReader | None = None
        self._fallback = fallback
        self._video = None
        if self.index.width % 2 or self.index.height % 2 or self.index.bits > 8:
            self._pyav = PyAVReader(self.path, num_threads, self.index)
        else:
            try:
                self._video = decord.VideoReader(self.path, num_threads=num_threads)
            except decord.DECORDError as error:
                self._give_up_or_fall_back(error)
        self._length = self.index.num_frames if self._video is None else min(len(self._video), self.index.num_frames)

    def _give_up_or_fall_back(self, error: Exception) -> None:
        if not self._fallback:
            raise VideoReadError(self.path, f'decord failed: {error}') from error
        logger.debug('%s: decord failed (%s); reading with PyAV', self.path, error)
        self._video = None
        self._pyav = PyAVReader(self.path, self.num_threads, self.index)

    def __len__(self) -> int:
        return self._length

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        if self._pyav is None:
            try:
                batch = self._video.get_batch(unique_sorted.tolist()).asnumpy()
                return [_to_rgb(frame) for frame in batch]
            except decord.DECORDError as error:
                self._give_up_or_fall_back(error)
        return self._pyav._read(unique_sorted)

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
            raise VideoReadError(folder, f'expected frames named like {filename_tmpl.format(start_index or 1)!r} '
                                         f'(template {filename_tmpl!r}), found {names[:5]}')
    numbers = sorted(numbers)
    if start_index is None:
        start_index = numbers[0]
    expected = list(range(start_index, start_index + len(numbers)))
    if numbers != expected:
        missing = sorted(set(expected) - set(numbers))
        first_missing = filename_tmpl.format(missing[0] if missing else numbers[0])
        raise VideoReadError(folder, f'expected frame {first_missing!r} (template {filename_tmpl!r}, '
                                     f'start index {start_index}); found {names[:5]}')
    return FrameLayout(filename_tmpl, start_index, len(numbers))


class FrameFolderReader(VideoReader):
    """Frames stored as numbered images in a folder (Something-Something V1, extracted frames).

    When ``filename_tmpl``, ``start_index`` and ``num_frames`` are all given (a list file says
    them), the folder is not listed; a missing frame then fails with its file name on read.
    """

    backend = 'frames'

    def __init__(self, path: str, filename_tmpl: str | None = None, start_index: int | None = None,
                 num_frames: int | None = None) -> None:
        super().__init__(path)
        if filename_tmpl is None or start_index is None or num_frames is None:
            layout = detect_frame_layout(self.path, filename_tmpl, start_index)
            if num_frames is not None and num_frames > layout.num_frames:
                raise VideoReadError(self.path, f'the list says {num_frames} frames, the folder has '
                                                f'{layout.num_frames} ({layout.filename_tmpl})')
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
            raise VideoReadError(name, f'expected non-empty uint8 frames (T, H, W, 3), got {frames.dtype} '
                                       f'{tuple(frames.shape)}')
        self.frames = frames

    def __len__(self) -> int:
        return len(self.frames)

    def _read(self, unique_sorted: np.ndarray) -> list[np.ndarray]:
        return [_to_rgb(self.frames[i]) for i in unique_sorted]


def decord_available() -> bool:
    """Whether the decord backend can be used here."""
    return decord is not None


def open_video(path: str | os.PathLike, backend: str = 'auto', num_threads: int = 1,
               filename_tmpl: str | None = None, start_index: int | None = None,
               num_frames: int | None = None, max_pixels: int | None = None) -> VideoReader:
    """Open a video file or frame folder for frame-exact random access.

    Args:
        path: a video file, or a folder of numbered frame images.
        backend: ``'auto'`` (frame folders -> ``frames``; files -> the measured fastest exact
            backend for the file's codec, :data:`PREFERRED_BACKEND`, falling back to PyAV when
            decord is missing or fails on the file), ``'decord'``, ``'pyav'`` or ``'frames'``.
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
    index = index_stream(path, max_pixels)
    if backend == 'pyav' or (backend == 'auto' and (decord is None or PREFERRED_BACKEND.get(index.codec) != 'decord')):
        return PyAVReader(path, num_threads, index)
    return DecordReader(path, num_threads, index, fallback=backend == 'auto')


def read_all_frames_pyav(path: str) -> np.ndarray:
    """Decode every frame from the start with PyAV: the reference order for exactness checks."""
    with av.open(os.fspath(path)) as container:
        return np.stack([_to_rgb(f.to_ndarray(format='rgb24')) for f in container.decode(video=0)])


__all__: Sequence[str] = [
    'BACKENDS', 'PREFERRED_BACKEND', 'MAX_PIXELS', 'VideoReadError', 'DamagedVideoError', 'read_image', 'VideoReader',
    'StreamIndex', 'index_stream',
    'PyAVReader', 'DecordReader', 'FrameLayout', 'detect_frame_layout', 'FrameFolderReader',
    'decord_available', 'open_video', 'read_all_frames_pyav',
]
