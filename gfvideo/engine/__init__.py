"""mmengine glue: runner with safe checkpoints, hooks, sampler, stage-aware DDP."""
from .checkpoint import AtomicCheckpointHook, EpochSeedHook, GFRunner, make_checkpoint
from .hooks import ProgressBarHook, SkippedSamplesHook
from .model_wrapper import StageAwareDistributedDataParallel
from .optim_wrapper import BFloat16OptimWrapper
from .sampler import EpochIndexSampler

__all__ = ['AtomicCheckpointHook', 'EpochSeedHook', 'GFRunner', 'make_checkpoint', 'ProgressBarHook', 'SkippedSamplesHook',
           'StageAwareDistributedDataParallel', 'BFloat16OptimWrapper', 'EpochIndexSampler']
