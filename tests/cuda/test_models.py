"""Every model on a CUDA GPU against the same weights on the CPU: recognizers, GlanceFocusNet's
forward, early exit, costs, generators and evaluation loops; fp32 to round-off and under
float16 / bfloat16 autocast to the tolerances of :mod:`tests.cuda.helpers`."""

import pytest
import torch

from gfvideo.evaluation import NEVER_EXIT, collect_step_logits_many, run_adaptive
from gfvideo.models import TSM, GlanceFocusNet, glance_focus_costs, recognizer_macs
from tests.cuda.helpers import (
    assert_anytime_matches,
    assert_close,
    assert_on,
    assert_steps_match_under_autocast,
    autocast,
    clear_inputs,
    decisive_policy,
    twin,
)

pytestmark = pytest.mark.cuda

T = 4
#: name -> GlanceFocusNet options (quarter-width ResNet-18 glance and focus unless said otherwise)
VARIANTS = {
    'gaussian': dict(),
    'grid': dict(policy=dict(hidden_dim=32, kind='grid', grid_size=3)),
    'fixed-std, gru': dict(policy=dict(hidden_dim=32, action_std=0.1), aggregator=dict(temporal='gru')),
    'diff glance': dict(glance_modality='diff'),
    'mobilenet_v2 glance': dict(glance_backbone=dict(name='mobilenet_v2', num_segments=T, width_mult=0.25)),
    'resnet50 both': dict(
        glance_backbone=dict(name='resnet50', num_segments=T),
        focus_backbone=dict(name='resnet50', num_segments=T),
        glance_size=64,
        patch_size=48,
    ),
}
#: float16 needs features in its range: MobileNetV2 at initialisation gives ~1e-9 (bfloat16 has float32's range)
FLOAT16_VARIANTS = [name for name in VARIANTS if name != 'mobilenet_v2 glance']


@pytest.fixture(scope='module')
def cuda():
    return torch.device('cuda')


def gfnet(name: str = 'gaussian') -> GlanceFocusNet:
    options = dict(
        glance_backbone=dict(name='resnet18', num_segments=T, width_mult=0.25),
        focus_backbone=dict(name='resnet18', num_segments=T, width_mult=0.25),
        num_classes=6,
        glance_size=32,
        patch_size=24,
        max_focus_steps=3,
        hidden_dim=32,
        policy=dict(hidden_dim=32),
    )
    options.update(VARIANTS[name])
    torch.manual_seed(0)
    return decisive_policy(GlanceFocusNet(**options).eval())


def random_clips(seed: int, batch: int = 2, size: int = 64) -> torch.Tensor:
    return torch.randn(batch, T, 3, size, size, generator=torch.Generator().manual_seed(seed))


def clips(model: GlanceFocusNet, batch: int = 2) -> torch.Tensor:
    """Clips on which ``model``'s CPU patch choices are clear of ties (boxes then compare exactly)."""
    return clear_inputs(model, lambda seed: random_clips(seed, batch))


# ----------------------------------------------------------------------------- recognizers
@pytest.mark.parametrize(
    'backbone',
    [
        dict(name='resnet18', width_mult=0.25),
        dict(name='resnet34', width_mult=0.25),
        dict(name='resnet50'),
        dict(name='resnet101', width_mult=0.25),
        dict(name='mobilenet_v2'),
        dict(name='resnet18', shift_place='block'),
        dict(name='resnet18', is_shift=False),
    ],
    ids=str,
)
def test_tsm_matches_the_cpu(backbone, cuda):
    torch.manual_seed(0)
    model = TSM(dict(num_segments=T, **backbone), num_classes=10).eval()
    torch.nn.init.normal_(model.fc.weight, 0, 1)  # logits of the features' scale, not ~1e-3 of it
    inputs = random_clips(0)
    frames = inputs.flatten(0, 1)
    on_gpu = twin(model, cuda)
    with torch.no_grad():
        logits = on_gpu(inputs.to(cuda))
        assert_on(cuda, logits)
        assert_close(logits, model(inputs), 'fp32', 'TSM logits')
        maps = on_gpu.backbone.forward_features(frames.to(cuda))
        assert_close(maps, model.backbone.forward_features(frames), 'fp32', 'feature maps')
        # float16 needs activations in its range: at initialisation MobileNetV2's shrink to ~1e-9 and
        # ResNet-101's grow past 65504 (bfloat16 has float32's range)
        precisions = ['bf16'] + (['fp16'] if backbone['name'] not in ('mobilenet_v2', 'resnet101') else [])
        for precision in precisions:
            with autocast(cuda, precision):
                features = on_gpu.backbone(frames.to(cuda))
            assert_close(features, model.backbone(frames), precision, f'features ({precision})')


def test_normalisation_runs_on_the_model_device(cuda):
    model = TSM(dict(name='resnet18', num_segments=T, width_mult=0.25), num_classes=10)
    raw = torch.randint(0, 256, (2, T, 3, 16, 16), dtype=torch.uint8)
    on_gpu = twin(model, cuda)
    normalised = on_gpu.data_preprocessor.normalize(raw)
    assert_on(cuda, normalised)
    assert_close(normalised, model.data_preprocessor.normalize(raw), 'fp32', 'normalised clips')
    packed = on_gpu.data_preprocessor(dict(inputs=raw, label=torch.tensor([1, 2])), True)
    assert_on(cuda, packed['inputs'], packed['label'])


# ----------------------------------------------------------------------------- GlanceFocusNet
@pytest.mark.parametrize('name', list(VARIANTS))
def test_glance_focus_forward_matches_the_cpu(name, cuda):
    model = gfnet(name)
    assert_anytime_matches(model, twin(model, cuda), clips(model), cuda)


@pytest.mark.parametrize(
    'name,precision', [(name, 'bf16') for name in VARIANTS] + [(name, 'fp16') for name in FLOAT16_VARIANTS]
)
def test_glance_focus_under_autocast_matches_the_cpu(name, precision, cuda):
    model = gfnet(name)
    assert_steps_match_under_autocast(model, twin(model, cuda), random_clips(0), cuda, precision)


def clear_thresholds(confidences: torch.Tensor) -> list[float]:
    """Per step but the last, a threshold halfway across the widest gap between two clips'
    confidences in the middle half of the batch (round-off cannot move a clip across it)."""
    thresholds = []
    for step_confidences in confidences[:-1]:
        values = step_confidences.sort().values
        gaps = values[1:] - values[:-1]
        first = len(gaps) // 4
        index = first + int(gaps[first : max(first + 1, 3 * len(gaps) // 4)].argmax())
        assert gaps[index] > 1e-4, "test precondition: the clips' confidences are too close together"
        thresholds.append(float(values[index] + values[index + 1]) / 2)
    return thresholds


def test_forward_adaptive_matches_the_cpu(cuda):
    model = gfnet('gaussian')
    torch.nn.init.normal_(model.aggregator.fc.weight, 0, 1)  # confidences that differ between clips
    inputs = clips(model, batch=12)
    with torch.no_grad():
        confidences = model(inputs).softmax(-1).amax(-1)  # (K+1, B)
    on_gpu = twin(model, cuda)
    thresholds = clear_thresholds(confidences)
    for chosen in (thresholds, [NEVER_EXIT] * 3, [0.0] * 3):
        expected = model.forward_adaptive(inputs, chosen)
        result = on_gpu.forward_adaptive(inputs.to(cuda), chosen)
        assert_on(
            cuda, result.predictions, result.confidences, result.exit_steps, result.logits, result.boxes, result.macs
        )
        assert torch.equal(result.exit_steps.cpu(), expected.exit_steps)
        assert torch.equal(result.predictions.cpu(), expected.predictions)
        assert result.step_batch_sizes == expected.step_batch_sizes
        assert torch.equal(result.boxes.cpu(), expected.boxes)
        assert torch.equal(result.macs.cpu(), expected.macs)
        assert_close(result.logits, expected.logits, 'fp32', 'per-step logits')
        assert_close(result.confidences, expected.confidences, 'fp32', 'confidences')
        if chosen is thresholds:  # the comparison covers clips leaving at different steps
            assert len(set(expected.step_batch_sizes)) > 1


@pytest.mark.parametrize('precision', ['bf16', 'fp16'])
def test_forward_adaptive_under_autocast_exits_by_its_own_confidences(precision, cuda):
    model = twin(gfnet('gaussian'), cuda)
    torch.nn.init.normal_(model.aggregator.fc.weight, 0, 1)
    inputs = random_clips(0, batch=12).to(cuda)
    thresholds = [0.4, 0.45, 0.5]
    with autocast(cuda, precision):
        result = model.forward_adaptive(inputs, thresholds)
    assert_on(cuda, result.logits, result.exit_steps, result.boxes)
    confidences = result.logits.float().softmax(-1).amax(-1).cpu()  # NaN where a clip did not run
    for clip, step in enumerate(result.exit_steps.tolist()):
        ran, skipped = result.logits[: step + 1, clip], result.logits[step + 1 :, clip]
        assert torch.isfinite(ran).all() and torch.isnan(skipped).all()
        assert all(confidences[k, clip] < thresholds[k] + 1e-3 for k in range(step))
        assert step == 3 or confidences[step, clip] >= thresholds[step] - 1e-3


def test_samples_and_random_patches_follow_a_gpu_generator(cuda):
    model = twin(gfnet('gaussian'), cuda)
    with torch.no_grad():
        state = model.glance_step(random_clips(0).to(cuda))[0]
        for mode in ('sample', 'random'):

            def draw(seed: int, mode: str = mode) -> torch.Tensor:
                return model.focus_step(state, mode, torch.Generator(device=cuda).manual_seed(seed))[2].boxes

            assert_on(cuda, draw(3))
            assert torch.equal(draw(3), draw(3)) and not torch.equal(draw(3), draw(4))
            with pytest.raises(RuntimeError):  # a CPU generator for GPU draws is an error, never a silent fallback
                model.focus_step(state, mode, torch.Generator().manual_seed(3))
        decision = model.focus_step(state, 'sample')[2].policy
        assert_on(cuda, decision.action, decision.log_prob, decision.params)


@pytest.mark.parametrize('name', ['gaussian', 'fixed-std, gru'])  # the frame GRU runs cuDNN's RNN on a GPU
def test_costs_counted_on_the_gpu_equal_the_cpu(name, cuda):
    model = gfnet(name)
    assert glance_focus_costs(twin(model, cuda), 64, 64) == glance_focus_costs(model, 64, 64)
    tsm = TSM(dict(name='resnet18', num_segments=T, width_mult=0.25), num_classes=10)
    assert recognizer_macs(twin(tsm, cuda), 64, 64) == recognizer_macs(tsm, 64, 64)


def test_loss_and_predict_modes_on_the_gpu(cuda):
    reference = gfnet('gaussian')
    inputs = clips(reference)
    model = twin(reference, cuda).train()
    labels = torch.tensor([1, 4], device=cuda)
    losses = model(inputs.to(cuda), label=labels, mode='loss')
    losses['loss'].backward()
    assert_on(cuda, *losses.values())
    assert all(
        p.grad is not None and p.grad.device.type == cuda.type
        for p in model.focus_backbone.parameters()
        if p.requires_grad
    )
    model.eval()
    with torch.no_grad():
        predictions = model(inputs.to(cuda), label=labels, mode='predict')
        expected = reference(inputs, label=labels.cpu(), mode='predict')
    assert [p['step_gmacs'] for p in predictions] == [p['step_gmacs'] for p in expected]
    for got, want in zip(predictions, expected):
        assert_on(cuda, got['step_scores'])
        assert_close(got['step_scores'], want['step_scores'], 'fp32', 'predict scores')


def test_evaluation_loops_on_the_gpu(cuda):
    model = gfnet('gaussian')
    raw = clear_inputs(model, lambda seed: (random_clips(seed, 4) * 40 + 120).clamp(0, 255).to(torch.uint8))
    loader = [
        dict(inputs=raw[:2], label=torch.tensor([0, 1]), meta=[dict(filename='a'), dict(filename='b')]),
        dict(inputs=raw[2:], label=torch.tensor([2, 3]), meta=[dict(filename='c'), dict(filename='d')]),
    ]

    on_gpu = twin(model, cuda)
    got = collect_step_logits_many(on_gpu, loader, ['mean', 'random', 'centre'])
    want = collect_step_logits_many(model, loader, ['mean', 'random', 'centre'])
    for index in (0, 2):  # the policy's and fixed patches agree; random ones come from each device's generator
        assert_close(
            torch.from_numpy(got[index].logits), torch.from_numpy(want[index].logits), 'fp32', 'collected logits'
        )
    assert got[1].logits.shape == want[1].logits.shape and got[0].paths == ['a', 'b', 'c', 'd']
    run = run_adaptive(on_gpu, loader, [NEVER_EXIT] * 3)
    assert [r.exit_step for r in run.records] == [3] * 4 and all(r.latency_ms > 0 for r in run.records)
    assert_close(torch.from_numpy(run.scores), torch.from_numpy(want[0].logits[-1]).softmax(-1), 'fp32', 'scores')
