"""RNG states as plain data (for checkpoints) and seeding of Python, NumPy and torch."""

from __future__ import annotations

import random

import numpy as np
import torch


def rng_state() -> dict:
    """Python, NumPy and torch RNG states as plain data."""
    numpy_state = np.random.get_state(legacy=True)
    assert isinstance(numpy_state, tuple)  # the legacy form: ('MT19937', keys, pos, has_gauss, cached_gaussian)
    _, keys, pos, has_gauss, cached_gaussian = numpy_state
    state = {
        'python': random.getstate(),
        'torch': torch.get_rng_state(),
        'numpy': {
            'keys': torch.from_numpy(keys.astype(np.int64)),
            'pos': int(pos),
            'has_gauss': int(has_gauss),
            'cached_gaussian': float(cached_gaussian),
        },
    }
    if torch.cuda.is_available():
        state['cuda'] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict) -> None:
    """Restore what :func:`rng_state` returned."""
    random.setstate(state['python'])
    torch.set_rng_state(state['torch'])
    numpy_state = state['numpy']
    np.random.set_state(
        (
            'MT19937',
            numpy_state['keys'].numpy().astype(np.uint32),
            numpy_state['pos'],
            numpy_state['has_gauss'],
            numpy_state['cached_gaussian'],
        )
    )
    if 'cuda' in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state['cuda'])


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch."""
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
