# Stage 2: the policy alone learns with PPO; everything else is frozen (batch norm in eval mode).
_base_ = ['gfnet_small_synthetic-stage1.py']
model = dict(train_stage=2)
load_from = 'work_dirs/gfnet_small_synthetic-stage1/epoch_4.pth'
max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.0), clip_grad=None)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
