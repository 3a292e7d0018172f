"""Models: TSM backbones, the TSM recognizer and GlanceFocusNet."""
from .backbones import BACKBONES, MobileNetV2, ResNet, build_backbone
from .checkpoints import CheckpointError, LoadReport, detect_source, load_weights, read_checkpoint
from .data_preprocessor import VideoDataPreprocessor
from .temporal_shift import TemporalShift, temporal_shift
from .tsm import TSM

__all__ = ['BACKBONES', 'MobileNetV2', 'ResNet', 'build_backbone', 'CheckpointError', 'LoadReport', 'detect_source',
           'load_weights', 'read_checkpoint', 'VideoDataPreprocessor', 'TemporalShift', 'temporal_shift', 'TSM']
