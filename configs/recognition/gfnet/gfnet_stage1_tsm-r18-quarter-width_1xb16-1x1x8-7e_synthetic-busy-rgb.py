# Stage 1 on the synthetic benchmark's busy scene: backbones, projections and aggregator, on
# patches placed half on the camera-compensated frame-difference peak (a label-free prior) and
# half uniformly at random.
_base_ = [
    '../../_base_/models/gfnet_small_cpu_busy.py',
    '../../_base_/datasets/synthetic_sthv2.py',
    '../../_base_/schedules/adamw_7e_synthetic.py',
    '../../_base_/default_runtime.py',
]
model = dict(
    glance_backbone=dict(num_segments=_base_.num_segments), focus_backbone=dict(num_segments=_base_.num_segments)
)
# Some training seeds stall this stage on the busy scene (validation top-1 0.25 after the 7 epochs
# with the demo's seed 5, 0.40-0.455 with seeds 0-4; seed 5's data trains well with seeds 0-2:
# BENCHMARKS.md). A run that ends under 0.36 trains again with the next seed; the better run goes on.
stage_retry = dict(metric='top1', below=0.36, max_retries=1)
