"""The demo's resumable steps: each runs once, and a rerun reads its stored result back."""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable

from ..fileio import atomic_write_json


class Steps:
    """Runs named steps once, one console line each: a finished step's result and duration are
    kept in ``<out>/steps/<name>.json``, and a rerun reads them back instead of running it."""

    def __init__(self, out: str) -> None:
        self.folder = os.path.join(out, 'steps')
        self.logs = os.path.join(out, 'logs')
        os.makedirs(self.folder, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.seconds = 0.0  # all steps' durations, including those of earlier runs
        self.durations: dict[str, float] = {}

    def run(self, name: str, description: str, function: Callable[..., Any], *args: Any) -> Any:
        """``function(log, *args)``'s result (JSON-serialisable), run now or read back from an earlier run."""
        marker = os.path.join(self.folder, f'{name}.json')
        if os.path.exists(marker):
            with open(marker, encoding='utf-8') as file:
                stored = json.load(file)
            print(f'[demo] {description:<44} reused ({stored["seconds"]:.0f} s before)', flush=True)
        else:
            print(f'[demo] {description:<44} ', end='', flush=True)
            start = time.perf_counter()
            log = os.path.join(self.logs, f'{name}.log')
            stored = dict(result=function(log, *args), seconds=time.perf_counter() - start)
            atomic_write_json(marker, stored)
            print(f'{stored["seconds"]:6.0f} s   (log: {os.path.relpath(log)})', flush=True)
        self.seconds += stored['seconds']
        self.durations[name] = stored['seconds']
        return stored['result']
