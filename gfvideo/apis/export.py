"""Export a loaded model to an ONNX folder that :mod:`gfvideo.deploy` runs without torch.

A GlanceFocusNet becomes its glance step and one focus step (:mod:`gfvideo.models.step_graphs`),
a TSM one graph; ``model.json`` (:class:`gfvideo.deploy.Manifest`) holds the rest. Graphs come
from ``torch.onnx.export(..., dynamo=True)`` (``torch.export`` first); only the batch axis is
dynamic.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
from collections.abc import Iterator, Sequence

import torch
from torch import nn

from ..classes import class_list_hash
from ..data.clip_transforms import CLIP_TRANSFORMS
from ..deploy.manifest import BOXES, CLIPS, GRAPHS, LOGITS, STATE, STEP, UPDATED_STATE, Manifest
from ..models import TSM, GlanceFocusNet, recognizer_macs
from ..models.step_graphs import FocusGraph, GlanceGraph, RecognizerGraph
from ..version import __version__
from .inference import Recognizer, eval_pipeline, model_thresholds


class ExportError(ValueError):
    """A model or pipeline the export cannot represent."""


def deploy_pipeline(pipeline: Sequence[dict], input_size: tuple[int, int] | None) -> tuple[list[dict], tuple[int, int]]:
    """The torch-free, single-view decoding pipeline of an export and its frame size ``(H, W)``.

    A single-view test pipeline is kept: its ``CenterCrop`` gives the size, or ``input_size``
    does when it has no crop (frames then come out of the video at their own size, which the
    runtime checks). A multi-view one (``ThreeCrop``, several clips), or a crop of another size
    than ``input_size``, becomes the standard single view: centre-sampled segments, the short
    side resized to the (square) size and a centre crop.
    """
    steps = [dict(t) for t in pipeline if t['type'] != 'PackClip']
    unknown = [t['type'] for t in steps if t['type'] not in CLIP_TRANSFORMS]
    if unknown:
        raise ExportError(f'the test pipeline has transforms an export cannot record: {unknown}')
    sampler = next((t for t in steps if t['type'] == 'SampleFrames'), None)
    if sampler is None:
        raise ExportError(f'the test pipeline samples no frames (no SampleFrames): {[t["type"] for t in steps]}')
    crops = [t for t in steps if t['type'] in ('CenterCrop', 'ThreeCrop')]
    side = crops[-1]['crop_size'] if crops else None
    single = sampler.get('mode', 'test') == 'test' and sampler.get('num_clips', 1) == 1
    if single and not any(t['type'] == 'ThreeCrop' for t in crops):
        if side is None and input_size is not None:
            return steps, (int(input_size[0]), int(input_size[1]))
        if side is not None and (input_size is None or tuple(input_size) == (side, side)):
            return steps, (int(side), int(side))
    size = tuple(input_size) if input_size is not None else (side, side)
    if size[0] is None or size[0] != size[1]:
        raise ExportError(
            'give --input-size S S (a square): the test pipeline makes several views or no known size, and an '
            f'export decodes one centre view (pipeline: {[t["type"] for t in steps]})'
        )
    return single_view_pipeline(sampler['num_segments'], int(size[0])), (int(size[0]), int(size[1]))


def single_view_pipeline(num_segments: int, side: int) -> list[dict]:
    """The standard single view: centre-sampled segments, the short side resized to ``side`` and
    a centre ``side x side`` crop."""
    return [
        dict(type='VideoInit'),
        dict(type='SampleFrames', num_segments=num_segments, mode='test'),
        dict(type='VideoDecode'),
        dict(type='Resize', short_side=side),
        dict(type='CenterCrop', crop_size=side),
    ]


@contextlib.contextmanager
def _no_distribution_checks() -> Iterator[None]:
    """``torch.distributions`` argument checks off: they branch on tensor values, which
    ``torch.export`` cannot trace (the policy builds a Gaussian for its log-probability)."""
    previous = torch.distributions.Distribution._validate_args
    torch.distributions.Distribution.set_default_validate_args(False)
    try:
        yield
    finally:
        torch.distributions.Distribution.set_default_validate_args(previous)


def _export_graph(
    module: nn.Module, inputs: tuple[torch.Tensor, ...], path: str, input_names: list[str], output_names: list[str]
) -> None:
    """One graph with a dynamic first axis on every input but the focus step's ``step``."""
    batch = torch.export.Dim('batch', min=1)
    dynamic = tuple(None if name == STEP else {0: batch} for name in input_names)
    module.eval()  # the graph's wrapper too: a new module starts in training mode, which the exporter warns of
    with _no_distribution_checks(), torch.no_grad():
        torch.onnx.export(
            module,
            inputs,
            path,
            dynamo=True,
            input_names=input_names,
            output_names=output_names,
            dynamic_shapes=dynamic,
            external_data=False,
            verbose=False,
        )


def export_model(
    model: Recognizer,
    folder: str | os.PathLike,
    thresholds: str | os.PathLike | Sequence[float] | None = None,
    input_size: tuple[int, int] | None = None,
    pipeline: Sequence[dict] | None = None,
) -> Manifest:
    """Write ``model`` to ``folder``: its graphs and ``model.json``.

    ``model`` is loaded with :func:`gfvideo.apis.load_model` (its config gives the test pipeline,
    its checkpoint or config the classes), or built, with the test ``pipeline`` given (and
    optional ``classes`` / ``classes_hash`` attributes). ``thresholds`` (a list or a
    ``thresholds.json``, checked against the model) are stored as the export's defaults;
    ``input_size`` ``(H, W)`` fixes the frame size when the test pipeline does not (see
    :func:`deploy_pipeline`).
    """
    missing = [name for name in ('onnx', 'onnxscript') if importlib.util.find_spec(name) is None]
    if missing:
        raise ExportError(f"exporting needs {' and '.join(missing)}, the deploy extra: pip install 'gfvideo[deploy]'")
    if not isinstance(model, (GlanceFocusNet, TSM)):
        raise ExportError(f'cannot export a {type(model).__name__}: GlanceFocusNet and TSM export')
    if thresholds is not None and not isinstance(model, GlanceFocusNet):
        raise ExportError('a TSM recognizer has no steps to exit after: thresholds apply to a GlanceFocusNet')
    stored = None if thresholds is None else model_thresholds(model, thresholds)  # checked before any export
    steps, (height, width) = deploy_pipeline(eval_pipeline(model) if pipeline is None else pipeline, input_size)
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    model.eval()
    device = next(model.parameters()).device
    example = torch.zeros(2, model.num_segments, 3, height, width, device=device)
    kind = 'GlanceFocusNet' if isinstance(model, GlanceFocusNet) else 'TSM'
    graphs = GRAPHS[kind]
    if isinstance(model, GlanceFocusNet):
        glance = GlanceGraph(model)
        _export_graph(glance, (example,), os.path.join(folder, graphs['glance']), [CLIPS], [LOGITS, *STATE])
        with torch.no_grad():
            state = glance(example)[1:]
        _export_graph(
            FocusGraph(model),
            (example, *state, torch.tensor(0, device=device)),
            os.path.join(folder, graphs['focus']),
            [CLIPS, *STATE, STEP],
            [LOGITS, BOXES, *(f'new_{name}' for name in UPDATED_STATE)],
        )
        gmacs = (model.step_macs(height, width) / 1e9).tolist()
        sizes = dict(glance_size=model.glance_size, patch_size=model.patch_size, max_focus_steps=model.max_focus_steps)
    else:
        _export_graph(RecognizerGraph(model), (example,), os.path.join(folder, graphs['recognizer']), [CLIPS], [LOGITS])
        gmacs, sizes = [recognizer_macs(model, height, width) / 1e9], {}
    preprocessor = model.data_preprocessor
    classes = getattr(model, 'classes', None)
    manifest = Manifest(
        kind=kind,
        classes=list(classes) if classes else None,
        classes_hash=getattr(model, 'classes_hash', None) or (class_list_hash(classes) if classes else None),
        num_classes=_num_classes(model),
        num_segments=model.num_segments,
        input_size=(height, width),
        mean=tuple(preprocessor.mean.flatten().tolist()),
        std=tuple(preprocessor.std.flatten().tolist()),
        pipeline=steps,
        cumulative_gmacs=gmacs,
        graphs=dict(graphs),
        thresholds=stored,
        gfvideo_version=__version__,
        **sizes,
    )
    manifest.write(folder)
    return manifest


def _num_classes(model: Recognizer) -> int:
    return model.num_classes if isinstance(model, GlanceFocusNet) else model.fc.out_features
