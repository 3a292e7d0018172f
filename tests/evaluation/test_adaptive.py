"""The runs of gfvideo/evaluation/adaptive.py: on a small GlanceFocusNet and a loader of random
clips (every step's logits and the real early exit), and early-exit runs split over processes
gathered back in order, with their per-clip table."""
import json

import numpy as np
import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

from gfvideo.data import collate_skipping
from gfvideo.evaluation.adaptive import AdaptiveRun, ClipRecord, collect_step_logits, gather_adaptive_run, run_adaptive
from gfvideo.evaluation.budget import NEVER_EXIT, replay_exits
from tests.models.small_glance_focus import T, small_model

NUM_CLIPS, NUM_CLASSES, FOCUS_STEPS = 8, 6, 3


def clip_loader(num_clips: int = NUM_CLIPS, batch_size: int = 4, skipped: int = 0) -> list[dict]:
    """Batches of random 64-px uint8 clips as :func:`collate_skipping` makes them (``skipped``
    samples of the first batch failed to load)."""
    generator = torch.Generator().manual_seed(2)
    samples = [{'inputs': torch.randint(0, 256, (T, 3, 64, 64), dtype=torch.uint8, generator=generator),
                'label': torch.tensor(index % NUM_CLASSES), 'frame_inds': torch.arange(T) * 2 + index,
                'meta': {'filename': f'videos/{index}.webm', 'img_to_video': [1.0, 1.0, 0.0, 0.0]}}
               for index in range(num_clips)]
    samples[:skipped] = [None] * skipped
    return [collate_skipping(samples[start:start + batch_size]) for start in range(0, num_clips, batch_size)]


@pytest.fixture(scope='module')
def model() -> torch.nn.Module:
    return small_model()


@pytest.fixture(scope='module')
def step_logits(model):
    return collect_step_logits(model, clip_loader())


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


def test_the_first_batch_is_warmed_up_before_timing(model):
    calls, forward = [], model.forward_adaptive
    model.forward_adaptive = lambda inputs, thresholds: calls.append(list(thresholds)) or forward(inputs, thresholds)
    try:
        run = run_adaptive(model, clip_loader(), [0.5] * FOCUS_STEPS)
    finally:
        del model.forward_adaptive  # the module fixture's model gets its own method back
    assert calls == [[NEVER_EXIT] * FOCUS_STEPS] + [[0.5] * FOCUS_STEPS] * 2  # warm-up, then 2 batches
    assert len(run.records) == NUM_CLIPS


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
