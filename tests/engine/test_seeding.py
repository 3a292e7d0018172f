"""RNG states as plain data: a checkpoint's ``rng`` restores every generator."""

import random

import numpy as np
import torch

from gfvideo.engine.seeding import rng_state, seed_everything, set_rng_state


def _draws() -> list[float]:
    return [
        random.random(),
        random.gauss(0, 1),
        float(np.random.random()),
        float(np.random.standard_normal()),
        torch.rand(1).item(),
        torch.randn(1).item(),
    ]


def test_a_saved_rng_state_loads_without_pickles_and_restores_every_generator(tmp_path):
    seed_everything(5)
    np.random.standard_normal()  # NumPy now holds a cached Gaussian, part of its state
    torch.save(rng_state(), tmp_path / 'rng.pth')
    expected = _draws()
    seed_everything(6)
    assert _draws() != expected
    set_rng_state(torch.load(tmp_path / 'rng.pth', weights_only=True))
    assert _draws() == expected
