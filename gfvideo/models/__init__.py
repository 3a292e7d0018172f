"""Models: TSM backbones, the TSM recognizer and GlanceFocusNet."""

from .aggregator import Aggregator, TemporalAggregator
from .backbones import BACKBONES, MobileNetV2, ResNet, build_backbone
from .checkpoints import (
    PUBLISHED_WEIGHTS,
    CheckpointError,
    LoadReport,
    detect_source,
    init_weight_paths,
    load_weights,
    read_checkpoint,
    resolve_checkpoint,
    where_to_get,
    without_init_weights,
)
from .cost import StepCosts, backbone_macs, count_macs, glance_focus_costs, recognizer_macs
from .data_preprocessor import VideoDataPreprocessor
from .glance_focus import AdaptiveResult, ClipState, GlanceFocusNet, Step
from .locations import LocationSource, build_location_source
from .patches import crop_patches
from .policy import PatchPolicy
from .policy_base import Policy, PolicyOutput
from .temporal_shift import TemporalShift, temporal_shift
from .tsm import TSM

__all__ = [
    'BACKBONES',
    'MobileNetV2',
    'ResNet',
    'build_backbone',
    'CheckpointError',
    'LoadReport',
    'detect_source',
    'load_weights',
    'read_checkpoint',
    'PUBLISHED_WEIGHTS',
    'init_weight_paths',
    'resolve_checkpoint',
    'where_to_get',
    'without_init_weights',
    'StepCosts',
    'backbone_macs',
    'count_macs',
    'glance_focus_costs',
    'recognizer_macs',
    'VideoDataPreprocessor',
    'AdaptiveResult',
    'ClipState',
    'Step',
    'LocationSource',
    'build_location_source',
    'Policy',
    'PolicyOutput',
    'Aggregator',
    'GlanceFocusNet',
    'crop_patches',
    'PatchPolicy',
    'TemporalAggregator',
    'TemporalShift',
    'temporal_shift',
    'TSM',
]
