"""Atomic file writes: write a temporary sibling, then rename, so a killed run leaves no torn file.

Also: JSON-lines files appended row by row (a row torn by a kill is dropped on reading), output
folder locks and output names.
"""

from __future__ import annotations

import collections
import contextlib
import csv
import errno
import hashlib
import io
import json
import os
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import torch


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


#: Free space (bytes) under which a failed write is reported as a full disk.
LOW_DISK_BYTES = 1 << 20


class DiskFullError(OSError):
    """A write failed because the disk is full; the message names the file."""


def disk_full_error(error: BaseException, path: str) -> DiskFullError | None:
    """A :class:`DiskFullError` naming ``path`` when ``error`` is a write that ran out of space
    (``ENOSPC``, or a library's own write failure on a nearly full disk), else None."""
    if isinstance(error, DiskFullError):
        return error
    directory = os.path.dirname(os.path.abspath(path))
    try:
        free = shutil.disk_usage(directory).free
    except OSError:
        free = -1
    if (isinstance(error, OSError) and error.errno == errno.ENOSPC) or (
        isinstance(error, (OSError, RuntimeError)) and 0 <= free < LOW_DISK_BYTES
    ):
        return DiskFullError(
            errno.ENOSPC,
            f'{path}: not written, the disk is full ({max(free, 0)} bytes free '
            f'in {directory}); nothing half-written was kept',
        )
    return None


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike) -> Iterator[str]:
    """Yield a temporary path next to ``path``; it replaces ``path`` only if the block succeeds.

    A write that fails for lack of space raises :class:`DiskFullError` naming ``path``; a folder
    that cannot be written raises an ``OSError`` whose ``filename`` is ``path``.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=f'.{os.path.basename(path)}.', suffix='.tmp', dir=directory)
    except OSError as error:
        raise type(error)(error.errno, f'cannot write here ({error.strerror})', path) from None
    os.close(handle)
    try:
        yield temporary
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp's 0600 would make outputs private
        os.replace(temporary, path)
    except (OSError, RuntimeError) as error:
        full = disk_full_error(error, path)
        if full is None:
            raise
        raise full from error
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)


def remove_stale_temporaries(directory: str | os.PathLike[str], recursive: bool = False) -> list[str]:
    """Remove what killed atomic writes left in ``directory``: ``.NAME.*.tmp`` files of
    :func:`atomic_path` and ``.tmp-*`` folders of frame-folder writers. Returns their paths.

    Call it when a run starts on its own output folder (two runs must not share one).
    """
    removed: list[str] = []
    if not os.path.isdir(directory):
        return removed
    for root, folders, files in os.walk(directory):
        for name in files:
            if name.startswith('.') and name.endswith('.tmp'):
                removed.append(os.path.join(root, name))
                os.remove(removed[-1])
        for name in list(folders):
            if name.startswith('.tmp-'):
                removed.append(os.path.join(root, name))
                shutil.rmtree(removed[-1], ignore_errors=True)
                folders.remove(name)
        if not recursive:
            break
        folders[:] = [name for name in folders if not name.startswith('.')]
    return removed


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


def atomic_write_npz(path: str | os.PathLike, arrays: Mapping[str, Any]) -> None:
    """``numpy.savez`` of ``arrays`` (uncompressed) atomically; the archive is built in memory first."""
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    with atomic_path(path) as temporary, open(temporary, 'wb') as file:
        file.write(buffer.getvalue())


def atomic_write_jsonl(path: str | os.PathLike, rows: Iterable[Any]) -> None:
    """Write one JSON document per line atomically."""
    atomic_write_lines(path, (json.dumps(row) for row in rows))


def append_jsonl(path: str | os.PathLike, row: Any) -> None:
    """Append one JSON line and flush it to disk, so a kill right after loses nothing written.

    A last line torn by a kill (no newline at its end) is ended first, so the new row stands on a
    line of its own.
    """
    with open(path, 'a+b') as file:  # appends go to the end wherever the file was read
        size = file.seek(0, os.SEEK_END)
        torn = False
        if size:
            file.seek(size - 1)
            torn = file.read(1) != b'\n'
        file.write((b'\n' if torn else b'') + (json.dumps(row) + '\n').encode('utf-8'))
        file.flush()
        os.fsync(file.fileno())


def read_jsonl(path: str | os.PathLike) -> list[Any]:
    """The complete JSON lines of a file; a line torn by a kill is dropped, a missing file is empty."""
    if not os.path.exists(path):
        return []
    rows = []
    with open(path, encoding='utf-8') as file:
        for line in file:
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return rows


class OutputLockedError(RuntimeError):
    """Another run holds an output folder; the message names the folder and that run."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def output_lock(folder: str | os.PathLike) -> Iterator[str]:
    """Hold ``folder/.lock`` (naming this host, process and command) while a run writes there.

    A second run on the same folder gets :class:`OutputLockedError` naming the holder. A lock left
    by a dead process of this host is taken over; one of another host must be removed by hand.
    """
    folder = os.fspath(folder)
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, '.lock')
    holder = {
        'host': socket.gethostname(),
        'pid': os.getpid(),
        'since': time.strftime('%Y-%m-%d %H:%M:%S'),
        'command': ' '.join(sys.argv),
    }
    for _ in range(2):
        try:
            handle = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                with open(path, encoding='utf-8') as file:
                    other = json.load(file)
            except (OSError, ValueError):
                other = {}
            if other.get('host') == holder['host'] and isinstance(other.get('pid'), int) and not _alive(other['pid']):
                os.remove(path)  # its run died without cleaning up
                continue
            raise OutputLockedError(
                f'{folder}: in use by another run (pid {other.get("pid", "?")} on {other.get("host", "?")} since '
                f'{other.get("since", "?")}: {other.get("command", "?")}); wait for it to finish, or delete {path} '
                'if that run is gone'
            ) from None
        with os.fdopen(handle, 'w', encoding='utf-8') as file:
            json.dump(holder, file)
        break
    try:
        yield path
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)


def _stem(path: str) -> str:
    return path if os.path.isdir(path) else os.path.splitext(path)[0]


def output_names(paths: Sequence[str], root: str | None = None) -> list[str]:
    """One output file name (no extension) per input video, distinct for distinct inputs, by one
    rule: the video's base name without extension (a frame folder's name); inputs that share it
    take their path relative to ``root`` (default: the inputs' common folder) with '/' as '__';
    those that still share one add their extension (``clip_mp4``), and any left alike (``a/b/x``
    and ``a__b/x``) add a hash of their path. The same input listed twice keeps one name."""
    paths = [os.path.normpath(path) for path in paths]
    base = root or (os.path.commonpath([os.path.dirname(os.path.abspath(p)) for p in paths]) if paths else '')

    def relative(path: str) -> str:
        return _stem(os.path.relpath(os.path.abspath(path), os.path.abspath(base))).replace(os.sep, '__')

    def with_extension(path: str) -> str:
        extension = os.path.splitext(path)[1][1:] if not os.path.isdir(path) else ''
        return relative(path) + (f'_{extension}' if extension else '')

    def with_hash(path: str) -> str:
        digest = hashlib.sha1(os.path.abspath(path).encode()).hexdigest()[:8]
        return f'{with_extension(path)}_{digest}'

    names = [os.path.basename(_stem(path)) for path in paths]
    for rule in (relative, with_extension, with_hash):
        owners = collections.defaultdict(set)
        for path, name in zip(paths, names):
            owners[name].add(os.path.abspath(path))
        clashing = {name for name, inputs in owners.items() if len(inputs) > 1}
        if not clashing:
            break
        names = [rule(path) if name in clashing else name for path, name in zip(paths, names)]
    return names
