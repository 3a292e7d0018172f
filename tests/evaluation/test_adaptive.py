"""Early-exit runs split over processes gathered back in order, and their per-clip table."""

import json

import numpy as np
import torch.distributed as dist
import torch.multiprocessing as mp

from gfvideo.evaluation import AdaptiveRun, ClipRecord, gather_adaptive_run


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
