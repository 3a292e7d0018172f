# Your own videos in an official layout (Kinetics-style CSVs, Something-Something's JSON or CSV
# files), lists from
# `gfvideo build-lists kinetics --annotations data/custom/annotations --media-root data/custom/videos \
#      --out data/custom --classes annotations`
# (train.txt, val.txt and classes.txt in data/custom, paths relative to videos/); `--data-root DIR`
# reads another folder laid out the same way. The model's num_classes follows classes.txt. Frames
# are resized to 128 px for the CPU-sized recipes; no actor boxes (no hit rate is measured).
# Frames per clip: num_segments of the Something-Something bases.
_base_ = ['sthv2_videos.py']  # videos in data_root/videos, the lists build-lists writes
data_root = 'data/custom'
frame_size = 128
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=_base_.num_segments, mode='train'),
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
    dict(type='SampleFrames', num_segments=_base_.num_segments, mode='test'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=frame_size),
    dict(type='CenterCrop', crop_size=frame_size),
    dict(type='PackClip'),
]
loader = dict(batch_size=16, num_workers=2)
train_dataloader = dict(**loader, dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(**loader, dataset=dict(data_root=data_root, pipeline=val_pipeline))
test_dataloader = dict(**loader, dataset=dict(data_root=data_root, pipeline=val_pipeline))  # one view, as val
