# Kinetics-400: videos (class folders), lists from
# `python tools/build_lists.py kinetics --annotations data/kinetics400/annotations --media-root data/kinetics400/videos --out data/kinetics400`.
data_root = 'data/kinetics400'
num_segments = 8
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, .875, .75, .66)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='PackClip'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='test'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='CenterCrop', crop_size=224),
    dict(type='PackClip'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='test', num_clips=10),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='PackClip'),
]
dataset = dict(type='VideoDataset', data_root=data_root, media_root='videos', classes='classes.txt')
loader = dict(batch_size=8, num_workers=8, persistent_workers=True,
              collate_fn=dict(type='gfvideo.collate_skipping'))  # the runner looks functions up unscoped
train_dataloader = dict(**loader, sampler=dict(type='EpochIndexSampler', shuffle=True),
                        dataset=dict(**dataset, ann_file='train.txt', pipeline=train_pipeline, on_error='skip'))
val_dataloader = dict(**loader, sampler=dict(type='EpochIndexSampler', shuffle=False),
                      dataset=dict(**dataset, ann_file='val.txt', pipeline=val_pipeline, test_mode=True))
test_dataloader = dict(**loader, sampler=dict(type='EpochIndexSampler', shuffle=False),
                       dataset=dict(**dataset, ann_file='val.txt', pipeline=test_pipeline, test_mode=True))
val_evaluator = dict(type='AccuracyMetric')
test_evaluator = val_evaluator
