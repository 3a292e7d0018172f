"""The command-line tools, one module per command, each with ``main(argv) -> int``.

``gfvideo <command>`` (:mod:`gfvideo.cli`) and ``tools/<command>.py`` run the same ``main``.
"""

from __future__ import annotations

import ast
import importlib.util

# command name -> module in this package
COMMANDS = {
    'demo': 'demo',
    'train': 'train',
    'train-all': 'train_all',
    'test': 'test',
    'recognize': 'recognize',
    'extract-features': 'extract_features',
    'extract-frames': 'extract_frames',
    'build-lists': 'build_lists',
    'evaluate-budget': 'evaluate_budget',
    'visualize': 'visualize',
    'convert-checkpoint': 'convert_checkpoint',
    'make-synthetic': 'make_synthetic',
    'export': 'export',
    'benchmark': 'benchmark',
    'print-config': 'print_config',
    'get-flops': 'get_flops',
    'analyze-logs': 'analyze_logs',
}


def module_name(command: str) -> str:
    """The full module name of ``command``."""
    return f'{__name__}.{COMMANDS[command]}'


def summary(command: str) -> str:
    """The first sentence of the command module's docstring, read without importing it (no torch)."""
    spec = importlib.util.find_spec(module_name(command))
    if spec is None or spec.origin is None:
        return ''
    with open(spec.origin, encoding='utf-8') as file:
        doc = ast.get_docstring(ast.parse(file.read())) or ''
    paragraph = ' '.join(doc.split('\n\n')[0].split())
    return paragraph.split('. ')[0].rstrip('.')
