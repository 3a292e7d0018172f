# Busy scene, stage 3: policy frozen; the focus backbone and the aggregator fine-tune on the learned patches.
# tools/train_all.py starts it from stage 2's final checkpoint; its schedule runs at four times
# the static scene's learning rate.
_base_ = [
    '../../_base_/models/gfnet_small_cpu_busy.py',
    '../../_base_/datasets/synthetic_sthv2.py',
    '../../_base_/schedules/gfnet_stage3_adamw_5e_synthetic_busy.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    train_stage=3,
)
