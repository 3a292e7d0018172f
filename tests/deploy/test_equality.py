"""onnxruntime against eager PyTorch: the same per-step probabilities (within 1e-4), exit steps,
boxes and GMACs, at batch 1 and 7, for 8- and 16-frame models of both kinds (and a GRU aggregator,
and the busy scene's model with its pixel and patch codes)."""

import numpy as np
import pytest
import torch

from tests.deploy.conftest import BATCH

CASES = [
    pytest.param(('demo', 8), id='demo-8'),
    pytest.param(('demo_busy', 8), id='demo_busy-8'),
    pytest.param(('demo', 16), id='demo-16', marks=pytest.mark.slow),
    # nn.GRU over the frames: its time axis is the export's fixed frame count
    pytest.param(('demo_gru', 16), id='demo_gru-16', marks=pytest.mark.slow),
    pytest.param(('mobilenetv2_resnet50', 8), id='mobilenetv2_resnet50-8', marks=pytest.mark.slow),
    pytest.param(('mobilenetv2_resnet50', 16), id='mobilenetv2_resnet50-16', marks=pytest.mark.slow),
]


def probabilities(logits: np.ndarray) -> np.ndarray:
    return torch.from_numpy(logits).double().softmax(-1).numpy()


@pytest.mark.parametrize('exported', CASES, indirect=True)
@pytest.mark.parametrize('batch', [1, BATCH])
def test_onnxruntime_matches_eager_with_early_exit(exported, batch):
    eager = exported.model.forward_adaptive(exported.normalised(batch), exported.thresholds)
    ours = exported.runtime.run(exported.clips[:batch], exported.thresholds)
    assert np.array_equal(ours.exit_steps, eager.exit_steps.numpy())
    assert np.array_equal(ours.boxes, eager.boxes.numpy())
    ran = ~np.isnan(eager.logits.numpy())
    assert np.array_equal(~np.isnan(ours.logits), ran)
    difference = np.abs(probabilities(np.nan_to_num(ours.logits)) - probabilities(np.nan_to_num(eager.logits.numpy())))
    assert difference.max() < 1e-4
    assert np.array_equal(ours.predictions, eager.predictions.numpy())
    assert np.allclose(ours.confidences, eager.confidences.numpy(), atol=1e-4)
    assert np.allclose(ours.gmacs, eager.macs.numpy() / 1e9)
    assert ours.step_batch_sizes == eager.step_batch_sizes
    if batch == BATCH:  # the thresholds spread the clips over the steps, and later steps run on fewer
        assert len(set(ours.exit_steps.tolist())) >= 3
        assert ours.step_batch_sizes[-1] < batch


@pytest.mark.parametrize('exported', CASES[:1], indirect=True)
def test_without_thresholds_every_step_runs_and_matches_anytime(exported):
    with torch.no_grad():
        anytime = exported.model.anytime(exported.normalised(BATCH))[0]
    ours = exported.runtime.run(exported.clips)
    steps = exported.model.max_focus_steps
    assert (ours.exit_steps == steps).all() and ours.step_batch_sizes == [BATCH] * (steps + 1)
    assert np.abs(probabilities(ours.logits) - probabilities(anytime.numpy())).max() < 1e-4


def test_a_tsm_exports_as_one_graph_that_matches_eager(tiny_tsm_export):
    folder, model = tiny_tsm_export
    from gfvideo.deploy import ExportedModel

    runtime = ExportedModel(folder, threads=1)
    assert list(runtime.manifest.graphs) == ['recognizer'] and runtime.max_focus_steps == 0
    clips = torch.randint(0, 256, (3, model.num_segments, 3, 64, 64), dtype=torch.uint8)
    with torch.no_grad():
        eager = model(model.data_preprocessor.normalize(clips))
    ours = runtime.run(clips.numpy())
    assert np.abs(probabilities(ours.logits[0]) - probabilities(eager.numpy())).max() < 1e-4
    assert (ours.exit_steps == 0).all() and ours.boxes.shape == (0, 3, model.num_segments, 4)
