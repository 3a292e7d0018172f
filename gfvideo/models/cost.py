"""Compute cost in multiply-accumulates, counted by ``torch.utils.flop_counter`` on the real code.

``FlopCounterMode`` counts a multiply-add as 2 FLOPs; MACs are half of that. Costs are
reported as GMACs and labelled so. It has no formula for FFTs (the camera-motion estimate of
``focus_modality='rgb+compensated_diff'`` runs some): :data:`FFT_FORMULAS` gives it one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

if TYPE_CHECKING:  # for annotations only: glance_focus imports this module
    from .glance_focus import GlanceFocusNet
    from .tsm import TSM


def _fft_flops(shape: torch.Size, dim: list[int], real: bool) -> int:
    """FLOPs of FFTs over ``dim`` of a tensor of (complex-valued) ``shape``: ``5 n log2 n`` per
    transform of ``n`` points (the radix-2 count), half that when the signal or the result is real."""
    points = math.prod(shape[d] for d in dim)
    transforms = math.prod(shape) // max(points, 1)
    flops = 5 * points * math.log2(points) if points > 1 else 0.0
    return round(transforms * flops / (2 if real else 1))


def _fft_r2c_flops(self_shape, dim, normalization, onesided, out_shape=None) -> int:
    return _fft_flops(self_shape, dim, real=True)


def _fft_c2r_flops(self_shape, dim, normalization, last_dim_size, out_shape=None) -> int:
    return _fft_flops(out_shape, dim, real=True)


def _fft_c2c_flops(self_shape, dim, normalization, forward, out_shape=None) -> int:
    return _fft_flops(self_shape, dim, real=False)


#: FLOP formulas for the FFT operators, which ``FlopCounterMode`` does not count by itself.
FFT_FORMULAS = {
    torch.ops.aten._fft_r2c: _fft_r2c_flops,
    torch.ops.aten._fft_c2r: _fft_c2r_flops,
    torch.ops.aten._fft_c2c: _fft_c2c_flops,
}


def counted_call(function: Callable, *args, **kwargs) -> tuple[int, Any]:
    """``(MACs, result)`` of one call of ``function(*args, **kwargs)`` without gradients.

    cuDNN is off while counting: on a GPU ``nn.GRU`` runs cuDNN's fused RNN kernel, for which
    ``FlopCounterMode`` has no formula (it would count 0 MACs); the native kernels used instead are
    the matrix products the CPU runs, so a model counts the same MACs on every device. FFTs count
    by :data:`FFT_FORMULAS`."""
    counter = FlopCounterMode(display=False, custom_mapping=FFT_FORMULAS)
    with torch.no_grad(), torch.backends.cudnn.flags(enabled=False), counter:
        result = function(*args, **kwargs)
    return counter.get_total_flops() // 2, result


def count_macs(function: Callable, *args, **kwargs) -> int:
    """MACs of ``function(*args, **kwargs)`` (run once, without gradients)."""
    return counted_call(function, *args, **kwargs)[0]


def backbone_macs(backbone: nn.Module, height: int, width: int, frames: int = 1) -> int:
    """MACs of a backbone's ``forward`` on ``frames`` images of ``height x width`` (of its
    ``in_channels``, 3 where it does not say)."""
    device = next(backbone.parameters()).device
    channels = getattr(backbone, 'in_channels', 3)
    return count_macs(backbone, torch.zeros(frames, channels, height, width, device=device))


def recognizer_macs(model: TSM, height: int, width: int) -> int:
    """MACs per single-view clip of a full-frame recognizer (:class:`gfvideo.models.TSM`)."""
    device = next(model.parameters()).device
    with torch.no_grad():
        return count_macs(model.logits, torch.zeros(1, model.num_segments, 3, height, width, device=device))


@dataclass(frozen=True)
class StepCosts:
    """MACs per clip of a GlanceFocusNet, per component.

    Attributes:
        glance: step 0 (glance backbone, projection, policy map code, aggregator).
        glance_backbone: the glance backbone's part of it.
        steps: each focus step's total MACs (policy, focus backbone, projection, aggregator).
        focus_backbone: the focus backbone's part of a focus step.
        policy: the policy's part of a focus step (decision and state update).
    """

    glance: int
    glance_backbone: int
    steps: tuple[int, ...]
    focus_backbone: int
    policy: int

    @property
    def cumulative(self) -> list[int]:
        """MACs per clip after steps 0..K."""
        totals, running = [], self.glance
        totals.append(running)
        for step in self.steps:
            running += step
            totals.append(running)
        return totals

    @property
    def cumulative_gmacs(self) -> list[float]:
        return [macs / 1e9 for macs in self.cumulative]


def glance_focus_costs(model: GlanceFocusNet, height: int, width: int) -> StepCosts:
    """Count a GlanceFocusNet's MACs per clip for ``height x width`` input frames by running its
    real ``glance_step`` and ``focus_step`` on one clip (policy locations, as in evaluation)."""
    device = next(model.parameters()).device
    clip = torch.zeros(1, model.num_segments, 3, height, width, device=device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            glance, (state, _, _) = counted_call(model.glance_step, clip)
            steps = []
            for _ in range(model.max_focus_steps):
                macs, (state, _, _) = counted_call(model.focus_step, state)
                steps.append(macs)
            frames = model.num_segments
            glance_backbone = backbone_macs(model.glance_backbone, model.glance_size, model.glance_size, frames)
            focus_backbone = backbone_macs(model.focus_backbone, model.patch_size, model.patch_size, frames)
            policy = count_macs(model.policy.act, state.map_code, state.history, state.policy_state) + count_macs(
                model.policy.update_state,
                state.policy_state,
                torch.zeros(frames, model.focus_proj.out_features, device=device),
            )
    finally:
        model.train(was_training)
    return StepCosts(glance, glance_backbone, tuple(steps), focus_backbone, policy)
