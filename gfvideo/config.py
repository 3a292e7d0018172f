"""Config files: load one with ``--cfg-options``-style overrides and one data folder for all loaders,
and find the files its datasets name."""

from __future__ import annotations

import copy
import os

from mmengine.config import Config

from .classes import read_class_list
from .resources import find_config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')
#: Test-time keys that a config may set equal to their validation key (``test_dataloader =
#: val_dataloader``): overrides of the validation key reach them too.
TEST_FOLLOWS_VAL = {'test_dataloader': 'val_dataloader', 'test_evaluator': 'val_evaluator'}


#: Dataset keys that name files, relative to the dataset's ``data_root``.
DATASET_FILES = ('ann_file', 'classes', 'actor_boxes')


def dataset_files(dataset: dict) -> list[tuple[str, str]]:
    """``(key, path)`` of the files a dataset config names (list, class list, actor boxes), with
    relative paths joined to its ``data_root`` as the dataset joins them."""
    root = dataset.get('data_root', '') or ''
    return [
        (key, os.path.join(root, dataset[key]) if root and not os.path.isabs(dataset[key]) else dataset[key])
        for key in DATASET_FILES
        if isinstance(dataset.get(key), str) and dataset[key]
    ]


def class_list_count(cfg: Config) -> tuple[int, str] | None:
    """``(count, path)`` of the class-list file of the first dataloader that names one and has
    it on disk, else None."""
    for loader in DATALOADERS:
        dataset = (cfg.get(loader) or {}).get('dataset') or {}
        path = dict(dataset_files(dataset)).get('classes')
        if path and os.path.isfile(path):
            return len(read_class_list(path)), path
    return None


def set_data_root(cfg: Config, data_root: str) -> None:
    """Point the config's ``data_root`` and every dataloader's dataset at ``data_root`` (list,
    class-list and media paths of the datasets are relative to it, as in mmaction2)."""
    cfg.data_root = data_root
    for loader in DATALOADERS:
        if cfg.get(loader) and cfg[loader].get('dataset') is not None:
            cfg[loader].dataset.data_root = data_root


def load_config(path: str, options: dict | None = None, data_root: str | None = None) -> Config:
    """A config file (a path, or a shipped recipe's name: :func:`gfvideo.resources.find_config`)
    with ``--cfg-options``-style overrides merged.

    A test dataloader (or evaluator) that the file sets equal to the validation one stays equal to
    it after overrides inside the validation one (``val_dataloader.dataset.x=...``), unless the
    options override the test one too; replacing a whole key (``val_dataloader=None``) is its own. A ``data_root``
    argument (``--data-root``), or a ``data_root`` key among the options, moves all three
    dataloaders to that folder. The model's ``num_classes`` follows the datasets' class list when
    it is on disk (:func:`class_list_count`), unless the options set ``model.num_classes``.
    """
    cfg = Config.fromfile(find_config(path))
    if options:
        following = [test for test, val in TEST_FOLLOWS_VAL.items() if val in cfg and cfg.get(test) == cfg[val]]
        cfg.merge_from_dict(options)
        for test in following:
            val = TEST_FOLLOWS_VAL[test]
            if any(key.startswith(val + '.') for key in options) and not any(
                key == test or key.startswith(test + '.') for key in options
            ):
                cfg[test] = copy.deepcopy(cfg[val])
    data_root = data_root or (options or {}).get('data_root')
    if data_root:
        set_data_root(cfg, data_root)
    counted = class_list_count(cfg)
    if counted and isinstance(cfg.get('model'), dict) and 'model.num_classes' not in (options or {}):
        cfg.model.num_classes = counted[0]
    return cfg
