"""Write clips as H.264 MP4, VP9 WebM or JPEG folders (PyAV / OpenCV), atomically."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable

import av
import cv2
import numpy as np

from ...fileio import atomic_path, disk_full_error

#: PyAV encoder settings per codec: fast encodes, as the synthetic benchmark and re-encoding need.
ENCODERS = {
    'h264': ('libx264', {'preset': 'veryfast', 'crf': '20', 'tune': 'fastdecode', 'flags': '+bitexact'}),
    'vp9': ('libvpx-vp9', {'deadline': 'realtime', 'cpu-used': '8', 'crf': '30', 'b': '0', 'flags': '+bitexact'}),
}
#: Container options: no muxer version strings, dates or random ids, so equal frames give equal bytes.
MUXER_OPTIONS = {'fflags': '+bitexact'}
CODEC_OF_EXTENSION = {'.mp4': 'h264', '.mkv': 'h264', '.webm': 'vp9'}


def write_video(
    path: str,
    frames: Iterable[np.ndarray],
    fps: float = 12,
    codec: str | None = None,
    gop_size: int | None = None,
    threads: int = 1,
) -> int:
    """Encode RGB uint8 frames ``(H, W, 3)`` to ``path``; the file appears only when complete.

    Args:
        frames: an array ``(T, H, W, 3)`` or any iterable of frames (streamed, not held).
        codec: ``'h264'`` or ``'vp9'``; by default chosen from the extension (``.mp4``, ``.webm``).
        gop_size: frames between keyframes (the encoder's default when None).
        threads: encoder threads (1 when many files are written in parallel).

    Returns:
        the number of frames written.
    """
    extension = os.path.splitext(path)[1].lower()
    codec = codec or CODEC_OF_EXTENSION.get(extension)
    if codec not in ENCODERS:
        raise ValueError(f'{path}: cannot choose an encoder for {extension!r}; pass codec="h264" or "vp9"')
    name, options = ENCODERS[codec]
    count, stream = 0, None
    with atomic_path(path) as temporary:
        with av.open(
            temporary, mode='w', format='webm' if codec == 'vp9' else 'mp4', options=MUXER_OPTIONS
        ) as container:
            for frame in frames:
                if frame.ndim != 3 or frame.shape[2] != 3 or frame.dtype != np.uint8:
                    raise ValueError(f'{path}: expected uint8 frames (H, W, 3), got {frame.dtype} {frame.shape}')
                if stream is None:
                    stream = _open_stream(container, name, options, frame.shape, fps, gop_size, threads, path, codec)
                container.mux(stream.encode(av.VideoFrame.from_ndarray(np.ascontiguousarray(frame), format='rgb24')))
                count += 1
            if stream is None:
                raise ValueError(f'{path}: no frames to write')
            container.mux(stream.encode(None))
    return count


def _open_stream(
    container,
    name: str,
    options: dict,
    shape: tuple[int, ...],
    fps: float,
    gop_size: int | None,
    threads: int,
    path: str,
    codec: str,
):
    height, width = shape[:2]
    if codec == 'h264' and (height % 2 or width % 2):
        raise ValueError(f'{path}: H.264 (yuv420p) needs even frame sizes, got {width}x{height}')
    stream = container.add_stream(name, rate=int(round(fps)), options=dict(options))
    stream.width, stream.height, stream.pix_fmt = width, height, 'yuv420p'
    stream.thread_count = threads
    if gop_size:
        stream.codec_context.gop_size = gop_size
    return stream


def write_frame_folder(
    folder: str,
    frames: Iterable[np.ndarray],
    filename_tmpl: str = '{:05d}.jpg',
    start_index: int = 1,
    quality: int = 90,
) -> int:
    """Write RGB frames as numbered images; the folder appears only when every frame is written.

    Returns:
        the number of frames written.
    """
    parent = os.path.dirname(os.path.abspath(folder))
    os.makedirs(parent, exist_ok=True)
    temporary = tempfile.mkdtemp(prefix='.tmp-', dir=parent)
    count = 0
    try:
        for count, frame in enumerate(frames, start=1):
            offset = count - 1
            file = os.path.join(temporary, filename_tmpl.format(start_index + offset))
            image = frame if frame.ndim == 2 else cv2.cvtColor(np.ascontiguousarray(frame), cv2.COLOR_RGB2BGR)
            ok, encoded = cv2.imencode(os.path.splitext(file)[1], image, [cv2.IMWRITE_JPEG_QUALITY, quality])
            if not ok:
                raise ValueError(f'{file}: cannot encode a frame of shape {frame.shape} as {filename_tmpl!r}')
            try:
                with open(file, 'wb') as handle:
                    handle.write(encoded.tobytes())
            except OSError as error:
                full = disk_full_error(error, os.path.join(folder, os.path.basename(file)))
                raise full or OSError(error.errno, f'{file}: could not be written ({error.strerror})') from error
        if count == 0:
            raise ValueError(f'{folder}: no frames to write')
        if os.path.isdir(folder):
            shutil.rmtree(folder)
        os.replace(temporary, folder)
    finally:
        if os.path.isdir(temporary):
            shutil.rmtree(temporary)
    return count
