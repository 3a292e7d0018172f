"""The files gfvideo ships as package data: the recipes (``configs/``) and the class lists
(``data_lists/``), found through :mod:`importlib.resources` in a wheel and in a checkout alike."""

from __future__ import annotations

import os
from importlib.resources import files


def shipped(name: str) -> str:
    """The path of a shipped folder, ``'configs'`` or ``'data_lists'``."""
    return str(files('gfvideo').joinpath('_shipped', name))  # a folder of the installed package


#: The shipped recipes, ``configs/`` of the repository: ``_base_`` parts, then
#: ``recognition/{tsm,gfnet}/`` one file per recipe.
CONFIGS = shipped('configs')
#: The shipped class lists and flip maps, ``data_lists/`` of the repository.
DATA_LISTS = shipped('data_lists')


def shipped_configs() -> dict[str, str]:
    """Every shipped recipe by name (its file name without ``.py``): its path."""
    recipes: dict[str, str] = {}
    for folder, _, names in os.walk(os.path.join(CONFIGS, 'recognition')):
        recipes.update((name[: -len('.py')], os.path.join(folder, name)) for name in names if name.endswith('.py'))
    return dict(sorted(recipes.items()))


def find_config(config: str) -> str:
    """A config file's path: ``config`` itself when it is a file; else the shipped recipe it names,
    by its path in the repository (``configs/recognition/tsm/<name>.py``, from any folder) or by
    its name alone (``<name>`` or ``<name>.py``).

    Raises:
        FileNotFoundError: neither a file nor a shipped recipe; the message names recipes like it.
    """
    if os.path.isfile(config):
        return config
    parts = os.path.normpath(config).split(os.sep)
    if parts[0] == 'configs' and os.path.isfile(os.path.join(CONFIGS, *parts[1:])):
        return os.path.join(CONFIGS, *parts[1:])
    recipes = shipped_configs()
    name = config[: -len('.py')] if config.endswith('.py') else config
    if name in recipes:
        return recipes[name]
    stem = name.split(os.sep)[-1].split('_')[0]
    close = [recipe for recipe in recipes if stem and recipe.startswith(stem)][:4]
    hint = f' (shipped recipes like it: {", ".join(close)})' if close else ''
    raise FileNotFoundError(
        f'{config}: no such config file and no shipped recipe of that name{hint}; '
        "'gfvideo print-config --list' lists the shipped recipes"
    )
