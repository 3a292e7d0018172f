"""The command-line tools the demo runs, as a user runs them, each one's output in a log file."""

from __future__ import annotations

import os
import subprocess
import sys


class ToolRunner:
    """Runs the scripts of a ``tools/`` folder with this interpreter, from the checkout that holds
    the folder (the package never imports the scripts: their caller says where they are)."""

    def __init__(self, tools_dir: str) -> None:
        self.tools_dir = os.path.abspath(tools_dir)
        self.checkout = os.path.dirname(self.tools_dir)

    def __call__(self, log: str, script: str, *args: str) -> None:
        """Run ``script`` with ``args``, its output appended to ``log``; on failure show the log's
        tail and stop."""
        command = [sys.executable, os.path.join(self.tools_dir, script), *args]
        with open(log, 'a', encoding='utf-8') as file:
            file.write(f'$ {" ".join(command)}\n')
            file.flush()
            status = subprocess.call(command, cwd=self.checkout, stdout=file, stderr=subprocess.STDOUT)
        if status:
            with open(log, encoding='utf-8', errors='replace') as file:
                tail = file.read().splitlines()[-25:]
            print('\n' + '\n'.join(tail), file=sys.stderr)
            raise SystemExit(f'[demo] {script} failed with exit status {status}; full log: {log}')
