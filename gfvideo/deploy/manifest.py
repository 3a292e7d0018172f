"""``model.json``: what an export folder holds and everything its runtime needs to know.

Written by :func:`gfvideo.apis.export_model`, read by :class:`gfvideo.deploy.ExportedModel`
without torch. Only the batch axis of the graphs is dynamic; the rest is fixed here.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

#: Bumped when a field changes meaning; a runtime refuses other versions.
FORMAT_VERSION = 2
MANIFEST_NAME = 'model.json'
#: The kinds of model an export holds: a GlanceFocusNet (a glance graph and one focus-step graph)
#: or a full-frame TSM recognizer (one graph).
KINDS = ('GlanceFocusNet', 'TSM')

#: The graphs of each kind, by role, with their file names.
GRAPHS = {
    'GlanceFocusNet': {'glance': 'glance.onnx', 'focus': 'focus.onnx'},
    'TSM': {'recognizer': 'recognizer.onnx'},
}
#: The state the step graphs pass on (ClipState's tensors, clip-major: ``(B, T, ...)`` per frame,
#: ``(B, D)`` for the aggregator): the glance graph outputs it after ``logits``; the focus graph
#: takes ``clips``, the state and ``step`` (0-based focus step, int64 scalar) and outputs
#: ``logits``, ``boxes`` and the updated state under ``new_<name>`` (``map_code`` and
#: ``neighbour_offsets`` never change). Version 2 added ``neighbour_offsets``.
STATE = ('map_code', 'neighbour_offsets', 'history', 'policy_state', 'aggregator_state')
UPDATED_STATE = STATE[2:]
CLIPS, STEP, LOGITS, BOXES = 'clips', 'step', 'logits', 'boxes'


class ManifestError(ValueError):
    """An export folder's ``model.json`` is missing, malformed or of another format version."""


@dataclass
class Manifest:
    """The contents of ``model.json``.

    Attributes:
        kind: one of :data:`KINDS`.
        classes, classes_hash: the class names (None when the model has no class list) and their hash.
        num_classes, num_segments: classifier outputs; frames per clip ``T``.
        input_size: ``(H, W)`` of the frames the graphs take.
        mean, std: normalisation on the 0-255 scale (``(x - mean) / std`` per RGB channel).
        pipeline: torch-free clip transforms (:mod:`gfvideo.data.clip_transforms`) that decode a
            video into the graphs' ``uint8`` input, single view.
        cumulative_gmacs: GMACs per clip after steps ``0..K`` (``[total]`` for a TSM), counted by
            ``torch.utils.flop_counter``.
        glance_size, patch_size, max_focus_steps: a GlanceFocusNet's sizes (``K``); None / 0 for a TSM.
        thresholds: exit thresholds of steps ``0..K-1`` (None: all steps run unless the caller
            gives thresholds).
        graphs: the graph files in the folder by role (:data:`GRAPHS`).
        gfvideo_version, format_version: who wrote it.
    """

    kind: str
    classes: list[str] | None
    classes_hash: str | None
    num_classes: int
    num_segments: int
    input_size: tuple[int, int]
    mean: tuple[float, float, float]
    std: tuple[float, float, float]
    pipeline: list[dict]
    cumulative_gmacs: list[float]
    graphs: dict[str, str]
    glance_size: int | None = None
    patch_size: int | None = None
    max_focus_steps: int = 0
    thresholds: list[float] | None = None
    gfvideo_version: str = ''
    format_version: int = FORMAT_VERSION

    def write(self, folder: str | os.PathLike) -> str:
        """Write ``folder/model.json``; returns its path."""
        path = os.path.join(os.fspath(folder), MANIFEST_NAME)
        data = asdict(self)
        data['input_size'] = list(self.input_size)
        with open(path, 'w') as file:
            json.dump(data, file, indent=2)
            file.write('\n')
        return path


def read_manifest(folder: str | os.PathLike) -> Manifest:
    """``folder/model.json`` as a :class:`Manifest`; :class:`ManifestError` names the file when it
    is missing, not JSON, of another format version or lacks a field."""
    path = os.path.join(os.fspath(folder), MANIFEST_NAME)
    if not os.path.isfile(path):
        raise ManifestError(f'{path}: not found; an export folder (tools/export.py --out) holds a {MANIFEST_NAME}')
    try:
        with open(path) as file:
            data = json.load(file)
    except (OSError, json.JSONDecodeError) as error:
        raise ManifestError(f'{path}: not readable as JSON ({error})') from error
    version = data.get('format_version') if isinstance(data, dict) else None
    if version != FORMAT_VERSION:
        raise ManifestError(
            f'{path}: format_version {version!r}; this gfvideo reads version {FORMAT_VERSION} (re-export the model)'
        )
    try:
        manifest = Manifest(**data)
    except TypeError as error:
        raise ManifestError(f'{path}: {error}') from error
    if manifest.kind not in KINDS:
        raise ManifestError(f'{path}: kind {manifest.kind!r} is none of {KINDS}')
    manifest.input_size = (int(manifest.input_size[0]), int(manifest.input_size[1]))
    return manifest
