"""High-level API: load a trained model, recognise videos and extract their features."""
from .inference import (PreparedClip, Recognition, boxes_to_video, clip_features, extract_features, load_config,
                        load_model, prepare_clip, recognize, eval_pipeline)
from .loaders import calibration_loader, eval_dataset, eval_loader

__all__ = ['PreparedClip', 'Recognition', 'boxes_to_video', 'clip_features', 'extract_features', 'load_config',
           'load_model', 'prepare_clip', 'recognize', 'eval_pipeline', 'calibration_loader', 'eval_dataset',
           'eval_loader']
