"""Output-folder locks, leftovers of killed writes, atomic npz and JSON-lines files."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys

import numpy as np
import pytest

from gfvideo.fileio import (
    DiskFullError,
    OutputLockedError,
    append_jsonl,
    atomic_write_jsonl,
    atomic_write_npz,
    output_lock,
    output_names,
    read_jsonl,
    remove_stale_temporaries,
)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_a_second_run_on_a_locked_folder_is_refused_naming_the_holder(tmp_path):
    with output_lock(tmp_path / 'out') as lock:
        holder = json.loads(open(lock).read())
        assert holder['pid'] == os.getpid()
        with pytest.raises(OutputLockedError, match=rf'out: in use by another run \(pid {os.getpid()} on '):
            with output_lock(tmp_path / 'out'):
                pass
    assert not os.path.exists(lock)  # released
    with output_lock(tmp_path / 'out'):
        pass


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path):
    import socket

    dead = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'], capture_output=True, text=True)
    (tmp_path / '.lock').write_text(json.dumps({'host': socket.gethostname(), 'pid': int(dead.stdout)}))
    with output_lock(tmp_path) as lock:
        assert json.loads(open(lock).read())['pid'] == os.getpid()


@pytest.mark.slow
def test_extract_features_refuses_an_output_folder_in_use(tmp_path):
    with output_lock(tmp_path / 'feats'):
        result = subprocess.run(
            [
                sys.executable,
                os.path.join(ROOT, 'tools', 'extract_features.py'),
                'config.py',
                'model.pth',
                '--videos',
                'a.mp4',
                '--out',
                str(tmp_path / 'feats'),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    assert result.returncode == 2
    assert f'feats: in use by another run (pid {os.getpid()}' in result.stderr
    assert not os.path.exists(tmp_path / 'feats' / 'manifest.jsonl')


def test_stale_temporaries_are_removed_and_nothing_else(tmp_path):
    (tmp_path / '.epoch_3.pth.k2j3.tmp').write_bytes(b'partial')
    (tmp_path / '.tmp-abc').mkdir()
    (tmp_path / 'epoch_2.pth').write_bytes(b'kept')
    (tmp_path / '.lock').write_text('{}')
    removed = remove_stale_temporaries(tmp_path)
    assert sorted(os.path.basename(p) for p in removed) == ['.epoch_3.pth.k2j3.tmp', '.tmp-abc']
    assert sorted(os.listdir(tmp_path)) == ['.lock', 'epoch_2.pth']


def test_npz_is_written_whole_or_not_at_all(tmp_path, monkeypatch):
    path = tmp_path / 'a.npz'
    atomic_write_npz(path, dict(x=np.arange(3), y=np.float32(2.5)))
    with np.load(path) as stored:
        assert stored['x'].tolist() == [0, 1, 2] and stored['y'] == np.float32(2.5)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, 'No space left on device')

    monkeypatch.setattr(os, 'replace', full_disk)
    with pytest.raises(DiskFullError, match=r'b\.npz: not written, the disk is full'):
        atomic_write_npz(tmp_path / 'b.npz', dict(x=np.arange(3)))
    assert sorted(os.listdir(tmp_path)) == ['a.npz']  # no b.npz, no temporary


def test_json_lines_round_trip_and_a_torn_last_line_is_dropped(tmp_path):
    path = tmp_path / 'rows.jsonl'
    assert read_jsonl(path) == []
    append_jsonl(path, dict(a=1))
    append_jsonl(path, dict(b=[2, 3]))
    with open(path, 'a', encoding='utf-8') as file:
        file.write('{"c": ')  # what a kill in mid-write leaves
    assert read_jsonl(path) == [dict(a=1), dict(b=[2, 3])]
    append_jsonl(path, dict(e='\u00e9'))  # a row appended after the torn line stays whole
    assert read_jsonl(path) == [dict(a=1), dict(b=[2, 3]), dict(e='\u00e9')]
    atomic_write_jsonl(path, [dict(d=4), 'five'])
    assert open(path, encoding='utf-8').read() == '{"d": 4}\n"five"\n'
    assert read_jsonl(path) == [dict(d=4), 'five']


@pytest.mark.parametrize(
    'paths',
    [
        ['a/clip.webm', 'a/clip.mp4'],  # only the extension differs
        ['x/a/b/clip.webm', 'x/a__b/clip.webm'],  # '/' and '__' fall differently
        ['x/a/clip.webm', 'x/b/clip.webm', 'x/c/other.mp4', 'x/a__clip.webm'],
    ],
)
def test_distinct_inputs_get_distinct_output_names(paths):
    names = output_names(paths)
    assert len(set(names)) == len(paths)
    assert output_names(paths) == names  # the same rule on a rerun: resume finds its files


def test_output_names_stay_short_where_nothing_clashes():
    assert output_names(['v/a.mp4', 'w/b.webm']) == ['a', 'b']
    assert output_names(['v/a.mp4', 'w/a.webm']) == ['v__a', 'w__a']
    assert output_names(['v/a.mp4', 'v/a.mp4']) == ['a', 'a']  # one input listed twice
