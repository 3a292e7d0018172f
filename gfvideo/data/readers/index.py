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

    Frame ``i`` is the ``i``-th frame FFmpeg's demuxer and decoder present for the stream: packets an
    edit list hides (FFmpeg marks them discarded) are not frames, nor are the packets before the
    first keyframe that the decoder cannot turn into pictures (a stream that starts on a
    non-keyframe, checked by decoding its first group of pictures).

    Attributes:
        pts: presentation timestamps in frame order (sorted), or None when the stream has
            packets without timestamps (then frames can only be counted by decoding order).
        keyframes: sorted frame indices of the keyframes (seek targets).
        codec: the codec's short name (``h264``, ``vp9`` ...).
        num_frames: number of frames.
        width, height: coded frame size the stream declares (before any rotation).
        bits: bits per sample of the decoded pixels (8, or 10/12 for high-bit-depth streams).
        stream: the index of the video stream in the container.
        seek_points: per keyframe, the timestamp to seek to for it (its decoding timestamp where
            the packet has one: demuxers such as MPEG-TS seek by it and land after the keyframe
            when given its presentation timestamp).
        container_format: FFmpeg's name of the container format (``mov,mp4,...``, ``mpegts``).
        video_streams: number of video streams in the container.
        hidden: packets that are not frames (an edit list's discarded packets, undecodable packets
            before the first keyframe).
        reordered: frames are presented in another order than decoded (B-frames).
        open_gop: a keyframe is followed, in decoding order, by frames shown before it (leading
            pictures, which depend on the previous group of pictures).
        new_parameter_sets: an H.264/HEVC keyframe carries a sequence parameter set unlike the
            stream's first (the picture size or format may change mid-stream).
    """

    pts: np.ndarray | None
    keyframes: np.ndarray
    codec: str
    num_frames: int
    width: int = 0
    height: int = 0
    bits: int = 8
    stream: int = 0
    seek_points: np.ndarray | None = None
    container_format: str = ''
    video_streams: int = 1
    hidden: int = 0
    reordered: bool = False
    open_gop: bool = False
    new_parameter_sets: bool = False


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
        # Matroska's duration is where the segment ends, counted from 0, not from the first frame: a
        # stream cut without re-encoding that keeps its timestamps (starts late) declares its end time
        if declared - max(found, end_seconds) > 1.5 * frame_seconds + 0.05:
            raise DamagedVideoError(
                path,
                f'truncated or damaged: the container declares {declared:.2f} s, only '
                f'{found:.2f} s ({num_frames} frames) can be demuxed',
            )


def index_stream(path: str, max_pixels: int | None = None, stream: int | None = None) -> StreamIndex:
    """Demux (without decoding) the video stream of ``path``: FFmpeg's best one, or the container's
    stream number ``stream``.

    Raises :class:`VideoReadError` for still images, bare elementary streams and frames larger
    than ``max_pixels`` (default :data:`MAX_PIXELS`), and :class:`DamagedVideoError` when the
    container declares more frames or a longer duration than its packets hold.
    """
    index, container = _index_and_open(path, max_pixels, stream)
    container.close()
    return index


def _index_and_open(path: str, max_pixels: int | None = None, stream: int | None = None):
    """:func:`index_stream`, returning the still-open container too (the PyAV reader decodes from it
    instead of opening and probing the file a second time)."""
    container = _open_checked(path, max_pixels, stream)
    return _demux_index(path, container, stream), container


def video_stream(path: str, container, stream: int | None = None):
    """The video stream a reader reads: FFmpeg's best video stream (what ``ffmpeg -i`` picks and
    decord reads), or the container's stream number ``stream``."""
    if stream is None:
        chosen = container.streams.best('video')
        if chosen is None:
            raise VideoReadError(path, 'the file has no video stream')
        return chosen
    videos = [s.index for s in container.streams.video]
    if stream not in videos:
        raise VideoReadError(path, f'stream {stream} is not a video stream (video streams: {videos})')
    return container.streams[stream]


def _stream_format(stream) -> tuple[str, int, int, int]:
    """Codec name, width, height and bits per sample that a video stream declares."""
    context = stream.codec_context
    pixel_format = context.format
    bits = max((c.bits for c in pixel_format.components), default=8) if pixel_format else 8
    return context.name, context.width, context.height, bits


def _open_checked(path: str, max_pixels: int | None = None, stream: int | None = None):
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
        _, width, height, _ = _stream_format(video_stream(path, container, stream))
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


def _demux_index(path: str, container, stream_number: int | None = None) -> StreamIndex:
    """Demux every packet of an open container (closed on error) into the selected video stream's
    :class:`StreamIndex`, after checking the declared length against what was demuxed."""
    stream = video_stream(path, container, stream_number)
    codec, width, height, bits = _stream_format(stream)
    try:
        # Integer timestamps per stream in the loop (Fraction arithmetic per packet costs more than the
        # demuxing itself); converted to seconds once at the end.
        video = stream.index
        packets: list[tuple[int | None, int | None, bool]] = []  # (pts, dts, keyframe), decoding order
        parameter_sets = _ParameterSets(codec, stream.codec_context.extradata)
        discarded = 0
        starts_hidden_on_keyframe = False  # the stream's first packet, a keyframe an edit list hides
        ends: dict[int, int] = {}  # stream index -> end of its last packet, in its time base
        longest = 0
        for packet in container.demux():
            size, pts, index = packet.size, packet.pts, packet.stream_index
            if not size:
                continue
            if pts is None:
                if index == video:
                    packets.append((None, packet.dts, packet.is_keyframe))
                continue
            duration = packet.duration or 0
            if pts + duration > ends.get(index, pts + duration - 1):
                ends[index] = pts + duration
            if index == video:
                if packet.is_discard:  # an edit list hides it: decoded (others may refer to it), never shown
                    if not discarded and not packets:
                        starts_hidden_on_keyframe = packet.is_keyframe
                    discarded += 1
                    continue
                packets.append((pts, packet.dts, packet.is_keyframe))
                longest = max(longest, duration)
                if packet.is_keyframe and parameter_sets.scanning:
                    parameter_sets.scan(bytes(packet))
        time_bases = {s.index: s.time_base for s in container.streams}
        end_seconds = max([0.0] + [float(end * time_bases[index]) for index, end in ends.items()])
        frame_seconds = max(float(longest * stream.time_base) if longest else 0.0, end_seconds / max(len(packets), 1))
        _check_declared_length(path, container, stream, len(packets) + discarded, end_seconds, frame_seconds)
        if not packets:
            raise VideoReadError(path, 'the video stream has no frames')
        undecodable = set() if starts_hidden_on_keyframe else _undecodable_head(path, stream, packets)
    except av.FFmpegError as error:
        container.close()
        raise VideoReadError(path, f'cannot be opened as a video ({error})') from error
    except BaseException:
        container.close()
        raise
    if undecodable:
        packets = [packet for position, packet in enumerate(packets) if position not in undecodable]
        if not packets:
            container.close()
            raise VideoReadError(
                path,
                f'no frame of stream {video} can be decoded: it starts on a non-keyframe and the decoder '
                'made no picture of it (a cut without re-encoding that lost its keyframe)',
            )
    details: dict = {
        'width': width,
        'height': height,
        'bits': bits,
        'stream': video,
        'container_format': container.format.name,
        'video_streams': len(container.streams.video),
        'hidden': discarded + len(undecodable),
        'new_parameter_sets': parameter_sets.changed,
    }
    packet_pts = [pts for pts, _, _ in packets]
    if any(p is None for p in packet_pts) or len(set(packet_pts)) != len(packet_pts):
        return StreamIndex(None, np.zeros(1, np.int64), codec, len(packets), **details)
    pts = np.asarray(packet_pts, dtype=np.int64)
    order = np.argsort(pts, kind='stable')
    frame_of_packet = np.empty_like(order)
    frame_of_packet[order] = np.arange(len(order))
    is_key = np.asarray([key for _, _, key in packets], dtype=bool)
    if not is_key[0]:
        is_key[0] = True  # seeking there lands on the keyframe before it, which an edit list hides
    keyframes = np.sort(frame_of_packet[is_key])
    dts = [pts_value if dts_value is None else dts_value for pts_value, (_, dts_value, _) in zip(pts.tolist(), packets)]
    seek_of_frame = np.minimum(pts, np.asarray(dts, dtype=np.int64))[order]
    if keyframes[0] != 0:  # frames shown before the first keyframe (leading pictures): seek to the start
        keyframes = np.concatenate([[0], keyframes])
        seek_of_frame[0] = min(seek_of_frame[keyframes[1]], seek_of_frame[0])
    # open GOP: after a keyframe (in decoding order), a frame presented before it
    later_minimum = np.minimum.accumulate(pts[::-1])[::-1]
    key_positions = np.flatnonzero(is_key)[1:]
    open_gop = bool(
        any(position + 1 < len(pts) and later_minimum[position + 1] < pts[position] for position in key_positions)
    )
    return StreamIndex(
        pts[order],
        keyframes,
        codec,
        len(pts),
        seek_points=seek_of_frame[keyframes],
        reordered=bool((order != np.arange(len(order))).any()),
        open_gop=open_gop,
        **details,
    )


def _undecodable_head(path: str, stream, packets: list[tuple[int | None, int | None, bool]]) -> set[int]:
    """Positions (in decoding order) of the packets before the first keyframe that the decoder
    cannot turn into frames, where the stream starts on a non-keyframe (a cut without re-encoding),
    or on a keyframe followed by pictures shown before it (leading pictures of an open GOP, which
    refer to pictures before the cut).

    Decodes the stream's first group of pictures from a fresh opening of the file (a decoder that
    starts without a keyframe drops, or fails on, what refers to pictures it never saw); empty, and
    nothing decoded, where the stream starts on a keyframe that no picture before it depends on."""
    if any(pts is None for pts, _, _ in packets):
        return set()
    keys = [position for position, (_, _, key) in enumerate(packets) if key]
    head_end = keys[1] if len(keys) > 1 else len(packets)  # the first group decides; its frames follow
    first_pts = packets[0][0]
    assert first_pts is not None, 'checked above'
    if packets[0][2] and all(pts is not None and pts > first_pts for pts, _, _ in packets[1:head_end]):
        return set()
    shown: set[int] = set()
    with av.open(path) as container:
        decoded = container.streams[stream.index]
        decoded.thread_count = 1
        codec = decoded.codec_context
        position = 0
        for packet in container.demux(decoded):
            if not packet.size:
                continue
            position += 0 if packet.is_discard else 1
            if position > head_end + 16:
                break
            try:
                shown.update(frame.pts for frame in codec.decode(packet))
            except av.FFmpegError:  # e.g. VP9 refuses inter frames before a keyframe; FFmpeg carries on
                continue
        try:
            shown.update(frame.pts for frame in codec.decode(None))
        except av.FFmpegError:
            pass
    return {position for position in range(head_end) if packets[position][0] not in shown}


class _ParameterSets:
    """Watches the sequence parameter sets (SPS) of an H.264 or HEVC stream's keyframes: ``changed``
    once one differs from those the stream began with (a mid-stream change of picture size or
    format, as when encodes at two sizes are joined without re-encoding)."""

    #: NAL unit type of a sequence parameter set, and the NAL header's type bits, per codec
    _SPS = {'h264': (7, lambda header: header & 0x1F), 'hevc': (33, lambda header: (header >> 1) & 0x3F)}

    def __init__(self, codec: str, extradata: bytes | None) -> None:
        self.scanning = codec in self._SPS
        self.changed = False
        self._sps_type, self._nal_type = self._SPS.get(codec, self._SPS['h264'])
        self._length_size = 0  # 0: Annex B start codes; else bytes of each NAL unit's length prefix
        self._known: set[bytes] = set()
        if self.scanning and extradata and extradata[0] == 1:  # avcC / hvcC configuration record
            self._length_size = (extradata[4 if codec == 'h264' else 21] & 3) + 1
            self._known.update(self._units_of_record(extradata, codec))

    def _units_of_record(self, record: bytes, codec: str) -> list[bytes]:
        """The parameter sets an avcC or hvcC record lists."""
        units = []
        try:
            if codec == 'h264':
                at, count = 6, record[5] & 0x1F
                for _ in range(count):
                    size = int.from_bytes(record[at : at + 2], 'big')
                    units.append(record[at + 2 : at + 2 + size])
                    at += 2 + size
            else:
                at = 23
                for _ in range(record[22]):
                    count = int.from_bytes(record[at + 1 : at + 3], 'big')
                    at += 3
                    for _ in range(count):
                        size = int.from_bytes(record[at : at + 2], 'big')
                        units.append(record[at + 2 : at + 2 + size])
                        at += 2 + size
        except IndexError:
            return []
        return [unit for unit in units if unit and self._nal_type(unit[0]) == self._sps_type]

    def _units(self, data: bytes) -> list[bytes]:
        """The NAL units of one packet."""
        if not self._length_size:
            return [unit.lstrip(b'\x00') for unit in data.split(b'\x00\x00\x01') if unit.strip(b'\x00')]
        units, at = [], 0
        while at + self._length_size <= len(data):
            size = int.from_bytes(data[at : at + self._length_size], 'big')
            units.append(data[at + self._length_size : at + self._length_size + size])
            at += self._length_size + size
        return units

    def scan(self, data: bytes) -> None:
        """Look at one keyframe packet's parameter sets."""
        for unit in self._units(data):
            if not unit or self._nal_type(unit[0]) != self._sps_type:
                continue
            unit = unit.rstrip(b'\x00')
            if not self._known:
                self._known.add(unit)  # the first the stream carries
            elif unit not in self._known and unit not in {known.rstrip(b'\x00') for known in self._known}:
                self.changed = True
                self.scanning = False
                return
