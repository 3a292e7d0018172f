"""Load torchvision, TSM-official, mmaction2 and gfvideo checkpoints into gfvideo models, by rule.

Every layout is first converted to gfvideo's canonical names (a recognizer's ``backbone.*``
with torchvision names inside, and ``fc.*`` for the classifier), then matched against the
target model's own keys:

* a bare backbone takes the ``backbone.*`` keys; a classifier head in the file is dropped and
  reported;
* ``gfvideo.models.TSM`` takes both; a component of a larger gfvideo model (e.g. the focus
  backbone of a GlanceFocusNet checkpoint) is selected with ``prefix``.

Files are always read with ``torch.load(weights_only=True)``.
"""

from __future__ import annotations

import logging
import os
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Callable

import torch
from torch import nn

from ..classes import class_list_hash
from ..version import __version__

logger = logging.getLogger(__name__)

SOURCES = ('auto', 'torchvision', 'tsm', 'mmaction2', 'gfvideo')
#: Cumulative block offsets of mmaction2's MobileNetV2 ``layer1..layer7`` in torchvision's ``features``.
_MMACTION_MOBILENET_OFFSETS = {1: 1, 2: 2, 3: 4, 4: 7, 5: 11, 6: 14, 7: 17}
_IGNORED_SUFFIX = 'num_batches_tracked'


class CheckpointError(RuntimeError):
    """A checkpoint cannot be read or does not fit the model; the message says why."""


#: torchvision's ImageNet weights that the recipes initialise backbones from: published file name
#: -> torchvision weights name. Every file is at ``TORCHVISION_URL + file name``.
PUBLISHED_WEIGHTS = {
    'resnet18-f37072fd.pth': 'ResNet18_Weights.IMAGENET1K_V1',
    'resnet34-b627a593.pth': 'ResNet34_Weights.IMAGENET1K_V1',
    'resnet50-0676ba61.pth': 'ResNet50_Weights.IMAGENET1K_V1',
    'resnet101-63fe2227.pth': 'ResNet101_Weights.IMAGENET1K_V1',
    'mobilenet_v2-b0353104.pth': 'MobileNet_V2_Weights.IMAGENET1K_V1',
}
TORCHVISION_URL = 'https://download.pytorch.org/models/'
#: Model config keys whose ``pretrained`` entry names initialisation weights.
INIT_WEIGHT_KEYS = ('backbone', 'glance_backbone', 'focus_backbone')


def where_to_get(path: str | os.PathLike) -> str:
    """A sentence saying where a published weight file comes from ('' for other files)."""
    name = os.path.basename(os.fspath(path))
    if name not in PUBLISHED_WEIGHTS:
        return ''
    return f"it is torchvision's {PUBLISHED_WEIGHTS[name]}: download {TORCHVISION_URL}{name} to {os.fspath(path)}"


def init_weight_paths(model_cfg: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(config key, path)`` of every initialisation weight file a model config names."""
    return [
        (f'model.{key}.pretrained', model_cfg[key]['pretrained'])
        for key in INIT_WEIGHT_KEYS
        if isinstance(model_cfg.get(key), Mapping) and model_cfg[key].get('pretrained')
    ]


def without_init_weights(model_cfg: Mapping[str, Any]) -> dict:
    """A copy of a model config that loads no initialisation weights (for a model whose trained
    checkpoint is loaded next: inference and testing need no ImageNet files)."""
    model_cfg = dict(model_cfg)
    for key in INIT_WEIGHT_KEYS:
        if isinstance(model_cfg.get(key), Mapping):
            model_cfg[key] = {k: v for k, v in model_cfg[key].items() if k not in ('pretrained', 'pretrained_prefix')}
    return model_cfg


def resolve_checkpoint(path: str | os.PathLike) -> str:
    """A checkpoint file, or a work dir's final checkpoint (the file its ``last_checkpoint`` names)."""
    path = os.fspath(path)
    if not os.path.isdir(path):
        return path
    pointer = os.path.join(path, 'last_checkpoint')
    if not os.path.isfile(pointer):
        raise CheckpointError(f'{path}: a folder without last_checkpoint (not a finished training work dir)')
    with open(pointer, encoding='utf-8') as file:
        target = file.read().strip()
    return target if os.path.isabs(target) or os.path.exists(target) else os.path.join(path, os.path.basename(target))


# ----------------------------------------------------------------------------- reading
def load_checkpoint_file(path: str | os.PathLike) -> Any:
    """``torch.load(path, weights_only=True)`` with errors that name the file and say what it is.

    Never falls back to full unpickling, and never suggests it.
    """
    origin = os.fspath(path)
    if not os.path.isfile(origin):
        raise CheckpointError(f'{origin}: no such checkpoint file')
    try:
        if zipfile.is_zipfile(origin):
            with zipfile.ZipFile(origin) as archive:
                damaged = archive.testzip()  # torch itself does not check the CRCs it writes
            if damaged is not None:
                raise CheckpointError(
                    f'{origin}: a damaged PyTorch checkpoint (the checksum of {damaged} does not match its bytes)'
                )
        return torch.load(origin, map_location='cpu', weights_only=True)
    except CheckpointError:
        raise
    except Exception as error:  # torch reports foreign files as unpickling, key, zip or EOF errors
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        unsupported = re.search(r'Unsupported global: GLOBAL ([\w.]+)', str(error))
        if unsupported:
            reason = (
                f'holds Python objects ({unsupported.group(1)}), not only tensors and plain data; it is not a '
                'gfvideo checkpoint, and gfvideo loads checkpoints with weights_only=True only'
            )
        elif zipfile.is_zipfile(origin):
            reason = f'a damaged PyTorch checkpoint ({first_line})'
        else:
            reason = (
                'not a PyTorch checkpoint (not a zip archive: truncated, or another kind of file); it is not '
                'a gfvideo checkpoint'
            )
        raise CheckpointError(f'{origin}: {reason}') from None


def non_finite_tensors(state_dict: Mapping[str, torch.Tensor]) -> list[str]:
    """Names of floating-point tensors holding NaN or infinity."""
    return [
        key for key, value in state_dict.items() if value.is_floating_point() and not bool(torch.isfinite(value).all())
    ]


def read_checkpoint(
    path_or_state_dict: str | os.PathLike | Mapping[str, Any], origin: str | None = None
) -> tuple[dict, dict]:
    """``(state_dict, meta)`` of a checkpoint file or an in-memory dict, read with weights_only.

    Raises :class:`CheckpointError` for unreadable files and for weights holding NaN or infinity;
    ``origin`` names an in-memory dict's file in messages.
    """
    if isinstance(path_or_state_dict, Mapping):
        checkpoint = dict(path_or_state_dict)
        origin = origin or 'the given state dict'
    else:
        origin = resolve_checkpoint(path_or_state_dict)
        if not os.path.isfile(origin):
            hint = where_to_get(origin)
            raise CheckpointError(f'{origin}: no such checkpoint file' + (f'; {hint}' if hint else ''))
        checkpoint = load_checkpoint_file(origin)
    if not isinstance(checkpoint, Mapping):
        raise CheckpointError(f'{origin}: expected a dict of tensors, got {type(checkpoint).__name__}')
    meta = dict(checkpoint.get('meta') or {}) if isinstance(checkpoint.get('meta'), Mapping) else {}
    for key in ('state_dict', 'model'):
        if isinstance(checkpoint.get(key), Mapping):
            checkpoint = checkpoint[key]
            break
    state_dict = {k: v for k, v in checkpoint.items() if isinstance(v, torch.Tensor)}
    if not state_dict:
        raise CheckpointError(f'{origin}: holds no tensors')
    broken = non_finite_tensors(state_dict)
    if broken:
        raise CheckpointError(
            f'{origin}: {len(broken)} tensors hold NaN or infinity (a diverged run?): '
            f'{", ".join(broken[:8])}{" ..." if len(broken) > 8 else ""}'
        )
    return state_dict, meta


def detect_source(state_dict: Mapping[str, torch.Tensor], meta: Mapping[str, Any] | None = None) -> str:
    """Which layout a state dict is in: ``tsm``, ``mmaction2``, ``gfvideo`` or ``torchvision``."""
    if meta and 'gfvideo_version' in meta:
        return 'gfvideo'
    keys = list(state_dict)
    if any(k.startswith(('module.base_model.', 'base_model.', 'module.new_fc.')) for k in keys):
        return 'tsm'
    if any(k.startswith('cls_head.') for k in keys) or any(
        k.startswith('backbone.') and re.search(r'\.(conv|bn)\.(net\.)?(weight|bias|running_mean)$', k) for k in keys
    ):
        return 'mmaction2'
    if any(k.startswith(('backbone.', 'glance_backbone.', 'focus_backbone.')) for k in keys):
        return 'gfvideo'
    return 'torchvision'


# ----------------------------------------------------------------------------- conversion
def _tsm_mobilenet_key(key: str) -> str:
    """TSM's own MobileNetV2 flattens each block's Sequential; nest it the way torchvision does."""
    match = re.match(r'(backbone\.features\.(\d+)\.conv\.)(\d+)\.(.+)$', key)
    if not match or match.group(2) == '0':
        return key
    prefix, block, index, rest = match.group(1), int(match.group(2)), int(match.group(3)), match.group(4)
    mapping = (
        {0: '0.0', 1: '0.1', 3: '1', 4: '2'} if block == 1 else {0: '0.0', 1: '0.1', 3: '1.0', 4: '1.1', 6: '2', 7: '3'}
    )
    if index not in mapping:
        raise CheckpointError(f'unexpected TSM MobileNetV2 key {key!r}')
    return f'{prefix}{mapping[index]}.{rest}'


def convert_tsm(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """TSM-official (``module.base_model.*``, ``.net`` inside shifted convs, ``module.new_fc.*``)."""
    converted = {}
    is_mobilenet = any('features.' in k for k in state_dict)
    for key, value in state_dict.items():
        key = key.removeprefix('module.').replace('.net.', '.')
        if key.startswith('new_fc.'):
            key = 'fc.' + key[len('new_fc.') :]
        elif key.startswith('base_model.'):
            key = 'backbone.' + key[len('base_model.') :]
            if is_mobilenet:
                key = _tsm_mobilenet_key(key)
        converted[key] = value
    return converted


def _mmaction_resnet_key(key: str) -> str:
    key = re.sub(r'^backbone\.conv1\.conv\.', 'backbone.conv1.', key)
    key = re.sub(r'^backbone\.conv1\.bn\.', 'backbone.bn1.', key)
    key = re.sub(r'\.conv(\d)\.conv\.', r'.conv\1.', key)
    key = re.sub(r'\.conv(\d)\.bn\.', r'.bn\1.', key)
    return key.replace('.downsample.conv.', '.downsample.0.').replace('.downsample.bn.', '.downsample.1.')


def _mmaction_mobilenet_key(key: str) -> str:
    if key.startswith(('backbone.conv1.', 'backbone.conv2.')):
        block = 0 if key.startswith('backbone.conv1.') else 18
        return re.sub(
            r'^backbone\.conv\d\.(conv|bn)\.',
            lambda m: f'backbone.features.{block}.{0 if m.group(1) == "conv" else 1}.',
            key,
        )
    match = re.match(r'backbone\.layer(\d)\.(\d+)\.conv\.(\d)\.(conv|bn)\.(.+)$', key)
    if not match:
        return key
    stage, index, position, kind, rest = (
        int(match.group(1)),
        int(match.group(2)),
        int(match.group(3)),
        match.group(4),
        match.group(5),
    )
    block = _MMACTION_MOBILENET_OFFSETS[stage] + index
    last = 1 if stage == 1 else 2  # the linear 1x1 conv: a bare conv + bn in torchvision
    if position == last:
        name = f'{last}' if kind == 'conv' else f'{last + 1}'
    else:
        name = f'{position}.{0 if kind == "conv" else 1}'
    return f'backbone.features.{block}.conv.{name}.{rest}'


def convert_mmaction2(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """mmaction2 (``backbone.*`` with ConvModule ``conv``/``bn`` names, ``cls_head.fc_cls.*``)."""
    is_mobilenet = any(k.startswith('backbone.layer7.') for k in state_dict)
    converted = {}
    for key, value in state_dict.items():
        if key.startswith('data_preprocessor.'):
            continue
        key = key.replace('.net.', '.')
        if key.startswith('cls_head.fc_cls.'):
            key = 'fc.' + key[len('cls_head.fc_cls.') :]
        elif key.startswith('backbone.'):
            key = _mmaction_mobilenet_key(key) if is_mobilenet else _mmaction_resnet_key(key)
        converted[key] = value
    return converted


def convert_torchvision(state_dict: Mapping[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """torchvision ImageNet weights: everything is the backbone but the ImageNet classifier."""
    converted = {}
    for key, value in state_dict.items():
        if key.startswith(('fc.', 'classifier.')):
            converted['imagenet_' + key] = value  # reported as dropped: not a video classifier
        else:
            converted['backbone.' + key] = value
    return converted


#: source layout -> its conversion to canonical names
CONVERTERS: dict[str, Callable[[Mapping[str, torch.Tensor]], dict[str, torch.Tensor]]] = {
    'tsm': convert_tsm,
    'mmaction2': convert_mmaction2,
    'torchvision': convert_torchvision,
    'gfvideo': dict,
}


# ----------------------------------------------------------------------------- loading
@dataclass
class LoadReport:
    """What :func:`load_weights` did."""

    source: str
    loaded: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    shape_conflicts: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.unexpected or self.shape_conflicts)

    def diff(self, limit: int = 12) -> str:
        """A readable summary of every mismatch."""
        lines = []
        for title, keys in (
            ('missing from the file', self.missing),
            ('unexpected in the file', self.unexpected),
            ('shape conflicts', self.shape_conflicts),
            ('dropped (a head the target lacks)', self.dropped),
        ):
            if keys:
                shown = '\n    '.join(keys[:limit])
                more = f'\n    ... and {len(keys) - limit} more' if len(keys) > limit else ''
                lines.append(f'  {title} ({len(keys)}):\n    {shown}{more}')
        return '\n'.join(lines)


def _is_bare_backbone(model: nn.Module) -> bool:
    return hasattr(model, 'forward_features') and not hasattr(model, 'backbone')


def load_weights(
    model: nn.Module,
    path_or_state_dict: str | os.PathLike | Mapping[str, Any],
    source: str = 'auto',
    strict: bool = True,
    prefix: str | None = None,
) -> LoadReport:
    """Load a checkpoint into ``model`` by rule (see the module docstring).

    Args:
        model: a bare backbone (``build_backbone``), ``TSM``, or any gfvideo model.
        path_or_state_dict: a checkpoint file or a (state) dict.
        source: ``auto`` (detected), ``torchvision``, ``tsm``, ``mmaction2`` or ``gfvideo``.
        strict: every key of the target must be loaded, and nothing but a dropped head may be
            left over; otherwise :class:`CheckpointError` with the diff.
        prefix: take only the file's keys under this prefix (e.g. ``'focus_backbone.'`` of a
            GlanceFocusNet checkpoint), with the prefix removed.

    Returns:
        a :class:`LoadReport`; a non-strict load logs its diff.
    """
    if source not in SOURCES:
        raise ValueError(f'source must be one of {SOURCES}, got {source!r}')
    state_dict, meta = read_checkpoint(path_or_state_dict)
    source = detect_source(state_dict, meta) if source == 'auto' else source
    converted = CONVERTERS[source](state_dict)
    if prefix:
        converted = {k[len(prefix) :]: v for k, v in converted.items() if k.startswith(prefix)}
        if not converted:
            raise CheckpointError(f'no keys under {prefix!r} in the checkpoint')
    report = LoadReport(source, meta=meta)
    if _is_bare_backbone(model) and any(k.startswith('backbone.') for k in converted):
        report.dropped = sorted(k for k in converted if not k.startswith('backbone.'))
        converted = {k[len('backbone.') :]: v for k, v in converted.items() if k.startswith('backbone.')}
    else:
        report.dropped = sorted(k for k in converted if k.startswith('imagenet_'))
        converted = {k: v for k, v in converted.items() if not k.startswith('imagenet_')}
    target = model.state_dict()
    usable = {}
    for key, value in converted.items():
        if key not in target:
            if not key.endswith(_IGNORED_SUFFIX):
                report.unexpected.append(key)
        elif target[key].shape != value.shape:
            report.shape_conflicts.append(f'{key}: file {tuple(value.shape)} vs model {tuple(target[key].shape)}')
        else:
            usable[key] = value
    report.missing = sorted(k for k in target if k not in converted and not k.endswith(_IGNORED_SUFFIX))
    report.unexpected.sort()
    if strict and not report.ok:
        raise CheckpointError(f'{source} checkpoint does not fit {type(model).__name__}:\n{report.diff()}')
    model.load_state_dict(usable, strict=False)
    report.loaded = sorted(usable)
    if report.dropped:
        logger.info('dropped %d keys the target has no place for: %s', len(report.dropped), report.dropped[:4])
    if not report.ok:
        logger.warning('partial load into %s:\n%s', type(model).__name__, report.diff())
    return report


def infer_backbone(state_dict: Mapping[str, torch.Tensor]) -> dict:
    """Backbone name and width of canonical (``backbone.*``) weights, for ``build_backbone``."""
    keys = [k[len('backbone.') :] for k in state_dict if k.startswith('backbone.')]
    if any(k.startswith('features.') for k in keys):
        stem = state_dict['backbone.features.0.0.weight'].shape[0]
        return dict(name='mobilenet_v2', width_mult=stem / 32)
    if 'conv1.weight' not in keys:
        raise CheckpointError('cannot tell the backbone: no backbone.conv1.weight or backbone.features.* keys')
    stage3 = {int(k.split('.')[1]) for k in keys if k.startswith('layer3.')}
    bottleneck = any(k.startswith('layer1.0.conv3.') for k in keys)
    depth = {(2, False): 18, (6, False): 34, (6, True): 50, (23, True): 101}.get((len(stage3), bottleneck))
    if depth is None:
        raise CheckpointError(f'unsupported ResNet: {len(stage3)} blocks in layer3, bottleneck={bottleneck}')
    return dict(name=f'resnet{depth}', width_mult=state_dict['backbone.conv1.weight'].shape[0] / 64)


def convert_checkpoint(
    path_or_state_dict: str | os.PathLike | Mapping[str, Any], source: str = 'auto', classes: list[str] | None = None
) -> dict:
    """A clean gfvideo checkpoint (``state_dict`` in canonical names + ``meta``) from any layout.

    ``meta`` holds the source layout, the backbone config inferred from the weights, the number
    of classes of a classifier head, and the class list (and its hash) when given or known.
    """
    state_dict, meta = read_checkpoint(path_or_state_dict)
    source = detect_source(state_dict, meta) if source == 'auto' else source
    converted = {k: v for k, v in CONVERTERS[source](state_dict).items() if not k.startswith('imagenet_')}
    classes = classes if classes is not None else meta.get('classes')
    num_classes = converted['fc.weight'].shape[0] if 'fc.weight' in converted else None
    if classes is not None and num_classes is not None and len(classes) != num_classes:
        raise CheckpointError(f'the class list has {len(classes)} names but the head has {num_classes} outputs')
    model: dict[str, object] = dict(type='TSM' if num_classes else 'backbone', backbone=infer_backbone(converted))
    if num_classes:
        model['num_classes'] = num_classes
    new_meta = dict(gfvideo_version=__version__, converted_from=source, model=model)
    if classes is not None:
        new_meta.update(classes=list(classes), classes_hash=class_list_hash(classes))
    return {'state_dict': converted, 'meta': new_meta}
