"""List files and official annotations of Something-Something V1/V2 and Kinetics-400."""

import json
import os

import pytest

from gfvideo.classes import AnnotationError, class_list_hash, read_class_list
from gfvideo.data import flip_label_map, load_official, parse_list_file, read_flip_pairs

DATA_LISTS = os.path.join(os.path.dirname(__file__), '..', '..', 'data_lists')


def write(path, text):
    path.write_text(text, encoding='utf-8')
    return str(path)


def test_tsm_frame_list_with_spaces_in_paths(tmp_path):
    path = write(tmp_path / 'train.txt', '100218 37 5\nsome folder/clip 2 12 0\n\n  a  b 3 1 \n')
    records = parse_list_file(path)
    assert [(r.path, r.num_frames, r.label) for r in records] == [
        ('100218', 37, 5),
        ('some folder/clip 2', 12, 0),
        ('a  b', 3, 1),
    ]
    assert records[1].origin.endswith('train.txt:2') and records[0].offset == 0


def test_video_list_is_detected_and_read(tmp_path):
    path = write(tmp_path / 'val.txt', 'abseiling/x 1_000001_000011.mp4 0\n12.webm -1\n')
    records = parse_list_file(path)
    assert [(r.path, r.num_frames, r.label) for r in records] == [
        ('abseiling/x 1_000001_000011.mp4', None, 0),
        ('12.webm', None, -1),
    ]


def test_mmaction2_multi_label_and_offset_variants(tmp_path):
    multi = write(tmp_path / 'multi.txt', 'vid a 30 2 7 9\nvid_2 40 1\n')
    records = parse_list_file(multi, 'frames', multi_label=True, num_classes=10)
    assert [(r.num_frames, r.label) for r in records] == [(30, (2, 7, 9)), (40, (1,))]
    offset = write(tmp_path / 'offset.txt', 'long_video 120 32 3\n')
    (record,) = parse_list_file(offset, 'frames', with_offset=True)
    assert (record.path, record.offset, record.num_frames, record.label) == ('long_video', 120, 32, 3)
    videos = write(tmp_path / 'videos.txt', 'a.mp4 1 4\n')
    assert parse_list_file(videos, 'videos', multi_label=True)[0].label == (1, 4)
    with pytest.raises(ValueError, match='multi-label'):
        parse_list_file(videos, multi_label=True)


@pytest.mark.parametrize(
    'text,line,message',
    [
        ('a 10 1\nb 10\n', 2, "expected 'frame_dir num_frames label', got 'b 10'"),
        ('a 10 1\nb ten 1\n', 2, 'expected'),
        ('a 10 1\nb 10 x\n', 2, 'expected'),
        ('a 10 1\nb 0 1\n', 2, 'a frame folder needs at least one frame'),
        ('a 10 1\nb 10 174\n', 2, r'label 174 out of range \(valid: 0..173'),
        ('a 10 -2\n', 1, 'label -2 out of range'),
    ],
)
def test_malformed_lines_name_file_and_line(tmp_path, text, line, message):
    path = write(tmp_path / 'bad.txt', text)
    with pytest.raises(AnnotationError, match=rf'bad\.txt:{line}: {message}'):
        parse_list_file(path, 'frames', num_classes=174)


def test_empty_and_missing_lists(tmp_path):
    with pytest.raises(AnnotationError, match='empty'):
        parse_list_file(write(tmp_path / 'empty.txt', '\n\n'))
    with pytest.raises(AnnotationError, match='no such list file'):
        parse_list_file(str(tmp_path / 'absent.txt'))


def test_shipped_class_lists_and_flip_pairs():
    sthv2 = read_class_list(os.path.join(DATA_LISTS, 'sthv2_classes.txt'))
    sthv1 = read_class_list(os.path.join(DATA_LISTS, 'sthv1_classes.txt'))
    csv_order = read_class_list(os.path.join(DATA_LISTS, 'sthv1_classes_csv_order.txt'))
    kinetics = read_class_list(os.path.join(DATA_LISTS, 'kinetics400_classes.txt'))
    assert len(sthv2) == len(sthv1) == len(csv_order) == 174 and len(kinetics) == 400
    assert sthv1 == sorted(csv_order) == sthv2 and kinetics == sorted(kinetics)
    pairs = read_flip_pairs(os.path.join(DATA_LISTS, 'something_something_flip_pairs.tsv'))
    assert flip_label_map(sthv2, pairs) == {86: 87, 87: 86, 93: 94, 94: 93, 166: 167, 167: 166}
    assert flip_label_map(csv_order, pairs) == {2: 4, 4: 2, 30: 41, 41: 30, 52: 66, 66: 52}
    assert class_list_hash(sthv2) != class_list_hash(csv_order)
    with pytest.raises(KeyError, match='not in the class list'):
        flip_label_map(kinetics, pairs)


CLASSES = ['Pushing something from right to left', 'Holding something', 'Pushing something from left to right']


def test_something_something_v1_csvs(tmp_path):
    write(tmp_path / 'something-something-v1-labels.csv', '\n'.join(CLASSES) + '\n')
    write(
        tmp_path / 'something-something-v1-train.csv',
        '100218;Holding something\n3;Pushing something from left to right\n',
    )
    write(tmp_path / 'something-something-v1-validation.csv', '7;Pushing something from right to left\n')
    write(tmp_path / 'something-something-v1-test.csv', '11\n12\n')
    sorted_order = load_official('sthv1', str(tmp_path))
    assert sorted_order.classes == sorted(CLASSES)
    assert [(v.name, v.label) for v in sorted_order.splits['train']] == [('100218', 0), ('3', 1)]
    assert [(v.name, v.label) for v in sorted_order.splits['test']] == [('11', -1), ('12', -1)]
    csv_order = load_official('sthv1', str(tmp_path), class_order='csv')
    assert csv_order.classes == CLASSES and csv_order.splits['val'][0].label == 0


def test_something_something_v2_jsons(tmp_path):
    labels = {name: str(i) for i, name in enumerate(sorted(CLASSES))}
    write(tmp_path / 'something-something-v2-labels.json', json.dumps(labels))
    train = [
        {'id': '78687', 'label': 'holding potato', 'template': 'Holding [something]', 'placeholders': ['potato']},
        {
            'id': '42326',
            'label': 'pushing a cup from left to right',
            'template': 'Pushing [something] from left to right',
            'placeholders': ['a cup'],
        },
    ]
    write(tmp_path / 'something-something-v2-train.json', json.dumps(train))
    write(tmp_path / 'something-something-v2-validation.json', json.dumps([dict(train[0], id='1001')]))
    write(tmp_path / 'something-something-v2-test.json', json.dumps([{'id': '1420'}]))
    annotations = load_official('sthv2', str(tmp_path))
    assert annotations.classes == sorted(CLASSES)
    assert [(v.name, v.label) for v in annotations.splits['train']] == [('78687', 0), ('42326', 1)]
    assert annotations.splits['test'][0].label == -1


def test_kinetics_csvs(tmp_path):
    header = 'label,youtube_id,time_start,time_end,split,is_cc\n'
    write(tmp_path / 'kinetics-400_train.csv', header + 'zumba,--abc123456,14,24,train,0\nabseiling,xyz,0,10,train,0\n')
    write(tmp_path / 'kinetics-400_val.csv', header + 'abseiling,q_q,300,310,validate,0\n')
    write(tmp_path / 'kinetics-400_test.csv', 'youtube_id,time_start,time_end,split\nt1,5,15,test\n')
    annotations = load_official('kinetics', str(tmp_path))
    assert annotations.classes == ['abseiling', 'zumba']
    assert [(v.name, v.label) for v in annotations.splits['train']] == [
        ('--abc123456_000014_000024', 1),
        ('xyz_000000_000010', 0),
    ]
    assert annotations.splits['val'][0].name == 'q_q_000300_000310'
    assert [(v.name, v.label) for v in annotations.splits['test']] == [('t1_000005_000015', -1)]


def test_unknown_class_names_are_errors_with_their_line(tmp_path):
    write(tmp_path / 'something-something-v1-labels.csv', '\n'.join(CLASSES) + '\n')
    write(tmp_path / 'something-something-v1-train.csv', '1;Holding something\n2;Juggling something\n')
    with pytest.raises(AnnotationError, match=r"v1-train\.csv:2: unknown class name 'Juggling something'"):
        load_official('sthv1', str(tmp_path))
    header = 'label,youtube_id,time_start,time_end,split\n'
    (tmp_path / 'k400').mkdir()
    write(tmp_path / 'k400' / 'kinetics-400_train.csv', header + 'zumba,a,0,10,train\n')
    write(tmp_path / 'k400' / 'kinetics-400_val.csv', header + 'zumba,b,0,10,validate\nyoga,c,0,10,validate\n')
    with pytest.raises(AnnotationError, match=r"kinetics-400_val\.csv:3: unknown class name 'yoga'"):
        load_official('kinetics', str(tmp_path / 'k400'))


def test_broken_official_files(tmp_path):
    write(tmp_path / 'something-something-v2-labels.json', '{"Holding something": "0",')
    with pytest.raises(AnnotationError, match='labels.json:1: not valid JSON'):
        load_official('sthv2', str(tmp_path))
    with pytest.raises(AnnotationError, match='no Something-Something V1 labels file'):
        load_official('sthv1', str(tmp_path))
    with pytest.raises(AnnotationError, match='no such annotation folder'):
        load_official('kinetics', str(tmp_path / 'absent'))


def test_synthetic_class_list_matches_the_generator():
    from gfvideo.data.prep.synthetic import class_names

    assert read_class_list(os.path.join(DATA_LISTS, 'synthetic_classes.txt')) == class_names()
