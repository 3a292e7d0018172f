"""The demo's resumable steps: each runs once, and a rerun of the same demo reads its stored result back."""

from __future__ import annotations

import json
import os
import shutil
import time
from typing import Any, Callable

from ..fileio import atomic_write_json


class Steps:
    """Runs named steps once, one console line each: a finished step's result and duration are
    kept in ``<out>/steps/<name>.json`` with its identity (the run's ``identity``: benchmark, seed,
    ``quick`` ...; plus what the step itself depends on, such as the recipe it trains), and a
    rerun with the same identity reads them back instead of running it. A step finished under
    another identity runs afresh, saying so, its outputs removed first."""

    def __init__(self, out: str, identity: dict[str, Any] | None = None) -> None:
        self.folder = os.path.join(out, 'steps')
        self.logs = os.path.join(out, 'logs')
        self.identity = dict(identity or {})
        os.makedirs(self.folder, exist_ok=True)
        os.makedirs(self.logs, exist_ok=True)
        self.seconds = 0.0  # all steps' durations, including those of earlier runs
        self.durations: dict[str, float] = {}

    def _stored(self, name: str, description: str, outputs: list[str], identity: dict) -> dict | None:
        """The step's stored result when it was finished under ``identity``; otherwise None, with
        stale outputs removed."""
        marker = os.path.join(self.folder, f'{name}.json')
        if not os.path.exists(marker):
            return None
        with open(marker, encoding='utf-8') as file:
            stored = json.load(file)
        if stored.get('identity') == identity:
            return stored
        before = ', '.join(f'{key} {value}' for key, value in (stored.get('identity') or {}).items()) or 'unknown'
        now = ', '.join(f'{key} {value}' for key, value in identity.items())
        print(f'[demo] {description}: finished before for another run ({before}; now {now}): running it afresh')
        for path in outputs:
            shutil.rmtree(path, ignore_errors=True)
        os.remove(marker)
        return None

    def run(
        self,
        name: str,
        description: str,
        function: Callable[..., Any],
        outputs: list[str],
        *args: Any,
        depends_on: dict[str, Any] | None = None,
    ) -> Any:
        """``function(log, *args)``'s result (JSON-serialisable), run now or read back from an
        earlier run of the same identity (the run's, with ``depends_on``); ``outputs`` are the
        folders the step writes."""
        identity = {**self.identity, **(depends_on or {})}
        stored = self._stored(name, description, outputs, identity)
        if stored is not None:
            print(f'[demo] {description:<44} reused ({stored["seconds"]:.0f} s before)', flush=True)
        else:
            print(f'[demo] {description:<44} ', end='', flush=True)
            start = time.perf_counter()
            log = os.path.join(self.logs, f'{name}.log')
            stored = dict(result=function(log, *args), seconds=time.perf_counter() - start, identity=identity)
            atomic_write_json(os.path.join(self.folder, f'{name}.json'), stored)
            print(f'{stored["seconds"]:6.0f} s   (log: {os.path.relpath(log)})', flush=True)
        self.seconds += stored['seconds']
        self.durations[name] = stored['seconds']
        return stored['result']
