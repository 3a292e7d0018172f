"""VideoDataset on real media in all three official layouts, in a DataLoader with workers."""

import os

import numpy as np
import pytest
import torch
from torch.utils.data import DataLoader

from gfvideo.classes import AnnotationError
from gfvideo.data import VideoDataset, VideoReadError, collate_skipping, open_video, parse_list_file
from gfvideo.registry import DATASETS

TRAIN_PIPELINE = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=4, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=64),
    dict(type='MultiScaleCrop', input_size=56),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='PackClip'),
]
TEST_PIPELINE = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=4, mode='test'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=64),
    dict(type='CenterCrop', crop_size=56),
    dict(type='PackClip'),
]


def dataset(root, split='train', pipeline=TRAIN_PIPELINE, **kwargs):
    return VideoDataset(
        ann_file=os.path.join(root, 'lists', f'{split}.txt'),
        media_root=root,
        pipeline=pipeline,
        classes=os.path.join(root, 'lists', 'classes.txt'),
        **kwargs,
    )


@pytest.mark.parametrize('layout', ['sthv1', 'sthv2', 'kinetics'])
def test_samples_carry_the_listed_label_and_exact_frames(synthetic, layout):
    root = synthetic(layout)
    data = dataset(root, 'val', TEST_PIPELINE, test_mode=True)
    records = parse_list_file(os.path.join(root, 'lists', 'val.txt'))
    assert len(data) == len(records) == 8 and len(data.metainfo['classes']) == 16
    sample = data[3]
    assert sample['inputs'].shape == (4, 3, 56, 56) and sample['inputs'].dtype == torch.uint8
    assert sample['label'].item() == records[3].label
    with open_video(os.path.join(root, records[3].path)) as reader:
        frames = reader.get_frames(sample['frame_inds'].numpy())
        assert len(reader) == 10
    assert sample['frame_inds'].tolist() == [1, 3, 6, 8]  # segment centres of 10 frames
    assert np.array_equal(sample['inputs'].numpy().transpose(0, 2, 3, 1), frames[:, 4:60, 4:60])


def test_randomness_depends_on_seed_epoch_and_index_only(synthetic):
    data = dataset(synthetic('sthv2'))
    first = data[(0, 5)]
    assert torch.equal(first['inputs'], data[(0, 5)]['inputs'])
    assert torch.equal(first['frame_inds'], dataset(synthetic('sthv2'))[(0, 5)]['frame_inds'])
    later = [data[(epoch, 5)]['frame_inds'].tolist() for epoch in range(1, 8)]
    assert any(inds != first['frame_inds'].tolist() for inds in later)
    other_seed = dataset(synthetic('sthv2'), seed=1)
    assert any(not torch.equal(data[(0, i)]['inputs'], other_seed[(0, i)]['inputs']) for i in range(4))


def test_dataloader_with_workers_sees_every_sample_once(synthetic):
    root = synthetic('kinetics')
    data = dataset(root, 'train', TEST_PIPELINE)
    loader = DataLoader(data, batch_size=6, num_workers=2, collate_fn=collate_skipping)
    labels, names = [], []
    for batch in loader:
        assert batch['inputs'].shape[1:] == (4, 3, 56, 56) and batch['num_skipped'] == 0
        labels += batch['label'].tolist()
        names += [meta['filename'] for meta in batch['meta']]
    records = parse_list_file(os.path.join(root, 'lists', 'train.txt'))
    assert labels == [r.label for r in records]
    assert names == [os.path.join(root, r.path) for r in records]


def test_the_registry_builds_the_dataset(synthetic):
    root = synthetic('sthv1')
    data = DATASETS.build(
        dict(
            type='VideoDataset',
            ann_file=os.path.join(root, 'lists', 'val.txt'),
            media_root=root,
            pipeline=TEST_PIPELINE,
            test_mode=True,
        )
    )
    assert isinstance(data, VideoDataset) and data[0]['inputs'].shape == (4, 3, 56, 56)


def _list_with_a_missing_video(root, tmp_path):
    lines = open(os.path.join(root, 'lists', 'val.txt')).read().splitlines()
    lines.insert(2, 'videos/does not exist.webm 3')
    path = tmp_path / 'val_missing.txt'
    path.write_text('\n'.join(lines) + '\n')
    return str(path)


def test_bad_samples_are_skipped_and_counted_in_training(synthetic, tmp_path):
    root = synthetic('sthv2')
    ann_file = _list_with_a_missing_video(root, tmp_path)
    data = VideoDataset(ann_file=ann_file, media_root=root, pipeline=TRAIN_PIPELINE, on_error='skip')
    assert data[2] is None
    batches = list(DataLoader(data, batch_size=4, num_workers=0, collate_fn=collate_skipping))
    assert [b['num_skipped'] for b in batches] == [1, 0, 0]
    assert sum(len(b['label']) for b in batches) == 8


def test_evaluation_never_substitutes_a_sample(synthetic, tmp_path):
    root = synthetic('sthv2')
    ann_file = _list_with_a_missing_video(root, tmp_path)
    data = VideoDataset(ann_file=ann_file, media_root=root, pipeline=TEST_PIPELINE, test_mode=True)
    with pytest.raises(VideoReadError, match=r'does not exist\.webm: no such file \(listed at .*val_missing\.txt:3\)'):
        data[2]
    with pytest.raises(ValueError, match='evaluation never skips'):
        VideoDataset(ann_file=ann_file, media_root=root, pipeline=TEST_PIPELINE, test_mode=True, on_error='skip')


def test_labels_outside_the_class_list_fail_at_construction(synthetic, tmp_path):
    root = synthetic('sthv1')
    bad = tmp_path / 'bad.txt'
    bad.write_text('frames/1 10 3\nframes/2 10 16\n')
    with pytest.raises(AnnotationError, match=r'bad\.txt:2: label 16 out of range \(valid: 0\.\.15'):
        VideoDataset(
            ann_file=str(bad),
            media_root=root,
            pipeline=TEST_PIPELINE,
            classes=os.path.join(root, 'lists', 'classes.txt'),
        )


def test_offset_frame_lists_start_later_in_the_folder(synthetic, tmp_path):
    root = synthetic('sthv1')
    listing = tmp_path / 'offset.txt'
    listing.write_text('frames/1 4 6 0\n')  # frames 5..10 of the folder (0-based 4..9)
    data = VideoDataset(
        ann_file=str(listing),
        media_root=root,
        pipeline=TEST_PIPELINE,
        with_offset=True,
        list_format='frames',
        test_mode=True,
    )
    assert data[0]['frame_inds'].tolist() == [4 + int(1.5 * k + 0.75) for k in range(4)]
    listing.write_text('frames/1 8 6 0\n')  # 8 + 6 > 10 frames in the folder
    data = VideoDataset(
        ann_file=str(listing),
        media_root=root,
        pipeline=TEST_PIPELINE,
        with_offset=True,
        list_format='frames',
        test_mode=True,
    )
    with pytest.raises(VideoReadError, match='the list says 14 frames, the folder has 10'):
        data[0]


def test_a_bad_video_in_a_loader_worker_keeps_its_error_type(tmp_path):
    (tmp_path / 'broken.mp4').write_bytes(b'\x00' * 100)
    ann_file = tmp_path / 'list.txt'
    ann_file.write_text('broken.mp4 0\n')
    data = VideoDataset(ann_file=str(ann_file), media_root=str(tmp_path), pipeline=TEST_PIPELINE, test_mode=True)
    with pytest.raises(VideoReadError, match=r'broken\.mp4: cannot be opened as a video'):
        next(iter(DataLoader(data, batch_size=1, num_workers=1, collate_fn=collate_skipping)))


@pytest.mark.parametrize('layout', ['sthv1', 'sthv2'])
def test_a_decoded_cache_gives_the_same_clips_and_reads_each_video_once(synthetic, tmp_path, layout):
    import shutil

    root = str(tmp_path / 'data')
    shutil.copytree(synthetic(layout), root)
    cached_pipeline = [dict(TRAIN_PIPELINE[0], cache_mb=64), *TRAIN_PIPELINE[1:]]
    plain, cached = dataset(root), dataset(root, pipeline=cached_pipeline)
    expected = [[plain[(epoch, i)]['inputs'] for i in range(len(plain))] for epoch in range(2)]
    assert all(torch.equal(cached[(0, i)]['inputs'], expected[0][i]) for i in range(len(plain)))
    for record in parse_list_file(os.path.join(root, 'lists', 'train.txt')):  # the files are gone,
        path = os.path.join(root, record.path)
        shutil.rmtree(path) if os.path.isdir(path) else os.remove(path)
    assert all(torch.equal(cached[(1, i)]['inputs'], expected[1][i]) for i in range(len(plain)))  # the cache is not
    with pytest.raises(VideoReadError):
        plain[(1, 0)]


def test_a_decoded_cache_stops_at_its_budget_and_reads_the_rest_from_files(synthetic, monkeypatch):
    from gfvideo.data import clip_transforms

    root = synthetic('sthv2')
    records = parse_list_file(os.path.join(root, 'lists', 'train.txt'))
    with open_video(os.path.join(root, records[0].path)) as reader:
        video_bytes = reader.get_frames(np.arange(len(reader))).nbytes
    init = clip_transforms.VideoInit(cache_mb=2.5 * video_bytes / 2**20)  # room for two videos
    opened = []
    counting = lambda path, *args, **kwargs: opened.append(path) or open_video(path, *args, **kwargs)  # noqa: E731
    monkeypatch.setattr(clip_transforms, 'open_video', counting)
    for _ in range(2):
        for record in records[:4]:
            reader = init({'filename': os.path.join(root, record.path)})['video_reader']
            assert len(reader.get_frames([0, len(reader) - 1])) == 2
    assert len(init.cache) == 2 and init.cache.full and init.cache.used_bytes == 2 * video_bytes
    assert [os.path.basename(p) for p in opened] == [os.path.basename(r.path) for r in records[:4] + records[2:4]]
    with pytest.raises(ValueError, match='cache_mb must be >= 0'):
        clip_transforms.VideoInit(cache_mb=-1)
