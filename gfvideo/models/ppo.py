"""Stage 2: PPO on the patch policy, everything else frozen.

Each frame's 2-D action is its own PPO action with its own probability ratio and clipping (a
product of 2T ratios would saturate the clip's ratio). All frames of a clip share the clip's
advantage, plus, with ``frame_credit``, each frame's own credit: the drop of the true class's
log-probability when the aggregator does not get that frame's patch (leave-one-out). The clip's
advantage alone stops teaching once a few frames recognise the clip; the frame credit still tells
the frames whose patch carried the evidence from those whose patch did not. The reward of step k
is the rise of the true class's probability over the previous step (or over the same step with
random patches, as AdaFocus does). Returns and frame credits are normalised per batch.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

REWARDS = ('rise', 'vs_random')


@dataclass(frozen=True)
class PPOConfig:
    """PPO settings (``model.ppo`` in configs).

    ``frame_credit``: the weight of each frame's leave-one-out credit (normalised over the
    batch's frames) added to its clip's advantage; 0 gives every frame its clip's advantage.
    """

    gamma: float = 0.7
    clip: float = 0.2
    epochs: int = 1
    value_coef: float = 0.5
    entropy_coef: float = 0.01
    reward: str = 'rise'
    frame_credit: float = 0.0

    def __post_init__(self) -> None:
        if self.reward not in REWARDS:
            raise ValueError(f'reward must be one of {REWARDS}, got {self.reward!r}')
        if self.frame_credit < 0:
            raise ValueError(f'frame_credit must be >= 0, got {self.frame_credit}')


def _true_class_probability(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return logits.softmax(-1).gather(1, labels[:, None]).squeeze(1)


def _true_class_log_probability(logits: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
    return logits.log_softmax(-1).gather(1, labels[:, None]).squeeze(1)


def _standardise(values: torch.Tensor) -> torch.Tensor:
    """Zero mean and unit std over all elements (a single value is left as it is)."""
    return (values - values.mean()) / (values.std() + 1e-8) if values.numel() > 1 else values


def leave_one_out_credit(
    aggregator, frame_features: torch.Tensor, state: torch.Tensor, logits: torch.Tensor, labels: torch.Tensor
) -> torch.Tensor:
    """Each frame's credit ``(B*T,)`` for one focus step: the true class's log-probability from
    all ``T`` frame features ``(B, T, D)`` minus that from the other ``T - 1`` (in order), both
    from the aggregator state ``state`` ``(B, ...)`` before the step; ``logits`` are the step's.
    A single frame has no other frames to compare with: its credit is 0."""
    batch, frames, dim = frame_features.shape
    if frames == 1:
        return logits.new_zeros(batch)
    others = ~torch.eye(frames, dtype=torch.bool, device=frame_features.device)  # row t: every frame but t
    without = frame_features[:, None].expand(batch, frames, frames, dim)[:, others]
    without = without.reshape(batch * frames, frames - 1, dim)
    logits_without, _ = aggregator(without, state.repeat_interleave(frames, dim=0))
    labels = labels.repeat_interleave(frames)
    with_all = _true_class_log_probability(logits.repeat_interleave(frames, dim=0), labels)
    return with_all - _true_class_log_probability(logits_without, labels)


@torch.no_grad()
def rollout(model, clips: torch.Tensor, labels: torch.Tensor, config: PPOConfig) -> dict:
    """Run the policy with sampled actions through the model's step loop; record what the
    update needs."""
    run = model.run_steps(clips, 'sample')
    glance = next(run)
    previous_state, previous = glance.state, _true_class_probability(glance.logits, labels)
    steps = []
    for step in run:
        probability = _true_class_probability(step.logits, labels)
        if config.reward == 'rise':
            reward = probability - previous
        else:
            reward = probability - _true_class_probability(model.focus_step(previous_state, 'random')[1], labels)
        frame_features = step.details.projected
        assert frame_features is not None, 'a focus step keeps its projected frame features'
        record = dict(
            history=previous_state.history,
            focus=frame_features.flatten(0, 1),  # what the step folded into the policy's state
            action=step.details.policy.action,
            log_prob=step.details.policy.log_prob,
            reward=reward,
            correct=step.logits.argmax(-1) == labels,
        )
        if config.frame_credit:
            credit = leave_one_out_credit(
                model.aggregator, frame_features, previous_state.aggregator_state, step.logits, labels
            )
            record['frame_credit'] = _standardise(credit)
        steps.append(record)
        previous_state, previous = step.state, probability
    return dict(steps=steps, batch=clips.shape[0], glance_maps=glance.state.glance_maps)


def discounted_returns(rewards: torch.Tensor, gamma: float) -> torch.Tensor:
    """``(K, B)`` rewards -> returns ``G_k = r_k + gamma * G_{k+1}``, normalised over the batch."""
    returns = torch.zeros_like(rewards)
    running = torch.zeros_like(rewards[0])
    for step in reversed(range(rewards.shape[0])):
        running = rewards[step] + gamma * running
        returns[step] = running
    return _standardise(returns)


def ppo_losses(model, record: dict, returns: torch.Tensor, config: PPOConfig) -> dict[str, torch.Tensor]:
    """Clipped surrogate, value and entropy terms, re-running the whole policy (its glance-map
    encoder and its recurrent state rebuilt from the recorded focus features) on the recorded
    actions."""
    policy = model.policy
    batch = record['batch']
    map_code = policy.encode_map(record['glance_maps'])
    frames = map_code.shape[0] // batch
    state = policy.initial_state(batch * frames, returns.device)
    surrogate, value_loss, entropy = [], [], []
    for step, data in enumerate(record['steps']):
        params, frame_values = policy.distribution_params(map_code, data['history'], state)
        values = frame_values.view(batch, frames).mean(1)
        advantage = (returns[step] - values.detach()).repeat_interleave(frames)
        if 'frame_credit' in data:
            advantage = advantage + config.frame_credit * data['frame_credit']
        ratio = (policy.log_prob(params, data['action']) - data['log_prob']).exp()
        clipped = ratio.clamp(1 - config.clip, 1 + config.clip)
        surrogate.append(torch.min(ratio * advantage, clipped * advantage).mean())
        value_loss.append(F.mse_loss(values, returns[step]))
        frame_entropy = policy.entropy(params)
        if frame_entropy.requires_grad:  # a fixed-std Gaussian has no entropy gradient
            entropy.append(frame_entropy.mean())
        state = policy.update_state(state, data['focus'])
    losses = {
        'loss_policy': -torch.stack(surrogate).mean(),
        'loss_value': config.value_coef * torch.stack(value_loss).mean(),
    }
    if entropy:
        losses['loss_entropy'] = -config.entropy_coef * torch.stack(entropy).mean()
    return losses


def ppo_train_step(
    model, data: dict, optim_wrapper, config: PPOConfig, grad_sync: Callable[[], None] | None = None
) -> dict[str, torch.Tensor]:
    """One stage-2 iteration: a rollout, then ``config.epochs`` PPO updates of the policy.

    ``grad_sync`` averages gradients across processes between backward and step (DDP).
    """
    data = model.data_preprocessor(data, True)
    clips, labels = data['inputs'], data['label']
    record = rollout(model, clips, labels, config)
    rewards = torch.stack([step['reward'] for step in record['steps']])
    returns = discounted_returns(rewards, config.gamma)
    for _ in range(config.epochs):
        with optim_wrapper.optim_context(model):
            # the rollout ran in float32: so do the ratios, or the first one is not 1 under autocast
            with torch.autocast(device_type=clips.device.type, enabled=False):
                losses = ppo_losses(model, record, returns, config)
            loss = sum(losses.values())
        optim_wrapper.backward(optim_wrapper.scale_loss(loss))  # honours accumulative_counts
        if optim_wrapper.should_update():
            if grad_sync is not None:
                grad_sync()
            optim_wrapper.step()
            optim_wrapper.zero_grad()
    assert isinstance(loss, torch.Tensor), 'ppo_losses always has the policy and value terms'
    log = {key: value.detach() for key, value in losses.items()}
    log.update(
        loss=loss.detach(), reward=rewards.sum(0).mean(), final_acc=record['steps'][-1]['correct'].float().mean()
    )
    log.update(model.policy.training_log())
    return log
