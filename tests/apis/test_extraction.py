"""The extraction run in-process: outputs, resume after a kill, merged manifests, refusals, a full disk."""

import errno
import json
import os

import numpy as np
import pytest
import torch
from mmengine.config import Config

from gfvideo.apis import extract_features, extract_to_folder, load_config, load_model
from gfvideo.classes import class_list_hash
from gfvideo.evaluation import BudgetError, thresholds_record
from gfvideo.fileio import DiskFullError, OutputLockedError, atomic_write_json, output_lock
from gfvideo.registry import MODELS
from tests.cli.train_helpers import CONFIGS

GFNET = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')
CLASSES = [f'class {index}' for index in range(16)]


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory) -> str:
    """An untrained tiny GlanceFocusNet saved as a gfvideo checkpoint with its class list."""
    torch.manual_seed(0)
    model = MODELS.build(Config.fromfile(GFNET).model)
    path = str(tmp_path_factory.mktemp('tiny') / 'gfnet.pth')
    torch.save(
        {'state_dict': model.state_dict(), 'meta': dict(classes=CLASSES, classes_hash=class_list_hash(CLASSES))}, path
    )
    return path


def rows(path) -> list[dict]:
    return [json.loads(line) for line in open(path, encoding='utf-8')]


def test_a_run_writes_every_readable_video_and_lists_them_in_input_order(checkpoint, media_dir, tmp_path):
    listing = tmp_path / 'list.txt'
    listing.write_text('one_frame.mp4 3\nmissing.mp4 1\nclip.mp4 2\n')
    out = tmp_path / 'features'
    out.mkdir()
    (out / 'manifest.jsonl.part0').write_text('{"npz": "ghost.npz", "video": "ghost.mp4"}\n')  # an earlier run's
    summary = extract_to_folder(GFNET, checkpoint, str(out), list_file=str(listing), media_root=media_dir)
    assert str(summary) == (
        f'2 extracted, 0 already done, 1 failed (see {out}/errors.jsonl); 2 videos in {out}/manifest.jsonl'
    )
    assert sorted(os.listdir(out)) == ['clip.npz', 'errors.jsonl', 'manifest.jsonl', 'one_frame.npz']
    manifest = rows(out / 'manifest.jsonl')
    assert [(row['npz'], row['label'], row['label_name']) for row in manifest] == [
        ('one_frame.npz', 3, 'class 3'),
        ('clip.npz', 2, 'class 2'),
    ]
    model = load_model(load_config(GFNET), checkpoint)
    for row in manifest:
        expected = extract_features(model, row['video'])
        with np.load(out / row['npz']) as stored:
            assert sorted(stored) == sorted(expected)
            for key, value in expected.items():
                assert np.array_equal(stored[key], value), key
        assert row['exit_step'] == 2 and row['prediction'] == int(expected['logits'][2].argmax())
        assert row['prediction_name'] == CLASSES[row['prediction']]
        assert row['frame_inds'] == expected['frame_inds'].tolist()
    (error,) = rows(out / 'errors.jsonl')
    assert error['video'] == os.path.join(media_dir, 'missing.mp4') and 'missing.mp4' in error['error']


def test_resume_skips_finished_videos_and_merges_what_a_killed_run_left(checkpoint, media_dir, tmp_path):
    videos = [os.path.join(media_dir, name) for name in ('clip.mp4', 'one_frame.mp4', 'odd size.webm')]
    out = tmp_path / 'features'
    extract_to_folder(GFNET, checkpoint, str(out), videos=videos[:2])
    first = rows(out / 'manifest.jsonl')
    stamps = {name: (out / name).stat().st_mtime_ns for name in ('clip.npz', 'one_frame.npz')}
    # killed before the merge: one_frame's row only in its process's part, clip's row lost, an old error
    (out / 'manifest.jsonl').unlink()
    (out / 'manifest.jsonl.part0').write_text(json.dumps(first[1]) + '\n{"npz": "torn')
    (out / 'errors.jsonl').write_text(json.dumps(dict(video=videos[2], error='an earlier failure')) + '\n')
    (out / '.clip.npz.k1l2.tmp').write_bytes(b'half')
    summary = extract_to_folder(GFNET, checkpoint, str(out), videos=videos, resume=True)
    assert (summary.extracted, summary.already_done, summary.failed, summary.videos) == (1, 2, 0, 3)
    assert all((out / name).stat().st_mtime_ns == stamp for name, stamp in stamps.items())  # not recomputed
    manifest = rows(out / 'manifest.jsonl')
    assert manifest[:2] == first  # clip's row rebuilt from its file, one_frame's taken from the part
    assert [row['npz'] for row in manifest] == ['clip.npz', 'one_frame.npz', 'odd size.npz']
    assert rows(out / 'errors.jsonl') == []  # extracted now
    assert sorted(os.listdir(out)) == ['clip.npz', 'errors.jsonl', 'manifest.jsonl', 'odd size.npz', 'one_frame.npz']


def test_thresholds_set_the_exit_step_and_those_of_another_model_are_refused(checkpoint, media_dir, tmp_path):
    video = os.path.join(media_dir, 'clip.mp4')
    extract_to_folder(GFNET, checkpoint, str(tmp_path / 'a'), videos=[video], thresholds=[0.0, 0.0], steps=1)
    (row,) = rows(tmp_path / 'a' / 'manifest.jsonl')
    with np.load(tmp_path / 'a' / 'clip.npz') as stored:
        assert row['exit_step'] == int(stored['exit_step']) == 0 and stored['focus'].shape[0] == 1
    other = tmp_path / 'other.json'
    atomic_write_json(other, thresholds_record([0.5] * 3, class_list_hash(CLASSES), 3))
    with pytest.raises(BudgetError, match='3 focus steps'):
        extract_to_folder(GFNET, checkpoint, str(tmp_path / 'b'), videos=[video], thresholds=str(other))
    assert not (tmp_path / 'b' / '.lock').exists()


def test_a_folder_in_use_is_refused_before_anything_loads(tmp_path):
    with output_lock(tmp_path / 'out'):
        with pytest.raises(OutputLockedError, match=f'out: in use by another run \\(pid {os.getpid()} '):
            extract_to_folder('no-such-config.py', 'no-such.pth', str(tmp_path / 'out'), videos=['a.mp4'])
    with pytest.raises(ValueError, match='either videos or list_file'):
        extract_to_folder(GFNET, 'no-such.pth', str(tmp_path / 'out'))


def test_a_full_disk_stops_the_run_and_leaves_no_half_written_file(checkpoint, media_dir, tmp_path, monkeypatch):
    replace = os.replace

    def full_disk(source, target):
        if str(target).endswith('.npz'):
            raise OSError(errno.ENOSPC, 'No space left on device', str(target))
        replace(source, target)

    monkeypatch.setattr(os, 'replace', full_disk)
    out = tmp_path / 'features'
    with pytest.raises(DiskFullError, match=r'clip\.npz: not written, the disk is full'):
        extract_to_folder(GFNET, checkpoint, str(out), videos=[os.path.join(media_dir, 'clip.mp4')])
    assert os.listdir(out) == []  # no npz, no temporary, no lock; no manifest row for a file not written
