# Something-Something V1: JPEG frame folders (<id>/00001.jpg), lists from
# `python tools/build_lists.py sthv1 --annotations data/sthv1/annotations \
#      --media-root data/sthv1/frames --out data/sthv1`.
data_root = 'data/sthv1'
num_segments = 8  # frames per clip: set here only; the pipelines below and every config's backbones read it
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='MultiScaleCrop', input_size=224, scales=(1, 0.875, 0.75, 0.66)),
    # Off, as in TSM's Something-Something recipes (their published results train without it).
    # A flip turns "left to right" into "right to left"; to train with flips, swap those labels:
    # dict(type='Flip', flip_ratio=0.5, flip_pairs='data_lists/something_something_flip_pairs.tsv',
    #      classes='data_lists/sthv1_classes.txt'),  # V2: sthv2_classes.txt; --class-order csv: *_csv_order.txt
    dict(type='Flip', flip_ratio=0.0),
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
    dict(type='SampleFrames', num_segments=num_segments, mode='twice'),
    dict(type='VideoDecode'),
    dict(type='Resize', short_side=256),
    dict(type='ThreeCrop', crop_size=256),
    dict(type='PackClip'),
]
dataset = dict(
    type='VideoDataset',
    data_root=data_root,
    media_root='frames',
    classes='classes.txt',
    filename_tmpl='{:05d}.jpg',
    start_index=1,
)
loader = dict(
    batch_size=8, num_workers=8, persistent_workers=True, collate_fn=dict(type='gfvideo.collate_skipping')
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
test_dataloader = dict(
    **loader,
    sampler=dict(type='EpochIndexSampler', shuffle=False),
    dataset=dict(**dataset, ann_file='val.txt', pipeline=test_pipeline, test_mode=True),
)
val_evaluator = dict(type='AccuracyMetric')
test_evaluator = val_evaluator
