# Short CPU schedule for the synthetic benchmark (the demo's stage 1): networks train from
# scratch, so AdamW with a cosine decay, where SGD would need many more epochs. Four epochs of
# ~860 clips at batch 16 take about 2.5 minutes on 2 CPU cores; validation runs at the end.
max_epochs = 4
train_cfg = dict(type='EpochBasedTrainLoop', max_epochs=max_epochs, val_interval=max_epochs)
val_cfg = dict(type='ValLoop')
test_cfg = dict(type='TestLoop')
optim_wrapper = dict(type='OptimWrapper', optimizer=dict(type='AdamW', lr=2e-3, weight_decay=1e-4),
                     paramwise_cfg=dict(norm_decay_mult=0.0, bias_decay_mult=0.0), clip_grad=dict(max_norm=20))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
auto_scale_lr = dict(enable=False, base_batch_size=16)
