# Your own videos in an official layout (Kinetics-style CSVs, Something-Something's JSON or CSV
# files), lists from
# `gfvideo build-lists kinetics --annotations data/custom/annotations --media-root data/custom/videos \
#      --out data/custom --classes annotations`
# (train.txt, val.txt and classes.txt in data/custom, paths relative to videos/); `--data-root DIR`
# reads another folder laid out the same way. The model's num_classes follows classes.txt. Frames
# are resized to 128 px for the CPU-sized recipes; no actor boxes (no hit rate is measured).
data_root = 'data/custom'
num_segments = 8  # frames per clip: set here only; the pipelines below and every config's backbones read it
frame_size = 128
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=frame_size),
    dict(type='MultiScaleCrop', input_size=frame_size, scales=(1, 0.875, 0.75, 0.66)),
    # Off: a flip changes classes such as "moving something left"; turn it on (flip_ratio=0.5)
    # where left and right do not matter, as in Kinetics.
    dict(type='Flip', flip_ratio=0.0),
    dict(type='PackClip'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='test'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=frame_size),
    dict(type='CenterCrop', crop_size=frame_size),
    dict(type='PackClip'),
]
dataset = dict(type='VideoDataset', data_root=data_root, media_root='videos', classes='classes.txt')
loader = dict(
    batch_size=16, num_workers=2, persistent_workers=True, collate_fn=dict(type='gfvideo.collate_skipping')
)  # the runner looks functions up unscoped
train_dataloader = dict(
    **loader,
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    dataset=dict(**dataset, ann_file='train.txt', pipeline=train_pipeline, on_error='skip'),
)
val_dataloader = dict(
    **loader,
    sampler=dict(type='EpochIndexSampler', shuffle=False),
    dataset=dict(**dataset, ann_file='val.txt', pipeline=val_pipeline, test_mode=True),
)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccuracyMetric')
test_evaluator = val_evaluator
