# Stage 3: policy frozen; focus backbone and aggregator fine-tuned on the learned patches.
_base_ = ['gfnet_stage1_imagenet-pretrained-tsm-mobilenetv2-r50_8xb8-1x1x8-50e_sthv2-rgb.py']
model = dict(glance_backbone=dict(pretrained=None), focus_backbone=dict(pretrained=None), train_stage=3)
# a work dir: its last_checkpoint
load_from = 'work_dirs/gfnet_stage2_imagenet-pretrained-tsm-mobilenetv2-r50_8xb8-1x1x8-15e_sthv2-rgb'
max_epochs = 10
train_cfg = dict(max_epochs=max_epochs, val_interval=2)
optim_wrapper = dict(optimizer=dict(lr=0.001))
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-6)]
