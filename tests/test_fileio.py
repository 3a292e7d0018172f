"""Output-folder locks and leftovers of killed writes."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from gfvideo.fileio import OutputLockedError, output_lock, remove_stale_temporaries

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


def test_extract_features_refuses_an_output_folder_in_use(tmp_path):
    with output_lock(tmp_path / 'feats'):
        result = subprocess.run([sys.executable, os.path.join(ROOT, 'tools', 'extract_features.py'), 'config.py',
                                 'model.pth', '--videos', 'a.mp4', '--out', str(tmp_path / 'feats')], cwd=ROOT,
                                capture_output=True, text=True, timeout=300)
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
