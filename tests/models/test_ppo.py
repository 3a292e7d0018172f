"""Stage 2 PPO: returns, per-frame ratios, and only the policy learning."""
import pytest
import torch
from mmengine.optim import OptimWrapper

from gfvideo.models.ppo import PPOConfig, discounted_returns, ppo_losses, rollout
from tests.models.test_glance_focus import T, clips, small_model


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


def test_a_stage_two_step_changes_the_policy_only():
    model = small_model(train_stage=2).train()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optimizer = OptimWrapper(torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-2))
    data = {'inputs': (torch.rand(4, T, 3, 64, 64) * 255).to(torch.uint8), 'label': torch.tensor([0, 1, 2, 3])}
    log = model.train_step(data, optimizer)
    assert {'loss', 'reward', 'loss_policy', 'loss_value', 'policy_std'} <= set(log)
    after = model.state_dict()
    changed = {k for k in before if not torch.equal(before[k], after[k])}
    assert changed and all(k.startswith('policy.') for k in changed)
    for part in ('policy.map_reduce', 'policy.memory', 'policy.trunk', 'policy.actor', 'policy.critic',
                 'policy.log_std'):
        assert any(k.startswith(part) for k in changed), part  # every part of the policy learns


def test_unknown_reward_is_refused():
    with pytest.raises(ValueError, match='reward must be one of'):
        PPOConfig(reward='accuracy')
