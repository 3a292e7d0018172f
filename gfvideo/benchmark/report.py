"""BENCHMARKS.md's sections: the heading each one gets, and replacing one in place."""

from __future__ import annotations

import os
import platform
import re
import time

import torch

from ..data import decord_available


def machine_description() -> str:
    """The CPU, its core count and the versions of Python, PyTorch, PyAV and decord."""
    cpu = platform.processor() or platform.machine()
    if os.path.exists('/proc/cpuinfo'):
        with open('/proc/cpuinfo') as file:
            names = re.findall(r'model name\s*:\s*(.+)', file.read())
        cpu = names[0] if names else cpu
    import av

    versions = f'torch {torch.__version__}, PyAV {av.__version__}'
    if decord_available():
        import decord

        versions += f', decord {decord.__version__}'
    return f'{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {versions}'


def section_markdown(title: str, command: str, seconds: float, body: str) -> str:
    """A section as BENCHMARKS.md shows it: its title, the command that measured it, how long that
    took, the machine and the date, then ``body``."""
    return (
        f'## {title}\n\nCommand: `{command}` ({seconds:.0f} s)  \n'
        f'Machine: {machine_description()}  \nDate: {time.strftime("%Y-%m-%d")}\n\n{body}'
    )


def replace_section(text: str, name: str, body: str) -> str:
    """``text`` with the block between ``<!-- section:name -->`` and ``<!-- /section:name -->``
    replaced by ``body``; appended at the end when ``text`` has no such block."""
    begin, end = f'<!-- section:{name} -->', f'<!-- /section:{name} -->'
    block = f'{begin}\n{body}\n{end}'
    if begin in text and end in text:
        return text[: text.index(begin)] + block + text[text.index(end) + len(end) :]
    return text.rstrip('\n') + '\n\n' + block + '\n'
