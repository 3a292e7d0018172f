"""The default patch policy: an actor-critic choosing one patch location per frame, recurrent over steps.

Per frame, the state is the frame's glance feature map (a fixed global reference), the
locations already chosen for that frame, and a GRU state that has seen the frame's focus
features of earlier steps. One network is shared by all frames (the :class:`Policy` interface).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from ..registry import MODELS
from .policy_base import Policy, PolicyOutput

POLICY_KINDS = ('gaussian', 'grid')
GAUSSIAN_HEADS = ('spatial', 'mlp')


def grid_cell_centres(cells: torch.Tensor, grid: int) -> torch.Tensor:
    """Row-major indices of the cells of a ``grid x grid`` split of [0, 1]^2 -> their centres ``(N, 2)``."""
    return torch.stack([(cells % grid + 0.5) / grid, (cells // grid + 0.5) / grid], dim=1)


@MODELS.register_module()
class PatchPolicy(Policy):
    """Gaussian (continuous, default) or K x K grid policy over patch centres.

    The Gaussian mean comes from a ``'spatial'`` head (default): every cell of the reduced glance
    map gets a score from its features and the frame's context (locations so far, recurrent
    state), and the mean is the softmax-weighted average of the cell centres plus a learned shift
    of at most one cell, so the policy points at a map cell by construction and refines within
    it; or from an ``'mlp'`` head on the flattened map code.

    Args:
        glance_channels: channels of the glance feature map.
        focus_dim: width of the focus features fed to the recurrent state.
        max_steps: focus steps (the length of the location history).
        hidden_dim: width of the GRU state and the trunk.
        map_channels, map_grid: the glance map is reduced to ``map_channels`` and pooled to
            ``map_grid x map_grid`` before flattening.
        kind: ``'gaussian'`` or ``'grid'``.
        grid_size: cells per side for ``'grid'``.
        action_std: a fixed Gaussian std (no entropy term), or None for a learnable,
            state-independent log-std starting at ``init_std``.
        head: ``'spatial'`` or ``'mlp'``, the Gaussian mean's head.
    """

    def __init__(
        self,
        glance_channels: int,
        focus_dim: int,
        max_steps: int,
        hidden_dim: int = 256,
        map_channels: int = 32,
        map_grid: int = 4,
        kind: str = 'gaussian',
        grid_size: int = 3,
        action_std: float | None = None,
        init_std: float = 0.2,
        head: str = 'spatial',
    ) -> None:
        super().__init__()
        if kind not in POLICY_KINDS:
            raise ValueError(f'policy kind must be one of {POLICY_KINDS}, got {kind!r}')
        if head not in GAUSSIAN_HEADS:
            raise ValueError(f'policy head must be one of {GAUSSIAN_HEADS}, got {head!r}')
        self.kind, self.grid_size, self.max_steps, self.map_grid = kind, grid_size, max_steps, map_grid
        self.hidden_dim, self.map_channels = hidden_dim, map_channels
        self.spatial = kind == 'gaussian' and head == 'spatial'
        self.map_reduce = nn.Sequential(nn.Conv2d(glance_channels, map_channels, 1), nn.ReLU(inplace=True))
        self.memory = nn.GRUCell(focus_dim, hidden_dim)
        self.trunk = nn.Sequential(
            nn.Linear(map_channels * map_grid**2 + 2 * max_steps + hidden_dim, hidden_dim), nn.ReLU(inplace=True)
        )
        if self.spatial:
            self.context = nn.Linear(2 * max_steps + hidden_dim, map_channels)
            self.cell_score = nn.Linear(map_channels, 1)
            self.offset = nn.Linear(hidden_dim, 2)  # a shift within one cell, for what cells cannot place
            for layer in (self.cell_score, self.offset):  # starts at the frame centre, all cells equal
                nn.init.zeros_(layer.weight)
                nn.init.zeros_(layer.bias)
        else:
            self.actor = nn.Linear(hidden_dim, 2 if kind == 'gaussian' else grid_size**2)
            nn.init.zeros_(self.actor.bias)
            nn.init.normal_(self.actor.weight, 0, 0.01)
        self.critic = nn.Linear(hidden_dim, 1)
        self.fixed_std = action_std
        self.log_std = (
            nn.Parameter(torch.full((2,), math.log(init_std))) if kind == 'gaussian' and action_std is None else None
        )

    # ------------------------------------------------------------------ state
    def encode_map(self, glance_maps: torch.Tensor) -> torch.Tensor:
        """``(N, C, h, w)`` glance maps -> ``(N, E)`` codes, computed once per clip."""
        reduced = self.map_reduce(glance_maps)
        if reduced.shape[-2:] != (self.map_grid, self.map_grid):  # an identity pool still costs a pass
            reduced = F.adaptive_avg_pool2d(reduced, self.map_grid)
        return reduced.flatten(1)

    def initial_state(self, count: int, device: torch.device) -> torch.Tensor:
        """Zeros ``(count, hidden_dim)``."""
        return torch.zeros(count, self.hidden_dim, device=device)

    def update_state(self, state: torch.Tensor, focus_features: torch.Tensor) -> torch.Tensor:
        """Fold a step's per-frame focus features ``(N, D)`` into the recurrent state."""
        return self.memory(focus_features, state)

    def training_log(self) -> dict[str, torch.Tensor]:
        """The Gaussian's mean std (``policy_std``); nothing for a grid."""
        return {'policy_std': self.std.mean().detach()} if self.kind == 'gaussian' else {}

    # ------------------------------------------------------------------ decisions
    @property
    def std(self) -> torch.Tensor:
        """The Gaussian std per axis (``(2,)``)."""
        if self.kind != 'gaussian':
            raise AttributeError('a grid policy has no std')
        if self.log_std is not None:
            return self.log_std.exp()
        assert self.fixed_std is not None, 'a Gaussian policy without a learnable log-std has a fixed std'
        return torch.full((2,), float(self.fixed_std), device=self.critic.weight.device)

    def distribution_params(
        self, map_code: torch.Tensor, history: torch.Tensor, state: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(params, value)``: Gaussian means in [0, 1] ``(N, 2)`` or grid logits ``(N, K*K)``."""
        context = torch.cat([history, state], dim=1)
        hidden = self.trunk(torch.cat([map_code, context], dim=1))
        value = self.critic(hidden).squeeze(1)
        if self.spatial:
            cells = map_code.view(map_code.shape[0], self.map_channels, -1).transpose(1, 2)  # (N, g*g, E)
            scores = self.cell_score(F.relu(cells + self.context(context)[:, None])).squeeze(2)
            centres = grid_cell_centres(torch.arange(scores.shape[1], device=scores.device), self.map_grid)
            shift = torch.tanh(self.offset(hidden)) / self.map_grid
            return scores.softmax(dim=1) @ centres.to(scores.dtype) + shift, value
        params = self.actor(hidden)
        return (torch.sigmoid(params) if self.kind == 'gaussian' else params), value

    def cell_centres(self, cells: torch.Tensor) -> torch.Tensor:
        """Grid cell indices -> their centres in [0, 1]^2."""
        return grid_cell_centres(cells, self.grid_size)

    def log_prob(self, params: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        """Per-frame log-probability of ``action`` (``(N, 2)`` locations, or grid cells ``(N,)``)."""
        if self.kind == 'gaussian':
            return torch.distributions.Normal(params, self.std).log_prob(action).sum(dim=1)
        return torch.distributions.Categorical(logits=params).log_prob(action.long())

    def entropy(self, params: torch.Tensor) -> torch.Tensor:
        """Per-frame entropy; for a fixed-std Gaussian it has no gradient and is not a loss term."""
        if self.kind == 'gaussian':
            return torch.distributions.Normal(params, self.std).entropy().sum(dim=1)
        return torch.distributions.Categorical(logits=params).entropy()

    def act(
        self,
        map_code: torch.Tensor,
        history: torch.Tensor,
        state: torch.Tensor,
        sample: bool = False,
        generator: torch.Generator | None = None,
    ) -> PolicyOutput:
        """Choose locations: the mean action (evaluation) or a draw (PPO rollouts)."""
        params, value = self.distribution_params(map_code, history, state)
        if self.kind == 'gaussian':
            if sample:
                noise = torch.randn(params.shape, generator=generator, device=params.device, dtype=params.dtype)
                action = params + noise * self.std
            else:
                action = params
            location = action.clamp(0.0, 1.0)
        else:
            if sample:
                action = torch.multinomial(params.softmax(-1), 1, generator=generator).squeeze(1)
            else:
                action = params.argmax(-1)
            location = self.cell_centres(action)
        return PolicyOutput(action, location, self.log_prob(params, action), value, params)
