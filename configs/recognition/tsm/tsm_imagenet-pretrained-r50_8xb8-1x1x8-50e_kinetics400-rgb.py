# Full-frame TSM baseline, ResNet-50, 8 segments, from ImageNet weights (torchvision layout).
_base_ = [
    '../../_base_/models/tsm_r50.py',
    '../../_base_/datasets/kinetics400_videos.py',
    '../../_base_/schedules/sgd_tsm_50e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    backbone=dict(num_segments=_base_.num_segments, pretrained='checkpoints/resnet50-0676ba61.pth'), num_classes=400
)
