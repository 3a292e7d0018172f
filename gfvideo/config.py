"""Config files: load one with ``--cfg-options``-style overrides and one data folder for all loaders."""

from __future__ import annotations

from mmengine.config import Config

DATALOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def set_data_root(cfg: Config, data_root: str) -> None:
    """Point the config's ``data_root`` and every dataloader's dataset at ``data_root`` (list,
    class-list and media paths of the datasets are relative to it, as in mmaction2)."""
    cfg.data_root = data_root
    for loader in DATALOADERS:
        if cfg.get(loader) and cfg[loader].get('dataset') is not None:
            cfg[loader].dataset.data_root = data_root


def load_config(path: str, options: dict | None = None, data_root: str | None = None) -> Config:
    """A config file with ``--cfg-options``-style overrides merged.

    A ``data_root`` argument (``--data-root``), or a ``data_root`` key among the options, moves
    all three dataloaders to that folder.
    """
    cfg = Config.fromfile(path)
    if options:
        cfg.merge_from_dict(options)
    data_root = data_root or (options or {}).get('data_root')
    if data_root:
        set_data_root(cfg, data_root)
    return cfg
