# Runtime shared by every gfvideo recipe: gfvideo's registries, its runner (checkpoints that load
# with weights_only=True and resume exactly), per-epoch reseeding and skipped-sample reports.
default_scope = 'gfvideo'
runner_type = 'GFRunner'

default_hooks = dict(
    runtime_info=dict(type='RuntimeInfoHook'),
    timer=dict(type='IterTimerHook'),
    logger=dict(type='LoggerHook', interval=20, ignore_last=False),
    param_scheduler=dict(type='ParamSchedulerHook'),
    checkpoint=None,  # mmengine's hook writes in place and pickles logging objects
    sampler_seed=dict(type='DistSamplerSeedHook'),
)
custom_hooks = [
    dict(type='EpochSeedHook'),
    dict(type='SkippedSamplesHook'),
    dict(type='ProgressBarHook'),
    dict(type='AtomicCheckpointHook', interval=1),
]
env_cfg = dict(
    cudnn_benchmark=False, mp_cfg=dict(mp_start_method='fork', opencv_num_threads=0), dist_cfg=dict(backend='nccl')
)
# scoped name: the runner looks model wrappers up in mmengine's root registry
model_wrapper_cfg = dict(type='gfvideo.StageAwareDistributedDataParallel', find_unused_parameters=True)
log_processor = dict(type='LogProcessor', window_size=20, by_epoch=True)
log_level = 'INFO'
load_from = None
resume = False
randomness = dict(seed=0, deterministic=False)
# Scalars go to <work dir>/<timestamp>/vis_data/scalars.json (gfvideo analyze-logs plots them).
# TensorBoard as well: pip install 'gfvideo[tensorboard]' and, in a config that inherits a recipe,
#   visualizer = dict(vis_backends=[dict(type='LocalVisBackend'), dict(type='TensorboardVisBackend')])
visualizer = dict(type='Visualizer', vis_backends=[dict(type='LocalVisBackend')])
