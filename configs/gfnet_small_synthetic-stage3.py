# Stage 3: policy frozen; the focus backbone and the aggregator fine-tune on the learned patches.
_base_ = ['gfnet_small_synthetic-stage1.py']
model = dict(train_stage=3)
load_from = 'work_dirs/gfnet_small_synthetic-stage2/epoch_2.pth'
max_epochs = 2
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
optim_wrapper = dict(optimizer=dict(lr=5e-4))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
