"""TSM backbones: torchvision's names and sizes, the shift's semantics and placement."""

import pytest
import torch

from gfvideo.models import build_backbone, temporal_shift
from gfvideo.models.backbones.resnet import Bottleneck

# torchvision's parameter counts without the ImageNet classifier
TORCHVISION_PARAMETERS = {
    'resnet18': 11_689_512 - 513_000,
    'resnet34': 21_797_672 - 513_000,
    'resnet50': 25_557_032 - 2_049_000,
    'resnet101': 44_549_160 - 2_049_000,
    'mobilenet_v2': 3_504_872 - 1_281_000,
}


@pytest.mark.parametrize('name', sorted(TORCHVISION_PARAMETERS))
def test_standard_widths_have_torchvision_sizes_and_shapes(name):
    backbone = build_backbone(name, num_segments=4)
    assert sum(p.numel() for p in backbone.parameters()) == TORCHVISION_PARAMETERS[name]
    small = build_backbone(name, num_segments=4, width_mult=0.25).eval()
    x = torch.randn(8, 3, 64, 64)
    maps = small.forward_features(x)
    assert maps.shape == (8, small.out_channels, 2, 2)
    assert torch.allclose(small(x), maps.mean(dim=(2, 3)))
    assert small.out_channels == {'resnet18': 128, 'resnet34': 128}.get(name, 1280 if name == 'mobilenet_v2' else 512)


def test_torchvision_parameter_names():
    resnet = build_backbone('resnet50').state_dict()
    mobilenet = build_backbone('mobilenet_v2').state_dict()
    for key in (
        'conv1.weight',
        'bn1.running_var',
        'layer1.0.downsample.0.weight',
        'layer1.0.downsample.1.bias',
        'layer4.2.conv3.weight',
        'layer4.2.bn3.weight',
    ):
        assert key in resnet
    for key in (
        'features.0.0.weight',
        'features.0.1.running_mean',
        'features.1.conv.0.0.weight',
        'features.1.conv.1.weight',
        'features.1.conv.2.bias',
        'features.2.conv.0.0.weight',
        'features.2.conv.1.0.weight',
        'features.2.conv.2.weight',
        'features.2.conv.3.weight',
        'features.17.conv.3.running_var',
        'features.18.0.weight',
        'features.18.1.weight',
    ):
        assert key in mobilenet
    assert not [k for k in list(resnet) + list(mobilenet) if '.net.' in k]


def test_shift_moves_one_fold_each_way_with_zero_fill():
    x = torch.arange(2 * 4 * 8, dtype=torch.float32).view(2 * 4, 8, 1, 1)  # 2 clips, 4 frames, 8 channels
    out = temporal_shift(x, num_segments=4, shift_div=4).view(2, 4, 8)
    clips = x.view(2, 4, 8)
    assert torch.equal(out[:, :3, :2], clips[:, 1:, :2]) and (out[:, 3, :2] == 0).all()  # from the next frame
    assert torch.equal(out[:, 1:, 2:4], clips[:, :3, 2:4]) and (out[:, 0, 2:4] == 0).all()  # from the previous
    assert torch.equal(out[:, :, 4:], clips[:, :, 4:])
    # the gradient goes back the way each fold came: the shift's adjoint
    x.requires_grad_(True)
    upstream = torch.randn(2, 4, 8)
    (grad,) = torch.autograd.grad((temporal_shift(x, 4, 4).view(2, 4, 8) * upstream).sum(), x)
    grad = grad.view(2, 4, 8)
    assert torch.equal(grad[:, 1:, :2], upstream[:, :3, :2]) and (grad[:, 0, :2] == 0).all()
    assert torch.equal(grad[:, :3, 2:4], upstream[:, 1:, 2:4]) and (grad[:, 3, 2:4] == 0).all()
    assert torch.equal(grad[:, :, 4:], upstream[:, :, 4:])
    with pytest.raises(ValueError, match='not a multiple'):
        temporal_shift(torch.zeros(6, 8, 1, 1), num_segments=4)


def test_clips_stay_separate_and_frames_mix_only_with_shift():
    x = torch.randn(8, 3, 32, 32)
    for is_shift in (True, False):
        net = build_backbone('resnet18', num_segments=4, width_mult=0.25, is_shift=is_shift).eval()
        changed = x.clone()
        changed[1] += 1  # clip 0, frame 1
        with torch.no_grad():
            delta = (net(changed) - net(x)).abs().amax(dim=1)
        assert delta[4:].max() == 0  # clip 1 untouched
        assert (delta[0] > 0) == is_shift and delta[1] > 0


def test_resnet101_shifts_every_other_block_and_block_place_shifts_identity():
    resnet101 = build_backbone('resnet101', width_mult=0.25)
    shifted = [block.shift is not None for block in resnet101.layer3]
    assert len(shifted) == 23 and shifted == [i % 2 == 0 for i in range(23)]
    assert all(block.shift is not None for block in build_backbone('resnet50', width_mult=0.25).layer3)
    block = Bottleneck(16, 4)
    block.enable_shift(2, 4, 'block')
    block.eval()
    x = torch.randn(4, 16, 4, 4)
    with torch.no_grad():
        block.bn3.weight.zero_()  # residual branch off: the output is relu(identity input)
    assert torch.allclose(block(x), torch.relu(temporal_shift(x, 2, 4)))
    block.shift_place = 'blockres'
    assert torch.allclose(block(x), torch.relu(x))


def test_invalid_settings():
    with pytest.raises(ValueError, match='unknown backbone'):
        build_backbone('vgg16')
    with pytest.raises(ValueError, match='shift_place'):
        build_backbone('resnet18', shift_place='both')


def test_the_stem_max_pool_gives_the_usual_values_and_gradients_in_the_usual_layout():
    stem_pool = build_backbone('resnet18', num_segments=2, width_mult=0.25).maxpool
    reference = torch.nn.MaxPool2d(3, 2, 1)
    maps = torch.randn(4, 16, 17, 22, requires_grad=True)
    pooled = stem_pool(maps)
    assert pooled.is_contiguous()  # the layers after it see the layout they always saw
    assert torch.equal(pooled, reference(maps))
    grad = torch.randn_like(pooled)
    (ours,) = torch.autograd.grad(pooled, maps, grad)
    (theirs,) = torch.autograd.grad(reference(maps), maps, grad)
    assert torch.equal(ours, theirs)


def test_the_stem_max_pool_keeps_channels_last_maps_channels_last():
    stem_pool = build_backbone('resnet18', num_segments=2, width_mult=0.25).maxpool
    maps = torch.randn(4, 16, 17, 22).contiguous(memory_format=torch.channels_last)
    pooled = stem_pool(maps)
    assert pooled.is_contiguous(memory_format=torch.channels_last)  # a channels-last backbone stays so
    assert torch.equal(pooled, torch.nn.MaxPool2d(3, 2, 1)(maps))
