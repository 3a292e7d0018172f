# The full-frame TSM baseline on your own videos, with the CPU GlanceFocusNet's focus
# architecture (quarter-width ResNet-18) on 128-px RGB frames, from scratch, as many epochs as
# GlanceFocusNet's backbones train (stage 1 + stage 3).
_base_ = [
    '../../_base_/models/tsm_small_cpu.py',
    '../../_base_/datasets/custom_videos.py',
    '../../_base_/schedules/adamw_7e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(backbone=dict(num_segments=_base_.num_segments))
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
