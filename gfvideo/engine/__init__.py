"""mmengine glue: runner with safe checkpoints, hooks, sampler, stage-aware DDP."""

from .hooks import AtomicCheckpointHook, EpochSeedHook, ProgressBarHook, SkippedSamplesHook, make_checkpoint
from .model_wrapper import StageAwareDistributedDataParallel
from .optim_wrapper import BFloat16OptimWrapper
from .runner import GFRunner
from .sampler import EpochIndexSampler

__all__ = [
    'AtomicCheckpointHook',
    'EpochSeedHook',
    'GFRunner',
    'make_checkpoint',
    'ProgressBarHook',
    'SkippedSamplesHook',
    'StageAwareDistributedDataParallel',
    'BFloat16OptimWrapper',
    'EpochIndexSampler',
]
