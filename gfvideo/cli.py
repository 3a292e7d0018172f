"""The ``gfvideo`` command: ``gfvideo <command> [args]``, one command per tool.

``gfvideo train CONFIG`` is ``python tools/train.py CONFIG``, and so on for every command listed by
``gfvideo --help``; ``gfvideo <command> --help`` shows the command's own options.
"""

from __future__ import annotations

import difflib
import importlib
import sys
from collections.abc import Sequence

from gfvideo.allocator import keep_freed_memory
from gfvideo.commands import COMMANDS, module_name, summary
from gfvideo.version import __version__


def usage() -> str:
    """The list of commands with their one-line summaries."""
    width = max(map(len, COMMANDS))
    lines = [f'  {name:<{width}}  {summary(name)}' for name in COMMANDS]
    return '\n'.join(
        [
            'usage: gfvideo <command> [args ...]',
            '',
            'Glance-and-Focus networks for spatially adaptive video recognition.',
            '',
            'commands:',
            *lines,
            '',
            "'gfvideo <command> --help' shows a command's options; 'gfvideo --version' the version.",
        ]
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``gfvideo <command> [args]``; returns the command's exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ('-h', '--help', 'help'):
        print(usage())
        return 0
    if args[0] in ('-V', '--version'):
        print(f'gfvideo {__version__}')
        return 0
    command, rest = args[0], args[1:]
    if command not in COMMANDS:
        close = difflib.get_close_matches(command.replace('_', '-'), COMMANDS, n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ''
        print(f"gfvideo: unknown command '{command}'{hint}\n\n{usage()}", file=sys.stderr)
        return 2
    return run_command(command, rest, prog=f'gfvideo {command}')


def run_command(command: str, argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    """Run one command's ``main`` (``gfvideo <command>`` and ``tools/<command>.py`` both come
    here): a file the command cannot write or read ends with one line naming it, not a traceback,
    and Ctrl-C with one line too (outputs are written atomically, so nothing is half-written). The C
    allocator keeps freed memory for reuse (:mod:`gfvideo.allocator`)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if prog:
        sys.argv = [prog, *args]  # argparse's prog in the command's usage and errors
    keep_freed_memory()
    try:
        return importlib.import_module(module_name(command)).main(args)
    except KeyboardInterrupt:
        print(
            f'\n{prog or command}: interrupted; finished outputs are complete, rerun (with --resume where the '
            'command has it) to continue',
            file=sys.stderr,
        )
        return 130
    except OSError as error:
        where = f'{error.filename}: ' if error.filename else ''
        print(f'error: {where}{error.strerror or error}', file=sys.stderr)
        return 1
