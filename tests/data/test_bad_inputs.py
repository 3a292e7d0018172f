"""Bad inputs, written at test time: each gives a clear error naming its file.

Every case (the media corpus of ``tests/data/bad_media.py``, and list and annotation files here)
builds its input under ``tmp_path``; reading it must raise one of gfvideo's own errors whose
message names the file, never return frames silently and never end in a foreign traceback.
"""

from __future__ import annotations

import os
import re
from typing import Callable

import numpy as np
import pytest

from gfvideo.classes import AnnotationError
from gfvideo.data import DamagedVideoError, VideoReadError, open_video, parse_list_file
from tests.data.bad_media import MEDIA_CASES, encoded_clip, folder_named_mp4, webm_corrupted_in_the_middle, write_bytes

CLEAR_ERRORS = (VideoReadError, AnnotationError)


def _read_all(path: str, **options) -> Callable[[], np.ndarray]:
    def action():
        with open_video(path, **options) as reader:
            return reader.get_frames(range(len(reader)))

    return action


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
    path, _ = encoded_clip(tmp_path, 'small.mp4', num_frames=3)
    with pytest.raises(VideoReadError, match=r'64x48 .*max_pixels=1000'):
        open_video(path, max_pixels=1000)
    with open_video(path, max_pixels=64 * 48) as reader:
        assert len(reader) == 3


# ----------------------------------------------------------------------------- list and annotation files
def _parse(path: str, **options):
    return lambda: parse_list_file(path, num_classes=3, **options)


def _list(tmp_path, data: bytes | str, name: str = 'train.txt') -> str:
    path = str(tmp_path / name)
    return write_bytes(path, data.encode('utf-8') if isinstance(data, str) else data)


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
    with pytest.raises(AnnotationError, match=re.escape(path) + r':2: label -1 \(unlabelled\) in a training list'):
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
    write_bytes(str(tmp_path / 'something-something-v2-labels.json'), json.dumps(labels).encode())
    write_bytes(str(tmp_path / 'something-something-v2-train.json'), json.dumps(train).encode())
    if validation is not None:
        write_bytes(str(tmp_path / 'something-something-v2-validation.json'), json.dumps(validation).encode())
    return str(tmp_path)


def _holding(video_id='1', template='Holding [something]'):
    return {'id': video_id, 'label': 'holding x', 'template': template, 'placeholders': ['x']}


OFFICIAL_CASES = {
    'sthv2_template_is_a_number': (
        'sthv2',
        lambda t: _sthv2(t, [_holding(template=7)]),
        r'train\.json \(entry 0\): "template" must be a string, got 7',
    ),
    'sthv2_template_is_null': (
        'sthv2',
        lambda t: _sthv2(t, [_holding(), _holding('2', None)]),
        r'train\.json \(entry 1\): "template" must be a string, got None',
    ),
    'sthv2_id_with_a_newline': (
        'sthv2',
        lambda t: _sthv2(t, [_holding('12\n34')]),
        r"train\.json \(entry 0\): video id '12\\n34' .*line break",
    ),
    'sthv2_id_is_a_dict': (
        'sthv2',
        lambda t: _sthv2(t, [_holding({'a': 1})]),
        r'train\.json \(entry 0\): "id" must be a string or integer',
    ),
    'sthv2_label_index_not_ascii': (
        'sthv2',
        lambda t: _sthv2(t, [_holding()], labels={'Holding something': '٠'}),
        r'labels\.json: expected \{"class name": "index"',
    ),
    'sthv2_class_name_with_newline': (
        'sthv2',
        lambda t: _sthv2(t, [_holding()], labels={'Holding\nsomething': '0'}),
        r"labels\.json: class name 'Holding\\nsomething' .*line break",
    ),
    'sthv2_video_in_train_and_val': (
        'sthv2',
        lambda t: _sthv2(t, [_holding('5')], [_holding('5')]),
        r"validation\.json \(entry 0\): video '5' is also in another split .*train\.json",
    ),
    'sthv1_latin1_csv': (
        'sthv1',
        lambda t: _sthv1(t, b'Holding something', '1;Holding something\n2;Holding caf\xe9\n'.encode('latin-1')),
        r'train\.csv:2: not UTF-8',
    ),
    'sthv1_unknown_class': (
        'sthv1',
        lambda t: _sthv1(t, b'Holding something', b'1;Holding nothing\n'),
        r"train\.csv:1: unknown class name 'Holding nothing'",
    ),
    'sthv1_control_character_in_id': (
        'sthv1',
        lambda t: _sthv1(t, b'Holding something', b'1\x0b2;Holding something\n'),
        r'train\.csv:1: video id .*control character',
    ),
    'kinetics_time_start_inf': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,abc,inf,10,train\n'),
        r'train\.csv:2: bad time_start/time_end .*finite',
    ),
    'kinetics_time_nan': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,abc,0,10,train\nzumba,abd,nan,nan,train\n'),
        r'train\.csv:3: bad time_start/time_end',
    ),
    'kinetics_negative_time': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,abc,-5,10,train\n'),
        r'train\.csv:2: bad time_start/time_end',
    ),
    'kinetics_end_before_start': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,abc,20,10,train\n'),
        r'train\.csv:2: bad time_start/time_end',
    ),
    'kinetics_time_words': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,abc,one,ten,train\n'),
        r'train\.csv:2: bad time_start/time_end',
    ),
    'kinetics_label_with_newline': (
        'kinetics',
        lambda t: _kinetics(t, '"zum\nba",abc,0,10,train\n'),
        r"train\.csv:2: class name 'zum\\nba' .*line break",
    ),
    'kinetics_latin1': (
        'kinetics',
        lambda t: _kinetics(t, 'caf\xe9,abc,0,10,train\n', 'latin-1'),
        r'train\.csv:2: not UTF-8',
    ),
    'kinetics_id_with_newline': (
        'kinetics',
        lambda t: _kinetics(t, 'zumba,xy,0,10,"tr\nain"\nzumba,"ab\ncd",0,10,train\n'),
        r"train\.csv:4: youtube_id 'ab\\ncd' .*line break",
    ),
}


def _sthv1(tmp_path, labels: bytes, train: bytes) -> str:
    write_bytes(str(tmp_path / 'something-something-v1-labels.csv'), labels + b'\n')
    write_bytes(str(tmp_path / 'something-something-v1-train.csv'), train)
    return str(tmp_path)


def _kinetics(tmp_path, rows: str, encoding: str = 'utf-8') -> str:
    header = 'label,youtube_id,time_start,time_end,split\n'
    write_bytes(str(tmp_path / 'kinetics400_train.csv'), (header + rows).encode(encoding))
    return str(tmp_path)


@pytest.mark.parametrize('case', sorted(OFFICIAL_CASES))
def test_bad_official_annotations_name_the_file(tmp_path, case):
    from gfvideo.data import load_official

    dataset, build, expected = OFFICIAL_CASES[case]
    with pytest.raises(AnnotationError, match=expected):
        load_official(dataset, build(tmp_path))


def test_a_kinetics_header_with_a_byte_order_mark_is_read(tmp_path):
    from gfvideo.data import load_official

    write_bytes(
        str(tmp_path / 'k_train.csv'),
        '\ufefflabel,youtube_id,time_start,time_end,split\nzumba,abc,1,11,train\n'.encode('utf-8'),
    )
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
