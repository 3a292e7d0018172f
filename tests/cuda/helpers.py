"""Comparing a model on a CUDA GPU with the very same model on the CPU.

The CPU run is the reference. In fp32 (TF32 off) the two must agree to float round-off; under
float16 / bfloat16 autocast to the stated tolerances, relative to each tensor's own scale:

* fp32: max |cuda - cpu| <= 1e-4 x max |cpu|
* fp16 autocast: <= 1e-2 x max |cpu|
* bf16 autocast: <= 5e-2 x max |cpu|

(CPU autocast against CPU fp32 on the same models stays within 3.3e-3 in fp16 and 1.8e-2 in bf16;
the fp32 bound leaves room for cuDNN's and cuBLAS's own summation orders, with TF32 off.)

Patch boxes are integers and must be equal. A box is the floor of ``location * (S - P)``, so a
location that lands within round-off of a whole pixel could floor either way on two correct
devices; the fp32 comparisons therefore first check, on the CPU, that every location of the
reference run is at least ``PIXEL_MARGIN`` away from a whole pixel (and, for a grid policy, that
the best cell leads the second by ``LOGIT_MARGIN``). Under autocast the policy's locations move
by more than a pixel's fraction, so those comparisons feed the CPU's locations to the GPU's focus
steps (the GPU's own policy output is compared separately, within the tolerance).
"""

from __future__ import annotations

import copy
from contextlib import nullcontext

import torch

from gfvideo.models.patches import centred_locations

TOLERANCE = {'fp32': 1e-4, 'fp16': 1e-2, 'bf16': 5e-2}
AUTOCAST_DTYPES = {'fp16': torch.float16, 'bf16': torch.bfloat16}
PIXEL_MARGIN = 1e-3
LOGIT_MARGIN = 1e-5


def autocast(device: torch.device, precision: str):
    """``torch.autocast`` on ``device`` for ``'fp16'`` / ``'bf16'``; nothing for ``'fp32'``."""
    if precision == 'fp32':
        return nullcontext()
    return torch.autocast(device_type=device.type, dtype=AUTOCAST_DTYPES[precision])


def decisive_policy(model: torch.nn.Module, std: float = 0.1, seed: int = 0) -> torch.nn.Module:
    """Redraw the policy head's weights (initialised at std 0.01, which leaves a grid policy's
    cells within ~1e-6 of each other) so that its choices differ clearly between frames."""
    with torch.no_grad():
        model.policy.actor.weight.normal_(0, std, generator=torch.Generator().manual_seed(seed))
    return model


def twin(model: torch.nn.Module, device: torch.device) -> torch.nn.Module:
    """A copy of ``model`` (weights, buffers, train/eval mode) on ``device``."""
    return copy.deepcopy(model).to(device)


def assert_on(device: torch.device, *tensors: torch.Tensor) -> None:
    for tensor in tensors:
        assert tensor.device.type == device.type, f'a result on {tensor.device}, expected {device.type}'


def assert_close(actual: torch.Tensor, expected: torch.Tensor, precision: str = 'fp32', what: str = '') -> None:
    """``max |actual - expected| <= TOLERANCE[precision] * max |expected|`` (NaNs must coincide)."""
    actual, expected = actual.detach().float().cpu(), expected.detach().float().cpu()
    assert actual.shape == expected.shape, f'{what}: shape {tuple(actual.shape)} != {tuple(expected.shape)}'
    nan = torch.isnan(expected)
    assert torch.equal(torch.isnan(actual), nan), f'{what}: NaNs differ'
    actual, expected = actual[~nan], expected[~nan]
    assert torch.isfinite(actual).all(), f'{what}: non-finite values ({precision})'
    scale = expected.abs().max().item() if expected.numel() else 0.0
    error = (actual - expected).abs().max().item() if expected.numel() else 0.0
    limit = TOLERANCE[precision] * max(scale, 1e-12)
    assert error <= limit, f'{what}: max |difference| {error:.3g} > {TOLERANCE[precision]} x {scale:.3g} ({precision})'


def decision_margins(model, details, height: int, width: int) -> tuple[float, float]:
    """``(pixel margin, logit margin)`` of the focus steps' decisions in ``details`` (from
    ``model(..., return_details=True)`` on ``height x width`` frames): how far each
    ``location * (S - P)`` is from a whole pixel, and by how much a grid policy's best cell leads
    the second (inf where it does not apply)."""
    pixel, logit = float('inf'), float('inf')
    for step in details[1:]:
        if model.policy.kind == 'grid':
            top = step.policy.params.detach().topk(2, dim=-1).values
            logit = min(logit, (top[:, 0] - top[:, 1]).min().item())
        else:
            pixel = min(pixel, location_margin(step.policy.location, height, width, model.patch_size))
    return pixel, logit


def assert_decisions_are_clear(model, details, height: int, width: int) -> None:
    """The reference run's patch choices are far enough from a tie that round-off cannot flip them."""
    pixel, logit = decision_margins(model, details, height, width)
    assert pixel > PIXEL_MARGIN and logit > LOGIT_MARGIN, (
        f'test precondition: a CPU location lies within {pixel:.2g} px of a whole pixel (or a grid cell within '
        f'{logit:.2g} of the next); choose another seed'
    )


def clear_inputs(model, make, seeds=range(50)) -> torch.Tensor:
    """The first ``make(seed)`` (clips, normalised or uint8) on which the CPU ``model``'s patch
    choices are clear of ties (see :func:`decision_margins`): a precondition of comparing boxes
    exactly, decided on the reference alone."""
    was_training = model.training
    model.eval()
    try:
        for seed in seeds:
            inputs = make(seed)
            normalised = inputs if inputs.is_floating_point() else model.data_preprocessor.normalize(inputs)
            with torch.no_grad():
                _, details = model(normalised, return_details=True)
            pixel, logit = decision_margins(model, details, *normalised.shape[-2:])
            if pixel > PIXEL_MARGIN and logit > LOGIT_MARGIN:
                return inputs
    finally:
        model.train(was_training)
    raise AssertionError(f'no clips among seeds {seeds} whose patch choices are clear of ties')


def location_margin(locations: torch.Tensor, height: int, width: int, patch_size: int) -> float:
    """Smallest distance (pixels) between ``location * (S - P)`` and a whole pixel, over the
    locations strictly inside (0, 1)."""
    locations = locations.detach().double().cpu()
    spans = torch.tensor([width - patch_size, height - patch_size], dtype=torch.float64)
    pixels = locations * spans
    inside = (locations > 0) & (locations < 1)
    distance = (pixels - pixels.round()).abs()[inside]
    return distance.min().item() if distance.numel() else float('inf')


def assert_anytime_matches(reference, model, clips: torch.Tensor, device: torch.device) -> None:
    """fp32: ``model`` (on ``device``) runs ``forward`` with its own policy and must give the CPU
    ``reference``'s logits, features, locations and boxes."""
    height, width = clips.shape[-2:]
    with torch.no_grad():
        expected_logits, expected = reference(clips, return_details=True)
        assert_decisions_are_clear(reference, expected, height, width)
        logits, details = model(clips.to(device), return_details=True)
    assert_on(device, logits)
    assert_close(logits, expected_logits, 'fp32', 'logits after every step')
    assert_close(details[0].features, expected[0].features, 'fp32', 'glance features')
    for step, (got, want) in enumerate(zip(details[1:], expected[1:]), 1):
        assert_on(device, got.features, got.boxes, got.policy.location, got.policy.value)
        assert_close(got.policy.location, want.policy.location, 'fp32', f'step {step} locations')
        assert_close(got.policy.value, want.policy.value, 'fp32', f'step {step} values')
        assert torch.equal(got.boxes.cpu(), want.boxes), f'step {step}: boxes differ'
        assert_close(got.features, want.features, 'fp32', f'step {step} focus features')


def assert_steps_match_under_autocast(
    reference, model, clips: torch.Tensor, device: torch.device, precision: str
) -> None:
    """Under ``precision`` autocast on ``device``: the glance, the policy's locations and each focus
    step's logits against the fp32 CPU ``reference``; each focus step crops at the reference's
    locations (see the module's docstring)."""
    with torch.no_grad():
        expected_logits, expected = reference(clips, return_details=True)
        with autocast(device, precision):
            state, logits, details = model.glance_step(clips.to(device))
            assert_close(logits, expected_logits[0], precision, 'glance logits')
            assert_close(details.features, expected[0].features, precision, 'glance features')
            for step in range(1, model.max_focus_steps + 1):
                want = expected[step]
                decision = model.policy.act(state.map_code, state.history, state.policy_state)
                assert_on(device, decision.location)
                assert_close(decision.location, want.policy.location, precision, f'step {step} locations')
                height, width = clips.shape[-2:]
                centres = want.policy.location.to(device) * torch.tensor([width, height], device=device)
                state, logits, details = model.focus_step(
                    state, centred_locations(centres, model.patch_size, height, width)
                )
                assert torch.equal(details.boxes.cpu(), want.boxes), f'step {step}: boxes differ'
                assert_close(details.features, want.features, precision, f'step {step} focus features')
                assert_close(logits, expected_logits[step], precision, f'step {step} logits')
