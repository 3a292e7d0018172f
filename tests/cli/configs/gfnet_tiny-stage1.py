# A GlanceFocusNet small enough to train in seconds on the test suite's synthetic clips (64 px,
# 10 frames); data_root is given on the command line.
_base_ = ['../../../configs/_base_/default_runtime.py']
num_segments = 4
train_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='train'),
    dict(type='VideoDecode'),
    dict(type='PackClip'),
]
val_pipeline = [
    dict(type='VideoInit'),
    dict(type='SampleFrames', num_segments=num_segments, mode='test'),
    dict(type='VideoDecode'),
    dict(type='PackClip'),
]
train_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='EpochIndexSampler', shuffle=True),
    collate_fn=dict(type='gfvideo.collate_skipping'),
    dataset=dict(
        type='VideoDataset',
        data_root='',
        ann_file='lists/train.txt',
        classes='lists/classes.txt',
        pipeline=train_pipeline,
        on_error='skip',
    ),
)
val_dataloader = dict(
    batch_size=4,
    num_workers=0,
    sampler=dict(type='EpochIndexSampler', shuffle=False),
    collate_fn=dict(type='gfvideo.collate_skipping'),
    dataset=dict(
        type='VideoDataset',
        data_root='',
        ann_file='lists/val.txt',
        classes='lists/classes.txt',
        pipeline=val_pipeline,
        test_mode=True,
    ),
)
test_dataloader = val_dataloader
val_evaluator = dict(type='AccuracyMetric')
test_evaluator = val_evaluator
model = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='mobilenet_v2', num_segments=num_segments, width_mult=0.25),
    focus_backbone=dict(name='resnet18', num_segments=num_segments, width_mult=0.25),
    num_classes=16,
    glance_size=32,
    patch_size=24,
    max_focus_steps=2,
    hidden_dim=32,
    policy=dict(hidden_dim=32),
    aggregator=dict(dropout=0.2),
    train_stage=1,
    ppo=dict(epochs=2),
)
train_cfg = dict(type='SkippingEpochBasedTrainLoop', max_epochs=2, val_interval=1)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=1e-3), clip_grad=dict(max_norm=20))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=2, eta_min=1e-5)]
default_hooks = dict(logger=dict(interval=1))
