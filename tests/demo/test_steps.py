"""The demo's steps run once; a rerun reads their results back."""

import json

from gfvideo.demo import Steps


def test_a_finished_step_is_reused_with_its_result_and_duration(tmp_path, capsys):
    calls = []

    def step(log, value):
        calls.append(log)
        return dict(value=value)

    first = Steps(str(tmp_path))
    assert first.run('data', 'writing the data', step, [], 3) == {'value': 3}
    assert calls == [str(tmp_path / 'logs' / 'data.log')]
    stored = json.loads((tmp_path / 'steps' / 'data.json').read_text())
    assert stored['result'] == {'value': 3} and stored['seconds'] >= 0

    again = Steps(str(tmp_path))
    assert again.run('data', 'writing the data', step, [], 4) == {'value': 3}  # not run again
    assert len(calls) == 1 and again.durations == {'data': stored['seconds']}
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith('[demo] writing the data ') and '(log: ' in lines[0]
    assert lines[1].startswith('[demo] writing the data ') and lines[1].endswith('s before)') and 'reused' in lines[1]


def test_a_step_finished_for_another_run_runs_afresh_and_its_outputs_go(tmp_path, capsys):
    output = tmp_path / 'made'

    def step(log, value):
        output.mkdir(exist_ok=True)
        (output / f'{value}.txt').write_text('x')
        return value

    Steps(str(tmp_path), dict(benchmark='busy', seed=0, quick=True)).run('data', 'data', step, [str(output)], 1)
    other = Steps(str(tmp_path), dict(benchmark='busy', seed=1, quick=True))
    assert other.run('data', 'data', step, [str(output)], 2) == 2  # another seed: not reused
    assert sorted(p.name for p in output.iterdir()) == ['2.txt']  # the stale output was removed first
    said = capsys.readouterr().out
    assert 'finished before for another run (benchmark busy, seed 0, quick True; now benchmark busy, seed 1' in said
    same = Steps(str(tmp_path), dict(benchmark='busy', seed=1, quick=True))
    assert same.run('data', 'data', step, [str(output)], 3) == 2  # the same run: reused


def test_a_step_reruns_only_when_what_it_depends_on_changes(tmp_path):
    calls = []

    def step(log, value):
        calls.append(value)
        return value

    run = dict(benchmark='busy', seed=0, quick=False)
    first = Steps(str(tmp_path), run)
    first.run('baseline', 'baseline', step, [], 1, depends_on=dict(baseline_recipe='a'))
    first.run('gfnet', 'gfnet', step, [], 2, depends_on=dict(gfnet_recipe='x'))
    again = Steps(str(tmp_path), run)  # a new GlanceFocusNet recipe
    assert again.run('baseline', 'baseline', step, [], 3, depends_on=dict(baseline_recipe='a')) == 1
    assert again.run('gfnet', 'gfnet', step, [], 4, depends_on=dict(gfnet_recipe='y')) == 4
    assert calls == [1, 2, 4]
