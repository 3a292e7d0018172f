"""Optimizers over the trainable parameters only, and mixed precision where mmengine's
AmpOptimWrapper cannot go (bfloat16 autocast on CPUs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper

from ..registry import OPTIM_WRAPPER_CONSTRUCTORS, OPTIM_WRAPPERS


@contextmanager
def _frozen_hidden(model: torch.nn.Module) -> Iterator[None]:
    """Take parameters with ``requires_grad=False`` out of their modules for the duration."""
    hidden = []
    for module in model.modules():
        for name, parameter in list(module._parameters.items()):
            if parameter is not None and not parameter.requires_grad:
                hidden.append((module, name, parameter))
                del module._parameters[name]
    try:
        yield
    finally:
        for module, name, parameter in hidden:
            module._parameters[name] = parameter


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class TrainableOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """mmengine's default constructor (``paramwise_cfg`` included), over the parameters that
    train: a stage's frozen parts are never handed to the optimizer (nor warned about one by
    one). :class:`GFRunner` uses it unless a config names another ``constructor``."""

    def __call__(self, model: torch.nn.Module) -> OptimWrapper:
        with _frozen_hidden(model):
            return super().__call__(model)


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
