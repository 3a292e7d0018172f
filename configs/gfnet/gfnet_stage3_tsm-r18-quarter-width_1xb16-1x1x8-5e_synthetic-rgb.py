# Stage 3: policy frozen; the focus backbone and the aggregator fine-tune on the learned patches.
# tools/train_all.py starts it from stage 2's final checkpoint.
_base_ = ['gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py']
model = dict(train_stage=3)
max_epochs = 5
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=2.5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
