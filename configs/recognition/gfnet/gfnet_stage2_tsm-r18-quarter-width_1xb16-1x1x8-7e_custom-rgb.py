# Stage 2: the policy alone learns with PPO; everything else is frozen (batch norm in eval mode).
# tools/train_all.py starts it from stage 1's final checkpoint.
_base_ = [
    '../../_base_/models/gfnet_small_cpu.py',
    '../../_base_/datasets/custom_videos.py',
    '../../_base_/schedules/gfnet_stage2_adamw_7e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    train_stage=2,
)
