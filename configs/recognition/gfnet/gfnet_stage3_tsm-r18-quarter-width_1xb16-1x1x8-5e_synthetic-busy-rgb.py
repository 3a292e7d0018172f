# Busy scene, stage 3: policy frozen; the focus backbone and the aggregator fine-tune on the learned patches.
# tools/train_all.py starts it from stage 2's final checkpoint. Four times the shared schedule's
# learning rate: its loss was still falling at 2.5e-4, and from the same stage 2 one focus step
# after stage 3 rose from 95.75 / 94.75% to 97.0 / 97.0% on seeds 3 / 4 (2e-3: 97.25 / 95.75%), and
# early exit's most accurate point after stage 4 by 0.0-2.0 points on seeds 0-4 (BENCHMARKS.md).
_base_ = [
    '../../_base_/models/gfnet_small_cpu_busy.py',
    '../../_base_/datasets/synthetic_sthv2.py',
    '../../_base_/schedules/gfnet_stage3_adamw_5e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    train_stage=3,
)
optim_wrapper = dict(optimizer=dict(lr=1e-3))
