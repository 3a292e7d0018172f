"""The data layer: annotations -> sampling -> readers -> transforms -> batches.

Importing it imports neither torch nor mmengine (the ONNX runtime, :mod:`gfvideo.deploy`, decodes
with it where torch is not installed): the dataset and the transforms that make tensors load on
first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from ..classes import AnnotationError, class_list_hash, read_class_list
from .annotations import (
    AnnotatedVideo,
    OfficialAnnotations,
    VideoRecord,
    flip_label_map,
    format_list_line,
    load_official,
    parse_list_file,
    read_flip_pairs,
)
from .clip_transforms import (
    CenterCrop,
    Flip,
    MultiScaleCrop,
    Resize,
    SampleFrames,
    ThreeCrop,
    VideoDecode,
    VideoInit,
    boxes_to_video,
    clip_input,
    compose_clip_transforms,
)
from .readers import (
    ArrayReader,
    DamagedVideoError,
    VideoReader,
    VideoReadError,
    decord_available,
    open_video,
    read_all_frames_pyav,
)
from .sampling import sample_segments

if TYPE_CHECKING:
    from .dataset import VideoDataset, collate_skipping
    from .transforms import PackClip, build_pipeline

#: Names that need torch (and mmengine), by the module that defines them, imported on first use.
_NEEDS_TORCH = {
    'VideoDataset': '.dataset',
    'collate_skipping': '.dataset',
    'PackClip': '.transforms',
    'build_pipeline': '.transforms',
}


def __getattr__(name: str) -> Any:
    if name in _NEEDS_TORCH:
        return getattr(importlib.import_module(_NEEDS_TORCH[name], __name__), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


__all__ = [
    'AnnotatedVideo',
    'AnnotationError',
    'OfficialAnnotations',
    'VideoRecord',
    'class_list_hash',
    'flip_label_map',
    'format_list_line',
    'load_official',
    'parse_list_file',
    'read_class_list',
    'read_flip_pairs',
    'VideoDataset',
    'collate_skipping',
    'ArrayReader',
    'DamagedVideoError',
    'VideoReadError',
    'VideoReader',
    'decord_available',
    'open_video',
    'read_all_frames_pyav',
    'sample_segments',
    'CenterCrop',
    'Flip',
    'MultiScaleCrop',
    'PackClip',
    'Resize',
    'SampleFrames',
    'ThreeCrop',
    'VideoDecode',
    'VideoInit',
    'build_pipeline',
    'boxes_to_video',
    'clip_input',
    'compose_clip_transforms',
]
