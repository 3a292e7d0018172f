"""The export folder and its runtime: model.json, a free batch axis, clear errors, no torch."""

import json
import os
import re
import subprocess
import sys
import textwrap
import warnings

import numpy as np
import pytest

from gfvideo.apis import eval_pipeline, load_config, load_model, prepare_clip
from gfvideo.apis.export import export_model
from gfvideo.deploy import FORMAT_VERSION, ExportedModel, InputError, ManifestError, decode_clip, read_manifest
from gfvideo.models import glance_focus_costs
from gfvideo.version import __version__
from tests.cli.train_helpers import ROOT


def test_model_json_holds_what_a_runtime_needs(tiny_export):
    folder, model = tiny_export
    manifest = read_manifest(folder)
    assert manifest.format_version == FORMAT_VERSION and manifest.gfvideo_version == __version__
    assert manifest.kind == 'GlanceFocusNet' and manifest.graphs == {'glance': 'glance.onnx', 'focus': 'focus.onnx'}
    assert manifest.classes == model.classes and manifest.classes_hash == model.classes_hash
    assert (manifest.num_segments, manifest.input_size, manifest.max_focus_steps) == (4, (64, 64), 2)
    assert (manifest.glance_size, manifest.patch_size) == (model.glance_size, model.patch_size)
    assert manifest.cumulative_gmacs == pytest.approx(glance_focus_costs(model, 64, 64).cumulative_gmacs)
    assert [t['type'] for t in manifest.pipeline] == ['VideoInit', 'SampleFrames', 'VideoDecode']
    assert np.allclose(manifest.mean, [123.675, 116.28, 103.53]) and manifest.thresholds == [2.0, 2.0]
    assert sorted(os.listdir(folder)) == ['focus.onnx', 'glance.onnx', 'model.json']


def test_a_model_left_in_training_mode_exports_its_graphs_in_eval_mode(tiny_gfnet, tmp_path):
    config, root, checkpoint = tiny_gfnet
    model = load_model(load_config(config, data_root=root), checkpoint).train()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        export_model(model, tmp_path / 'export', input_size=(64, 64))
    assert not [w for w in caught if 'training mode' in str(w.message)]  # the graphs' wrappers as well
    assert not model.training


def test_the_batch_axis_is_free_and_the_others_are_checked(tiny_export):
    folder, _ = tiny_export
    runtime = ExportedModel(folder, threads=1)
    clips = np.random.default_rng(0).integers(0, 256, (5, 4, 3, 64, 64), dtype=np.uint8)
    for batch in (1, 2, 5):
        assert runtime.run(clips[:batch]).logits.shape == (3, batch, 16)
    with pytest.raises(InputError, match=re.escape(folder) + r'.*\(B, 4, 3, 64, 64\).*got \(5, 3, 3, 64, 64\)'):
        runtime.run(clips[:, :3])
    with pytest.raises(InputError, match=r'got \(5, 4, 3, 64, 48\)'):
        runtime.run(clips[..., :48])
    with pytest.raises(ValueError, match='expected 2 thresholds'):
        runtime.run(clips, [0.5])


def test_a_missing_or_foreign_model_json_is_named(tiny_export, tmp_path):
    with pytest.raises(ManifestError, match=re.escape(str(tmp_path / 'model.json')) + ': not found'):
        ExportedModel(tmp_path)
    record = json.load(open(os.path.join(tiny_export[0], 'model.json')))
    (tmp_path / 'model.json').write_text(json.dumps(dict(record, format_version=FORMAT_VERSION + 1)))
    with pytest.raises(ManifestError, match=f'format_version {FORMAT_VERSION + 1}'):
        ExportedModel(tmp_path)


#: Run in a fresh interpreter where importing torch or mmengine fails, as where neither is installed.
NO_TORCH = textwrap.dedent(
    """
    import importlib.abc, json, sys
    import numpy as np

    class Blocker(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split('.')[0] in ('torch', 'mmengine'):
                raise ImportError(f'{name} is blocked')

    sys.meta_path.insert(0, Blocker())
    import gfvideo.deploy
    from gfvideo.deploy import ExportedModel, recognize_video

    clips = np.load(sys.argv[2])
    result = ExportedModel(sys.argv[1], threads=1).run(clips)
    video = recognize_video(ExportedModel(sys.argv[1], threads=1), sys.argv[3])
    loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('torch', 'mmengine'))
    print(json.dumps(dict(logits=result.logits.tolist(), exit_steps=result.exit_steps.tolist(),
                          video=video.to_json(), loaded=loaded)))
    """
)


def test_the_runtime_imports_no_torch_and_agrees_with_itself(tiny_export, tiny_gfnet, tmp_path):
    folder, _ = tiny_export
    _, root, _ = tiny_gfnet
    clips = np.random.default_rng(1).integers(0, 256, (2, 4, 3, 64, 64), dtype=np.uint8)
    np.save(tmp_path / 'clips.npy', clips)
    video = os.path.join(root, 'videos', '21.webm')
    result = subprocess.run(
        [sys.executable, '-c', NO_TORCH, folder, str(tmp_path / 'clips.npy'), video],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout)
    assert record['loaded'] == []
    here = ExportedModel(folder, threads=1).run(clips)
    assert np.allclose(np.array(record['logits']), here.logits) and record['exit_steps'] == here.exit_steps.tolist()
    assert record['video']['exit_step'] == 2 and len(record['video']['boxes']) == 2


def test_the_export_decodes_a_video_as_the_test_pipeline_does(tiny_export, tiny_gfnet):
    folder, model = tiny_export
    _, root, _ = tiny_gfnet
    video = os.path.join(root, 'videos', '21.webm')
    ours = decode_clip(read_manifest(folder), video)
    theirs = prepare_clip(eval_pipeline(model), video)
    assert np.array_equal(ours.inputs, theirs.inputs.numpy()) and np.array_equal(ours.frame_inds, theirs.frame_inds)
    assert ours.img_to_video == theirs.img_to_video and ours.original_shape == theirs.original_shape


def test_the_recognize_command_runs_an_export_without_torch(tiny_export, tiny_gfnet):
    """``gfvideo recognize DIR VIDEO --json`` (and so ``tools/recognize.py``) where torch and
    mmengine cannot be imported."""
    folder, _ = tiny_export
    _, root, _ = tiny_gfnet
    script = NO_TORCH[: NO_TORCH.index('import gfvideo.deploy')] + textwrap.dedent(
        """
        from gfvideo.cli import main
        status = main(['recognize', sys.argv[1], sys.argv[2], '--json'])
        assert not [m for m in sys.modules if m.split('.')[0] in ('torch', 'mmengine')]
        sys.exit(status)
        """
    )
    video = os.path.join(root, 'videos', '21.webm')
    result = subprocess.run(
        [sys.executable, '-c', script, folder, video], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads(result.stdout)
    assert record['exit_step'] == 2 and len(record['top5']) == 5 and len(record['boxes']) == 2
