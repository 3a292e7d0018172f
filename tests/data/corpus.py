"""A corpus of real-world video structures, written at test time with PyAV (no committed binaries).

Files that phones, editors and dataset scripts produce every day: stream-copy cuts that an MP4 edit
list trims, negative timestamps, streams that start on a non-keyframe (and one that lost its only
keyframe), MPEG-TS with and without B-frames, open and closed GOPs, HEVC with B-frames,
display-matrix rotation and mirroring, two video streams and a mid-stream resolution change.
``build_corpus(folder)`` writes them all; each entry says what a reader must do with it: read it
exactly (frame ``i`` equal to the ``i``-th frame plain PyAV decodes from the start, turned as the
builder's display matrix says: :func:`expected_frames`) or refuse it with a message matching
``refuse``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np

from tests.media import moving_frames

FPS = 10
#: x265 with B-frames, a keyframe every 12 frames (open GOPs: x265's default) and no console log
HEVC_PARAMS = 'bframes=3:keyint=12:log-level=0'


@dataclass(frozen=True)
class CorpusFile:
    """One file of the corpus: ``refuse`` is None where every backend must read it exactly."""

    name: str
    path: str
    refuse: str | None = None
    rotation: int = 0
    mirror: str = ''  # 'h' or 'v': mirrored after the rotation, as PyAV's set_display_rotation writes it


def encode(
    path: str,
    frames: np.ndarray,
    container_format: str,
    codec: str = 'libx264',
    options: dict[str, str] | None = None,
    rotation: int | None = None,
    mirror: str = '',
) -> str:
    """Encode RGB ``frames`` as one video stream; ``rotation`` (degrees counterclockwise) and then
    ``mirror`` (``'h'`` or ``'v'``) go to the display matrix."""
    with av.open(path, 'w', format=container_format) as container:
        stream = container.add_stream(codec, rate=FPS)
        stream.width, stream.height = frames.shape[2], frames.shape[1]
        stream.pix_fmt = 'yuv420p'
        stream.options = dict(options or {})
        if rotation is not None:
            stream.set_display_rotation(rotation, hflip=mirror == 'h', vflip=mirror == 'v')
        for frame in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
        container.mux(stream.encode(None))
    return path


def _packets(path: str) -> tuple[list[tuple[int | None, int | None, bool, bytes]], object]:
    """The video packets of ``path`` (pts, dts, keyframe, data) in decoding order, and the stream's time base."""
    with av.open(path) as container:
        stream = container.streams.video[0]
        packets = [
            (packet.pts, packet.dts, packet.is_keyframe, bytes(packet))
            for packet in container.demux(stream)
            if packet.size
        ]
        return packets, stream.time_base


def remux(
    source: str,
    target: str,
    container_format: str,
    keep=lambda position, packet: True,
    shift: int = 0,
) -> str:
    """Stream-copy the video of ``source`` to ``target``, keeping the packets ``keep(position, packet)``
    accepts and shifting every timestamp by ``shift`` (in the source's time base)."""
    packets, time_base = _packets(source)
    with av.open(source) as original, av.open(target, 'w', format=container_format) as container:
        stream = container.add_stream_from_template(original.streams.video[0])
        for position, (pts, dts, key, data) in enumerate(packets):
            if not keep(position, (pts, dts, key)):
                continue
            packet = av.Packet(data)
            packet.pts = None if pts is None else pts + shift
            packet.dts = None if dts is None else dts + shift
            packet.time_base = time_base
            packet.is_keyframe = key
            packet.stream = stream
            container.mux(packet)
    return target


def stream_copy_cut(source: str, target: str, container_format: str, cut: int) -> str:
    """What ``ffmpeg -ss CUT -i SOURCE -c copy`` writes: the packets from the keyframe before frame
    ``cut`` on, timestamps shifted so frame ``cut`` starts at 0 (the frames before it are negative,
    which an MP4 muxer turns into an edit list)."""
    packets, time_base = _packets(source)
    ordered = sorted(pts for pts, _, _, _ in packets if pts is not None)
    cut_pts = ordered[cut]
    first = max(position for position, (pts, _, key, _) in enumerate(packets) if key and pts <= cut_pts)
    return remux(source, target, container_format, keep=lambda position, _: position >= first, shift=-cut_pts)


def _non_keyframe_start(source: str, target: str, container_format: str, skip: int) -> str:
    """The stream without its first ``skip`` packets (it then starts on a non-keyframe)."""
    return remux(source, target, container_format, keep=lambda position, _: position >= skip)


def _two_video_streams(path: str) -> str:
    """An MKV with two video streams: a small one first, the main picture (the default stream) second."""
    small, large = moving_frames(20, 32, 48, seed=1), moving_frames(20, 48, 64, seed=2)
    with av.open(path, 'w', format='matroska') as container:
        streams = []
        for frames in (small, large):
            stream = container.add_stream('libx264', rate=FPS)
            stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], 'yuv420p'
            streams.append(stream)
        streams[0].disposition = av.stream.Disposition(0)
        streams[1].disposition = av.stream.Disposition.default  # FFmpeg's best video stream: not the first
        for index in range(len(small)):
            for stream, frames in zip(streams, (small, large)):
                container.mux(stream.encode(av.VideoFrame.from_ndarray(frames[index], format='rgb24')))
        for stream in streams:
            container.mux(stream.encode(None))
    return path


def _resolution_change(folder: str) -> str:
    """An MPEG-TS whose H.264 stream switches from 64x48 to 48x32 at frame 12 (two encodes joined)."""
    first = encode(os.path.join(folder, 'part1.ts'), moving_frames(12, 48, 64), 'mpegts', options={'bf': '0'})
    second = encode(os.path.join(folder, 'part2.ts'), moving_frames(12, 32, 48, seed=3), 'mpegts', options={'bf': '0'})
    target = os.path.join(folder, 'resolution_change.ts')
    packets = []
    offset = 0
    for part in (first, second):
        part_packets, time_base = _packets(part)
        start = min(dts for _, dts, _, _ in part_packets)
        packets += [(pts - start + offset, dts - start + offset, key, data) for pts, dts, key, data in part_packets]
        offset = max(pts for pts, _, _, _ in packets) + int(1 / (FPS * time_base))
    with av.open(first) as original, av.open(target, 'w', format='mpegts') as container:
        stream = container.add_stream_from_template(original.streams.video[0])
        for pts, dts, key, data in packets:
            packet = av.Packet(data)
            packet.pts, packet.dts, packet.time_base, packet.is_keyframe = pts, dts, time_base, key
            packet.stream = stream
            container.mux(packet)
    return target


def _negative_timestamps(path: str, frames: np.ndarray, container_format: str, first: int = -5) -> str:
    """A clip whose frames are stamped from ``first`` (negative) on, as an editor's export can be."""
    with av.open(path, 'w', format=container_format) as container:
        stream = container.add_stream('libx264', rate=FPS)
        stream.width, stream.height, stream.pix_fmt = frames.shape[2], frames.shape[1], 'yuv420p'
        stream.options = {'bf': '2', 'g': '12'}
        for number, image in enumerate(frames):
            frame = av.VideoFrame.from_ndarray(image, format='rgb24')
            frame.pts = first + number
            frame.time_base = Fraction(1, FPS)
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def build_corpus(folder: str) -> list[CorpusFile]:
    """Write the corpus under ``folder``; its files, each with what a reader must do with it."""
    os.makedirs(folder, exist_ok=True)
    frames = moving_frames(40, 48, 64)
    join = lambda name: os.path.join(folder, name)  # noqa: E731
    bframes = {'bf': '2', 'g': '12', 'keyint_min': '12', 'sc_threshold': '0'}
    open_gop = {**bframes, 'x264-params': 'open-gop=1'}
    source_mkv = encode(join('source_bframes.mkv'), frames, 'matroska', options=bframes)
    one_gop = encode(join('one_gop.mp4'), frames[:20], 'mp4', options={'g': '100', 'bf': '0'})  # one keyframe
    source_webm = encode(join('source.webm'), frames, 'webm', 'libvpx-vp9', {'g': '12', 'lag-in-frames': '0'})
    files = [
        CorpusFile('closed_gop.mp4', encode(join('closed_gop.mp4'), frames, 'mp4', options=bframes)),
        CorpusFile('open_gop.mp4', encode(join('open_gop.mp4'), frames, 'mp4', options=open_gop)),
        CorpusFile('open_gop.mkv', encode(join('open_gop.mkv'), frames, 'matroska', options=open_gop)),
        CorpusFile(
            'hevc_bframes.mp4',
            encode(join('hevc_bframes.mp4'), frames, 'mp4', 'libx265', {'x265-params': HEVC_PARAMS}),
        ),
        CorpusFile('bframes.ts', encode(join('bframes.ts'), frames, 'mpegts', options=bframes)),
        CorpusFile('no_bframes.ts', encode(join('no_bframes.ts'), frames, 'mpegts', options={'bf': '0', 'g': '12'})),
        CorpusFile('bframes_remuxed.ts', remux(source_mkv, join('bframes_remuxed.ts'), 'mpegts')),
        CorpusFile('cut_editlist.mp4', stream_copy_cut(source_mkv, join('cut_editlist.mp4'), 'mp4', 17)),
        CorpusFile('negative_ts.mp4', _negative_timestamps(join('negative_ts.mp4'), frames[:30], 'mp4')),
        CorpusFile('cut.mkv', stream_copy_cut(source_mkv, join('cut.mkv'), 'matroska', 17)),
        CorpusFile('cut.webm', stream_copy_cut(source_webm, join('cut.webm'), 'webm', 17)),
        CorpusFile('nonkey_start.mp4', _non_keyframe_start(source_mkv, join('nonkey_start.mp4'), 'mp4', 3)),
        CorpusFile('nonkey_start.mkv', _non_keyframe_start(source_mkv, join('nonkey_start.mkv'), 'matroska', 3)),
        CorpusFile('nonkey_start.webm', _non_keyframe_start(source_webm, join('nonkey_start.webm'), 'webm', 3)),
        CorpusFile(
            'no_keyframe.mp4',
            _non_keyframe_start(one_gop, join('no_keyframe.mp4'), 'mp4', 1),
            refuse='no frame of stream 0 can be decoded: it starts on a non-keyframe',
        ),
        CorpusFile('two_video_streams.mkv', _two_video_streams(join('two_video_streams.mkv'))),
        CorpusFile('resolution_change.ts', _resolution_change(folder), refuse='resolution changes'),
    ]
    for extension, container_format in (('mkv', 'matroska'), ('mp4', 'mp4')):  # the joined stream, remuxed
        name = f'resolution_change.{extension}'
        path = remux(join('resolution_change.ts'), join(name), container_format)
        files.append(CorpusFile(name, path, refuse='resolution changes'))
    for rotation in (90, 180, 270):
        for extension, container_format in (('mp4', 'mp4'), ('mov', 'mov')):
            name = f'rotate_{rotation}.{extension}'
            path = encode(join(name), frames[:20], container_format, options=bframes, rotation=rotation)
            files.append(CorpusFile(name, path, rotation=rotation))
    for rotation, mirror, extension in ((0, 'h', 'mp4'), (90, 'h', 'mov'), (270, 'v', 'mp4'), (180, 'h', 'mov')):
        name = f'rotate_{rotation}_mirror_{mirror}.{extension}'
        path = encode(join(name), frames[:12], extension, rotation=rotation, mirror=mirror)
        files.append(CorpusFile(name, path, rotation=rotation, mirror=mirror))
    return files


def expected_frames(file: CorpusFile) -> np.ndarray:
    """What a reader must return for a corpus file: the coded frames (:func:`reference_frames` with
    ``autorotate=False``) turned by the rotation and mirror the builder wrote, not by what is read
    back from the file."""
    coded = reference_frames(file.path, autorotate=False)
    if not (file.rotation or file.mirror):
        return coded
    shown = np.rot90(coded, file.rotation // 90, axes=(1, 2))
    shown = shown[:, :, ::-1] if file.mirror == 'h' else shown[:, ::-1] if file.mirror == 'v' else shown
    return np.ascontiguousarray(shown)


def reference_frames(path: str, autorotate: bool = True) -> np.ndarray:
    """Frame ``i`` by definition: the ``i``-th frame FFmpeg's decoder presents, decoding FFmpeg's best
    video stream from the start with plain PyAV, turned to display orientation (``np.rot90`` by the
    display matrix's angle). As ``ffmpeg -i`` does, a packet the decoder refuses (an inter frame
    before any keyframe) is passed over."""
    with av.open(path) as container:
        stream = container.streams.best('video')
        frames = []
        for packet in container.demux(stream):
            try:
                decoded = list(stream.codec_context.decode(packet if packet.size else None))
            except av.InvalidDataError:
                continue
            for frame in decoded:
                image = frame.to_ndarray(format='rgb24')
                if autorotate and frame.rotation % 360:
                    image = np.rot90(image, frame.rotation // 90)
                frames.append(np.ascontiguousarray(image))
    return np.stack(frames)


__all__ = ['CorpusFile', 'build_corpus', 'reference_frames', 'expected_frames', 'encode', 'remux']
