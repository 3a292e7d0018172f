"""Check a training config before anything runs: files exist, classes and weights fit."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from mmengine.config import Config

from ..classes import read_class_list
from ..config import dataset_files
from ..models.checkpoints import CheckpointError, init_weight_paths, resolve_checkpoint, where_to_get


class ConfigError(ValueError):
    """The config names something that is not there or does not fit."""


@contextmanager
def refused_model_options(source: str) -> Iterator[None]:
    """Around building a model from its config: what the constructor refuses (an option's bad
    value, an unknown option) raises :class:`ConfigError` naming ``source`` (the config file)."""
    try:
        yield
    except (TypeError, ValueError) as error:
        raise ConfigError(f'{source}: model: {error}') from error


def model_num_segments(model: dict) -> int | None:
    """The frames per clip a model config expects (its backbones' ``num_segments``)."""
    for name in ('backbone', 'glance_backbone', 'focus_backbone'):
        if isinstance(model.get(name), dict):
            return int(model[name].get('num_segments', 8))  # build_backbone's default
    return model.get('num_segments')


def check_frame_count(cfg: Config, loaders: list[str]) -> None:
    """Every ``SampleFrames`` of these loaders samples the model's ``num_segments`` frames per
    view; several views per clip (``num_clips > 1``) are allowed."""
    expected = model_num_segments(cfg.model)
    if expected is None:
        return
    for loader in loaders:
        pipeline = (cfg.get(loader) or {}).get('dataset', {}).get('pipeline') or []
        for transform in pipeline:
            if transform.get('type') == 'SampleFrames' and int(transform.get('num_segments', 8)) != expected:
                raise ConfigError(
                    f'{loader}: SampleFrames samples num_segments={transform.get("num_segments", 8)} frames per '
                    f'view but the model expects num_segments={expected}; set both to the same value (several '
                    f'views per clip are set with num_clips, e.g. num_clips=2)'
                )


def check_flip_classes(cfg: Config, loaders: list[str]) -> None:
    """A ``Flip`` that swaps ``flip_pairs`` must name the dataset's own class list."""
    for loader in loaders:
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        for transform in dataset.get('pipeline') or []:
            if transform.get('type') != 'Flip' or not transform.get('flip_pairs') or not dataset.get('classes'):
                continue
            own = dataset['classes']
            own = read_class_list(dict(dataset_files(dataset))['classes']) if isinstance(own, str) else list(own)
            flip = transform.get('classes')
            flip = read_class_list(flip) if isinstance(flip, str) else list(flip or [])
            if flip != own:
                raise ConfigError(
                    f"{loader}: Flip(classes={transform.get('classes')!r}) is not the dataset's class "
                    f'list ({dataset["classes"]}); the flip pairs would swap the wrong labels'
                )


#: Config keys (anywhere under the checked sections) that must be integers of at least this value.
_INTEGER_KEYS = {
    'num_segments': 1,
    'num_classes': 1,
    'max_epochs': 1,
    'batch_size': 1,
    'num_workers': 0,
    'max_focus_steps': 1,
    'num_clips': 1,
}


def _check_integers(node, where: str) -> None:
    """Raise :class:`ConfigError` for a known count key holding a string, float, bool or too small a number."""
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, (list, tuple)) else ()
    for key, value in items:
        name = f'{where}.{key}' if isinstance(key, str) else f'{where}[{key}]'
        if key in _INTEGER_KEYS and (
            isinstance(value, bool) or not isinstance(value, int) or value < _INTEGER_KEYS[key]
        ):
            raise ConfigError(f'{name} is {value!r}; expected an integer >= {_INTEGER_KEYS[key]}')
        _check_integers(value, name)


def check_structure(cfg: Config, training: bool = True) -> None:
    """The sections a run needs exist and their counts are integers in range."""
    needed = ['model', 'train_dataloader', 'train_cfg', 'optim_wrapper'] if training else ['model', 'test_dataloader']
    for key in needed:
        if not isinstance(cfg.get(key), dict):
            raise ConfigError(
                f'{key} is {cfg.get(key)!r}; a {"training" if training else "test"} run needs {key}=dict(...)'
            )
    for key in needed + ['val_dataloader', 'val_cfg', 'test_cfg']:
        if isinstance(cfg.get(key), dict):
            _check_integers(cfg[key], key)


def check_config(cfg: Config, training: bool = True) -> None:
    """Raise :class:`ConfigError` naming the first missing file or mismatch.

    Checks the list, class list and actor-box files and the media folder the config names, the
    initialisation weights when ``training`` (testing loads a trained checkpoint and needs none),
    that the model's ``num_classes`` equals the class list's length and that the pipelines sample
    the model's ``num_segments``. (Weights of another architecture fail when the runner loads them, before
    the first iteration, with the key diff.)
    """
    check_structure(cfg, training)
    loaders = ['train_dataloader', 'val_dataloader'] if training else ['test_dataloader']
    files = []
    for loader in loaders:
        if cfg.get(loader):
            files += [(f'{loader}.dataset.{name}', path) for name, path in dataset_files(cfg[loader]['dataset'])]
    if training:
        files += init_weight_paths(cfg.model)
        if cfg.get('load_from'):
            try:  # a file, or a work dir whose last_checkpoint names the file
                files.append(('load_from', resolve_checkpoint(cfg.load_from)))
            except CheckpointError as error:
                raise ConfigError(f'load_from: {error}') from error
    for loader in loaders:
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        media, root = dataset.get('media_root'), dataset.get('data_root') or ''
        if isinstance(media, str) and media:
            folder = os.path.join(root, media) if root and not os.path.isabs(media) else media
            if not os.path.isdir(folder):
                raise ConfigError(f'{loader}.dataset.media_root: {folder} is not a folder (where the videos should be)')
    for name, path in files:
        if not os.path.exists(path):
            hint = where_to_get(path)
            if name.endswith('.actor_boxes'):  # measurement only: a dataset without them has no hit rate
                hint = f'actor boxes are optional: without them no hit rate is measured (--cfg-options {name}=None)'
            raise ConfigError(f'{name}: {path} does not exist' + (f'; {hint}' if hint else ''))
    check_frame_count(cfg, loaders)
    check_flip_classes(cfg, loaders)
    loader = cfg.get(loaders[0])
    classes = loader['dataset'].get('classes') if loader else None
    if classes is not None:
        if isinstance(classes, str):  # a class-list file, resolved as the dataset resolves it
            source = dict(dataset_files(loader['dataset']))['classes']
            count = len(read_class_list(source))
        else:
            source, count = f'{loaders[0]}.dataset.classes', len(classes)
        if cfg.model.get('num_classes') != count:
            raise ConfigError(
                f'model.num_classes is {cfg.model.get("num_classes")} but the class list {source} has {count} classes'
            )
