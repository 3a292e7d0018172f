# The TSM recipe: SGD momentum 0.9, no weight decay on batch norm and biases, classifier lr x5,
# gradient clipping at 20, linear warm-up then steps at 60% and 85% of training.
max_epochs = 50
# mmengine's epoch loop, passing over a batch whose samples were all skipped (gfvideo.engine)
train_cfg = dict(type='SkippingEpochBasedTrainLoop', max_epochs=max_epochs, val_interval=5)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(
    type='OptimWrapper',
    optimizer=dict(type='SGD', lr=0.01, momentum=0.9, weight_decay=5e-4),
    paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0, custom_keys={'fc.': dict(lr_mult=5.0)}),
    clip_grad=dict(max_norm=20, norm_type=2),
)
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, by_epoch=True, begin=0, end=1, convert_to_iter_based=True),
    dict(type='MultiStepLR', by_epoch=True, milestones=[30, 42], gamma=0.1),
]
auto_scale_lr = dict(enable=False, base_batch_size=64)
