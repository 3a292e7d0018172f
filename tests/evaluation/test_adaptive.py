"""The runs of gfvideo/evaluation/adaptive.py: on a small GlanceFocusNet and a loader of random
clips (every step's logits, the real early exit, the plain scores and their summaries), and
early-exit runs split over processes gathered back in order, with their per-clip table."""

import json
import math

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gfvideo.data import collate_skipping
from gfvideo.evaluation import gather_adaptive_run
from gfvideo.evaluation.adaptive import AdaptiveRun, ClipRecord, collect_scores, collect_step_logits, run_adaptive
from gfvideo.evaluation.budget import NEVER_EXIT, replay_exits
from gfvideo.models import glance_focus_costs
from tests.models.small_glance_focus import T, small_model

NUM_CLIPS, NUM_CLASSES, FOCUS_STEPS = 8, 6, 3


def clip_loader(num_clips: int = NUM_CLIPS, batch_size: int = 4, skipped: int = 0) -> list[dict]:
    """Batches of random 64-px uint8 clips as :func:`collate_skipping` makes them (``skipped``
    samples of the first batch failed to load)."""
    generator = torch.Generator().manual_seed(2)
    samples = [
        {
            'inputs': torch.randint(0, 256, (T, 3, 64, 64), dtype=torch.uint8, generator=generator),
            'label': torch.tensor(index % NUM_CLASSES),
            'frame_inds': torch.arange(T) * 2 + index,
            'meta': {'filename': f'videos/{index}.webm', 'img_to_video': [1.0, 1.0, 0.0, 0.0]},
        }
        for index in range(num_clips)
    ]
    samples[:skipped] = [None] * skipped
    return [collate_skipping(samples[start : start + batch_size]) for start in range(0, num_clips, batch_size)]


@pytest.fixture(scope='module')
def model() -> torch.nn.Module:
    return small_model()


@pytest.fixture(scope='module')
def step_logits(model):
    return collect_step_logits(model, clip_loader())


def test_step_logits_are_the_models_anytime_logits_with_the_clips_facts(model, step_logits):
    batches = clip_loader()
    inputs = model.data_preprocessor.normalize(torch.cat([batch['inputs'] for batch in batches]))
    with torch.no_grad():
        anytime = model(inputs)  # (K+1, N, classes), mean locations
    assert step_logits.logits.shape == (FOCUS_STEPS + 1, NUM_CLIPS, NUM_CLASSES)
    assert step_logits.logits.dtype == np.float32
    assert np.allclose(step_logits.logits, anytime.numpy(), atol=1e-5)
    assert step_logits.labels.tolist() == [index % NUM_CLASSES for index in range(NUM_CLIPS)]
    assert step_logits.paths == [f'videos/{index}.webm' for index in range(NUM_CLIPS)]
    assert step_logits.frame_shape == (64, 64) and step_logits.boxes.shape == (FOCUS_STEPS, NUM_CLIPS, T, 4)
    assert np.array_equal(step_logits.frame_inds, torch.cat([b['frame_inds'] for b in batches]).numpy())
    assert step_logits.img_to_video == [[1.0, 1.0, 0.0, 0.0]] * NUM_CLIPS
    expected = anytime.softmax(-1).amax(-1).T.numpy()  # (N, K+1)
    assert np.allclose(step_logits.confidences, expected, atol=1e-6)


def test_replayed_logits_and_the_real_runtime_agree(model, step_logits):
    confidences = np.sort(step_logits.confidences, axis=0)
    # thresholds between observed confidences, so exits differ per clip and no clip sits on a boundary
    for quantile in (0.25, 0.5, 0.75):
        row = int(quantile * len(confidences))
        thresholds = ((confidences[row - 1] + confidences[row]) / 2)[:FOCUS_STEPS]
        replay = replay_exits(step_logits.logits, thresholds)
        run = run_adaptive(model, clip_loader(batch_size=3), thresholds)
        assert [r.exit_step for r in run.records] == replay.exit_steps.tolist()
        assert [r.prediction for r in run.records] == replay.predictions.tolist()
        assert np.allclose([r.confidence for r in run.records], replay.confidences, atol=1e-5)


@pytest.mark.parametrize('threshold, exit_step', [(0.0, 0), (NEVER_EXIT, FOCUS_STEPS)])
def test_thresholds_exit_every_clip_at_the_glance_or_after_the_last_step(model, step_logits, threshold, exit_step):
    run = run_adaptive(model, clip_loader(), [threshold] * FOCUS_STEPS)
    cost = glance_focus_costs(model, 64, 64).cumulative[exit_step] / 1e9
    predictions = step_logits.logits[exit_step].argmax(-1)
    assert [r.exit_step for r in run.records] == [exit_step] * NUM_CLIPS
    assert [r.prediction for r in run.records] == predictions.tolist()
    assert [r.gmacs for r in run.records] == pytest.approx([cost] * NUM_CLIPS)
    probabilities = torch.from_numpy(step_logits.logits[exit_step]).softmax(-1).numpy()
    assert run.scores.shape == (NUM_CLIPS, NUM_CLASSES) and np.allclose(run.scores, probabilities, atol=1e-5)
    summary = run.summary(FOCUS_STEPS)
    histogram = [0] * (FOCUS_STEPS + 1)
    histogram[exit_step] = NUM_CLIPS
    assert summary['exit_histogram'] == histogram and summary['num_clips'] == NUM_CLIPS
    assert summary['top1'] == pytest.approx(np.mean(predictions == step_logits.labels))
    assert summary['mean_gmacs'] == pytest.approx(cost)
    assert summary['time_basis'] == 'batch time / batch size (batch size 4), not a per-clip latency'
    assert all(r.batch_size == 4 and r.batch_ms > 0 and math.isnan(r.latency_ms) for r in run.records)


def test_the_first_batch_is_warmed_up_before_timing(model):
    calls, forward = [], model.forward_adaptive
    model.forward_adaptive = lambda inputs, thresholds: calls.append(list(thresholds)) or forward(inputs, thresholds)
    try:
        run = run_adaptive(model, clip_loader(), [0.5] * FOCUS_STEPS)
    finally:
        del model.forward_adaptive  # the module fixture's model gets its own method back
    assert calls == [[NEVER_EXIT] * FOCUS_STEPS] + [[0.5] * FOCUS_STEPS] * 2  # warm-up, then 2 batches
    assert len(run.records) == NUM_CLIPS


def test_plain_scores_are_the_last_steps_probabilities(model, step_logits):
    scored = collect_scores(model, clip_loader())
    probabilities = torch.from_numpy(step_logits.logits[-1]).softmax(-1).numpy()
    assert np.allclose(scored.scores, probabilities, atol=1e-5)
    assert scored.labels.tolist() == step_logits.labels.tolist()
    assert scored.frame_shape == (64, 64) and scored.views == 1 and scored.ms_per_clip > 0
    summary = scored.summary()
    assert summary['top1'] == pytest.approx(np.mean(probabilities.argmax(-1) == step_logits.labels))
    assert summary['num_clips'] == NUM_CLIPS


def test_evaluation_refuses_a_batch_that_lost_samples(model):
    for run in (collect_step_logits, collect_scores, lambda m, loader: run_adaptive(m, loader, [0.5] * FOCUS_STEPS)):
        with pytest.raises(RuntimeError, match='evaluation never skips samples'):
            run(model, clip_loader(skipped=1))


def _record(label: int, prediction: int, exit_step: int, gmacs: float, batch_ms: float, batch_size: int):
    return ClipRecord(f'{label}.webm', label, prediction, 0.9, exit_step, gmacs, batch_ms, batch_size)


def test_a_summary_at_batch_size_one_reports_each_clips_latency():
    records = [
        _record(0, 0, 0, 0.1, 10.0, 1),
        _record(1, 2, 2, 0.5, 20.0, 1),
        _record(2, 2, 2, 0.5, 30.0, 1),
        _record(1, 1, 1, 0.3, 40.0, 1),
    ]
    scores = np.array([[0.8, 0.1, 0.1], [0.1, 0.3, 0.6], [0.2, 0.1, 0.7], [0.3, 0.6, 0.1]])
    summary = AdaptiveRun(records, scores).summary(num_steps=2)
    assert summary['top1'] == 0.75 and summary['top5'] == 1.0  # 3 classes: top-5 holds them all
    assert summary['mean_class_accuracy'] == pytest.approx((1 + 0.5 + 1) / 3)  # class 1: one clip of two
    assert summary['mean_gmacs'] == pytest.approx(0.35) and summary['exit_histogram'] == [1, 1, 2]
    assert (summary['p25_ms_per_clip'], summary['median_ms_per_clip'], summary['p75_ms_per_clip']) == (17.5, 25, 32.5)
    assert summary['mean_latency_ms'] == 25 and summary['time_basis'] == 'latency per clip (batch size 1)'
    assert [r.latency_ms for r in records] == [10.0, 20.0, 30.0, 40.0]


def test_a_summary_of_batches_divides_each_batchs_time_by_its_size():
    records = [
        _record(0, 0, 0, 0.1, 30.0, 2),
        _record(1, 1, 0, 0.1, 30.0, 2),
        _record(0, 1, 1, 0.3, 50.0, 2),
        _record(1, 1, 1, 0.3, 50.0, 2),
    ]
    scores = np.array([[0.9, 0.1], [0.2, 0.8], [0.4, 0.6], [0.3, 0.7]])
    summary = AdaptiveRun(records, scores).summary(num_steps=1)
    assert summary['top1'] == 0.75 and summary['exit_histogram'] == [2, 2] and summary['num_clips'] == 4
    assert summary['median_ms_per_clip'] == 20 and summary['mean_latency_ms'] == 20  # (15 + 25) / 2, 80 ms / 4
    assert summary['time_basis'] == 'batch time / batch size (batch size 2), not a per-clip latency'
    assert all(math.isnan(r.latency_ms) for r in records)


def clip_run(indices, batch_size: int = 1) -> AdaptiveRun:
    """A run over the clips ``indices`` of a dataset, clip ``i`` named ``v{i}`` and scored ``i``."""
    records = [
        ClipRecord(f'v{i}', i % 3, (i + 1) % 3, 0.5 + i / 100, i % 2, 0.1 * i, 2.0 + i, batch_size) for i in indices
    ]
    return AdaptiveRun(records, np.array([[float(i), 1.0 - i] for i in indices]))


def test_parts_of_an_uneven_split_are_interleaved_back_in_dataset_order():
    parts = [clip_run(range(rank, 7, 3)) for rank in range(3)]  # 3 processes, 7 clips: 3, 2 and 2 each
    run = AdaptiveRun.interleaved(parts)
    assert [r.path for r in run.records] == [f'v{i}' for i in range(7)]
    assert run.scores[:, 0].tolist() == list(range(7))
    assert run.summary(1)['num_clips'] == 7


def test_per_clip_rows_give_latency_at_batch_size_1_and_batch_time_otherwise():
    single = clip_run([2]).per_clip_rows()
    assert single == [
        ['path', 'label', 'prediction', 'confidence', 'exit_step', 'gmacs', 'latency_ms'],
        ['v2', 2, 0, '0.520000', 0, '0.200000', '4.000'],
    ]
    batched = clip_run([2, 3], batch_size=2).per_clip_rows()
    assert batched[0][-2:] == ['batch_ms', 'batch_size'] and batched[2][-2:] == ['5.000', 2]


def test_a_run_outside_torch_distributed_is_its_own_gathering():
    run = clip_run([0, 1])
    assert gather_adaptive_run(run) is run


def _gather_in_process(rank: int, world_size: int, store: str, out: str) -> None:
    dist.init_process_group('gloo', init_method=f'file://{store}', rank=rank, world_size=world_size)
    try:
        run = gather_adaptive_run(clip_run(range(rank, 5, world_size)))
        with open(f'{out}.{rank}', 'w') as file:
            json.dump(dict(paths=[r.path for r in run.records], scores=run.scores[:, 0].tolist()), file)
    finally:
        dist.destroy_process_group()


def test_two_processes_gather_the_whole_run_in_dataset_order(tmp_path):
    out = str(tmp_path / 'gathered')
    mp.spawn(_gather_in_process, args=(2, str(tmp_path / 'store'), out), nprocs=2)
    for rank in range(2):
        gathered = json.load(open(f'{out}.{rank}'))
        assert gathered == dict(paths=[f'v{i}' for i in range(5)], scores=[float(i) for i in range(5)])
