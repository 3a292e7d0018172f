"""High-level API: load a trained model, recognise videos and extract their features."""

from ..config import load_config, set_data_root
from .extraction import ExtractionItem, ExtractionSummary, extract_to_folder, given_videos, listed_videos
from .inference import (
    PreparedClip,
    Recognition,
    boxes_to_video,
    class_name,
    clip_features,
    eval_pipeline,
    extract_features,
    load_model,
    model_thresholds,
    prepare_clip,
    recognize,
    recognize_clip,
    save_clip_glimpses,
)
from .loaders import calibration_loader, eval_dataset, eval_loader

__all__ = [
    'PreparedClip',
    'Recognition',
    'boxes_to_video',
    'class_name',
    'model_thresholds',
    'set_data_root',
    'recognize_clip',
    'save_clip_glimpses',
    'clip_features',
    'extract_features',
    'load_config',
    'load_model',
    'prepare_clip',
    'recognize',
    'eval_pipeline',
    'calibration_loader',
    'eval_dataset',
    'eval_loader',
    'ExtractionItem',
    'ExtractionSummary',
    'extract_to_folder',
    'given_videos',
    'listed_videos',
]
