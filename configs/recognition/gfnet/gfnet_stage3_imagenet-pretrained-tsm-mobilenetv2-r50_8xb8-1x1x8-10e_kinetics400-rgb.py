# Stage 3: policy frozen; focus backbone and aggregator fine-tuned on the learned patches,
# starting from stage 2's checkpoint.
_base_ = [
    '../../_base_/models/gfnet_mobilenetv2_r50.py',
    '../../_base_/datasets/kinetics400_videos.py',
    '../../_base_/schedules/gfnet_stage3_sgd_10e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments),
    focus_backbone=dict(num_segments=_base_.num_segments),
    num_classes=400,
    train_stage=3,
)
# a work dir: its last_checkpoint
load_from = 'work_dirs/gfnet_stage2_imagenet-pretrained-tsm-mobilenetv2-r50_8xb8-1x1x8-15e_kinetics400-rgb'
