"""The ``gpu`` section: the models, early-exit and training measurements on a CUDA device, every
timed region synchronised with it (``--smoke``: tiny models that check the code path anywhere)."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass
from functools import partial
from typing import Callable

import numpy as np
import torch

from ..evaluation import NEVER_EXIT
from ..evaluation.timing import median_seconds, seconds, synchronize
from ..models import GlanceFocusNet, glance_focus_costs, recognizer_macs
from ..registry import MODELS
from .early_exit import exit_thresholds, smooth_clips
from .models import FRAME_SIZE, GLANCE_FOCUS, RESNET50_TSM
from .precision import PRECISIONS, precision_context
from .training import RESNET50_STAGE1, RESNET50_STAGE1_LABEL, RESNET50_STAGE1_SIZE, train_step_seconds


@dataclass(frozen=True)
class DeviceSettings:
    """Models and sizes of the ``gpu`` section (``--smoke``: tiny ones that check the code path)."""

    tsm_label: str
    tsm: dict
    gfnet_label: str
    gfnet: dict
    frame_size: int
    batches: tuple[int, int]  # latency batch, throughput batch
    train_label: str
    train_gfnet: dict
    train_tsm: dict
    train_size: int
    train_batch: int
    warmup: int


def device_settings(smoke: bool = False) -> DeviceSettings:
    """The section's models and sizes: ResNet-50 ones, or with ``smoke`` tiny ones."""
    if smoke:
        tiny = dict(
            glance_backbone=dict(name='mobilenet_v2', num_segments=4, width_mult=0.25),
            focus_backbone=dict(name='resnet18', num_segments=4, width_mult=0.25),
            num_classes=10,
            glance_size=32,
            patch_size=24,
            max_focus_steps=3,
            hidden_dim=32,
            policy=dict(hidden_dim=32),
        )
        tsm = dict(type='TSM', backbone=dict(name='resnet18', num_segments=4, width_mult=0.25), num_classes=10)
        return DeviceSettings(
            'smoke: quarter-width ResNet-18-TSM, 64 px, 4 frames',
            tsm,
            'smoke: quarter-width MobileNetV2 / ResNet-18, 32 / 24 px',
            dict(type='GlanceFocusNet', **tiny),
            64,
            (1, 4),
            'smoke: quarter-width ResNet-18, 64 px, 1 focus step',
            dict(type='GlanceFocusNet', **dict(tiny, max_focus_steps=1, train_stage=1)),
            tsm,
            64,
            2,
            1,
        )
    return DeviceSettings(
        'ResNet-50-TSM, 224 px, 8 frames',
        RESNET50_TSM,
        'GlanceFocusNet (MobileNetV2 glance 128 px, ResNet-50 focus 128 px, 3 steps)',
        GLANCE_FOCUS,
        FRAME_SIZE,
        (1, 64),
        RESNET50_STAGE1_LABEL,
        RESNET50_STAGE1,
        RESNET50_TSM,
        RESNET50_STAGE1_SIZE,
        16,
        3,
    )


def step_seconds(
    model: GlanceFocusNet, clips: torch.Tensor, device: torch.device, repeats: int, warmup: int
) -> list[float]:
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
    times: list[list[float]] = [[] for _ in range(model.max_focus_steps + 1)]
    for _ in range(repeats):
        run(times)
    return [statistics.median(step) for step in times]


def device_description(device: torch.device) -> str:
    """The GPU, its memory, CUDA and cuDNN versions and the TF32 and cuDNN benchmark settings."""
    if device.type != 'cuda':
        return f'{device.type} (a self-check of the code path, not a GPU measurement)'
    properties = torch.cuda.get_device_properties(device)
    return (
        f'{properties.name}, {properties.total_memory / 2**30:.0f} GiB, CUDA {torch.version.cuda}, '
        f'cuDNN {torch.backends.cudnn.version()}, cuDNN TF32 {"on" if torch.backends.cudnn.allow_tf32 else "off"}, '
        f'matmul TF32 {"on" if torch.backends.cuda.matmul.allow_tf32 else "off"}, '
        f'cudnn.benchmark {"on" if torch.backends.cudnn.benchmark else "off"}'
    )


@torch.no_grad()
def device_models(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    """Latency, throughput and GMACs of both models in fp32 and bf16, and time per step."""
    torch.manual_seed(0)
    tsm = MODELS.build(settings.tsm).to(device).eval()
    model = MODELS.build(settings.gfnet).to(device).eval()
    size, frames, steps = settings.frame_size, model.num_segments, model.max_focus_steps
    tsm_gmacs = recognizer_macs(tsm, size, size) / 1e9
    costs = glance_focus_costs(model, size, size)
    step_gmacs = [costs.glance / 1e9] + [macs / 1e9 for macs in costs.steps]
    small, large = settings.batches
    inputs = {batch: torch.randn(batch, frames, 3, size, size, device=device) for batch in settings.batches}
    summary = [
        f'| model | precision | GMACs/clip | batch {small}: ms/clip | batch {large}: clips/s | '
        f'batch {large}: ms/clip |',
        '|---|---|---|---|---|---|',
    ]
    per_step = [
        '| precision | step | GMACs (this step) | share of GMACs | '
        f'batch {small}: ms (this step) | share of time | batch {large}: ms/clip (this step) | share of time |',
        '|---|---|---|---|---|---|---|---|',
    ]
    for precision in PRECISIONS:
        with precision_context(device, precision):
            for label, function, gmacs in (
                (settings.tsm_label, tsm, tsm_gmacs),
                (settings.gfnet_label, model.anytime, costs.cumulative_gmacs[-1]),
            ):
                latency = median_seconds(partial(function, inputs[small]), device, repeats, settings.warmup) / small
                per_clip = median_seconds(partial(function, inputs[large]), device, repeats, settings.warmup) / large
                summary.append(
                    f'| {label} | {precision} | {gmacs:.2f} | {latency * 1e3:.2f} | {1 / per_clip:.1f} | '
                    f'{per_clip * 1e3:.3f} |'
                )
            timings = {
                batch: [t / batch for t in step_seconds(model, inputs[batch], device, repeats, settings.warmup)]
                for batch in settings.batches
            }
        for step in range(steps + 1):
            share = step_gmacs[step] / sum(step_gmacs)
            cells = ' | '.join(
                f'{timings[batch][step] * 1e3:.3f} | {timings[batch][step] / sum(timings[batch]):.2f}'
                for batch in settings.batches
            )
            per_step.append(f'| {precision} | {step} | {step_gmacs[step]:.3f} | {share:.2f} | {cells} |')
    return '\n'.join(
        ['### Models: latency, throughput and GMACs', '']
        + summary
        + [
            '',
            f'Whole runs (GlanceFocusNet: glance and all {steps} focus steps, no early exit), '
            'random inputs, eval mode, no gradients; bf16 = `torch.autocast(dtype=torch.bfloat16)`.',
            '',
            f'### {settings.gfnet_label}: time per step against GMACs per step',
            '',
        ]
        + per_step
        + [
            '',
            "Each step timed on its own (the device synchronised between steps); a step's share of time "
            'against its share of GMACs shows where time goes beyond the arithmetic.',
        ]
    )


@torch.no_grad()
def device_early_exit(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    """Early exit's wall-time ratio against its GMACs ratio, clips run a few at a time and all at once."""
    torch.manual_seed(0)
    model = MODELS.build(settings.gfnet).to(device).eval()
    size = settings.frame_size
    small, large = settings.batches
    clips = smooth_clips(large, model.num_segments, size).to(device)
    thresholds = exit_thresholds(model, clips)
    never = [NEVER_EXIT] * model.max_focus_steps
    full_macs = model.step_macs(size, size)[-1].item()

    def run(batch: int, chosen: list[float]) -> list:
        if batch == large:
            return [model.forward_adaptive(clips, chosen)]
        return [model.forward_adaptive(clips[start : start + small], chosen) for start in range(0, large, small)]

    lines = [
        '| batch | exits per step | GMACs ratio | time ratio | time ratio / GMACs ratio | adaptive ms/clip | '
        'all steps ms/clip |',
        '|---|---|---|---|---|---|---|',
    ]
    for batch in (small, large):
        for _ in range(settings.warmup):
            run(batch, thresholds)
            run(batch, never)
        adaptive_times, full_times = [], []
        for _ in range(repeats):  # interleaved
            adaptive_times.append(seconds(partial(run, batch, thresholds), device))
            full_times.append(seconds(partial(run, batch, never), device))
        results = run(batch, thresholds)
        exits = torch.cat([result.exit_steps for result in results]).cpu()
        macs = torch.cat([result.macs for result in results]).double().cpu()
        gmacs_ratio = macs.mean().item() / full_macs
        adaptive, full = statistics.median(adaptive_times) / large, statistics.median(full_times) / large
        histogram = np.bincount(exits.numpy(), minlength=model.max_focus_steps + 1).tolist()
        lines.append(
            f'| {batch} | {histogram} | {gmacs_ratio:.3f} | {adaptive / full:.3f} | '
            f'**{adaptive / full / gmacs_ratio:.2f}x** | {adaptive * 1e3:.3f} | {full * 1e3:.3f} |'
        )
    return '\n'.join(
        [f'### Early exit: wall time against GMACs ({settings.gfnet_label})', '']
        + lines
        + [
            '',
            f'The same {large} clips, run {small} at a time and all at once, fp32: `forward_adaptive` with '
            'thresholds that send half the clips out after the glance, a quarter after focus step 1 ... '
            '(set as `exit_thresholds` describes), against thresholds nobody reaches. Goal: time ratio / '
            'GMACs ratio <= 1.15x.',
        ]
    )


def device_training(settings: DeviceSettings, device: torch.device, repeats: int) -> str:
    """Stage-1 training throughput against the TSM baseline, under bf16 autocast and in fp32."""
    torch.manual_seed(0)
    gfnet = MODELS.build(settings.train_gfnet).to(device)
    tsm = MODELS.build(settings.train_tsm).to(device)
    batch, size = settings.train_batch, settings.train_size
    clips = torch.randn(batch, gfnet.num_segments, 3, size, size, device=device)
    labels = torch.randint(0, gfnet.num_classes, (batch,), device=device)
    lines = ['| precision | batch | TSM clips/s | GlanceFocusNet stage 1 clips/s | speed-up |', '|---|---|---|---|---|']
    for precision in ('bf16', 'fp32'):
        tsm_time = train_step_seconds(tsm, clips, labels, repeats, settings.warmup, device, precision)
        gfnet_time = train_step_seconds(gfnet, clips, labels, repeats, settings.warmup, device, precision)
        lines.append(
            f'| {precision} | {batch} | {batch / tsm_time:.1f} | {batch / gfnet_time:.1f} | '
            f'**{tsm_time / gfnet_time:.2f}x** |'
        )
    return '\n'.join(
        [f'### Training throughput: stage 1 against the TSM baseline ({settings.train_label})', '']
        + lines
        + [
            '',
            'One training step = forward and loss (under bf16 autocast for bf16), backward '
            'and SGD update on one batch of random normalised clips (data loading excluded); '
            "the TSM baseline has the focus network's architecture. Goal: >= 2x under bf16.",
        ]
    )


def gpu_section(work_dir: str, repeats: int, quick: bool = False, device: str = 'cuda', smoke: bool = False) -> str:
    """The models, early-exit and training measurements on a CUDA GPU:
    ResNet-50-TSM (224 px, 8 frames) and the models section's GlanceFocusNet, per-clip latency at batch 1 and
    throughput at batch 64 (fp32 and bfloat16 autocast) next to their GMACs; GlanceFocusNet's time
    per step against its GMACs per step; early exit's wall-time ratio against its GMACs ratio at
    batch 1 and batch 64; stage-1 training throughput against the TSM baseline (ResNet-50, 224 px,
    96-px glance and patches) under bfloat16 autocast and in fp32. Every timed region is
    synchronised with the device before and after, after warm-up runs; times are medians of
    repeats. ``--device cpu --sections gpu --smoke --output OTHER.md`` (``smoke``) runs the same
    code path on tiny models to check it without a GPU (its numbers mean nothing and never go into
    BENCHMARKS.md)."""
    torch_device = torch.device(device)
    settings = device_settings(smoke)
    parts = [
        f'Device: {device_description(torch_device)}. Every timed region is synchronised with the device '
        f'before and after; {settings.warmup} warm-up run{"s" * (settings.warmup != 1)}, then the median of '
        f'{repeats} repeat{"s" * (repeats != 1)}.'
    ]
    measures: tuple[Callable[[DeviceSettings, torch.device, int], str], ...] = (
        device_models,
        device_early_exit,
        device_training,
    )
    for measure in measures:
        parts.append(measure(settings, torch_device, repeats))
    return '\n\n'.join(parts)
