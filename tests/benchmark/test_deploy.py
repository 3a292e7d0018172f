"""The deploy benchmark section runs end to end on the demo model (``quick``: one model, one repeat)."""

import pytest

pytest.importorskip('onnxruntime', reason="the deploy extra: pip install -e '.[deploy]'")

from gfvideo.benchmark.deploy import deploy_section  # noqa: E402


@pytest.mark.slow
def test_the_quick_deploy_section_measures_both_runtimes_on_the_same_exits(tmp_path):
    text = deploy_section(str(tmp_path), repeats=1, quick=True)
    rows = [line for line in text.splitlines() if line.startswith('| synthetic demo')]
    assert [row.split(' | ')[1] for row in rows] == ['eager', 'onnxruntime']
    assert 'as fast as eager at batch 1' in text and 'Both runtimes exit the same clips' in text
