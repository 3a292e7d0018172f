"""Run exported gfvideo models with onnxruntime and NumPy only: no torch, no mmengine.

``tools/export.py`` (:func:`gfvideo.apis.export_model`) writes an export folder: ONNX graphs (a
GlanceFocusNet's glance step and one focus step, run up to ``K`` times; or a TSM recognizer's one
graph) and ``model.json`` (:mod:`.manifest`). :class:`ExportedModel` runs it with the early-exit
loop on the host; :func:`recognize_video` decodes a video with gfvideo's readers and recognises it::

    from gfvideo.deploy import ExportedModel, recognize_video
    model = ExportedModel('export_dir')
    print(recognize_video(model, 'video.mp4').top5)
"""

from __future__ import annotations

from .manifest import FORMAT_VERSION, Manifest, ManifestError, read_manifest
from .recognition import Recognition, recognition_of, recognize_video
from .runtime import DeployResult, ExportedModel, InputError, Thresholds, softmax
from .video import DecodedClip, decode_clip

__all__ = [
    'FORMAT_VERSION',
    'DecodedClip',
    'DeployResult',
    'ExportedModel',
    'InputError',
    'Manifest',
    'ManifestError',
    'Recognition',
    'decode_clip',
    'read_manifest',
    'recognition_of',
    'recognize_video',
    'Thresholds',
    'softmax',
]
