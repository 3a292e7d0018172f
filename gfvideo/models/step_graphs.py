"""The steps of a model as modules on plain tensors, for ``torch.onnx.export``.

A GlanceFocusNet exports as two graphs whose inputs and outputs are the state :class:`ClipState`
carries, clip-major (``(B, T, ...)`` per frame, ``(B, D)`` per clip) so a runtime drops exited
clips by indexing the first axis: :class:`GlanceGraph` (step 0) and :class:`FocusGraph` (one focus
step, its index an input, run up to ``K`` times). Locations are the policy's mean action, as in
evaluation. A TSM exports as :class:`RecognizerGraph`. They run the models' own step code.
"""

from __future__ import annotations

import torch
from torch import nn

from .glance_focus import ClipState, GlanceFocusNet
from .locations import build_location_source
from .tsm import TSM


class GlanceGraph(nn.Module):
    """Normalised clips ``(B, T, 3, H, W)`` -> ``(logits, map_code, neighbour_offsets, history,
    policy_state, aggregator_state)``."""

    def __init__(self, model: GlanceFocusNet) -> None:
        super().__init__()
        self.model = model

    def forward(self, clips: torch.Tensor) -> tuple[torch.Tensor, ...]:
        state, logits, _ = self.model.glance_step(clips)
        return (logits, *clip_major(state, clips.shape[0]))


class FocusGraph(nn.Module):
    """One focus step: ``(clips, map_code, neighbour_offsets, history, policy_state,
    aggregator_state, step)`` -> ``(logits, boxes (B, T, 4), history, policy_state, aggregator_state)``."""

    def __init__(self, model: GlanceFocusNet) -> None:
        super().__init__()
        self.model = model
        self.locations = build_location_source('mean')

    def forward(
        self,
        clips: torch.Tensor,
        map_code: torch.Tensor,
        neighbour_offsets: torch.Tensor,
        history: torch.Tensor,
        policy_state: torch.Tensor,
        aggregator_state: torch.Tensor,
        step: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        frames = clips.flatten(0, 1)
        unused = frames.new_zeros(0)  # the glance maps and differences only heuristic locations read
        state = ClipState(
            frames,
            torch.arange(frames.shape[0], device=frames.device),
            unused,
            unused,
            map_code.flatten(0, 1),
            aggregator_state,
            policy_state.flatten(0, 1),
            history.flatten(0, 1),
            neighbour_offsets.flatten(0, 1),
        )
        chosen, _ = self.locations(self.model, state)
        new_state, logits, details = self.model.focus_at(state, chosen, step)
        assert details.boxes is not None, 'a focus step crops patches'
        return (logits, details.boxes, *clip_major(new_state, clips.shape[0])[2:])


class RecognizerGraph(nn.Module):
    """A TSM's normalised clips ``(B, T, 3, H, W)`` -> logits ``(B, classes)``."""

    def __init__(self, model: TSM) -> None:
        super().__init__()
        self.model = model

    def forward(self, clips: torch.Tensor) -> torch.Tensor:
        return self.model.logits(clips)


def clip_major(state: ClipState, batch: int) -> tuple[torch.Tensor, ...]:
    """``(map_code, neighbour_offsets, history, policy_state)`` as ``(B, T, ...)`` and
    ``aggregator_state`` ``(B, D)``: the manifest's ``STATE``, in its order."""
    return (
        state.map_code.view(batch, -1, state.map_code.shape[-1]),
        state.neighbour_offsets.view(batch, -1, 2),
        state.history.view(batch, -1, state.history.shape[-1]),
        state.policy_state.view(batch, -1, state.policy_state.shape[-1]),
        state.aggregator_state,
    )
