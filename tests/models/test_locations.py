"""Location sources: registered by name, built from names, configs and tensors, run by the one step loop."""

import pytest
import torch

from gfvideo.exit_rule import NEVER_EXIT
from gfvideo.models.locations import LocationSource, build_location_source
from gfvideo.registry import LOCATION_SOURCES
from tests.models.small_glance_focus import T, clips, small_model


def test_every_source_of_the_comparisons_is_registered_and_aliases_resolve():
    for name in ('PolicyMean', 'PolicySample', 'RandomLocations', 'CentreLocations', 'MotionPeak', 'MotionPrior'):
        assert isinstance(build_location_source(name), LocationSource)
    assert 'OracleLocations' in LOCATION_SOURCES  # with the hit rates, in gfvideo.evaluation
    assert type(build_location_source('mean')).__name__ == 'PolicyMean'
    assert type(build_location_source(dict(type='center'))).__name__ == 'CentreLocations'
    assert build_location_source(dict(type='MotionPrior', ratio=0.25)).ratio == 0.25
    with pytest.raises(ValueError, match=r"unknown location source 'nowhere'; registered: .*MotionPeak"):
        build_location_source('nowhere')


def test_each_source_places_patches_where_it_says():
    model = small_model()
    glance = model.glance(clips(2))
    height, width = 64, 64
    boxes = {}
    for name in ('mean', 'random', 'centre', 'motion'):
        step = list(model.run_steps(locations=name, glance=glance, max_steps=1, generator=torch.Generator()))[1]
        boxes[name] = step.boxes
        assert step.boxes.shape == (2, T, 4)
    centre = (width - model.patch_size) // 2
    assert (boxes['centre'][..., :2] == centre).all()
    fixed = torch.tensor([[0.0, 1.0]]).repeat(2 * T, 1)
    corner = list(model.run_steps(locations=fixed, glance=glance, max_steps=1))[1].boxes
    assert (corner[..., 0] == 0).all() and (corner[..., 1] == height - model.patch_size).all()
    assert not torch.equal(boxes['random'], boxes['centre'])


@LOCATION_SOURCES.register_module(force=True)
class TopLeftCorner(LocationSource):
    """A user's heuristic: always the top-left corner."""

    def __call__(self, model, state, generator=None):
        return torch.zeros(state.frame_ids.shape[0], 2, device=state.frames.device), None


def test_a_registered_user_source_is_named_like_a_built_in_one():
    model = small_model()
    _, details = model.anytime(clips(2), locations='TopLeftCorner')
    assert all((d.boxes[..., :2] == 0).all() for d in details[1:])


def test_the_step_loop_with_thresholds_is_the_early_exit_runtime():
    model = small_model()
    inputs = clips(6)
    confidences = model.anytime(inputs)[0].softmax(-1).amax(-1)  # (K+1, B)
    thresholds = [NEVER_EXIT, confidences[1].median().item(), 0.0]  # everyone left leaves after step 2
    steps = list(model.run_steps(inputs, 'mean', thresholds=thresholds))
    running = [step.clips.tolist() for step in steps]
    assert running[0] == running[1] == list(range(6)) and 0 < len(running[2]) < 6 and len(steps) == 3
    result = model.forward_adaptive(inputs, thresholds)
    assert result.step_batch_sizes == [len(r) for r in running]
    for step in steps:
        assert torch.allclose(result.logits[step.index, step.clips], step.logits)
    with pytest.raises(ValueError, match='expected 3 thresholds'):
        next(model.run_steps(inputs, thresholds=[0.5]))


def test_the_compensated_peak_is_computed_once_per_batch_for_the_clips_still_running(monkeypatch):
    import gfvideo.models.locations as locations

    calls = []
    original = locations.compensated_differences
    monkeypatch.setattr(
        locations, 'compensated_differences', lambda c, offsets=None: calls.append(len(c)) or original(c, offsets)
    )
    model = small_model()
    inputs = clips(6)
    source = build_location_source('CompensatedMotionPeak')
    confidences = model.anytime(inputs, locations=source)[0].softmax(-1).amax(-1)
    thresholds = [NEVER_EXIT, confidences[1].median().item(), 0.0]
    calls.clear()
    steps = list(model.run_steps(inputs, source, thresholds=thresholds))
    assert calls == [6] and 0 < len(steps[2].clips) < 6  # one computation for the batch's three steps
    # the peak does not depend on the step: the clips still running keep their first step's boxes
    assert torch.equal(steps[2].boxes, steps[1].boxes[steps[2].clips])
    calls.clear()
    list(model.run_steps(inputs.flip(0), source, max_steps=1))
    assert calls == [6]  # a new batch is computed afresh


def test_the_compensated_peak_takes_the_camera_the_glance_estimated(monkeypatch):
    import torch.nn.functional as F

    import gfvideo.models.motion_prior as motion_prior
    from tests.models.test_glance_focus import COMPENSATED

    model, inputs = small_model(**COMPENSATED), clips(3)
    differences = F.adaptive_avg_pool2d(motion_prior.compensated_differences(inputs), model.glance_size)
    peaks = motion_prior.motion_locations(differences, model.patch_size, (64, 64))  # estimated afresh
    expected = list(model.run_steps(inputs, peaks, max_steps=1))[1].boxes
    estimates = []
    original = motion_prior._neighbour_shifts
    monkeypatch.setattr(motion_prior, '_neighbour_shifts', lambda c: estimates.append(len(c)) or original(c))
    steps = list(model.run_steps(inputs, 'CompensatedMotionPeak', max_steps=1))
    assert estimates == [3]  # the glance step's estimate, not a second one for the peak
    assert torch.equal(steps[1].boxes, expected)
