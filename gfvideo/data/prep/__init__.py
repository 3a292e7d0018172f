"""Offline data preparation: list building, frame extraction, video writing, the synthetic benchmark."""

from .frame_extraction import ExtractionJob, find_videos, iter_resized_frames, plan_extraction, run_extraction
from .list_builder import (
    VIDEO_EXTENSIONS,
    ListBuildReport,
    MediaItem,
    build_lists,
    index_media,
    load_annotations,
    relabel,
)
from .synthetic import (
    LAYOUTS,
    SyntheticClip,
    SyntheticSpec,
    SyntheticSummary,
    class_attributes,
    class_names,
    flip_pairs,
    make_synthetic_dataset,
    render_clip,
)
from .video_writer import write_frame_folder, write_video

__all__ = [
    'ExtractionJob',
    'find_videos',
    'iter_resized_frames',
    'plan_extraction',
    'run_extraction',
    'VIDEO_EXTENSIONS',
    'ListBuildReport',
    'MediaItem',
    'build_lists',
    'index_media',
    'load_annotations',
    'relabel',
    'LAYOUTS',
    'SyntheticClip',
    'SyntheticSpec',
    'SyntheticSummary',
    'class_attributes',
    'class_names',
    'flip_pairs',
    'make_synthetic_dataset',
    'render_clip',
    'write_frame_folder',
    'write_video',
]
