# Busy scene, stage 2: the policy alone learns with PPO (14 epochs, twice the static scene's);
# everything else is frozen (batch norm in eval mode). tools/train_all.py starts it from stage 1's
# final checkpoint.
_base_ = [
    '../../_base_/models/gfnet_small_cpu_busy.py',
    '../../_base_/datasets/synthetic_sthv2.py',
    '../../_base_/schedules/gfnet_stage2_adamw_14e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    train_stage=2,
)
