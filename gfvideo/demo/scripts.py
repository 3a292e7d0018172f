"""The command-line tools the demo runs, as a user runs them, each one's output in a log file."""

from __future__ import annotations

import subprocess
import sys


class ToolRunner:
    """Runs ``gfvideo <command>`` in its own process with this interpreter (``python -m gfvideo``),
    as a user runs it, its output appended to a log file."""

    def __call__(self, log: str, command: str, *args: str) -> None:
        """Run ``command`` with ``args``, its output appended to ``log``; on failure show the log's
        tail and stop."""
        line = [sys.executable, '-m', 'gfvideo', command, *args]
        with open(log, 'a', encoding='utf-8') as file:
            file.write(f'$ gfvideo {" ".join([command, *args])}\n')
            file.flush()
            status = subprocess.call(line, stdout=file, stderr=subprocess.STDOUT)
        if status:
            with open(log, encoding='utf-8', errors='replace') as file:
                tail = file.read().splitlines()[-25:]
            print('\n' + '\n'.join(tail), file=sys.stderr)
            raise SystemExit(f'[demo] gfvideo {command} failed with exit status {status}; full log: {log}')
