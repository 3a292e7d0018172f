"""The benchmark's comparison with mmaction2's loading: mmaction2 optional, side by side when present."""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest

from gfvideo.benchmark import mmaction
from tests.cli.train_helpers import ROOT

#: Stands in for mmaction2's three test-time loading transforms (same keys, same sampling), reading
#: with gfvideo: enough to check the benchmark's plumbing without installing mmaction2.
FAKE_TRANSFORMS = """
import numpy as np
from gfvideo.data import open_video

class DecordInit:
    def __init__(self, num_threads=1):
        pass
    def __call__(self, results):
        results['video_reader'] = open_video(results['filename'], 'pyav')
        results['total_frames'] = len(results['video_reader'])
        return results

class SampleFrames:
    def __init__(self, clip_len, frame_interval, num_clips, test_mode):
        self.num_clips = num_clips
    def __call__(self, results):
        average = results['total_frames'] / self.num_clips
        results['frame_inds'] = (np.arange(self.num_clips) * average + average / 2).astype(np.int64)
        return results

class DecordDecode:
    def __call__(self, results):
        results['imgs'] = list(results.pop('video_reader').get_frames(results['frame_inds']))
        return results
"""


@pytest.fixture(autouse=True)
def tiny_clips(media_dir, monkeypatch):
    clips = {
        'tiny H.264 MP4': [os.path.join(media_dir, 'clip.mp4')],
        'tiny VP9 WebM': [os.path.join(media_dir, 'clip.webm')],
    }
    monkeypatch.setattr(mmaction, 'prepare_clips', lambda folder: clips)


def test_the_section_says_when_mmaction2_is_not_installed(tmp_path, monkeypatch):
    find_spec = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, 'find_spec', lambda name, *args: None if name == 'mmaction' else find_spec(name, *args)
    )
    text = mmaction.mmaction_section(str(tmp_path), repeats=1)
    rows = [line for line in text.splitlines() if line.startswith('| tiny')]
    assert len(rows) == 2 and all('| not installed | ' in row for row in rows), text
    assert 'mmaction2 is not installed in this interpreter' in text
    assert '--mmaction-python' in text
    text = mmaction.mmaction_section(str(tmp_path), repeats=1, python=str(tmp_path / 'no_python'))
    assert 'could not be loaded' in text and 'not installed' in text


@pytest.mark.slow
def test_the_section_measures_both_side_by_side(tmp_path, monkeypatch):
    package = tmp_path / 'fake' / 'mmaction'
    (package / 'datasets').mkdir(parents=True)
    (package / '__init__.py').write_text("__version__ = '0.0-stand-in'\n")
    (package / 'datasets' / '__init__.py').write_text('')
    (package / 'datasets' / 'transforms.py').write_text(FAKE_TRANSFORMS)
    monkeypatch.setenv('PYTHONPATH', os.pathsep.join([str(tmp_path / 'fake'), ROOT]))
    text = mmaction.mmaction_section(str(tmp_path), repeats=2, python=sys.executable)
    rows = [line for line in text.splitlines() if line.startswith('| tiny')]
    assert len(rows) == 2 and all(row.endswith(' | yes |') and 'x** |' in row for row in rows), text
    assert '0.0-stand-in' in text and 'not installed' not in text and text.count('as fast as mmaction2') == 2
