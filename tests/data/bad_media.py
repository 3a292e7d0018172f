"""A corpus of bad media, written at test time under ``tmp_path``.

Every case returns ``(path, expected)``: the file or folder it wrote and a pattern of the error
message that reading it must give (``tests/data/test_bad_inputs.py``).
"""

from __future__ import annotations

import os
import re
from typing import Callable

import av
import cv2
import numpy as np

from gfvideo.data.prep.video_writer import write_frame_folder, write_video
from tests.media import moving_frames


def encoded_clip(tmp_path, name: str, num_frames: int = 30, **options) -> tuple[str, bytes]:
    """A 64x48 clip of ``num_frames`` moving frames written as ``name``: its path and its bytes."""
    path = str(tmp_path / name)
    write_video(path, moving_frames(num_frames, 48, 64), fps=10, **options)
    with open(path, 'rb') as file:
        return path, file.read()


def write_bytes(path: str, data: bytes) -> str:
    """Write ``data`` to ``path``; the path."""
    with open(path, 'wb') as file:
        file.write(data)
    return path


# ----------------------------------------------------------------------------- video files
def _still_image_as_video(image_ext: str, name: str):
    """A case: a still image encoded as ``image_ext``, saved under a video file ``name``."""

    def case(tmp_path):
        ok, data = cv2.imencode(image_ext, moving_frames(1)[0])
        return write_bytes(str(tmp_path / name), data.tobytes()), 'still image'

    case.__name__ = f'still_{image_ext[1:]}_as_{name.rsplit(".", 1)[1]}'
    return case


still_jpeg_as_mp4 = _still_image_as_video('.jpg', 'photo.mp4')
still_png_as_webm = _still_image_as_video('.png', 'photo.webm')
still_bmp_as_mp4 = _still_image_as_video('.bmp', 'bitmap.mp4')
still_webp_as_webm = _still_image_as_video('.webp', 'picture.webm')


def mp4_header_only(tmp_path):
    path, data = encoded_clip(tmp_path, 'head.mp4')
    return write_bytes(path, data[:64]), 'cannot be opened|no frames|truncated'


def mp4_with_zeroed_index(tmp_path):
    path, data = encoded_clip(tmp_path, 'noindex.mp4')
    at = data.find(b'moov')
    return write_bytes(path, data[:at] + bytes(len(data) - at)), 'cannot be opened|no frames|truncated'


def _truncated_webm(fraction):
    def build(tmp_path):
        path, data = encoded_clip(tmp_path, 'cut.webm')
        return write_bytes(path, data[: int(len(data) * fraction)]), 'truncated'

    build.__name__ = f'webm_truncated_at_{int(fraction * 100)}pc'
    return build


def webm_corrupted_in_the_middle(tmp_path):
    path, data = encoded_clip(tmp_path, 'hole.webm')
    data = bytearray(data)
    middle = len(data) // 2
    data[middle : middle + 200] = np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8).tobytes()
    return write_bytes(path, bytes(data)), 'truncated or damaged'


def mp4_corrupted_in_a_frame(tmp_path):
    path, data = encoded_clip(tmp_path, 'smeared.mp4', gop_size=10)
    data = bytearray(data)
    at = len(data) // 3  # inside a frame's packet: the demux is intact, the decoder conceals
    data[at : at + 200] = np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8).tobytes()
    return write_bytes(path, bytes(data)), r'frame \d+ is damaged|decoding failed'


def faststart_mp4_truncated(tmp_path):
    path = str(tmp_path / 'faststart.mp4')
    with av.open(path, 'w', options={'movflags': 'faststart'}) as container:
        stream = container.add_stream('libx264', rate=10)
        stream.width, stream.height, stream.pix_fmt = 64, 48, 'yuv420p'
        for frame in moving_frames(30, 48, 64):
            container.mux(stream.encode(av.VideoFrame.from_ndarray(frame, format='rgb24')))
        container.mux(stream.encode())
    with open(path, 'rb') as file:
        data = file.read()
    return write_bytes(path, data[: int(len(data) * 0.8)]), 'declares 30 frames'


def raw_h264_named_mp4(tmp_path):
    source, _ = encoded_clip(tmp_path, 'source.mp4')
    path = str(tmp_path / 'bare.mp4')
    with av.open(source) as inp, av.open(path, 'w', format='h264') as out:
        stream = out.add_stream_from_template(inp.streams.video[0])
        for packet in inp.demux(video=0):
            if packet.size:
                packet.stream = stream
                out.mux(packet)
    return path, 'bare H.264 stream'


def symlink_loop(tmp_path):
    first, second = tmp_path / 'a.mp4', tmp_path / 'b.mp4'
    os.symlink(second, first)
    os.symlink(first, second)
    return str(first), 'symbolic links'


def dangling_symlink(tmp_path):
    os.symlink(tmp_path / 'gone.mp4', tmp_path / 'link.mp4')
    return str(tmp_path / 'link.mp4'), 'no such file'


def audio_only(tmp_path):
    path = str(tmp_path / 'sound.mp4')
    with av.open(path, 'w') as container:
        stream = container.add_stream('aac', rate=8000)
        samples = np.zeros((1, 1024), np.float32)
        for _ in range(4):
            frame = av.AudioFrame.from_ndarray(samples, format='fltp', layout='mono')
            frame.sample_rate = 8000
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path, 'no video stream'


def random_bytes(tmp_path):
    data = np.random.default_rng(1).integers(0, 256, 4096, dtype=np.uint8).tobytes()
    return write_bytes(str(tmp_path / 'noise.mp4'), data), 'cannot be opened'


def text_as_webm(tmp_path):
    return write_bytes(str(tmp_path / 'notes.webm'), b'path label\n' * 50), 'cannot be opened'


def empty_file(tmp_path):
    return write_bytes(str(tmp_path / 'empty.mp4'), b''), 'empty'


def folder_named_mp4(tmp_path):
    os.mkdir(tmp_path / 'dir.mp4')
    return str(tmp_path / 'dir.mp4'), 'no such frame files|folder|no frame files'


def eight_k_stream(tmp_path):
    path = str(tmp_path / 'tiny8k.mp4')
    write_video(path, np.zeros((1, 4320, 7680, 3), np.uint8), fps=10)
    assert os.path.getsize(path) < 200_000  # tiny file, 100 MB a decoded frame
    return path, r'7680x4320 .* exceed the decode limit of 8\.3 Mpixels'


# ----------------------------------------------------------------------------- frame folders
def _folder_with(tmp_path, name: str, damage: Callable[[bytes], bytes], tmpl: str = '{:05d}.jpg'):
    folder = str(tmp_path / 'frames')
    write_frame_folder(folder, moving_frames(5, 48, 64), tmpl, start_index=1)
    file = os.path.join(folder, tmpl.format(3))
    with open(file, 'rb') as handle:
        data = handle.read()
    write_bytes(file, damage(data))
    return folder, file


def empty_frame_folder(tmp_path):
    os.mkdir(tmp_path / 'frames')
    return str(tmp_path / 'frames'), 'no frame files'


def folder_of_non_frames(tmp_path):
    os.mkdir(tmp_path / 'frames')
    (tmp_path / 'frames' / 'Thumbs.db').write_bytes(b'x')
    (tmp_path / 'frames' / 'notes.txt').write_text('x')
    return str(tmp_path / 'frames'), 'no frame files'


def frame_of_another_size(tmp_path):
    folder = str(tmp_path / 'frames')
    write_frame_folder(folder, moving_frames(4, 48, 64), '{:05d}.jpg', start_index=1)
    cv2.imwrite(os.path.join(folder, '00002.jpg'), np.zeros((32, 32, 3), np.uint8))
    return folder, 'frames have different sizes'


def gap_in_frame_numbers(tmp_path):
    folder = str(tmp_path / 'frames')
    write_frame_folder(folder, moving_frames(5, 48, 64), '{:05d}.jpg', start_index=1)
    os.remove(os.path.join(folder, '00003.jpg'))
    return folder, "expected frame '00003.jpg'"


def truncated_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: data[: len(data) // 2])
    return folder, re.escape(file) + '.*truncated'


def truncated_png_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: data[: len(data) // 2], '{:05d}.png')
    return folder, re.escape(file) + '.*truncated'


def empty_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: b'')
    return folder, re.escape(file)


def text_as_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: b'not an image')
    return folder, re.escape(file) + '.*not a readable image'


MEDIA_CASES = [
    still_jpeg_as_mp4,
    still_png_as_webm,
    still_bmp_as_mp4,
    still_webp_as_webm,
    mp4_header_only,
    mp4_with_zeroed_index,
    empty_frame_folder,
    folder_of_non_frames,
    frame_of_another_size,
    gap_in_frame_numbers,
    _truncated_webm(0.5),
    _truncated_webm(0.7),
    _truncated_webm(0.9),
    webm_corrupted_in_the_middle,
    mp4_corrupted_in_a_frame,
    faststart_mp4_truncated,
    raw_h264_named_mp4,
    symlink_loop,
    dangling_symlink,
    audio_only,
    random_bytes,
    text_as_webm,
    empty_file,
    folder_named_mp4,
    eight_k_stream,
    truncated_jpeg_frame,
    truncated_png_frame,
    empty_jpeg_frame,
    text_as_jpeg_frame,
]
