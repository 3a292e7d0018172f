# Stage 2: PPO on the patch policy alone, starting from stage 1's checkpoint.
_base_ = ['gfnet_stage1_imagenet-pretrained-tsm-r50_8xb8-1x1x8-50e_sthv1-rgb.py']
model = dict(glance_backbone=dict(pretrained=None), focus_backbone=dict(pretrained=None), train_stage=2)
# a work dir: its last_checkpoint
load_from = 'work_dirs/gfnet_stage1_imagenet-pretrained-tsm-r50_8xb8-1x1x8-50e_sthv1-rgb'
max_epochs = 15
train_cfg = dict(max_epochs=max_epochs, val_interval=5)
optim_wrapper = dict(optimizer=dict(_delete_=True, type='Adam', lr=3e-4), paramwise_cfg=dict(_delete_=True),
                     clip_grad=None)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-6)]
