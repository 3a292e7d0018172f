# The baseline on the synthetic benchmark: full-frame TSM with the focus network's architecture,
# on the native 128-px RGB frames, trained as many epochs as GlanceFocusNet's backbones are
# (stage 1 + stage 3; tools/demo.py sets it from the stage configs).
_base_ = [
    '../../_base_/models/tsm_small_cpu.py',
    '../../_base_/datasets/synthetic_sthv2.py',
    '../../_base_/schedules/adamw_7e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(backbone=dict(num_segments=_base_.num_segments))
max_epochs = 12
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
