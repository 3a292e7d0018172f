"""What PPO and the step loop need of a patch policy: the :class:`Policy` interface.

A policy is built from a config dict through ``MODELS`` with three arguments from the model
(``glance_channels``: channels of the glance feature map it reads, ``focus_dim``: width of the
projected focus features, ``max_steps``: focus steps) plus its own options. Per frame it reads
the frame's glance map (encoded once per clip), the locations chosen so far and a recurrent
state that it folds each step's focus features into, and outputs a distribution over patch
centres. The recurrent state is passed in and returned, never stored in the module.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import torch
from torch import nn


@dataclass
class PolicyOutput:
    """One step's decision for ``N`` frames.

    Attributes:
        action: what was drawn (or the mode), in the policy's own action space (e.g. ``(N, 2)``
            unclamped Gaussian draws, or grid cells ``(N,)``); its log-probability is ``log_prob``.
        location: ``(N, 2)`` the patch centre in [0, 1]^2 as a fraction of the frame's width
            and height (the model turns it into a crop inside the frame).
        log_prob: ``(N,)`` log-probability of ``action`` under the policy.
        value: ``(N,)`` the critic's per-frame value (a clip's value is its frames' mean).
        params: distribution parameters, for PPO's re-evaluation of ``action``.
    """

    action: torch.Tensor
    location: torch.Tensor
    log_prob: torch.Tensor
    value: torch.Tensor
    params: torch.Tensor


class Policy(nn.Module, ABC):
    """An actor-critic over patch centres, shared by all frames and recurrent over steps."""

    @abstractmethod
    def encode_map(self, glance_maps: torch.Tensor) -> torch.Tensor:
        """``(N, C, h, w)`` glance maps -> ``(N, E)`` codes, computed once per clip."""

    @abstractmethod
    def initial_state(self, count: int, device: torch.device) -> torch.Tensor:
        """The recurrent state of ``count`` frames before the first focus step ``(count, S)``."""

    @abstractmethod
    def update_state(self, state: torch.Tensor, focus_features: torch.Tensor) -> torch.Tensor:
        """Fold a step's per-frame focus features ``(N, D)`` into the recurrent state."""

    @abstractmethod
    def distribution_params(
        self, map_code: torch.Tensor, history: torch.Tensor, state: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(params, value)`` of each frame's action distribution and the critic's value ``(N,)``;
        ``history`` ``(N, 2 * max_steps)`` holds the locations chosen so far (zeros after)."""

    @abstractmethod
    def log_prob(self, params: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Per-frame log-probability ``(N,)`` of ``action`` under ``params``."""

    @abstractmethod
    def entropy(self, params: torch.Tensor) -> torch.Tensor:
        """Per-frame entropy ``(N,)``; without a gradient when it is not a loss term."""

    @abstractmethod
    def act(
        self,
        map_code: torch.Tensor,
        history: torch.Tensor,
        state: torch.Tensor,
        sample: bool = False,
        generator: torch.Generator | None = None,
    ) -> PolicyOutput:
        """Choose locations: the distribution's mode (evaluation) or a draw (PPO rollouts)."""

    def training_log(self) -> dict[str, torch.Tensor]:
        """Scalars worth logging during PPO (e.g. a Gaussian's std); none by default."""
        return {}
