# The built-in synthetic benchmark in the Something-Something V2 layout (VP9 WebM), where
# `python tools/demo.py` (the README's first command) writes it; `--data-root DIR` reads another
# copy (`python tools/make_synthetic.py --layout sthv2 --out DIR ...`, then `tools/build_lists.py`).
data_root = 'work_dirs/demo/data'
num_segments = 8  # frames per clip: set here only; the pipelines below and every config's backbones read it
frame_size = 128  # native size of the synthetic frames: no upsampling
# Each loader process keeps the videos it decodes in memory (1600 training clips of 16 frames at
# 128 px: 1.3 GB), so only the first epoch decodes; the workers are persistent to keep them.
train_pipeline = [
    dict(type='VideoInit', cache_mb=2048),
    dict(type='SampleFrames', num_segments=num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=frame_size),
    dict(type='CenterCrop', crop_size=frame_size),
    dict(type='Flip', flip_ratio=0.0),  # a flip changes left/right classes
    dict(type='PackClip'),
]
val_pipeline = [
    dict(type='VideoInit', cache_mb=512),
    dict(type='SampleFrames', num_segments=num_segments, mode='test'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=frame_size),
    dict(type='CenterCrop', crop_size=frame_size),
    dict(type='PackClip'),
]
dataset_type = 'VideoDataset'
train_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    collate_fn=dict(type='gfvideo.collate_skipping'),  # the runner looks functions up unscoped
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='lists/train.txt',
        media_root='',
        classes='lists/classes.txt',
        pipeline=train_pipeline,
        on_error='skip',
    ),
)
val_dataloader = dict(
    batch_size=16,
    num_workers=2,
    persistent_workers=True,
    sampler=dict(type='EpochIndexSampler', shuffle=False),
    collate_fn=dict(type='gfvideo.collate_skipping'),  # the runner looks functions up unscoped
    dataset=dict(
        type=dataset_type,
        data_root=data_root,
        ann_file='lists/val.txt',
        media_root='',
        classes='lists/classes.txt',
        pipeline=val_pipeline,
        test_mode=True,
        actor_boxes='annotations/actor_boxes.json',
    ),
)  # hit rates in validation logs only
test_dataloader = val_dataloader
val_evaluator = dict(type='AccuracyMetric')
test_evaluator = val_evaluator
