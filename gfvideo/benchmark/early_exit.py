"""The ``early_exit`` section: real early exit's wall-time ratio against its GMACs ratio, with
thresholds set so that given shares of the clips exit at each step."""

from __future__ import annotations

import statistics
from functools import partial

import numpy as np
import torch

from ..demo.recipes import demo_model_configs
from ..evaluation import NEVER_EXIT, thresholds_for_proportions
from ..evaluation.timing import seconds
from ..models import GlanceFocusNet, TemporalAggregator
from ..registry import MODELS
from .models import GLANCE_FOCUS

EXIT_BATCH = 16
#: Share of clips leaving after the glance and after each focus step (the rest run all steps).
EXIT_SHARES = (0.5, 0.25, 0.125)


def smooth_clips(batch: int, frames: int, size: int) -> torch.Tensor:
    """Random clips with image-like spatial structure (white noise would give every clip the same
    pooled features): 8x8 noise upsampled to ``size``."""
    coarse = torch.randn(batch * frames, 3, 8, 8)
    return torch.nn.functional.interpolate(coarse, size=(size, size), mode='bilinear').view(
        batch, frames, 3, size, size
    )


def exit_thresholds(model: GlanceFocusNet, clips: torch.Tensor, margin: float = 0.0) -> list[float]:
    """Thresholds that make ``EXIT_SHARES`` of these clips leave at steps 0, 1, ... (from the
    model's own per-step confidences on them), each ``margin`` below the confidence of the last
    clip it lets out, so that runtimes whose confidences differ by less exit the same clips.

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
    assert isinstance(model.aggregator, TemporalAggregator), 'the benchmark model has the default aggregator'
    weight = model.aggregator.fc.weight
    torch.nn.init.normal_(weight, 0, 1)
    weight.mul_(2 / model.anytime(clips)[0].std(dim=-1).max().item())
    confidences = model.anytime(clips)[0].float().softmax(-1).amax(-1).T.cpu().numpy()  # (B, K+1)
    shares = np.array(EXIT_SHARES[: model.max_focus_steps], dtype=np.float64)
    proportions = np.append(shares, max(0.0, 1 - shares.sum()))
    thresholds = thresholds_for_proportions(confidences, proportions)
    return [t - margin if t <= 1 else t for t in thresholds.tolist()]


@torch.no_grad()
def early_exit_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """Real early exit on CPU at batch 16: the wall time per clip of an adaptive run
    (thresholds set so that half the clips exit after the glance, a quarter after focus step 1
    ...) divided by that of running all steps, against the same ratio in GMACs. Goal: the time
    ratio within 1.15x of the GMACs ratio."""
    # (label, model config, frame size, interleaved pairs): the small model is fast and noisy, so more pairs
    settings = [('synthetic demo (128 px, its config)', demo_model_configs()[0], 128, 3 * repeats)]
    if not quick:
        settings.append(
            (
                'MobileNetV2 glance 128 px, ResNet-50 focus 128 px, 224 px frames',
                GLANCE_FOCUS,
                224,
                max(2, repeats // 2),
            )
        )
    lines = [
        '| model | exits per step | GMACs ratio | time ratio | time ratio / GMACs ratio | goal met |',
        '|---|---|---|---|---|---|',
    ]
    for label, config, size, pairs in settings:
        torch.manual_seed(0)
        model = MODELS.build(config).eval()
        clips = smooth_clips(EXIT_BATCH, model.num_segments, size)
        thresholds = exit_thresholds(model, clips)
        never = [NEVER_EXIT] * model.max_focus_steps
        model.forward_adaptive(clips[:2], never)  # warm-up
        adaptive_times, full_times = [], []
        for _ in range(pairs):  # interleaved
            adaptive_times.append(seconds(partial(model.forward_adaptive, clips, thresholds)))
            full_times.append(seconds(partial(model.forward_adaptive, clips, never)))
        adaptive = model.forward_adaptive(clips, thresholds)
        gmacs_ratio = adaptive.macs.mean().item() / model.step_macs(size, size)[-1].item()
        time_ratio = statistics.median(adaptive_times) / statistics.median(full_times)
        histogram = np.bincount(adaptive.exit_steps.cpu().numpy(), minlength=model.max_focus_steps + 1).tolist()
        overhead = time_ratio / gmacs_ratio
        lines.append(
            f'| {label} | {histogram} | {gmacs_ratio:.3f} | {time_ratio:.3f} | **{overhead:.2f}x** | '
            f'{"yes" if overhead <= 1.15 else "no"} |'
        )
    lines += [
        '',
        f'Batch {EXIT_BATCH} clips, {torch.get_num_threads()} threads, fp32; times are medians of '
        'interleaved runs of `forward_adaptive` with the thresholds and with thresholds nobody reaches '
        '(random weights, batch-norm statistics and classifier set as `exit_thresholds` describes). '
        'Goal: time ratio / GMACs ratio <= 1.15x.',
    ]
    return '\n'.join(lines)
