"""The time_parts section: every part of the busy recipe's first two steps against the baseline."""

import re

from gfvideo.benchmark.time_parts import time_parts_section


def test_time_parts_lists_each_part_against_the_baseline(tmp_path):
    text = time_parts_section(str(tmp_path), repeats=1, quick=True)
    rows = dict(
        (match[0], (float(match[1]), float(match[2])))
        for match in re.findall(r'^\| ([^|]+?) \| ([\d.]+) \| ([\d.]+) \|$', text, flags=re.MULTILINE)
    )
    assert len(rows) == 9
    baseline = rows['TSM baseline, full frames'][0]
    assert rows['TSM baseline, full frames'][1] == 1.0
    for milliseconds, ratio in rows.values():
        assert milliseconds > 0
        assert abs(ratio - milliseconds / baseline) < 0.01 + 0.005 * milliseconds / baseline  # rounding
    step = rows['GlanceFocusNet: glance and one focus step'][1]
    summary = re.search(r'exit: \*\*([\d.]+)\*\* of the baseline.s time; without the camera estimate ([\d.]+)', text)
    assert summary is not None and float(summary[1]) == step
    assert float(summary[2]) < step  # the camera estimate is part of the glance step
    plain_pool = re.search(r'stem it takes ([\d.]+)x as long', text)
    assert plain_pool is not None
    assert abs(float(plain_pool[1]) - rows['TSM baseline, full frames, plain channels-first stem max-pool'][1]) <= 0.006
