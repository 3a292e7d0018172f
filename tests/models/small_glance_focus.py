"""A small GlanceFocusNet and random clips for it, for tests that run the model in-process."""

import torch

from gfvideo.models import GlanceFocusNet

#: Frames per clip (the backbones' ``num_segments``).
T = 4


def small_model(**overrides) -> GlanceFocusNet:
    """A GlanceFocusNet of 6 classes and 3 focus steps on 64-px clips, seeded, in eval mode;
    ``overrides`` replace its constructor arguments."""
    options = dict(
        glance_backbone=dict(name='mobilenet_v2', num_segments=T, width_mult=0.25),
        focus_backbone=dict(name='resnet18', num_segments=T, width_mult=0.25),
        num_classes=6,
        glance_size=32,
        patch_size=24,
        max_focus_steps=3,
        hidden_dim=32,
        policy=dict(hidden_dim=32),
    )
    options.update(overrides)
    torch.manual_seed(0)
    return GlanceFocusNet(**options).eval()


def clips(batch: int = 3, size: int = 64) -> torch.Tensor:
    """Normalised-looking random clips ``(batch, T, 3, size, size)``, the same on every call."""
    return torch.randn(batch, T, 3, size, size, generator=torch.Generator().manual_seed(1))
