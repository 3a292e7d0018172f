"""A training run's scalars as mmengine's LocalVisBackend writes them (``vis_data/scalars.json``):
one JSON object per line, training rows by iteration, validation rows by epoch."""

from __future__ import annotations

import glob
import json
import os
from dataclasses import dataclass, field


@dataclass
class Series:
    """One scalar over a run: ``steps`` (iterations for training rows, epochs for validation rows)
    and ``values``."""

    key: str
    axis: str  # 'iteration' or 'epoch'
    steps: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)


def scalars_files(path: str) -> list[str]:
    """The ``scalars.json`` files of a run: ``path`` itself, or under a work dir (every launch of
    a resumed run, in time order). Raises ``FileNotFoundError`` naming ``path`` when there is none."""
    if os.path.isfile(path):
        return [path]
    files = sorted(glob.glob(os.path.join(path, '*', 'vis_data', 'scalars.json')))
    if not files:
        raise FileNotFoundError(
            f'{path}: no scalars.json (a training work dir holds <timestamp>/vis_data/scalars.json)'
        )
    return files


def read_series(path: str) -> dict[str, Series]:
    """Every numeric scalar of a run (:func:`scalars_files`), by key. A line that is not JSON is
    an error naming the file and line."""
    series: dict[str, Series] = {}
    for name in scalars_files(path):
        with open(name, encoding='utf-8') as file:
            for number, line in enumerate(file, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as error:
                    raise ValueError(f'{name}:{number}: not a JSON line ({error.msg})') from None
                axis = 'iteration' if 'iter' in row else 'epoch'
                for key, value in row.items():
                    if key in ('step', 'epoch', 'iter') or not isinstance(value, (int, float)):
                        continue
                    entry = series.setdefault(f'{key}' if axis == 'iteration' else f'val/{key}', Series(key, axis))
                    entry.steps.append(row.get('step', len(entry.steps) + 1))
                    entry.values.append(float(value))
    return series
