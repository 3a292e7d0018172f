# Stage 2: the policy alone learns with PPO; everything else is frozen (batch norm in eval mode).
# tools/train_all.py starts it from stage 1's final checkpoint.
_base_ = ['gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py']
model = dict(train_stage=2)
max_epochs = 7
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(type='AdamW', lr=2e-3, weight_decay=0.0), clip_grad=None)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
