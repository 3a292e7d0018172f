"""The frame index: one demux pass (packets only, no decoding) per video file, and the checks made
at open: missing and empty files, still images, bare elementary streams, frames over
:data:`MAX_PIXELS`, and headers that declare more frames or a longer duration than the packets
hold (:class:`~gfvideo.data.readers.base.DamagedVideoError`)."""

from __future__ import annotations

import os
from dataclasses import dataclass

import av
import numpy as np

from .base import DamagedVideoError, VideoReadError


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
