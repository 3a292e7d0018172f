"""Mixed precision where mmengine's AmpOptimWrapper cannot go: bfloat16 autocast on CPUs."""
from __future__ import annotations

from contextlib import contextmanager

import torch
from mmengine.optim import OptimWrapper

from ..registry import OPTIM_WRAPPERS


@OPTIM_WRAPPERS.register_module()
class BFloat16OptimWrapper(OptimWrapper):
    """Run forward passes under ``torch.autocast(dtype=torch.bfloat16)`` on the model's device.

    bfloat16 has float32's range, so no loss scaling is needed; parameters and optimizer state
    stay float32. ``tools/train.py --amp`` picks it when there is no GPU.
    """

    @contextmanager
    def optim_context(self, model: torch.nn.Module):
        device = next(model.parameters()).device.type
        with super().optim_context(model), torch.autocast(device_type=device, dtype=torch.bfloat16):
            yield
