# GlanceFocusNet stage 1 on Kinetics-400: glance and focus TSM backbones,
# projections and aggregator on random patches. Each backbone starts from its own weights
# (torchvision ImageNet here; a TSM-official, mmaction2 or gfvideo stage-0 checkpoint works too).
_base_ = [
    '../../_base_/models/gfnet_mobilenetv2_r50.py',
    '../../_base_/datasets/kinetics400_videos.py',
    '../../_base_/schedules/sgd_tsm_50e.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments, pretrained='checkpoints/mobilenet_v2-b0353104.pth'),
    focus_backbone=dict(num_segments=_base_.num_segments, pretrained='checkpoints/resnet50-0676ba61.pth'),
    num_classes=400,
)
