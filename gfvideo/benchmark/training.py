"""The ``training`` section: GlanceFocusNet stage 1's training throughput against the full-frame
TSM baseline with the focus network's architecture, on the same frames."""

from __future__ import annotations

import statistics

import torch

from ..demo.recipes import demo_model_configs
from ..evaluation.timing import median_seconds
from ..registry import MODELS
from .models import MODEL_FRAMES, RESNET50_TSM
from .precision import precision_context

#: Stage 1 of a GlanceFocusNet with ResNet-50 glance and focus at 96 px and one focus step.
RESNET50_STAGE1 = dict(
    type='GlanceFocusNet',
    glance_backbone=dict(name='resnet50', num_segments=MODEL_FRAMES),
    focus_backbone=dict(name='resnet50', num_segments=MODEL_FRAMES),
    num_classes=174,
    glance_size=96,
    patch_size=96,
    max_focus_steps=1,
    hidden_dim=1024,
    train_stage=1,
)
RESNET50_STAGE1_LABEL = 'ResNet-50, 224 px, 96-px glance and patches, 1 focus step'
RESNET50_STAGE1_SIZE = 224


def train_step_seconds(
    model: torch.nn.Module,
    clips: torch.Tensor,
    labels: torch.Tensor,
    repeats: int,
    warmup: int = 1,
    device: torch.device | str = 'cpu',
    precision: str = 'fp32',
) -> float:
    """Median synchronised seconds of one SGD training step on a batch, after ``warmup`` steps:
    forward and loss under the precision's autocast (as mmengine's AmpOptimWrapper does),
    backward and update outside it."""
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=1e-3, momentum=0.9)
    model.train()

    def step() -> None:
        with precision_context(device, precision):
            loss = model(clips, label=labels, mode='loss')['loss']
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return median_seconds(step, device, repeats, warmup)


def training_pairs(quick: bool = False) -> list[tuple[str, dict, dict, int, int]]:
    """(label, GlanceFocusNet config, TSM config, batch, frame size) of each comparison."""
    demo, demo_tsm = demo_model_configs()
    pairs = [('synthetic demo (128 px frames, its configs)', demo, demo_tsm, 16, 128)]
    if quick:
        return pairs
    return pairs + [(RESNET50_STAGE1_LABEL, RESNET50_STAGE1, RESNET50_TSM, 4, RESNET50_STAGE1_SIZE)]


def training_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """Training throughput (clips/s, CPU, same batch) of GlanceFocusNet stage 1 against the
    full-frame TSM baseline with the focus network's architecture on the same frames: for the
    synthetic demo configuration, and for ResNet-50 at 224 px with 96-px glance and patches and
    one focus step (goal >= 2x there)."""
    lines = ['| setting | batch | TSM clips/s | GlanceFocusNet stage 1 clips/s | speed-up |', '|---|---|---|---|---|']
    for label, gfnet_cfg, tsm_cfg, batch, size in training_pairs(quick):
        gfnet, tsm = MODELS.build(gfnet_cfg), MODELS.build(tsm_cfg)
        frames = gfnet.num_segments
        clips = torch.randn(batch, frames, 3, size, size)
        labels = torch.randint(0, gfnet.num_classes, (batch,))
        iterations = max(2, repeats // 2)
        tsm_times, gfnet_times = [], []
        for _ in range(2):  # interleaved halves
            tsm_times.append(train_step_seconds(tsm, clips, labels, iterations))
            gfnet_times.append(train_step_seconds(gfnet, clips, labels, iterations))
        tsm_rate, gfnet_rate = batch / statistics.median(tsm_times), batch / statistics.median(gfnet_times)
        lines.append(f'| {label} | {batch} | {tsm_rate:.2f} | {gfnet_rate:.2f} | **{gfnet_rate / tsm_rate:.2f}x** |')
    lines += [
        '',
        'One training step = forward, backward and SGD update on the same batch of normalised clips '
        "(data loading excluded); the TSM baseline has the focus network's architecture. Step times are "
        f'medians of 2 interleaved runs of {max(2, repeats // 2)} steps each (the median step of each, '
        'after a warm-up step). Goal: >= 2x for the ResNet-50 setting.',
    ]
    return '\n'.join(lines)
