"""Stage 2 PPO: returns, per-frame ratios, and only the policy learning."""

import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import OptimWrapper
from torch import nn

from gfvideo.models import GlanceFocusNet
from gfvideo.models import ppo as ppo_module
from gfvideo.models.aggregator import TemporalAggregator
from gfvideo.models.policy import PatchPolicy
from gfvideo.models.ppo import PPOConfig, discounted_returns, leave_one_out_credit, ppo_losses, rollout
from tests.models.small_glance_focus import T, clips, small_model


def test_discounted_returns_are_normalised_per_batch():
    rewards = torch.tensor([[1.0, 0.0], [0.0, 1.0], [2.0, 0.0]])  # (K=3, B=2)
    raw = torch.tensor([[1 + 0.5 * 0 + 0.25 * 2, 0 + 0.5 * 1], [0 + 0.5 * 2, 1.0], [2.0, 0.0]])
    expected = (raw - raw.mean()) / (raw.std() + 1e-8)
    assert torch.allclose(discounted_returns(rewards, 0.5), expected)


def test_rollout_records_one_action_per_frame_and_losses_are_finite():
    model = small_model(train_stage=2)
    x, labels = clips(batch=4), torch.tensor([0, 1, 2, 3])
    torch.manual_seed(0)
    record = rollout(model, x, labels, PPOConfig())
    assert len(record['steps']) == model.max_focus_steps
    assert record['steps'][0]['action'].shape == (4 * T, 2)  # one 2-D action per frame
    returns = discounted_returns(torch.stack([s['reward'] for s in record['steps']]), 0.7)
    losses = ppo_losses(model, record, returns, PPOConfig())
    assert set(losses) == {'loss_policy', 'loss_value', 'loss_entropy'}
    assert torch.isfinite(torch.stack(list(losses.values()))).all()


@pytest.mark.parametrize('focus_position', [False, True])
def test_the_update_rebuilds_the_rollouts_policy_exactly(focus_position):
    """Re-running the policy on the recorded focus features gives every step's recorded
    log-probabilities back (the first PPO ratio is 1), also when a position code joins them."""
    model = small_model(train_stage=2, focus_position=focus_position)
    torch.manual_seed(0)
    for parameter in model.policy.parameters():  # a trained policy: its locations depend on its state
        nn.init.normal_(parameter, std=0.3)
    record = rollout(model, clips(batch=4), torch.tensor([0, 1, 2, 3]), PPOConfig())
    policy = model.policy
    map_code = policy.encode_map(record['glance_maps'])
    state = policy.initial_state(map_code.shape[0], map_code.device)
    with torch.no_grad():
        for data in record['steps']:
            params, _ = policy.distribution_params(map_code, data['history'], state)
            assert torch.allclose(policy.log_prob(params, data['action']), data['log_prob'], atol=1e-5)
            state = policy.update_state(state, data['focus'])


@pytest.mark.parametrize('temporal', ['mean', 'gru'])
def test_leave_one_out_credit_compares_with_the_clip_less_each_frame(temporal):
    torch.manual_seed(0)
    aggregator = TemporalAggregator(dim=8, num_classes=5, temporal=temporal).eval()
    features, state, labels = torch.randn(3, 4, 8), torch.randn(3, 8), torch.tensor([0, 3, 4])
    with torch.no_grad():
        logits, _ = aggregator(features, state)
        credit = leave_one_out_credit(aggregator, features, state, logits, labels)
        for clip in range(3):
            full = logits[clip].log_softmax(-1)[labels[clip]]
            for frame in range(4):
                others = features[clip : clip + 1, [f for f in range(4) if f != frame]]
                without = aggregator(others, state[clip : clip + 1])[0][0].log_softmax(-1)[labels[clip]]
                assert credit[clip * 4 + frame] == pytest.approx((full - without).item(), abs=1e-5)


def test_leave_one_out_credit_rewards_the_frame_that_holds_the_evidence():
    features = torch.tensor([[[0.0], [1.0], [0.0], [0.0]]])  # class 0's score is the mean: frame 1 holds it
    logits, _ = ScoreAggregator()(features, None)
    credit = leave_one_out_credit(ScoreAggregator(), features, torch.zeros(1, 1), logits, torch.tensor([0]))
    assert credit[1] > 0 and (credit[[0, 2, 3]] < 0).all()


def test_a_stage_two_step_changes_the_policy_only():
    model = small_model(train_stage=2).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = OptimWrapper(torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2))
    data = {'inputs': (torch.rand(4, T, 3, 64, 64) * 255).to(torch.uint8), 'label': torch.tensor([0, 1, 2, 3])}
    log = model.train_step(data, optimizer)
    model.train_step(data, optimizer)  # the spatial head's scores start at zero: its context learns from step 2
    assert {'loss', 'reward', 'loss_policy', 'loss_value', 'policy_std'} <= set(log)
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith('policy.') for k in changed)
    for part in (
        'policy.map_reduce',
        'policy.memory',
        'policy.trunk',
        'policy.context',
        'policy.cell_score',
        'policy.offset',
        'policy.critic',
        'policy.log_std',
    ):
        assert any(k.startswith(part) for k in changed), part  # every part of the policy learns


def test_unknown_reward_and_negative_frame_credit_are_refused():
    with pytest.raises(ValueError, match='reward must be one of'):
        PPOConfig(reward='accuracy')
    with pytest.raises(ValueError, match='frame_credit must be >= 0'):
        PPOConfig(frame_credit=-1.0)


class BrightnessScorer(nn.Module):
    """A frozen stand-in for focus network and classifier: class 0's logit is the patch's mean
    brightness, so a patch on the marked square raises the true class's probability."""

    def __init__(self) -> None:
        super().__init__()
        self.out_channels = 1
        self.num_segments = 2

    def forward(self, patches):
        return patches.mean(dim=(1, 2, 3))[:, None]

    def forward_features(self, patches):
        return patches.mean(dim=1, keepdim=True)


class ScoreAggregator(nn.Module):
    def forward(self, frame_features, state):
        score = frame_features.mean(dim=(1, 2))
        return torch.stack([4 * score, torch.zeros_like(score)], dim=1), frame_features.mean(dim=1)


def square_clips(batch: int, generator: torch.Generator, size: int = 64, side: int = 8):
    """Dark clips of 2 frames with one bright square (its place differs per clip); its centres."""
    clips = torch.zeros(batch, 2, 3, size, size, dtype=torch.uint8)
    corners = torch.randint(0, size - side + 1, (batch, 2), generator=generator)
    for clip, (x, y) in zip(clips, corners.tolist()):
        clip[:, :, y : y + side, x : x + side] = 255
    return clips, corners.float() + side / 2


def hit_rate(model, clips, centres) -> float:
    inputs = model.data_preprocessor.normalize(clips)
    with torch.no_grad():
        _, details = model(inputs, max_steps=1, return_details=True)
    boxes = details[1].boxes.float()  # (B, T, 4)
    x, y = centres[:, None, 0], centres[:, None, 1]
    return (
        ((boxes[..., 0] <= x) & (x < boxes[..., 2]) & (boxes[..., 1] <= y) & (y < boxes[..., 3])).float().mean().item()
    )


def train_policy_on_squares(iterations: int = 120, ppo: dict | None = None) -> tuple[float, float]:
    """Stage 2 on a task whose best location is known: (hit rate before, after)."""
    torch.manual_seed(0)
    model = GlanceFocusNet(
        glance_backbone=dict(name='resnet18', num_segments=2, width_mult=0.25),
        focus_backbone=dict(name='resnet18', num_segments=2, width_mult=0.25),
        num_classes=2,
        glance_size=32,
        patch_size=16,
        max_focus_steps=1,
        policy_stride=4,
        hidden_dim=4,
        policy=dict(hidden_dim=16, map_grid=8),
        train_stage=2,
        ppo=dict(epochs=2, **(ppo or {})),
    )
    model.focus_backbone, model.aggregator = BrightnessScorer(), ScoreAggregator()
    model.focus_proj = nn.Linear(1, 4)  # every projected feature is the patch brightness
    nn.init.ones_(model.focus_proj.weight)
    nn.init.zeros_(model.focus_proj.bias)
    nn.init.zeros_(model.glance_proj.weight)  # the glance alone says nothing: p0 = 1/2 for every clip
    nn.init.zeros_(model.glance_proj.bias)
    model.focus_proj.requires_grad_(False)
    model.train()
    generator = torch.Generator().manual_seed(0)
    evaluation = square_clips(64, torch.Generator().manual_seed(1))
    before = hit_rate(model.eval(), *evaluation)
    model.train()
    optimizer = OptimWrapper(torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=3e-3))
    for _ in range(iterations):
        clips, _ = square_clips(16, generator)
        model.train_step({'inputs': clips, 'label': torch.zeros(16, dtype=torch.long)}, optimizer)
    return before, hit_rate(model.eval(), *evaluation)


def test_ppo_learns_to_look_at_the_evidence():
    """From chance to a hit rate of at least 0.8 in a few seconds of CPU."""
    before, after = train_policy_on_squares()
    assert before < 0.4 and after >= 0.8, (before, after)


def test_ppo_with_the_advantage_sign_flipped_does_not_learn(monkeypatch):
    """The same training with negated returns (so negated advantages) must not find the square:
    the test above can fail."""
    real = ppo_module.discounted_returns
    monkeypatch.setattr(ppo_module, 'discounted_returns', lambda rewards, gamma: -real(rewards, gamma))
    before, after = train_policy_on_squares()
    assert after < 0.4, (before, after)


def test_the_frame_credit_alone_teaches_the_policy(monkeypatch):
    """With every clip's return zeroed, only the frames' leave-one-out credit is left to learn
    from, and it finds the square."""
    monkeypatch.setattr(ppo_module, 'discounted_returns', lambda rewards, gamma: torch.zeros_like(rewards))
    before, after = train_policy_on_squares(ppo=dict(frame_credit=1.0))
    assert before < 0.4 and after >= 0.8, (before, after)


def test_without_the_frame_credit_zeroed_returns_teach_nothing(monkeypatch):
    """The control of the test above: zeroed returns and no frame credit leave the policy at chance."""
    monkeypatch.setattr(ppo_module, 'discounted_returns', lambda rewards, gamma: torch.zeros_like(rewards))
    before, after = train_policy_on_squares()
    assert after < 0.4, (before, after)


@pytest.mark.parametrize('map_side', [4, 8, 6])
def test_the_map_code_pools_the_reduced_glance_map_to_the_grid(map_side):
    """Maps at the grid's size skip the (identity) pooling, larger ones are averaged; both give
    the adaptive average pool's code."""
    torch.manual_seed(0)
    policy = PatchPolicy(glance_channels=5, focus_dim=8, max_steps=2, hidden_dim=8, map_channels=3, map_grid=4)
    maps = torch.randn(2, 5, map_side, map_side)
    expected = F.adaptive_avg_pool2d(policy.map_reduce(maps), 4).flatten(1)
    assert torch.equal(policy.encode_map(maps), expected)
