# Stage 2: PPO on the patch policy alone (everything else frozen), starting from stage 1's
# checkpoint.
_base_ = [
    '../../_base_/models/gfnet_mobilenetv2_r50.py',
    '../../_base_/datasets/kinetics400_videos.py',
    '../../_base_/schedules/gfnet_stage2_adam_15e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    num_classes=400,
    train_stage=2,
)
# a work dir: its last_checkpoint
load_from = 'work_dirs/gfnet_stage1_imagenet-pretrained-tsm-mobilenetv2-r50_8xb8-1x1x8-50e_kinetics400-rgb'
