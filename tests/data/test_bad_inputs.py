"""A corpus of bad inputs, written at test time: each gives a clear error naming its file.

Every case builds its input under ``tmp_path`` and returns ``(action, path)``; the action must
raise one of gfvideo's own errors whose message names ``path``, never return frames silently
and never end in a foreign traceback.
"""
from __future__ import annotations

import os
import re
from typing import Callable

import av
import cv2
import numpy as np
import pytest

from gfvideo.data import AnnotationError, DamagedVideoError, VideoReadError, open_video
from gfvideo.data.video_writer import write_frame_folder, write_video
from tests.conftest import moving_frames

CLEAR_ERRORS = (VideoReadError, AnnotationError)


def _read_all(path: str, **options) -> Callable[[], np.ndarray]:
    def action():
        with open_video(path, **options) as reader:
            return reader.get_frames(range(len(reader)))
    return action


def _clip(tmp_path, name: str, num_frames: int = 30, **options) -> tuple[str, bytes]:
    path = str(tmp_path / name)
    write_video(path, moving_frames(num_frames, 48, 64), fps=10, **options)
    with open(path, 'rb') as file:
        return path, file.read()


def _write(path: str, data: bytes) -> str:
    with open(path, 'wb') as file:
        file.write(data)
    return path


# ----------------------------------------------------------------------------- video files
def still_jpeg_as_mp4(tmp_path):
    ok, data = cv2.imencode('.jpg', moving_frames(1)[0])
    return _write(str(tmp_path / 'photo.mp4'), data.tobytes()), 'still image'


def still_png_as_webm(tmp_path):
    ok, data = cv2.imencode('.png', moving_frames(1)[0])
    return _write(str(tmp_path / 'photo.webm'), data.tobytes()), 'still image'


def _truncated_webm(fraction):
    def build(tmp_path):
        path, data = _clip(tmp_path, 'cut.webm')
        return _write(path, data[:int(len(data) * fraction)]), 'truncated'
    build.__name__ = f'webm_truncated_at_{int(fraction * 100)}pc'
    return build


def webm_corrupted_in_the_middle(tmp_path):
    path, data = _clip(tmp_path, 'hole.webm')
    data = bytearray(data)
    middle = len(data) // 2
    data[middle:middle + 200] = np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8).tobytes()
    return _write(path, bytes(data)), 'truncated or damaged'


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
    return _write(path, data[:int(len(data) * 0.8)]), 'declares 30 frames'


def raw_h264_named_mp4(tmp_path):
    source, _ = _clip(tmp_path, 'source.mp4')
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
    return _write(str(tmp_path / 'noise.mp4'), data), 'cannot be opened'


def text_as_webm(tmp_path):
    return _write(str(tmp_path / 'notes.webm'), b'path label\n' * 50), 'cannot be opened'


def empty_file(tmp_path):
    return _write(str(tmp_path / 'empty.mp4'), b''), 'empty'


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
    _write(file, damage(data))
    return folder, file


def truncated_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: data[:len(data) // 2])
    return folder, re.escape(file) + '.*truncated'


def truncated_png_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: data[:len(data) // 2], '{:05d}.png')
    return folder, re.escape(file) + '.*truncated'


def empty_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: b'')
    return folder, re.escape(file)


def text_as_jpeg_frame(tmp_path):
    folder, file = _folder_with(tmp_path, 'frames', lambda data: b'not an image')
    return folder, re.escape(file) + '.*not a readable image'


MEDIA_CASES = [still_jpeg_as_mp4, still_png_as_webm, _truncated_webm(0.5), _truncated_webm(0.7),
               _truncated_webm(0.9), webm_corrupted_in_the_middle, faststart_mp4_truncated, raw_h264_named_mp4,
               symlink_loop, dangling_symlink, audio_only, random_bytes, text_as_webm, empty_file, folder_named_mp4,
               eight_k_stream, truncated_jpeg_frame, truncated_png_frame, empty_jpeg_frame, text_as_jpeg_frame]


@pytest.mark.parametrize('backend', ['auto', 'pyav'])
@pytest.mark.parametrize('case', MEDIA_CASES, ids=lambda case: case.__name__)
def test_bad_media_gives_a_clear_error_naming_the_file(tmp_path, case, backend):
    path, expected = case(tmp_path)
    if os.path.isdir(path) and case is not folder_named_mp4:
        backend = 'auto'  # frame folders
    with pytest.raises(CLEAR_ERRORS) as info:
        _read_all(path, backend=backend)()
    message = str(info.value)
    assert path in message or os.path.basename(path) in message
    assert re.search(expected, message), message


def test_damaged_videos_are_their_own_error_class(tmp_path):
    path, _ = webm_corrupted_in_the_middle(tmp_path)
    with pytest.raises(DamagedVideoError, match=r'declares 3\.00 s, only 1\.\d+ s'):
        open_video(path)


def test_the_pixel_budget_is_configurable(tmp_path):
    path, _ = _clip(tmp_path, 'small.mp4', num_frames=3)
    with pytest.raises(VideoReadError, match=r'64x48 .*max_pixels=1000'):
        open_video(path, max_pixels=1000)
    with open_video(path, max_pixels=64 * 48) as reader:
        assert len(reader) == 3
