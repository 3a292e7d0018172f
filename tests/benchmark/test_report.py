"""BENCHMARKS.md's sections: each replaced in place, the rest of the file kept."""

import re

from gfvideo.benchmark import replace_section, section_markdown


def test_a_section_replaces_only_its_own_block():
    text = (
        '# Benchmarks\n\nintro\n\n<!-- section:loader -->\nold loader\n<!-- /section:loader -->\n\n'
        '<!-- section:models -->\nold models\n<!-- /section:models -->\n'
    )
    replaced = replace_section(text, 'loader', 'new loader')
    assert replaced == text.replace('old loader', 'new loader')
    assert replace_section(replaced, 'loader', 'new loader') == replaced  # a rerun changes nothing more


def test_a_missing_section_is_appended_after_one_blank_line():
    text = replace_section('# Benchmarks\n\nintro\n\n\n', 'gpu', 'measured')
    assert text == '# Benchmarks\n\nintro\n\n<!-- section:gpu -->\nmeasured\n<!-- /section:gpu -->\n'


def test_a_section_says_its_command_duration_machine_and_date():
    text = section_markdown('Data loading', 'python tools/benchmark.py --sections loader', 12.4, '| table |')
    lines = text.splitlines()
    assert lines[0] == '## Data loading'
    assert lines[2] == 'Command: `python tools/benchmark.py --sections loader` (12 s)  '
    assert lines[3].startswith('Machine: ') and 'cores, Python ' in lines[3] and 'torch ' in lines[3]
    assert re.fullmatch(r'Date: \d{4}-\d{2}-\d{2}', lines[4])
    assert lines[-1] == '| table |'
