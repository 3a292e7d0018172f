# Stage 1 on your own videos: backbones, projections and aggregator, on patches placed
# half on the frame-difference peak (a label-free prior) and half uniformly at random.
_base_ = [
    '../../_base_/models/gfnet_small_cpu.py',
    '../../_base_/datasets/custom_videos.py',
    '../../_base_/schedules/adamw_7e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments), focus_backbone=dict(num_segments=_base_.num_segments)
)
