"""DDP that keeps a model's own ``train_step`` (stage 2's PPO) instead of mmengine's; unwrapping."""

from __future__ import annotations

import torch
import torch.distributed as dist
from mmengine.model import MMDistributedDataParallel, is_model_wrapper

from ..registry import MODEL_WRAPPERS


def unwrap_model(model: torch.nn.Module) -> torch.nn.Module:
    """The model inside a DDP (or other mmengine) wrapper; a bare model as it is."""
    if not is_model_wrapper(model):
        return model
    inner = model.module
    assert isinstance(inner, torch.nn.Module)  # wrappers hold the model as ``module``
    return inner


@MODEL_WRAPPERS.register_module()
class StageAwareDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP for standard loss steps; for a model with a custom training step (a
    GlanceFocusNet in stage 2) it calls the model's ``train_step`` with DDP's own gradient
    reduction off and averages the trainable gradients across processes itself. On CPU
    (gloo) the module is wrapped without ``device_ids``, which mmengine always passes."""

    def __init__(self, module, device_ids=None, **kwargs) -> None:
        if next(module.parameters()).device.type == 'cpu':
            device_ids = None
        super().__init__(module=module, device_ids=device_ids, **kwargs)

    def train_step(self, data, optim_wrapper):
        if getattr(self.module, 'train_stage', None) != 2:
            return super().train_step(data, optim_wrapper)
        with self.no_sync():
            return self.module.train_step(data, optim_wrapper, grad_sync=self._average_gradients)

    def _average_gradients(self) -> None:
        world = dist.get_world_size()
        for parameter in self.module.parameters():
            if parameter.requires_grad:
                if parameter.grad is None:
                    parameter.grad = torch.zeros_like(parameter)
                dist.all_reduce(parameter.grad)
                parameter.grad /= world
