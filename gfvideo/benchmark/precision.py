"""The precisions the benchmark runs models in: fp32, and bfloat16 under autocast."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

import torch

PRECISIONS = {'fp32': None, 'bf16': torch.bfloat16}


def precision_context(device: torch.device | str, precision: str) -> AbstractContextManager:
    """``torch.autocast`` for ``'bf16'``; nothing for ``'fp32'``."""
    dtype = PRECISIONS[precision]
    return nullcontext() if dtype is None else torch.autocast(device_type=torch.device(device).type, dtype=dtype)
