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

from gfvideo.classes import AnnotationError
from gfvideo.data import DamagedVideoError, VideoReadError, open_video, parse_list_file
from gfvideo.data.prep.video_writer import write_frame_folder, write_video
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
def _still_image_as_video(image_ext: str, name: str):
    """A case: a still image encoded as ``image_ext``, saved under a video file ``name``."""
    def case(tmp_path):
        ok, data = cv2.imencode(image_ext, moving_frames(1)[0])
        return _write(str(tmp_path / name), data.tobytes()), 'still image'
    case.__name__ = f'still_{image_ext[1:]}_as_{name.rsplit(".", 1)[1]}'
    return case


still_jpeg_as_mp4 = _still_image_as_video('.jpg', 'photo.mp4')
still_png_as_webm = _still_image_as_video('.png', 'photo.webm')
still_bmp_as_mp4 = _still_image_as_video('.bmp', 'bitmap.mp4')
still_webp_as_webm = _still_image_as_video('.webp', 'picture.webm')


def mp4_header_only(tmp_path):
    path, data = _clip(tmp_path, 'head.mp4')
    return _write(path, data[:64]), 'cannot be opened|no frames|truncated'


def mp4_with_zeroed_index(tmp_path):
    path, data = _clip(tmp_path, 'noindex.mp4')
    at = data.find(b'moov')
    return _write(path, data[:at] + bytes(len(data) - at)), 'cannot be opened|no frames|truncated'


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


def mp4_corrupted_in_a_frame(tmp_path):
    path, data = _clip(tmp_path, 'smeared.mp4', gop_size=10)
    data = bytearray(data)
    at = len(data) // 3  # inside a frame's packet: the demux is intact, the decoder conceals
    data[at:at + 200] = np.random.default_rng(0).integers(0, 256, 200, dtype=np.uint8).tobytes()
    return _write(path, bytes(data)), r'frame \d+ is damaged|decoding failed'


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


MEDIA_CASES = [still_jpeg_as_mp4, still_png_as_webm, still_bmp_as_mp4, still_webp_as_webm, mp4_header_only,
               mp4_with_zeroed_index, empty_frame_folder, folder_of_non_frames, frame_of_another_size,
               gap_in_frame_numbers, _truncated_webm(0.5), _truncated_webm(0.7),
               _truncated_webm(0.9), webm_corrupted_in_the_middle, mp4_corrupted_in_a_frame, faststart_mp4_truncated,
               raw_h264_named_mp4,
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


# ----------------------------------------------------------------------------- list and annotation files
def _parse(path: str, **options):
    return lambda: parse_list_file(path, num_classes=3, **options)


def _list(tmp_path, data: bytes | str, name: str = 'train.txt') -> str:
    path = str(tmp_path / name)
    return _write(path, data.encode('utf-8') if isinstance(data, str) else data)


LIST_CASES = {
    # id: (file content, parser options, expected message after 'file:line: ')
    'latin1_list': ('a.mp4 0\ncafé.mp4 1\n'.encode('latin-1'), {}, r':2: not UTF-8 text \(byte 0xe9'),
    'superscript_label': ('a.mp4 ²\n', {}, r":1: expected 'path label'.*'²' is not an integer"),
    'double_minus_label': ('a.mp4 --5\n', {}, r":1: expected 'path label'.*'--5' is not an integer"),
    'arabic_indic_label': ('a.mp4 0\nb.mp4 ١\n', {}, r":2: expected 'path label'.*'١' is not an integer"),
    'fullwidth_label': ('a.mp4 １\n', {}, r":1: expected 'path label'.*'１' is not an integer"),
    'fullwidth_frame_count': ('frames/1 １0 1\n', {'list_format': 'frames'}, r':1: expected .*not an integer'),
    'float_label': ('a.mp4 1.0\n', {}, r':1: expected .*not an integer'),
    'label_out_of_range': ('a.mp4 3\n', {}, r':1: label 3 out of range'),
    'label_minus_two': ('a.mp4 -2\n', {}, r':1: label -2 out of range'),
    'no_label': ('a.mp4\n', {}, r":1: expected 'path label'"),
    'empty_list': ('', {}, r': the list file is empty'),
    'blank_lines_only': ('\n  \n\n', {}, r': the list file is empty'),
    'zero_frames': ('frames/1 0 1\n', {'list_format': 'frames'}, r':1: a frame folder needs at least one frame'),
    'control_character_in_path': ('a\x1bb.mp4 1\n', {}, r':1: path .* control character'),
    'nul_in_path': ('a\x00b.mp4 1\n', {}, r':1: path .* control character'),
}


@pytest.mark.parametrize('case', sorted(LIST_CASES))
def test_bad_list_files_name_the_file_and_line(tmp_path, case):
    data, options, expected = LIST_CASES[case]
    path = _list(tmp_path, data)
    with pytest.raises(AnnotationError, match=re.escape(path) + expected):
        _parse(path, **options)()


def test_an_unlabelled_video_in_a_training_list_is_refused_at_construction(tmp_path):
    from gfvideo.data import VideoDataset
    path = _list(tmp_path, 'a.mp4 0\nb.mp4 -1\n')
    with pytest.raises(AnnotationError, match=re.escape(path) + r":2: label -1 \(unlabelled\) in a training list"):
        VideoDataset(ann_file=path, media_root=str(tmp_path), classes=['x', 'y'])
    assert len(VideoDataset(ann_file=path, media_root=str(tmp_path), classes=['x', 'y'], test_mode=True)) == 2


def test_a_latin1_class_list_names_its_line(tmp_path):
    from gfvideo.classes import read_class_list
    path = _list(tmp_path, 'Holding something\nPouring something into café\n'.encode('latin-1'), 'classes.txt')
    with pytest.raises(AnnotationError, match=re.escape(path) + r':2: not UTF-8'):
        read_class_list(path)


def _sthv2(tmp_path, train, validation=None, labels=None) -> str:
    import json
    labels = labels if labels is not None else {'Holding something': '0', 'Pushing something': '1'}
    _write(str(tmp_path / 'something-something-v2-labels.json'), json.dumps(labels).encode())
    _write(str(tmp_path / 'something-something-v2-train.json'), json.dumps(train).encode())
    if validation is not None:
        _write(str(tmp_path / 'something-something-v2-validation.json'), json.dumps(validation).encode())
    return str(tmp_path)


def _holding(video_id='1', template='Holding [something]'):
    return {'id': video_id, 'label': 'holding x', 'template': template, 'placeholders': ['x']}


OFFICIAL_CASES = {
    'sthv2_template_is_a_number': ('sthv2', lambda t: _sthv2(t, [_holding(template=7)]),
                                   r'train\.json \(entry 0\): "template" must be a string, got 7'),
    'sthv2_template_is_null': ('sthv2', lambda t: _sthv2(t, [_holding(), _holding('2', None)]),
                               r'train\.json \(entry 1\): "template" must be a string, got None'),
    'sthv2_id_with_a_newline': ('sthv2', lambda t: _sthv2(t, [_holding('12\n34')]),
                                r"train\.json \(entry 0\): video id '12\\n34' .*line break"),
    'sthv2_id_is_a_dict': ('sthv2', lambda t: _sthv2(t, [_holding({'a': 1})]),
                           r'train\.json \(entry 0\): "id" must be a string or integer'),
    'sthv2_label_index_not_ascii': ('sthv2', lambda t: _sthv2(t, [_holding()], labels={'Holding something': '٠'}),
                                    r'labels\.json: expected \{"class name": "index"'),
    'sthv2_class_name_with_newline': ('sthv2', lambda t: _sthv2(t, [_holding()], labels={'Holding\nsomething': '0'}),
                                      r"labels\.json: class name 'Holding\\nsomething' .*line break"),
    'sthv2_video_in_train_and_val': ('sthv2', lambda t: _sthv2(t, [_holding('5')], [_holding('5')]),
                                     r"validation\.json \(entry 0\): video '5' is also in another split .*train\.json"),
    'sthv1_latin1_csv': ('sthv1', lambda t: _sthv1(t, 'Holding something'.encode(),
                                                    '1;Holding something\n2;Holding caf\xe9\n'.encode('latin-1')),
                         r'train\.csv:2: not UTF-8'),
    'sthv1_unknown_class': ('sthv1', lambda t: _sthv1(t, b'Holding something', b'1;Holding nothing\n'),
                            r"train\.csv:1: unknown class name 'Holding nothing'"),
    'sthv1_control_character_in_id': ('sthv1', lambda t: _sthv1(t, b'Holding something', b'1\x0b2;Holding something\n'),
                                      r'train\.csv:1: video id .*control character'),
    'kinetics_time_start_inf': ('kinetics', lambda t: _kinetics(t, 'zumba,abc,inf,10,train\n'),
                                r"train\.csv:2: bad time_start/time_end .*finite"),
    'kinetics_time_nan': ('kinetics', lambda t: _kinetics(t, 'zumba,abc,0,10,train\nzumba,abd,nan,nan,train\n'),
                          r"train\.csv:3: bad time_start/time_end"),
    'kinetics_negative_time': ('kinetics', lambda t: _kinetics(t, 'zumba,abc,-5,10,train\n'),
                               r"train\.csv:2: bad time_start/time_end"),
    'kinetics_end_before_start': ('kinetics', lambda t: _kinetics(t, 'zumba,abc,20,10,train\n'),
                                  r"train\.csv:2: bad time_start/time_end"),
    'kinetics_time_words': ('kinetics', lambda t: _kinetics(t, 'zumba,abc,one,ten,train\n'),
                            r"train\.csv:2: bad time_start/time_end"),
    'kinetics_label_with_newline': ('kinetics', lambda t: _kinetics(t, '"zum\nba",abc,0,10,train\n'),
                                    r"train\.csv:2: class name 'zum\\nba' .*line break"),
    'kinetics_latin1': ('kinetics', lambda t: _kinetics(t, 'caf\xe9,abc,0,10,train\n', 'latin-1'),
                        r'train\.csv:2: not UTF-8'),
    'kinetics_id_with_newline': ('kinetics',
                                 lambda t: _kinetics(t, 'zumba,xy,0,10,"tr\nain"\nzumba,"ab\ncd",0,10,train\n'),
                                 r"train\.csv:4: youtube_id 'ab\\ncd' .*line break"),
}


def _sthv1(tmp_path, labels: bytes, train: bytes) -> str:
    _write(str(tmp_path / 'something-something-v1-labels.csv'), labels + b'\n')
    _write(str(tmp_path / 'something-something-v1-train.csv'), train)
    return str(tmp_path)


def _kinetics(tmp_path, rows: str, encoding: str = 'utf-8') -> str:
    header = 'label,youtube_id,time_start,time_end,split\n'
    _write(str(tmp_path / 'kinetics400_train.csv'), (header + rows).encode(encoding))
    return str(tmp_path)


@pytest.mark.parametrize('case', sorted(OFFICIAL_CASES))
def test_bad_official_annotations_name_the_file(tmp_path, case):
    from gfvideo.data import load_official
    dataset, build, expected = OFFICIAL_CASES[case]
    with pytest.raises(AnnotationError, match=expected):
        load_official(dataset, build(tmp_path))


def test_a_kinetics_header_with_a_byte_order_mark_is_read(tmp_path):
    from gfvideo.data import load_official
    _write(str(tmp_path / 'k_train.csv'), '\ufefflabel,youtube_id,time_start,time_end,split\nzumba,abc,1,11,train\n'
           .encode('utf-8'))
    assert [v.name for v in load_official('kinetics', str(tmp_path)).splits['train']] == ['abc_000001_000011']


def test_a_video_listed_twice_in_a_split_is_named_in_a_warning(tmp_path, caplog):
    from gfvideo.data import load_official
    root = _sthv2(tmp_path, [_holding('7'), _holding('8'), dict(_holding('7'), template='Pushing [something]')])
    with caplog.at_level('WARNING'):
        official = load_official('sthv2', root)
    assert [v.name for v in official.splits['train']] == ['7', '8', '7']
    assert "video '7' is listed twice in train, with different labels" in caplog.text


def test_a_list_line_is_never_written_for_a_path_with_a_line_break():
    from gfvideo.data import VideoRecord, format_list_line
    with pytest.raises(AnnotationError, match=r"path 'a\\nb\.mp4' .*line break"):
        format_list_line(VideoRecord('a\nb.mp4', 1))
