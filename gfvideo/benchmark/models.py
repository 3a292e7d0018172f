"""The ``models`` section: CPU time and GMACs of ResNet-50-TSM and of a GlanceFocusNet, step by
step, and GlanceFocusNet's overhead over its backbones."""

from __future__ import annotations

import statistics
import time

import torch

from ..evaluation.timing import seconds
from ..models import GlanceFocusNet, count_macs, glance_focus_costs
from ..registry import MODELS

MODEL_BATCH, MODEL_FRAMES, FRAME_SIZE = 8, 8, 224
#: ResNet-50-TSM on Something-Something's 174 classes.
RESNET50_TSM = dict(type='TSM', backbone=dict(name='resnet50', num_segments=MODEL_FRAMES), num_classes=174)
#: GlanceFocusNet: MobileNetV2-TSM glance at 128 px, ResNet-50-TSM focus on 128-px patches, 3 focus steps.
GLANCE_FOCUS = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='mobilenet_v2', num_segments=MODEL_FRAMES),
    focus_backbone=dict(name='resnet50', num_segments=MODEL_FRAMES),
    num_classes=174,
    glance_size=128,
    patch_size=128,
    max_focus_steps=3,
)


@torch.no_grad()
def models_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """CPU time per clip (batch 8, 8 frames, 224 px frames) of ResNet-50-TSM and of a
    GlanceFocusNet (MobileNetV2-TSM glance at 128 px, ResNet-50-TSM focus on 128 px patches,
    3 focus steps) after each step, next to their GMACs; and the GlanceFocusNet overhead: a full
    run against its glance and focus backbones run alone on the same input sizes (goal <= 1.18x)."""
    tsm = MODELS.build(RESNET50_TSM).eval()
    model: GlanceFocusNet = MODELS.build(GLANCE_FOCUS).eval()
    clips = torch.randn(MODEL_BATCH, MODEL_FRAMES, 3, FRAME_SIZE, FRAME_SIZE)
    glance_input = torch.randn(MODEL_BATCH * MODEL_FRAMES, 3, model.glance_size, model.glance_size)
    patch_input = torch.randn(MODEL_BATCH * MODEL_FRAMES, 3, model.patch_size, model.patch_size)
    steps = model.max_focus_steps
    times: dict[str, list[float]] = {'tsm': [], 'glance_backbone': [], 'focus_backbone': [], 'full': []}
    step_times: list[list[float]] = [[] for _ in range(steps + 1)]
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
    lines = [
        '| model | after step | GMACs/clip | CPU ms/clip | time / TSM time | GMACs / TSM GMACs |',
        '|---|---|---|---|---|---|',
        f'| ResNet-50-TSM, 224 px | - | {tsm_gmacs:.2f} | {median["tsm"] * 1e3:.0f} | 1.00x | 1.00x |',
    ]
    elapsed = 0.0
    for step, (gmacs, spent) in enumerate(zip(costs.cumulative_gmacs, per_step)):
        elapsed += spent
        lines.append(
            f'| GlanceFocusNet (MobileNetV2 glance 128 px, ResNet-50 focus 128 px) | {step} | {gmacs:.2f} | '
            f'{elapsed * 1e3:.0f} | {elapsed / median["tsm"]:.2f}x | {gmacs / tsm_gmacs:.2f}x |'
        )
    backbones = median['glance_backbone'] + steps * median['focus_backbone']
    overhead = median['full'] / backbones
    lines += [
        '',
        f'GlanceFocusNet overhead: a full run (glance + {steps} focus steps) takes '
        f'{median["full"] * 1e3:.0f} ms/clip; its backbones alone on the same input sizes take '
        f'{backbones * 1e3:.0f} ms/clip: **{overhead:.2f}x** (goal <= 1.18x). Batch {MODEL_BATCH} clips of '
        f'{MODEL_FRAMES} frames, {torch.get_num_threads()} threads, fp32; times are medians of '
        f'{max(2, repeats // 2)} interleaved repeats after a warm-up.',
    ]
    return '\n'.join(lines)
