"""Progress reports that read well on a terminal and in a log file."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator, Sized
from typing import IO, TypeVar

from tqdm import tqdm

T = TypeVar('T')


def progress(
    iterable: Iterable[T],
    total: int | None = None,
    desc: str = '',
    unit: str = 'it',
    disable: bool = False,
    stream: IO[str] | None = None,
) -> Iterator[T]:
    """Iterate over ``iterable`` and report progress on ``stream`` (stderr).

    On a terminal: a tqdm bar. Elsewhere (log files, pipes): one line at the first item (so a slow
    phase is seen to start, with its total), at every tenth of ``total`` and at the last item
    (every 100 items without a total), so a log never ends on a half-drawn bar. An item is
    counted when it is handed out.
    """
    if disable:
        yield from iterable
        return
    stream = stream or sys.stderr
    if total is None and isinstance(iterable, Sized):
        total = len(iterable)
    if stream.isatty():
        with tqdm(total=total, desc=desc, unit=unit, file=stream, dynamic_ncols=True) as bar:
            for item in iterable:
                bar.update(1)
                yield item
        return
    start, reported, count = time.perf_counter(), 0, 0
    for count, item in enumerate(iterable, start=1):
        tenth = count * 10 // total if total else count // 100
        if count == 1 or tenth > reported or count == total:
            reported = tenth
            of = f'/{total}' if total else ''
            print(
                f'{desc + ": " if desc else ""}{count}{of} {unit} ({time.perf_counter() - start:.1f} s)',
                file=stream,
                flush=True,
            )
        yield item
