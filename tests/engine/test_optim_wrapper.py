"""The optimizer wrapper's constructor: frozen parameters never reach the optimizer."""

import torch

from gfvideo.engine.optim_wrapper import TrainableOptimWrapperConstructor


def test_the_optimizer_holds_only_trainable_parameters(capsys):
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2), torch.nn.Linear(2, 2))
    for parameter in model[0].parameters():
        parameter.requires_grad = False
    wrapper = TrainableOptimWrapperConstructor(
        dict(optimizer=dict(type='AdamW', lr=1e-3, weight_decay=0.01)), paramwise_cfg=dict(norm_decay_mult=0.0)
    )(model)
    held = [p for group in wrapper.optimizer.param_groups for p in group['params']]
    assert sorted(map(id, held)) == sorted(id(p) for p in model.parameters() if p.requires_grad)
    assert all(p.requires_grad for p in held) and len(list(model.parameters())) == 6  # frozen ones are back
    assert 'is skipped' not in capsys.readouterr().out
