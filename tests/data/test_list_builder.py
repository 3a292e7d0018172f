"""build_lists on the official layouts, and resumable frame extraction."""

import os
import shutil

import numpy as np
import pytest

from gfvideo.classes import read_class_list
from gfvideo.data import open_video, parse_list_file, read_all_frames_pyav
from gfvideo.data.prep.frame_extraction import plan_extraction, run_extraction
from gfvideo.data.prep.list_builder import build_lists
from gfvideo.data.prep.synthetic import class_names
from tests.data.corpus import encode
from tests.media import moving_frames


@pytest.mark.parametrize('layout', ['sthv1', 'sthv2', 'kinetics'])
def test_lists_from_official_annotations(synthetic, layout):
    root = synthetic(layout)
    lists = os.path.join(root, 'lists')
    assert read_class_list(os.path.join(lists, 'classes.txt')) == class_names()
    train = parse_list_file(os.path.join(lists, 'train.txt'), num_classes=16)
    test = parse_list_file(os.path.join(lists, 'test.txt'))
    assert len(train) == 20 and len(parse_list_file(os.path.join(lists, 'val.txt'))) == 8 and len(test) == 3
    assert all(record.label == -1 for record in test)
    assert [record.label for record in train] == [i % 16 for i in range(20)]
    for record in train[:3]:
        assert os.path.exists(os.path.join(root, record.path))
        assert record.num_frames == (10 if layout == 'sthv1' else None)
    assert not os.path.exists(os.path.join(lists, 'missing.txt'))


def test_missing_and_unreadable_media_are_reported_not_dropped_silently(synthetic, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(synthetic('sthv2'), root)
    os.remove(root / 'videos' / '3.webm')
    with open(root / 'videos' / '5.webm', 'r+b') as file:
        file.truncate(100)
    report = build_lists('sthv2', str(root / 'annotations'), str(root), str(root / 'out'), probe=True, workers=2)
    assert report.counts == {'train': 18, 'val': 8, 'test': 3}
    assert len(report.missing) == 1 and report.missing[0].startswith('train\t3\t')
    assert len(report.unreadable) == 1 and 'videos/5.webm' in report.unreadable[0]
    assert open(root / 'out' / 'missing.txt').read().startswith('train\t3\t')
    assert '5.webm' in open(root / 'out' / 'unreadable.txt').read()


def test_probe_lists_truncated_videos_apart_as_damaged(synthetic, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(synthetic('sthv2'), root)
    path = root / 'videos' / '4.webm'
    data = path.read_bytes()
    path.write_bytes(data[: len(data) * 7 // 10])  # still demuxes: a shorter video unless checked
    report = build_lists('sthv2', str(root / 'annotations'), str(root), str(root / 'out'), probe=True)
    assert report.unreadable == [] and len(report.damaged) == 1
    assert 'videos/4.webm' in report.damaged[0] and 'declares' in report.damaged[0]
    assert 'videos/4.webm' in open(root / 'out' / 'damaged.txt').read()
    assert 'videos/4.webm' not in open(root / 'out' / 'train.txt').read()


def test_probe_names_videos_only_pyav_reads_or_rotated_and_still_lists_them(synthetic, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(synthetic('sthv2'), root)
    frames = moving_frames(12, 48, 64)
    os.remove(root / 'videos' / '2.webm')
    encode(str(root / 'videos' / '2.mp4'), frames, 'mp4', rotation=90)
    os.remove(root / 'videos' / '6.webm')
    encode(str(root / 'videos' / '6.ts'), frames, 'mpegts')
    report = build_lists('sthv2', str(root / 'annotations'), str(root), str(root / 'out'), probe=True)
    assert report.counts == {'train': 20, 'val': 8, 'test': 3} and not report.unreadable and not report.damaged
    notes = dict((line.split('\t')[1], line.split('\t')[2]) for line in report.notes)
    assert notes.keys() == {'videos/2.mp4', 'videos/6.ts'}
    assert 'rotated 90 degrees' in notes['videos/2.mp4'] and 'MPEG-TS' in notes['videos/6.ts']
    assert 'videos/6.ts' in open(root / 'out' / 'probe_notes.txt').read()
    assert 'videos/2.mp4' in open(root / 'out' / 'train.txt').read() + open(root / 'out' / 'val.txt').read()


def test_frame_folders_count_only_template_files(synthetic, tmp_path):
    root = tmp_path / 'copy'
    shutil.copytree(synthetic('sthv1'), root)
    (root / 'frames' / '1' / 'Thumbs.db').write_bytes(b'x')
    (root / 'frames' / '1' / 'notes.txt').write_text('x')
    os.remove(root / 'frames' / '2' / '00004.jpg')  # broken numbering: unreadable, reported
    report = build_lists('sthv1', str(root / 'annotations'), str(root), str(root / 'out'))
    first = parse_list_file(str(root / 'out' / 'train.txt'))[0]
    assert (first.path, first.num_frames) == ('frames/1', 10)
    assert report.frame_templates == {'{:05d}.jpg from 1'}
    assert len(report.unreadable) == 1 and "expected frame '00004.jpg'" in report.unreadable[0]


@pytest.mark.parametrize('reencode', [False, True])
def test_extraction_matches_the_source_and_resumes(synthetic, tmp_path, reencode):
    source = os.path.join(synthetic('sthv2'), 'videos')
    jobs = plan_extraction(source, str(tmp_path / 'out'), short_side=32, reencode=reencode)
    assert len(jobs) == 31
    job = next(j for j in jobs if j.source.endswith('/7.webm'))
    assert run_extraction(job) == (job.source, 10, None)
    assert run_extraction(job) == (job.source, 0, None)  # done: skipped
    with open_video(job.target) as reader:
        frames = reader.get_frames(range(len(reader)))
    assert frames.shape == (10, 32, 32, 3)
    reference = read_all_frames_pyav(job.source)[:, ::2, ::2].astype(int)  # 64 -> 32 pixels
    assert np.abs(frames.astype(int) - reference).mean() < 25
    if not reencode:
        assert sorted(os.listdir(job.target))[:2] == ['000001.jpg', '000002.jpg']


def test_extraction_reports_unreadable_videos(tmp_path):
    (tmp_path / 'videos').mkdir()
    (tmp_path / 'videos' / 'broken.mp4').write_bytes(b'\x00' * 1000)
    (job,) = plan_extraction(str(tmp_path / 'videos'), str(tmp_path / 'out'))
    source, count, error = run_extraction(job)
    assert count == 0 and 'broken.mp4' in error and not os.path.exists(job.target)


def test_a_full_disk_during_frame_extraction_is_named_and_leaves_nothing(tmp_path, monkeypatch):
    import builtins
    import errno

    from gfvideo.data.prep.video_writer import write_video
    from gfvideo.fileio import DiskFullError
    from tests.media import moving_frames

    (tmp_path / 'videos').mkdir()
    write_video(str(tmp_path / 'videos' / 'clip.mp4'), moving_frames(5, 32, 32), fps=10)
    (job,) = plan_extraction(str(tmp_path / 'videos'), str(tmp_path / 'out'), short_side=0)
    real_open = builtins.open

    def full_disk_open(file, mode='r', *args, **kwargs):
        if 'w' in mode and str(file).endswith('000003.jpg'):
            raise OSError(errno.ENOSPC, 'No space left on device', str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, 'open', full_disk_open)
    with pytest.raises(DiskFullError, match=r'out/clip/000003\.jpg: not written, the disk is full'):
        run_extraction(job)
    assert os.listdir(tmp_path / 'out') == []  # no half-written folder, visible or hidden
