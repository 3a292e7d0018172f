"""Atomic file writes: write a temporary sibling, then rename, so a killed run leaves no torn file."""
from __future__ import annotations

import collections
import contextlib
import csv
import json
import os
import tempfile
from typing import Any, Iterable, Iterator, Sequence

import torch


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path next to ``path``; it replaces ``path`` only if the block succeeds."""
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=directory)
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would make outputs private
        os.replace(temporary, path)
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def atomic_write_lines(path: str | os.PathLike, lines: Iterable[str]) -> None:
    """Write text lines (a newline after each) atomically."""
    with atomic_path(path) as temporary, open(temporary, 'w', encoding='utf-8') as file:
        file.writelines(line + '\n' for line in lines)


def atomic_write_csv(path: str | os.PathLike, rows: Iterable[Sequence[Any]]) -> None:
    """Write rows (the header first) as CSV atomically, quoting where needed."""
    with atomic_path(path) as temporary, open(temporary, 'w', encoding='utf-8', newline='') as file:
        csv.writer(file).writerows(rows)


def atomic_write_json(path: str | os.PathLike, data: Any) -> None:
    """Write ``data`` as indented JSON atomically."""
    with atomic_path(path) as temporary, open(temporary, 'w', encoding='utf-8') as file:
        json.dump(data, file, indent=1)
        file.write('\n')


def atomic_torch_save(obj: Any, path: str | os.PathLike) -> None:
    """``torch.save`` atomically."""
    with atomic_path(path) as temporary:
        torch.save(obj, temporary)


def _stem(path: str) -> str:
    return path if os.path.isdir(path) else os.path.splitext(path)[0]


def output_names(paths: Sequence[str], root: str | None = None) -> list[str]:
    """One output file name (no extension) per input video, by one rule: the video's base name
    without extension (a frame folder's name); inputs that share a base name keep their path
    relative to ``root`` (default: the inputs' common folder), with '/' as '__'."""
    paths = [os.path.normpath(path) for path in paths]
    names = [os.path.basename(_stem(path)) for path in paths]
    clashing = {name for name, count in collections.Counter(names).items() if count > 1}
    if clashing:
        base = root or os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths])
        names = [_stem(os.path.relpath(os.path.abspath(path), os.path.abspath(base))).replace(os.sep, '__')
                 if name in clashing else name for path, name in zip(paths, names)]
    return names
