"""The fixed setting of the mmaction2 fidelity check, shared by the golden maker and the test."""

import torch

from gfvideo.models import TSM

SEED = 20231
NUM_SEGMENTS = 4
NUM_CLASSES = 7
CASES = ('resnet50', 'mobilenet_v2')


def make_input() -> torch.Tensor:
    generator = torch.Generator().manual_seed(SEED)
    return torch.randn(NUM_SEGMENTS, 3, 48, 48, generator=generator)


def gfvideo_model(name: str) -> TSM:
    return TSM(dict(name=name, num_segments=NUM_SEGMENTS), NUM_CLASSES).eval()


def random_state(model: torch.nn.Module) -> dict:
    """Weights drawn from ``SEED`` in parameter order; batch-norm statistics kept plausible so
    activations stay in range through 50 layers."""
    generator = torch.Generator().manual_seed(SEED)
    state = {}
    for key, value in model.state_dict().items():
        if key.endswith('num_batches_tracked'):
            state[key] = value
        elif key.endswith('running_var'):
            state[key] = torch.rand(value.shape, generator=generator) + 0.5
        elif key.endswith('running_mean') or key.endswith('.bias'):
            state[key] = torch.randn(value.shape, generator=generator) * 0.1
        elif value.dim() == 1:  # batch-norm scale
            state[key] = torch.rand(value.shape, generator=generator) * 0.5 + 0.5
        else:
            fan_in = value[0].numel()
            state[key] = torch.randn(value.shape, generator=generator) * (2.0 / fan_in) ** 0.5
    return state
