"""tools/export.py (the tiny_export fixture runs it) and tools/recognize.py on its export folder and
on CONFIG CHECKPOINT: the same --json object."""

import json
import os

import pytest

from tests.cli.train_helpers import data_options, load_tool


def recognize_json(capsys, *args: str) -> dict:
    assert load_tool('recognize').main([*args, '--json']) == 0
    return json.loads(capsys.readouterr().out)


def test_both_forms_print_the_same_json(tiny_export, tiny_gfnet, capsys):
    folder, _ = tiny_export
    config, root, checkpoint = tiny_gfnet
    video = os.path.join(root, 'videos', '21.webm')
    exported = recognize_json(capsys, folder, video)
    eager = recognize_json(capsys, config, checkpoint, video, '--device', 'cpu', '--cfg-options', *data_options(root))
    assert set(exported) == {'top5', 'exit_step', 'gmacs', 'step_scores', 'boxes'}
    assert [row['name'] for row in exported['top5']] == [row['name'] for row in eager['top5']]
    assert [row['score'] for row in exported['top5']] == pytest.approx(
        [row['score'] for row in eager['top5']], abs=1e-4
    )
    assert exported['exit_step'] == eager['exit_step'] == 2 and exported['gmacs'] == pytest.approx(eager['gmacs'])
    assert len(exported['step_scores']) == 3 and exported['step_scores'][-1] == pytest.approx(exported['top5'][0])
    assert exported['boxes'] == eager['boxes'] and len(exported['boxes'][0]) == 4  # steps, frames, x0 y0 x1 y1


def test_an_export_with_a_thresholds_file_of_another_model_is_refused(tiny_export, tiny_gfnet, tmp_path, capsys):
    folder, _ = tiny_export
    _, root, _ = tiny_gfnet
    thresholds = tmp_path / 'thresholds.json'
    thresholds.write_text(json.dumps({'thresholds': [0.5, 0.5, 0.5], 'num_steps': 3}))
    assert (
        load_tool('recognize').main([folder, os.path.join(root, 'videos', '21.webm'), '--thresholds', str(thresholds)])
        == 2
    )
    assert 'written for a model with 3 focus steps' in capsys.readouterr().err


def test_an_export_with_another_models_thresholds_is_refused_before_exporting(tiny_gfnet, tmp_path, capsys):
    config, root, checkpoint = tiny_gfnet
    thresholds = tmp_path / 'thresholds.json'
    thresholds.write_text(json.dumps({'thresholds': [0.5, 0.5, 0.5], 'num_steps': 3}))
    out = tmp_path / 'export'
    arguments = [config, checkpoint, '--out', str(out), '--thresholds', str(thresholds), '--cfg-options']
    assert load_tool('export').main([*arguments, *data_options(root)]) == 2
    assert 'written for a model with 3 focus steps' in capsys.readouterr().err and not out.exists()
