"""Timers that wait for the device, and models timed side by side."""

import pytest
import torch

from gfvideo.evaluation import timing


def test_the_timer_synchronises_before_and_after(monkeypatch):
    events = []
    monkeypatch.setattr(timing, 'synchronize', lambda device: events.append(f'sync {device}'))
    timing.seconds(lambda: events.append('work'), 'cuda')
    assert events == ['sync cuda', 'work', 'sync cuda']


def test_a_cpu_timing_never_touches_cuda(monkeypatch):
    def no_cuda(*args):
        raise AssertionError('a CPU timing must not touch CUDA')

    monkeypatch.setattr(torch.cuda, 'synchronize', no_cuda)
    assert timing.seconds(lambda: None, 'cpu') >= 0
    assert timing.seconds(lambda: None, torch.device('cpu')) >= 0


def test_median_seconds_warms_up_untimed_then_takes_the_median(monkeypatch):
    calls, durations = [], iter([5.0, 1.0, 3.0])
    monkeypatch.setattr(timing, 'seconds', lambda function, device: (function(), next(durations))[1])
    assert timing.median_seconds(lambda: calls.append(1), 'cpu', repeats=3, warmup=2) == 3.0
    assert len(calls) == 2 + 3


def test_interleaved_timings_take_turns_and_count_per_clip():
    order = []
    batches = [torch.zeros(2, 1), torch.zeros(3, 1)]
    runners = {'a': lambda batch: order.append('a'), 'b': lambda batch: order.append('b')}
    timings = timing.interleaved_timings(runners, batches, repeats=3, warmup=1)
    assert order == ['a', 'a', 'b', 'b'] * 4  # every pass runs all batches; the runners alternate
    for result in timings.values():
        assert len(result.repeats) == 3 and result.min_ms <= result.median_ms <= result.max_ms
    with pytest.raises(ValueError, match='at least one repeat'):
        timing.interleaved_timings(runners, batches, repeats=0)
