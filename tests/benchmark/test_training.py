"""The benchmark's training step: warm-up steps untimed, autocast on the forward pass only."""

import torch

from gfvideo.benchmark import train_step_seconds


class CountingModel(torch.nn.Module):
    """Counts its forward passes and records whether each ran under CPU autocast."""

    def __init__(self):
        super().__init__()
        self.linear = torch.nn.Linear(4, 2)
        self.autocast = []

    def forward(self, clips, label, mode):
        self.autocast.append(torch.is_autocast_enabled('cpu'))
        return dict(loss=torch.nn.functional.cross_entropy(self.linear(clips), label))


def test_a_training_step_updates_the_model_after_warm_up_steps():
    model = CountingModel().eval()
    before = model.linear.weight.detach().clone()
    seconds = train_step_seconds(model, torch.randn(3, 4), torch.tensor([0, 1, 0]), repeats=3, warmup=2)
    assert seconds > 0 and model.training
    assert len(model.autocast) == 2 + 3 and not any(model.autocast)
    assert not torch.equal(model.linear.weight, before)


def test_bf16_runs_the_forward_pass_under_autocast():
    model = CountingModel()
    train_step_seconds(model, torch.randn(3, 4), torch.tensor([0, 1, 0]), repeats=1, warmup=0, precision='bf16')
    assert model.autocast == [True]
    assert model.linear.weight.dtype == torch.float32
