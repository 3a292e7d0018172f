"""Every command the README shows is exercised by a test here, so the README cannot rot."""

import glob
import os
import re
import shlex

from tests.cli.train_helpers import ROOT

TOOL = re.compile(r'(?:^|\s)(?:python\s+)?(tools/[\w.]+\.(?:py|sh))')


def readme_commands() -> list[tuple[str, set[str]]]:
    """(tool, its --options) of every tool command in the README's bash blocks."""
    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    commands = []
    for block in re.findall(r'```bash\n(.*?)```', text, flags=re.S):
        for line in block.splitlines():
            line = line.split(' #', 1)[0]
            for part in re.split(r'&&', line):
                match = TOOL.search(part)
                if match:
                    words = shlex.split(part[match.start(1) :])
                    commands.append(
                        (os.path.basename(match.group(1)), {w.split('=')[0] for w in words if w.startswith('--')})
                    )
    return commands


def test_every_readme_command_and_option_is_exercised_by_a_cli_test():
    sources = {
        path: open(path, encoding='utf-8').read()
        for path in glob.glob(os.path.join(ROOT, 'tests', 'cli', 'test_*.py'))
        if not path.endswith('test_readme.py')
    }
    commands = readme_commands()
    assert len(commands) >= 15
    missing = []
    for tool, options in commands:
        users = [
            source
            for source in sources.values()
            if f"'{tool}'" in source or f'/{tool}' in source or f"'{tool[:-3]}'" in source
        ]
        if not users:
            missing.append(f'{tool}: no test runs it')
            continue
        for option in sorted(options):
            if not any(f"'{option}'" in source for source in users):
                missing.append(f'{tool} {option}: no test passes this option')
    assert not missing, '\n'.join(missing)


def test_the_first_two_lines_are_the_install_commands():
    lines = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read().splitlines()
    assert lines[3] == 'pip install torch==2.13.0 && pip install -e . && python tools/demo.py'
    assert lines[4].endswith('python -m pytest -q tests') and 'torch==2.13.0' in lines[4]
    assert 'python -m pytest' in open(os.path.join(ROOT, '.ci', 'run')).read()


def test_every_config_the_readmes_name_exists():
    named = set()
    for folder in (ROOT, os.path.join(ROOT, 'configs'), os.path.join(ROOT, 'configs', 'recognition', 'gfnet')):
        text = open(os.path.join(folder, 'README.md'), encoding='utf-8').read()
        named |= {os.path.normpath(os.path.join(ROOT, path)) for path in re.findall(r'\bconfigs/[\w./-]+\.py', text)}
        named |= {os.path.normpath(os.path.join(folder, path)) for path in re.findall(r'\]\(([\w./-]+\.py)\)', text)}
    assert len(named) >= 13  # every recipe
    assert not [path for path in sorted(named) if not os.path.isfile(path)]


def test_readme_install_notes_name_the_gpu_build_extras_and_weights():
    from gfvideo.models import PUBLISHED_WEIGHTS
    from gfvideo.models.checkpoints import TORCHVISION_URL

    text = open(os.path.join(ROOT, 'README.md'), encoding='utf-8').read()
    install = text[text.index('## Install') :]
    install = install[: install.index('\n## ', 4)]
    for needed in ('download.pytorch.org/whl/cu', '--amp', "'.[decord]'", "'.[test]'", 'pytest', 'scikit-video'):
        assert needed in install, needed
    for name, weights in PUBLISHED_WEIGHTS.items():
        assert f'{TORCHVISION_URL}{name}' in text and weights in text
