"""A newcomer's path through the tools: one data option, no ImageNet files to test a trained
model, a prediction on a video, the canonical class lists, flip pairs from a config, refused
frame-count mismatches, honest latency, quiet logs and one output-name rule."""

import csv
import glob
import json
import os
import shutil

import cv2
import numpy as np
import pytest

from gfvideo.apis import load_config, load_model
from gfvideo.classes import read_class_list
from gfvideo.data.prep.video_writer import write_video
from gfvideo.evaluation import thresholds_record
from tests.cli.train_helpers import CONFIGS, ROOT, tool
from tests.media import moving_frames

pytestmark = pytest.mark.slow

GFNET = os.path.join(CONFIGS, 'gfnet_tiny-stage1.py')
KINETICS = os.path.join(ROOT, 'data_lists', 'kinetics400_classes.txt')


@pytest.fixture(scope='module')
def model_files(trained, tmp_path_factory):
    """``(data_root, checkpoint, thresholds.json, a validation video)`` of the tiny trained model."""
    root, gfnet, _ = trained
    model = load_model(load_config(GFNET, data_root=root), gfnet)
    path = tmp_path_factory.mktemp('thresholds') / 'thresholds.json'
    path.write_text(json.dumps(thresholds_record([0.0, 0.0], model.classes_hash, model.max_focus_steps)))
    video = sorted(glob.glob(os.path.join(root, 'videos', '*.webm')))[-1]
    return root, gfnet, str(path), video


# ----------------------------------------------------------------------------- 1. one data option
def test_data_root_flag_moves_every_dataloader(model_files, tmp_path):
    root, gfnet, _, _ = model_files
    cfg = load_config(GFNET, {'data_root': root})
    assert [cfg[k].dataset.data_root for k in ('train_dataloader', 'val_dataloader', 'test_dataloader')] == [root] * 3
    result = tool('test.py', GFNET, gfnet, '--data-root', root, '--work-dir', str(tmp_path))
    assert 0 <= json.loads(result.stdout.strip().splitlines()[-1])['top1'] <= 1
    # a training work dir stands for its final checkpoint (the file its last_checkpoint names)
    from_dir = tool('test.py', GFNET, os.path.dirname(gfnet), '--data-root', root, '--work-dir', str(tmp_path))
    assert from_dir.stdout.strip().splitlines()[-1] == result.stdout.strip().splitlines()[-1]
    missing = tool(
        'test.py', GFNET, gfnet, '--data-root', str(tmp_path / 'nowhere'), '--work-dir', str(tmp_path), check=False
    )
    assert missing.returncode == 2 and 'nowhere' in missing.stderr


def test_a_stage_started_from_an_unfinished_work_dir_is_refused(synthetic, tmp_path):
    root = synthetic('sthv2')  # (train_all's chaining through last_checkpoint: tests/cli/test_train.py)
    empty = tmp_path / 'empty'
    empty.mkdir()
    refused = tool(
        'train.py',
        os.path.join(CONFIGS, 'gfnet_tiny-stage2.py'),
        '--data-root',
        root,
        '--work-dir',
        str(tmp_path / 'x'),
        '--cfg-options',
        f'load_from={empty}',
        check=False,
    )
    assert refused.returncode == 2 and 'load_from' in refused.stderr and 'last_checkpoint' in refused.stderr


# ----------------------------------------------------------------------------- 2. no ImageNet files to test
def test_testing_needs_no_init_weights_and_training_names_them(model_files, tmp_path):
    root, gfnet, _, _ = model_files
    absent = str(tmp_path / 'checkpoints' / 'resnet18-f37072fd.pth')
    option = f'model.focus_backbone.pretrained={absent}'
    tested = tool(
        'test.py', GFNET, gfnet, '--data-root', root, '--work-dir', str(tmp_path / 't'), '--cfg-options', option
    )
    assert 'top1' in tested.stdout
    assert load_model(load_config(GFNET, {'model.focus_backbone.pretrained': absent}, root), gfnet).classes
    trained = tool(
        'train.py', GFNET, '--data-root', root, '--work-dir', str(tmp_path / 'w'), '--cfg-options', option, check=False
    )
    assert trained.returncode == 2 and absent in trained.stderr
    assert 'ResNet18_Weights.IMAGENET1K_V1' in trained.stderr
    assert 'https://download.pytorch.org/models/resnet18-f37072fd.pth' in trained.stderr


# ----------------------------------------------------------------------------- 3. one-line prediction
def test_recognize_prints_top5_names_exit_step_and_picture(model_files, tmp_path):
    root, gfnet, thresholds, video = model_files
    classes = read_class_list(os.path.join(root, 'lists', 'classes.txt'))
    picture = tmp_path / 'look.png'
    result = tool('recognize.py', GFNET, gfnet, video, '--thresholds', thresholds, '--out-picture', str(picture))
    lines = result.stdout.strip().splitlines()
    assert 'exit at step 0 of 2' in lines[0] and 'GMACs' in lines[0]  # thresholds 0: the glance is enough
    ranked = lines[1:6]
    assert [line.split('. ')[0] for line in ranked] == ['1', '2', '3', '4', '5']
    scores = [float(line.rsplit(' ', 1)[1]) for line in ranked]
    assert scores == sorted(scores, reverse=True) and all(
        line.split('. ', 1)[1].rsplit(' ', 1)[0].strip() in classes for line in ranked
    )
    image = cv2.imread(str(picture))
    assert image is not None and image.shape[1] > 64 and (tmp_path / 'look.gif').exists()
    full = tool('recognize.py', GFNET, gfnet, video)  # without thresholds: every step
    assert 'exit at step 2 of 2' in full.stdout


def test_feature_manifest_and_visualize_name_the_classes(model_files, tmp_path):
    root, gfnet, _, video = model_files
    classes = read_class_list(os.path.join(root, 'lists', 'classes.txt'))
    tool(
        'extract_features.py',
        GFNET,
        gfnet,
        '--list',
        os.path.join(root, 'lists', 'val.txt'),
        '--media-root',
        root,
        '--out',
        str(tmp_path / 'f'),
    )
    rows = [json.loads(line) for line in open(tmp_path / 'f' / 'manifest.jsonl')]
    assert len(rows) == 8 and all(row['prediction_name'] == classes[row['prediction']] for row in rows)
    assert all(row['label_name'] == classes[row['label']] for row in rows)
    shown = tool('visualize.py', GFNET, gfnet, video, '--out', str(tmp_path / 'v'))
    assert any(name in shown.stdout for name in classes)


# ----------------------------------------------------------------------------- 4. canonical class lists
def kinetics_annotations(tmp_path, rows: dict) -> tuple[str, str]:
    """A Kinetics subset: CSVs of ``{split: [(label, youtube_id)]}`` and one tiny MP4 per row."""
    annotations, media = tmp_path / 'annotations', tmp_path / 'videos'
    annotations.mkdir()
    for split, entries in rows.items():
        lines = ['label,youtube_id,time_start,time_end,split']
        for label, youtube_id in entries:
            lines.append(f'"{label}",{youtube_id},10,20,{split}')
            folder = media / split / label.replace(' ', '_')
            folder.mkdir(parents=True, exist_ok=True)
            write_video(str(folder / f'{youtube_id}_000010_000020.mp4'), moving_frames(4, 32, 32), fps=10)
        (annotations / f'kinetics-400_{split}.csv').write_text('\n'.join(lines) + '\n')
    return str(annotations), str(media)


def test_kinetics_subset_keeps_the_400_class_indices(tmp_path):
    canonical = read_class_list(KINETICS)
    annotations, media = kinetics_annotations(
        tmp_path, {'train': [('zumba', 'aaa'), ('abseiling', 'bbb')], 'val': [('yoga', 'ccc')]}
    )
    out = tmp_path / 'lists'
    result = tool('build_lists.py', 'kinetics', '--annotations', annotations, '--media-root', media, '--out', str(out))
    assert 'classes.txt (400 classes)' in result.stdout and 'check media: 2/2' in result.stderr
    assert read_class_list(str(out / 'classes.txt')) == canonical
    labels = {line.split()[0].split('/')[-1][:3]: int(line.split()[-1]) for line in open(out / 'train.txt')}
    labels.update({line.split()[0].split('/')[-1][:3]: int(line.split()[-1]) for line in open(out / 'val.txt')})
    assert labels == {'aaa': canonical.index('zumba'), 'bbb': 0, 'ccc': canonical.index('yoga')}
    own = tmp_path / 'own.txt'
    own.write_text('yoga\nzumba\nabseiling\n')
    tool(
        'build_lists.py',
        'kinetics',
        '--annotations',
        annotations,
        '--media-root',
        media,
        '--out',
        str(out),
        '--classes',
        str(own),
    )
    assert sorted(int(line.split()[-1]) for line in open(out / 'train.txt')) == [1, 2]


def test_a_class_outside_the_canonical_list_is_named(tmp_path):
    annotations, media = kinetics_annotations(tmp_path, {'train': [('zumba', 'aaa'), ('unicycling backwards', 'b')]})
    result = tool(
        'build_lists.py',
        'kinetics',
        '--annotations',
        annotations,
        '--media-root',
        media,
        '--out',
        str(tmp_path / 'lists'),
        check=False,
    )
    assert result.returncode == 2 and 'unicycling backwards' in result.stderr and '--classes' in result.stderr
    assert 'kinetics400_classes.txt' in result.stderr


def test_something_something_subset_keeps_the_174_class_indices(tmp_path):
    canonical = read_class_list(os.path.join(ROOT, 'data_lists', 'sthv2_classes.txt'))
    names = [canonical[86], canonical[10]]
    annotations, videos = tmp_path / 'annotations', tmp_path / 'videos'
    annotations.mkdir()
    videos.mkdir()
    labels = {name: str(index) for index, name in enumerate(names)}
    (annotations / 'something-something-v2-labels.json').write_text(json.dumps(labels))
    entries = [dict(id=str(i), label=n, template=n, placeholders=[]) for i, n in enumerate(names)]
    (annotations / 'something-something-v2-train.json').write_text(json.dumps(entries))
    for i in range(2):
        write_video(str(videos / f'{i}.webm'), moving_frames(4, 32, 32), fps=10)
    tool(
        'build_lists.py',
        'sthv2',
        '--annotations',
        str(annotations),
        '--media-root',
        str(videos),
        '--out',
        str(tmp_path / 'lists'),
    )
    assert [int(line.split()[-1]) for line in open(tmp_path / 'lists' / 'train.txt')] == [86, 10]
    assert len(read_class_list(str(tmp_path / 'lists' / 'classes.txt'))) == 174


# ----------------------------------------------------------------------------- 5. flip pairs from a config
def test_a_config_turns_flip_on_with_label_swapping_pairs(synthetic, tmp_path):
    from gfvideo.registry import DATASETS

    root = synthetic('sthv2')
    classes = read_class_list(os.path.join(root, 'lists', 'classes.txt'))
    pairs = tmp_path / 'pairs.tsv'
    pairs.write_text(
        '\n'.join(
            f'Moving {k} block from left to right\tMoving {k} block from right to left'
            for k in ('banded', 'checkered', 'dotted', 'striped')
        )
        + '\n'
    )
    flip = dict(type='Flip', flip_ratio=1.0, flip_pairs=str(pairs), classes=os.path.join(root, 'lists', 'classes.txt'))
    pipeline = [
        dict(type='VideoInit'),
        dict(type='SampleFrames', num_segments=4, mode='train'),
        dict(type='VideoDecode'),
        flip,
        dict(type='PackClip'),
    ]
    cfg = load_config(GFNET, {'train_dataloader.dataset.pipeline': pipeline}, data_root=root)
    dataset = DATASETS.build(cfg.train_dataloader.dataset)
    swapped = 0
    for index in range(len(dataset)):
        original = classes[dataset.get_data_info(index)['label']]
        label = classes[int(dataset[index]['label'])]
        mirrored = (
            original.replace('left to right', 'X')
            .replace('right to left', 'left to right')
            .replace('X', 'right to left')
        )
        assert label == mirrored
        swapped += label != original
    assert swapped > 0
    config = tmp_path / 'flip_config.py'  # the same pipeline, but the pairs index another class list
    config.write_text(
        f'_base_ = [{GFNET!r}]\ntrain_dataloader = dict(dataset=dict(pipeline={pipeline!r}))\n'.replace(
            repr(flip['classes']), repr(KINETICS)
        )
    )
    wrong = tool('train.py', str(config), '--data-root', root, '--work-dir', str(tmp_path / 'w'), check=False)
    assert wrong.returncode == 2 and 'Flip(classes=' in wrong.stderr and 'wrong labels' in wrong.stderr


# ----------------------------------------------------------------------------- 6. frame count mismatch
def test_frame_count_mismatch_is_refused_and_multi_view_allowed(model_files, tmp_path):
    root, gfnet, _, _ = model_files
    refused = tool(
        'train.py',
        GFNET,
        '--data-root',
        root,
        '--work-dir',
        str(tmp_path / 'w'),
        '--cfg-options',
        'train_dataloader.dataset.pipeline.1.num_segments=6',
        check=False,
    )
    assert refused.returncode == 2 and 'num_segments=6' in refused.stderr and 'num_segments=4' in refused.stderr
    views = tool(
        'test.py',
        GFNET,
        gfnet,
        '--data-root',
        root,
        '--work-dir',
        str(tmp_path / 't'),
        '--cfg-options',
        'test_dataloader.dataset.pipeline.1.num_clips=2',
    )
    assert 0 <= json.loads(views.stdout.strip().splitlines()[-1])['top1'] <= 1
    video = sorted(glob.glob(os.path.join(root, 'videos', '*.webm')))[0]
    recognized = tool(
        'recognize.py',
        GFNET,
        gfnet,
        video,
        '--cfg-options',
        'test_dataloader.dataset.pipeline.1.num_segments=8',
        check=False,
    )
    assert recognized.returncode == 2 and 'num_segments=8' in recognized.stderr


# ----------------------------------------------------------------------------- 7. latency
def test_batched_timing_is_not_reported_as_per_clip_latency(model_files, tmp_path):
    root, gfnet, thresholds, _ = model_files
    per_clip = tmp_path / 'clips.csv'
    result = tool(
        'test.py',
        GFNET,
        gfnet,
        '--data-root',
        root,
        '--adaptive',
        thresholds,
        '--per-clip',
        str(per_clip),
        '--batch-size',
        '4',
        '--work-dir',
        str(tmp_path / 'w'),
    )
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    rows = list(csv.DictReader(open(per_clip)))
    assert 'latency_ms' not in rows[0] and {'batch_ms', 'batch_size'} <= set(rows[0])
    assert [int(r['batch_size']) for r in rows] == [4] * 8 and len({r['batch_ms'] for r in rows}) <= 2
    assert 'batch size 4' in summary['time_basis'] and 'not a per-clip latency' in summary['time_basis']
    assert summary['p25_ms_per_clip'] <= summary['median_ms_per_clip'] <= summary['p75_ms_per_clip']
    single = tool(
        'test.py',
        GFNET,
        gfnet,
        '--data-root',
        root,
        '--adaptive',
        thresholds,
        '--per-clip',
        str(per_clip),
        '--work-dir',
        str(tmp_path / 'w'),
    )
    assert 'batch size 1' in json.loads(single.stdout.strip().splitlines()[-1])['time_basis']
    assert 'latency_ms' in next(csv.DictReader(open(per_clip)))


# ----------------------------------------------------------------------------- 9. honest logs
def test_resume_that_extracts_nothing_says_so(model_files, tmp_path):
    root, gfnet, _, _ = model_files
    videos = sorted(glob.glob(os.path.join(root, 'videos', '*.webm')))[:3]
    first = tool('extract_features.py', GFNET, gfnet, '--videos', *videos, '--out', str(tmp_path))
    assert '3 extracted, 0 already done, 0 failed' in first.stdout and 'extract: 3/3' in first.stderr
    again = tool('extract_features.py', GFNET, gfnet, '--videos', *videos, '--out', str(tmp_path), '--resume')
    assert '0 extracted, 3 already done, 0 failed' in again.stdout


# ----------------------------------------------------------------------------- 10. output names
def test_one_naming_rule_and_shared_base_names_keep_their_path(model_files, tmp_path):
    root, gfnet, _, _ = model_files
    source = sorted(glob.glob(os.path.join(root, 'videos', '*.webm')))
    for folder, index in (('a', 0), ('b', 1)):
        os.makedirs(tmp_path / 'in' / folder)
        shutil.copy(source[index], tmp_path / 'in' / folder / 'clip.webm')
    shutil.copy(source[2], tmp_path / 'in' / 'b' / 'other.webm')
    videos = [str(tmp_path / 'in' / p) for p in ('a/clip.webm', 'b/clip.webm', 'b/other.webm')]
    tool('extract_features.py', GFNET, gfnet, '--videos', *videos, '--out', str(tmp_path / 'v'))
    assert sorted(os.listdir(tmp_path / 'v')) == [
        'a__clip.npz',
        'b__clip.npz',
        'errors.jsonl',
        'manifest.jsonl',
        'other.npz',
    ]
    listed = tmp_path / 'list.txt'
    listed.write_text(''.join(f'{p} 0\n' for p in ('a/clip.webm', 'b/clip.webm', 'b/other.webm')))
    tool(
        'extract_features.py',
        GFNET,
        gfnet,
        '--list',
        str(listed),
        '--media-root',
        str(tmp_path / 'in'),
        '--out',
        str(tmp_path / 'l'),
    )
    assert sorted(os.listdir(tmp_path / 'l')) == sorted(os.listdir(tmp_path / 'v'))
    first = np.load(tmp_path / 'v' / 'a__clip.npz')['glance']
    assert not np.array_equal(first, np.load(tmp_path / 'v' / 'b__clip.npz')['glance'])
    single = tool('extract_features.py', GFNET, gfnet, '--videos', source[5], '--out', str(tmp_path / 's'))
    assert os.path.exists(tmp_path / 's' / (os.path.basename(source[5])[:-5] + '.npz')), single.stdout
