# Kinetics-400: videos in class folders, lists from
# `python tools/build_lists.py kinetics --annotations data/kinetics400/annotations \
#      --media-root data/kinetics400/videos --out data/kinetics400`.
# As Something-Something V2's videos (and as many frames, num_segments), but a flip keeps the
# class, and testing takes 10 clips.
_base_ = ['sthv2_videos.py']
data_root = 'data/kinetics400'
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=_base_.num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66)),
    dict(type='Flip', flip_ratio=0.5),
    dict(type='PackClip'),
]
test_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=_base_.num_segments, mode='test', num_clips=10),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='PackClip'),
]
train_dataloader = dict(dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(data_root=data_root))
test_dataloader = dict(dataset=dict(data_root=data_root, pipeline=test_pipeline))
