"""Measure gfvideo's speed goals side by side, as ratios, and write them into BENCHMARKS.md.

The sections (``--sections``, default all CPU sections) are the functions of
``gfvideo.benchmark``; what each measures is listed below. Each section replaces its own block of
BENCHMARKS.md, so sections can be re-run alone::

    gfvideo benchmark --sections loader

``--quick`` (under 5 minutes) runs every section with 3 repeats, the early-exit and training
sections on the synthetic demo configuration only. On a GPU::

    gfvideo benchmark --device cuda          # the gpu section only
"""

from __future__ import annotations

import argparse
import inspect
import os
import sys
import tempfile
import textwrap
import time

import torch

from gfvideo.benchmark import ORDER, SECTIONS, replace_section, section_markdown
from gfvideo.fileio import atomic_write_lines

DEFAULT_OUTPUT = 'BENCHMARKS.md'  # in the current folder: the checkout's, run from its root
NEW_FILE = (
    '# Benchmarks\n\nEvery number here was measured by `tools/benchmark.py`; each section says the command '
    'and machine that produced it. Ratios are measured side by side in one run.\n'
)


def sections_help() -> str:
    """Each section's name and what it measures (its function's docstring)."""
    return 'sections:\n\n' + '\n\n'.join(
        f'* {name}:\n' + textwrap.indent(inspect.getdoc(section.measure) or '', '    ')
        for name, section in SECTIONS.items()
    )


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, epilog=sections_help(), formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        '--sections',
        nargs='+',
        choices=tuple(SECTIONS),
        default=None,
        help=f'default: {" ".join(ORDER)} on the CPU; gpu with --device cuda',
    )
    parser.add_argument(
        '--repeats', type=int, default=None, help='interleaved repetitions per measurement (default 7, 3 with --quick)'
    )
    parser.add_argument('--quick', action='store_true', help='fewer repeats and settings: under 5 minutes')
    parser.add_argument(
        '--device', default='cpu', help='cpu (the CPU sections) or cuda / cuda:N (the gpu section on that GPU)'
    )
    parser.add_argument(
        '--smoke',
        action='store_true',
        help='the gpu section on tiny models and batches: checks its code path in seconds (its '
        'numbers mean nothing; needs --output elsewhere than BENCHMARKS.md)',
    )
    parser.add_argument(
        '--mmaction-python',
        default=None,
        help='for the mmaction section: a Python interpreter that imports mmaction2 (default: this '
        'one, if it does; mmaction2 is a reference here, never a dependency)',
    )
    parser.add_argument('--work-dir', default=None, help='keep re-encoded clips here (default: a temporary folder)')
    parser.add_argument(
        '--output',
        default=DEFAULT_OUTPUT,
        help='the Markdown file whose sections are replaced (default: ./BENCHMARKS.md)',
    )
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if args.sections is None:
        args.sections = ['gpu'] if device.type != 'cpu' else list(ORDER)
    if device.type != 'cpu' and args.sections != ['gpu']:
        parser.error(f'--device {args.device} runs the gpu section only; the other sections measure the CPU')
    if device.type == 'cuda' and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: this PyTorch sees no CUDA GPU')
    if args.smoke and args.sections != ['gpu']:
        parser.error('--smoke applies to the gpu section: add --sections gpu')
    if (
        'gpu' in args.sections
        and (device.type != 'cuda' or args.smoke)
        and (os.path.abspath(args.output) == os.path.abspath(DEFAULT_OUTPUT))
    ):
        parser.error(
            'the gpu section off a GPU (or with --smoke) is a self-check: give --output another file; '
            'BENCHMARKS.md gets only GPU measurements'
        )
    return args


def section_options(name: str, args: argparse.Namespace) -> dict:
    """The section's own keyword arguments beyond ``(work_dir, repeats, quick)``."""
    if name == 'gpu':
        return dict(device=args.device, smoke=args.smoke)
    if name == 'mmaction':
        return dict(python=args.mmaction_python)
    return {}


def section_command(name: str, args: argparse.Namespace, repeats: int) -> str:
    """The command that re-measures this section alone, as BENCHMARKS.md shows it."""
    if name == 'gpu':
        return f'python tools/benchmark.py --device {args.device} --repeats {repeats}{" --smoke" * args.smoke}'
    peer = f' --mmaction-python {args.mmaction_python}' if name == 'mmaction' and args.mmaction_python else ''
    return f'python tools/benchmark.py --sections {name} --repeats {repeats}{" --quick" * args.quick}{peer}'


def main(argv=None) -> int:
    args = parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    with tempfile.TemporaryDirectory() as temporary:
        work_dir = args.work_dir or temporary
        os.makedirs(work_dir, exist_ok=True)
        text = open(args.output).read() if os.path.exists(args.output) else NEW_FILE
        for name in args.sections:
            title, measure = SECTIONS[name]
            start = time.perf_counter()
            body = measure(work_dir, repeats, args.quick, **section_options(name, args))
            section = section_markdown(title, section_command(name, args, repeats), time.perf_counter() - start, body)
            print(section, end='\n\n')
            text = replace_section(text, name, section)
    atomic_write_lines(args.output, text.rstrip('\n').split('\n'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
