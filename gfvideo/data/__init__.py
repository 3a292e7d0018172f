"""The data layer: annotations -> sampling -> readers -> transforms -> batches."""

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
from .dataset import VideoDataset, collate_skipping
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
from .transforms import (
    CenterCrop,
    Flip,
    MultiScaleCrop,
    PackClip,
    Resize,
    SampleFrames,
    ThreeCrop,
    VideoDecode,
    VideoInit,
    build_pipeline,
)

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
]
