"""A user's own policy and aggregator, registered in their module and named in a config through
``custom_imports``, train through stages 1, 2 and 3 like the built-in ones."""

from __future__ import annotations

import os

import torch
from mmengine.config import Config
from torch import nn

from gfvideo.config import set_data_root
from gfvideo.engine import GFRunner
from gfvideo.models import Aggregator, Policy, PolicyOutput
from gfvideo.models.checkpoints import read_checkpoint
from gfvideo.registry import MODELS
from tests.cli.train_helpers import CONFIGS


@MODELS.register_module(force=True)
class MaxOverTimeAggregator(Aggregator):
    """The strongest frame feature over time, folded into a GRU state across steps."""

    def __init__(self, dim: int, num_classes: int) -> None:
        super().__init__()
        self.step_gru = nn.GRUCell(dim, dim)
        self.fc = nn.Linear(dim, num_classes)

    def forward(self, frame_features, state):
        state = self.step_gru(frame_features.amax(dim=1), state)
        return self.fc(state), state


@MODELS.register_module(force=True)
class PooledGaussianPolicy(Policy):
    """A Gaussian over patch centres from the 2x2-pooled glance map, with a fixed std."""

    def __init__(self, glance_channels: int, focus_dim: int, max_steps: int, std: float = 0.2) -> None:
        super().__init__()
        self.std = std
        self.memory = nn.GRUCell(focus_dim, 16)
        self.head = nn.Linear(glance_channels * 4 + 2 * max_steps + 16, 3)

    def encode_map(self, glance_maps):
        return nn.functional.adaptive_avg_pool2d(glance_maps, 2).flatten(1)

    def initial_state(self, count, device):
        return torch.zeros(count, 16, device=device)

    def update_state(self, state, focus_features):
        return self.memory(focus_features, state)

    def distribution_params(self, map_code, history, state):
        out = self.head(torch.cat([map_code, history, state], dim=1))
        return torch.sigmoid(out[:, :2]), out[:, 2]

    def log_prob(self, params, action):
        return torch.distributions.Normal(params, self.std).log_prob(action).sum(dim=1)

    def entropy(self, params):
        return torch.distributions.Normal(params, self.std).entropy().sum(dim=1)

    def act(self, map_code, history, state, sample=False, generator=None):
        params, value = self.distribution_params(map_code, history, state)
        action = params + self.std * torch.randn(params.shape, generator=generator) if sample else params
        return PolicyOutput(action, action.clamp(0, 1), self.log_prob(params, action), value, params)


def stage_config(tmp_path, root: str, stage: int, load_from: str | None) -> Config:
    """The tiny GlanceFocusNet recipe's stage ``stage`` with the parts above, from a config file
    that imports this module the way a user's config imports theirs."""
    path = tmp_path / f'custom_stage{stage}.py'
    path.write_text(
        f'_base_ = [{os.path.join(CONFIGS, f"gfnet_tiny-stage{stage}.py")!r}]\n'
        f'custom_imports = dict(imports=[{__name__!r}], allow_failed_imports=False)\n'
        "model = dict(policy=dict(_delete_=True, type='PooledGaussianPolicy'),\n"
        "             aggregator=dict(_delete_=True, type='MaxOverTimeAggregator'))\n"
        f'train_cfg = dict(max_epochs=1)\nload_from = {load_from!r}\n'
    )
    cfg = Config.fromfile(str(path))
    set_data_root(cfg, root)
    cfg.val_dataloader = cfg.val_cfg = cfg.val_evaluator = None
    cfg.test_dataloader = cfg.test_cfg = cfg.test_evaluator = None
    cfg.param_scheduler = []
    cfg.work_dir = str(tmp_path / f'stage{stage}')
    cfg.experiment_name = f'custom-parts-{stage}-{os.getpid()}'
    return cfg


def test_a_custom_policy_and_aggregator_train_through_all_three_stages(tmp_path, synthetic):
    root = synthetic('sthv2')
    checkpoint, weights = None, []
    for stage in (1, 2, 3):
        runner = GFRunner.from_cfg(stage_config(tmp_path, root, stage, checkpoint))
        assert type(runner.model.policy).__name__ == 'PooledGaussianPolicy'
        assert type(runner.model.aggregator).__name__ == 'MaxOverTimeAggregator'
        runner.train()
        checkpoint = os.path.join(runner.work_dir, 'epoch_1.pth')
        weights.append(read_checkpoint(checkpoint)[0])
    one, two, three = weights

    def changed(before, after, prefix):
        return any(not torch.equal(before[k], after[k]) for k in before if k.startswith(prefix))

    assert changed(one, two, 'policy.') and not changed(one, two, 'aggregator.')  # PPO moved the policy alone
    assert not changed(one, two, 'focus_backbone.') and not changed(one, two, 'glance_backbone.')
    assert changed(two, three, 'aggregator.') and not changed(two, three, 'policy.')  # stage 3: the rest
