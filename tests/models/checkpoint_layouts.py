"""Checkpoints laid out as other codebases save them, made from gfvideo models."""

import re

import torch
from torch import nn

#: Eight 32-px frames: two clips of ``num_segments=4`` for the models under test.
X = torch.randn(8, 3, 32, 32)


def randomized(model: nn.Module) -> nn.Module:
    """``model`` with every floating-point tensor drawn from a fixed generator, in eval mode."""
    generator = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for tensor in model.state_dict().values():
            if tensor.is_floating_point():
                tensor.copy_(torch.rand(tensor.shape, generator=generator) * 0.2 + 0.5)
    return model.eval()


def to_tsm_official(model: nn.Module) -> dict:
    """Name a gfvideo TSM's weights the way TSM's own code saves them."""
    state = {}
    shifted = {name for name, module in model.backbone.named_modules() if getattr(module, 'shift', None) is not None}
    for key, value in model.state_dict().items():
        if key.startswith('fc.'):
            state['module.new_fc.' + key[3:]] = value
            continue
        key = key[len('backbone.') :]
        block = re.match(r'(layer\d\.\d+|features\.\d+)\.', key)
        if block and block.group(1) in shifted:
            key = key.replace('.conv1.', '.conv1.net.') if key.startswith('layer') else key
        if key.startswith('features.'):
            key = _tsm_mobilenet_name(key, block and block.group(1) in shifted)
        state['module.base_model.' + key] = value
    return {'epoch': 10, 'arch': 'x', 'state_dict': state, 'best_prec1': 50.0}


def _tsm_mobilenet_name(key, shifted):
    match = re.match(r'features\.(\d+)\.conv\.(\d)(?:\.(\d))?\.(.+)$', key)
    if not match:
        return key
    block, outer, inner, rest = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
    flat = (
        {(0, '0'): 0, (0, '1'): 1, (1, None): 3, (2, None): 4}
        if block == 1
        else {(0, '0'): 0, (0, '1'): 1, (1, '0'): 3, (1, '1'): 4, (2, None): 6, (3, None): 7}
    )[(outer, inner)]
    net = '.net' if shifted and flat == 0 else ''
    return f'features.{block}.conv.{flat}{net}.{rest}'
