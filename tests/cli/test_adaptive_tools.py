"""Budgets, early-exit testing, feature extraction and pictures from a trained checkpoint."""

import csv
import json
import os
import signal
import subprocess
import sys
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from gfvideo.apis import extract_features, load_config, load_model
from gfvideo.evaluation import thresholds_record
from gfvideo.fileio import atomic_write_json
from gfvideo.visualization import STEP_COLORS
from tests.cli.train_helpers import CONFIGS, ROOT, data_options, free_port, load_tool, tool

pytestmark = pytest.mark.slow

GFNET = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')
TSM = os.path.join(CONFIGS, 'tsm_tiny.py')


def options(root):
    return ['--cfg-options', *data_options(root)]


def config(root):
    return load_config(GFNET, {k: v for k, v in (o.split('=', 1) for o in data_options(root))})


@pytest.fixture(scope='module')
def budget(trained, tmp_path_factory):
    root, gfnet, tsm = trained
    out = tmp_path_factory.mktemp('budget')
    glance_only = load_model(config(root), gfnet).step_macs(64, 64)[0].item() / 1e9
    result = tool(
        'evaluate_budget.py',
        GFNET,
        gfnet,
        '--out',
        str(out),
        '--calib-size',
        '12',
        '--num-points',
        '6',
        '--budgets',
        str(glance_only * 1.5),
        '--baseline',
        TSM,
        tsm,
        *options(root),
    )
    return root, gfnet, out, result


def test_budget_curve_points_follow_their_exit_histograms(budget):
    _, _, out, result = budget
    curve = json.load(open(out / 'budget_curve.json'))
    gmacs = curve['step_gmacs']
    assert len(gmacs) == 3 and gmacs == sorted(gmacs) and curve['eval_clips'] == 8
    assert len(curve['anytime']) == 3 and len(curve['points']) >= 3
    for point in curve['points']:
        histogram = np.array(point['exit_histogram'])
        assert histogram.sum() == 8
        assert point['mean_gmacs'] == pytest.approx(float(histogram @ np.array(gmacs)) / 8, rel=1e-6)
        assert 0 <= point['top1'] <= point['top5'] <= 1
    requested = [p for p in curve['points'] if p['budget'] is not None]
    assert len(requested) == 1 and requested[0]['calib_gmacs'] <= requested[0]['budget']
    assert curve['baseline']['gmacs'] > gmacs[-1] / 3 and 0 <= curve['baseline']['top1'] <= 1
    image = cv2.imread(str(out / 'budget_curve.png'))
    assert image is not None and image.shape[0] > 200
    record = json.load(open(out / 'thresholds.json'))
    assert record['num_steps'] == 2 and len(record['classes_hash']) == 16
    assert record['thresholds'] == requested[0]['thresholds']
    assert record['never_exit'] == 2.0 and 'nobody exits' in record['note']  # readable on its own
    assert 'baseline' in result.stdout
    # what it does, then a header over the results, then what it wrote
    lines = result.stdout.splitlines()
    assert lines[0].startswith('calibrated on 12 clips') and 'budget points (mean GMACs per clip' in result.stdout
    assert [line for line in lines if line.startswith('wrote ')] == [
        f'wrote {out / name}' for name in ('thresholds.json', 'budget_curve.json', 'budget_curve.png')
    ]
    assert 'calibration: 1 ' in result.stderr  # each phase is seen to start


def test_budget_below_the_glance_cost_is_refused(trained, tmp_path):
    root, gfnet, _ = trained
    result = tool(
        'evaluate_budget.py',
        GFNET,
        gfnet,
        '--out',
        str(tmp_path),
        '--calib-size',
        '4',
        '--budgets',
        '0.0000001',
        *options(root),
        check=False,
    )
    assert result.returncode == 2 and 'below the glance-only cost' in result.stderr


def test_adaptive_test_writes_one_row_per_clip(budget, tmp_path):
    root, gfnet, out, _ = budget
    per_clip = tmp_path / 'clips.csv'
    result = tool(
        'test.py',
        GFNET,
        gfnet,
        '--adaptive',
        str(out / 'thresholds.json'),
        '--per-clip',
        str(per_clip),
        '--work-dir',
        str(tmp_path / 'w'),
        *options(root),
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    rows = list(csv.DictReader(open(per_clip)))
    assert len(rows) == 8 == summary['num_clips'] == sum(summary['exit_histogram'])
    assert set(rows[0]) == {'path', 'label', 'prediction', 'confidence', 'exit_step', 'gmacs', 'latency_ms'}
    assert all(os.path.exists(row['path']) and float(row['latency_ms']) > 0 for row in rows)
    assert summary['mean_gmacs'] == pytest.approx(np.mean([float(r['gmacs']) for r in rows]), rel=1e-4)
    assert summary['top1'] == pytest.approx(np.mean([r['label'] == r['prediction'] for r in rows]))


def test_thresholds_of_another_model_are_refused(budget, tmp_path):
    root, gfnet, out, _ = budget
    record = json.load(open(out / 'thresholds.json'))
    for change, message in (
        (dict(classes_hash='0' * 16), 'another class list'),
        (dict(num_steps=3, thresholds=[0.5] * 3), '3 focus steps'),
    ):
        path = tmp_path / 'other.json'
        path.write_text(json.dumps({**record, **change}))
        result = tool(
            'test.py',
            GFNET,
            gfnet,
            '--adaptive',
            str(path),
            '--work-dir',
            str(tmp_path / 'w'),
            *options(root),
            check=False,
        )
        assert result.returncode == 2 and message in result.stderr


def test_plain_test_writes_a_confusion_matrix(trained, tmp_path):
    root, gfnet, _ = trained
    result = tool('test.py', GFNET, gfnet, '--work-dir', str(tmp_path), *options(root))
    # a short summary that says where it wrote what; the config goes to the log file only
    lines = result.stdout.strip().splitlines()
    assert len(lines) <= 5 and 'on 8 clips:' in lines[0] and ', top1 0.' in lines[0]
    assert f'confusion matrix: {tmp_path / "confusion_matrix.csv"}' in result.stdout
    log = next(line.split(': ', 1)[1] for line in lines if 'log (config' in line)
    assert 'model = dict(' in open(log).read() and 'model = dict(' not in result.stdout + result.stderr
    rows = list(csv.reader(open(tmp_path / 'confusion_matrix.csv')))
    assert len(rows) == 17 and len(rows[0]) == 17 and rows[1][0].startswith('Moving')
    assert sum(int(v) for row in rows[1:] for v in row[1:]) == 8


def extraction(root, gfnet, out, *extra, **kwargs):
    return [
        sys.executable,
        os.path.join(ROOT, 'tools', 'extract_features.py'),
        GFNET,
        gfnet,
        '--list',
        os.path.join(root, 'lists', 'train.txt'),
        '--media-root',
        root,
        '--out',
        str(out),
        *extra,
        *options(root),
    ]


def test_extraction_survives_a_kill_and_resumes_without_recomputing(trained, tmp_path):
    root, gfnet, _ = trained
    out = tmp_path / 'features'
    env = dict(os.environ, OMP_NUM_THREADS='1')
    process = subprocess.Popen(
        extraction(root, gfnet, out), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob('*.npz'))) < 3:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)
    process.wait()
    before = {p.name: p.stat().st_mtime_ns for p in out.glob('*.npz')}
    assert 3 <= len(before) < 20, 'the kill should land mid-run'
    assert not list(out.glob('*.tmp')) or all(p.name.startswith('.') for p in out.glob('*.tmp'))
    (out / '.7.npz.k1l2.tmp').write_bytes(b'half')  # what a kill during a write leaves
    result = subprocess.run(
        extraction(root, gfnet, out, '--resume'), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    after = {p.name: p.stat().st_mtime_ns for p in out.glob('*.npz')}
    assert all(after[name] == mtime for name, mtime in before.items())  # nothing done was recomputed
    assert not list(out.glob('.*.tmp')) and not (out / '.lock').exists()
    rows = [json.loads(line) for line in open(out / 'manifest.jsonl')]
    listed = [line.split()[0] for line in open(os.path.join(root, 'lists', 'train.txt'))]
    readable = [p for p in listed if os.path.getsize(os.path.join(root, p)) > 1000]
    assert len(rows) == len(after) == len(readable) and len({r['npz'] for r in rows}) == len(rows)
    for row in rows:
        with np.load(out / row['npz']) as stored:
            assert stored['focus'].shape[:2] == (2, 4) and int(stored['exit_step']) == row['exit_step'] == 2
    errors = [json.loads(line) for line in open(out / 'errors.jsonl')]
    assert len(errors) == len(listed) - len(readable)
    assert not list(out.glob('*.part*'))


def test_extraction_reports_unreadable_videos_and_goes_on(trained, tmp_path):
    root, gfnet, _ = trained
    broken = tmp_path / 'broken.webm'
    broken.write_bytes(b'not a video at all')
    video = os.path.join(root, 'videos', '21.webm')
    result = tool(
        'extract_features.py',
        GFNET,
        gfnet,
        '--videos',
        str(broken),
        video,
        '--out',
        str(tmp_path / 'f'),
        '--steps',
        '1',
        '--workers',
        '2',
        *options(root),
    )
    assert '1 extracted, 0 already done, 1 failed' in result.stdout
    errors = [json.loads(line) for line in open(tmp_path / 'f' / 'errors.jsonl')]
    assert errors[0]['video'] == str(broken) and 'broken.webm' in errors[0]['error']
    with np.load(tmp_path / 'f' / '21.npz') as stored:
        assert stored['focus'].shape[0] == 1 and stored['logits'].shape[0] == 2


def test_visualize_draws_one_row_per_step_up_to_the_exit(trained, tmp_path):
    root, gfnet, _ = trained
    video = os.path.join(root, 'videos', '21.webm')
    tool('visualize.py', GFNET, gfnet, video, '--out', str(tmp_path / 'all'), *options(root))
    picture = cv2.imread(str(tmp_path / 'all' / '21_glimpses.png'))
    side, bar = 3 * 64, 24  # 64-px frames drawn 3x larger, a caption above each row
    assert picture is not None and picture.shape[:2] == (3 * (side + bar), 4 * side)  # glance + 2 focus rows
    assert Image.open(tmp_path / 'all' / '21_glimpses.gif').n_frames == 3 * 4  # (glance + 2 steps) x 4 frames
    model = load_model(config(root), gfnet)
    boxes = extract_features(model, video)['boxes']
    for step in (1, 2):
        x0, y0, _, _ = (int(v) * 3 for v in boxes[step - 1, 0])
        top = step * (side + bar) + bar  # below the step's caption
        row = np.asarray(picture[top : top + side, :side, ::-1])  # first frame, RGB
        assert tuple(row[y0, x0 + 5]) == STEP_COLORS[step - 1]  # the middle of the first dash of its outline
    # an exit after the glance draws no patch; the true class heads the picture
    record = thresholds_record([0.0, 0.0], model.classes_hash, model.max_focus_steps)
    atomic_write_json(str(tmp_path / 'exit0.json'), record)
    tool(
        'visualize.py',
        GFNET,
        gfnet,
        video,
        '--out',
        str(tmp_path / 'exit'),
        '--thresholds',
        str(tmp_path / 'exit0.json'),
        '--true-labels',
        model.classes[3],
        *options(root),
    )
    early = cv2.imread(str(tmp_path / 'exit' / '21_glimpses.png'))
    assert early.shape[:2] == (bar + side + bar, 4 * side)
    assert Image.open(tmp_path / 'exit' / '21_glimpses.gif').n_frames == 4
    refused = tool(
        'visualize.py',
        GFNET,
        gfnet,
        video,
        '--out',
        str(tmp_path / 'x'),
        '--true-labels',
        'no such class',
        *options(root),
        check=False,
    )
    assert refused.returncode == 2 and 'neither a class index nor a class name' in refused.stderr


def test_two_process_extraction_and_adaptive_test_match_one_process(budget, tmp_path):
    root, gfnet, out, _ = budget
    command = [
        sys.executable,
        '-m',
        'torch.distributed.run',
        '--nproc_per_node',
        '2',
        '--master_port',
        str(free_port()),
    ]
    env = dict(os.environ, OMP_NUM_THREADS='1')
    val = os.path.join(root, 'lists', 'val.txt')
    result = subprocess.run(
        [
            *command,
            os.path.join(ROOT, 'tools', 'extract_features.py'),
            GFNET,
            gfnet,
            '--list',
            val,
            '--media-root',
            root,
            '--out',
            str(tmp_path / 'f'),
            '--launcher',
            'pytorch',
            *options(root),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    rows = [json.loads(line) for line in open(tmp_path / 'f' / 'manifest.jsonl')]
    assert [r['video'] for r in rows] == [os.path.join(root, line.split()[0]) for line in open(val)]
    assert not list((tmp_path / 'f').glob('*.part*'))
    distributed = subprocess.run(
        [
            *command,
            os.path.join(ROOT, 'tools', 'test.py'),
            GFNET,
            gfnet,
            '--adaptive',
            str(out / 'thresholds.json'),
            '--work-dir',
            str(tmp_path / 'w'),
            '--launcher',
            'pytorch',
            *options(root),
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert distributed.returncode == 0, distributed.stderr[-3000:]
    single = tool(
        'test.py',
        GFNET,
        gfnet,
        '--adaptive',
        str(out / 'thresholds.json'),
        '--work-dir',
        str(tmp_path / 'w1'),
        *options(root),
    )
    first, second = (json.loads(r.stdout.strip().splitlines()[-1]) for r in (distributed, single))
    for key in ('top1', 'top5', 'mean_gmacs', 'exit_histogram', 'num_clips'):
        assert first[key] == second[key]


def test_extraction_on_a_full_disk_names_the_file_and_leaves_nothing(trained, tmp_path, monkeypatch, capsys):
    import builtins
    import errno

    root, gfnet, _ = trained
    module = load_tool('extract_features')
    real_open = builtins.open

    def full_disk_open(file, mode='r', *args, **kwargs):
        if 'w' in mode and '.npz.' in os.path.basename(str(file)):
            raise OSError(errno.ENOSPC, 'No space left on device', str(file))
        return real_open(file, mode, *args, **kwargs)

    monkeypatch.setattr(builtins, 'open', full_disk_open)
    out = tmp_path / 'features'
    video = os.path.join(root, 'videos', '21.webm')
    assert module.main([GFNET, gfnet, '--videos', video, '--out', str(out), '--steps', '1', *options(root)]) == 1
    assert f'{out}/21.npz: not written, the disk is full' in capsys.readouterr().err
    assert not list(out.glob('*.npz')) and not list(out.glob('.*.tmp')) and not (out / '.lock').exists()
