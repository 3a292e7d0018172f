"""GlanceFocusNet: shapes, batched cropping, policy kinds, early exit that really drops clips, costs."""

import json
from pathlib import Path

import pytest
import torch

from gfvideo.models import (
    GlanceFocusNet,
    backbone_macs,
    build_backbone,
    count_macs,
    crop_patches,
    glance_focus_costs,
    load_weights,
)
from gfvideo.models.glance_focus import box_changes
from gfvideo.models.patches import centred_locations
from tests.models.small_glance_focus import T, clips, small_model


def test_crop_patches_matches_slicing_and_maps_actions_to_corners():
    frames = torch.randn(5, 3, 20, 30)
    actions = torch.tensor([[0.0, 0.0], [1.0, 1.0], [0.5, 0.25], [0.99, 0.01], [1.7, -0.3]])
    patches, boxes = crop_patches(frames, actions, 8)
    for n, (ax, ay) in enumerate(actions.clamp(0, 1).tolist()):
        x0, y0 = int(ax * 22), int(ay * 12)  # floor(a * (W - P)), floor(a * (H - P))
        assert boxes[n].tolist() == [x0, y0, x0 + 8, y0 + 8]
        assert torch.equal(patches[n], frames[n, :, y0 : y0 + 8, x0 : x0 + 8])
    with pytest.raises(ValueError, match='exceeds'):
        crop_patches(frames, actions, 21)


def test_half_precision_locations_crop_where_their_float32_value_says():
    # bfloat16 0.69921875 * (224 - 64) = 111.875, which bfloat16 itself rounds to 112
    frames = torch.randn(3, 3, 224, 224)
    actions = torch.tensor([[0.69921875, 0.3], [0.123, 0.877], [0.5, 0.999]])
    for dtype in (torch.bfloat16, torch.float16):
        half = actions.to(dtype)
        patches, boxes = crop_patches(frames, half, 64)
        exact_patches, exact_boxes = crop_patches(frames, half.float(), 64)
        assert torch.equal(boxes, exact_boxes) and torch.equal(patches, exact_patches)
    assert crop_patches(frames, actions.to(torch.bfloat16), 64)[1][0, 0] == 111


def test_normalisation_of_uint8_and_float_clips_agrees():
    from gfvideo.models.data_preprocessor import VideoDataPreprocessor

    clips = torch.randint(0, 256, (2, T, 3, 8, 8), dtype=torch.uint8)
    preprocessor = VideoDataPreprocessor()
    normalised = preprocessor.normalize(clips)
    assert normalised.dtype == torch.float32
    assert torch.equal(normalised, preprocessor.normalize(clips.double()))
    assert torch.allclose(normalised[:, :, 0], (clips[:, :, 0].float() - 123.675) / 58.395)


def test_anytime_outputs_and_details():
    model = small_model()
    logits, details = model(clips(), return_details=True)
    assert logits.shape == (4, 3, 6) and len(details) == 4
    assert details[0].features.shape == (3, T, model.glance_backbone.out_channels) and details[0].boxes is None
    for step in details[1:]:
        assert step.features.shape == (3, T, model.focus_backbone.out_channels)
        boxes = step.boxes
        assert boxes.shape == (3, T, 4) and (boxes[..., 2] - boxes[..., 0] == 24).all()
        assert boxes.min() >= 0 and boxes[..., 2:].max() <= 64
        assert step.policy.location.shape == (3 * T, 2) and step.policy.value.shape == (3 * T,)
    assert model(clips(), max_steps=1).shape == (2, 3, 6)


def test_mean_action_is_deterministic_and_samples_follow_the_generator():
    model = small_model()
    assert torch.equal(model(clips()), model(clips()))
    state = model.glance_step(clips())[0]

    def draw(seed: int) -> torch.Tensor:
        return model.focus_step(state, 'sample', torch.Generator().manual_seed(seed))[2].policy.action

    assert torch.equal(draw(3), draw(3)) and not torch.equal(draw(3), draw(4))


@pytest.mark.parametrize(
    'policy,aggregator', [(dict(kind='grid', grid_size=3), {}), (dict(action_std=0.1), dict(temporal='gru'))]
)
def test_policy_and_aggregator_variants(policy, aggregator):
    model = small_model(policy=dict(hidden_dim=32, **policy), aggregator=aggregator)
    logits, details = model(clips(), return_details=True)
    assert logits.shape == (4, 3, 6) and torch.isfinite(logits).all()
    decision = details[1].policy
    if policy.get('kind') == 'grid':
        assert set((decision.location * 6).round().flatten().tolist()) <= {1.0, 3.0, 5.0}  # cell centres
        assert decision.params.shape == (3 * T, 9)
    else:  # a fixed std: nothing learnable, and an entropy with no gradient
        assert model.policy.log_std is None and torch.allclose(model.policy.std, torch.tensor([0.1, 0.1]))
        assert not model.policy.entropy(decision.params.detach()).requires_grad


COMPENSATED = dict(
    focus_modality='rgb+compensated_diff',
    focus_backbone=dict(name='resnet18', num_segments=T, width_mult=0.25, in_channels=6),
)


@pytest.mark.parametrize('options', [{}, COMPENSATED], ids=['rgb', 'rgb+compensated_diff'])
def test_early_exit_drops_clips_and_agrees_with_the_anytime_logits(options):
    model = small_model(**options)
    x = clips(batch=6)
    anytime = model(x)
    confidence = anytime.softmax(-1).amax(-1)  # (K+1, B)
    thresholds = [confidence[0].median().item(), confidence[1].median().item(), 2.0]
    result = model.forward_adaptive(x, thresholds)
    expected = []
    for clip in range(6):
        exit_step = next((k for k in range(3) if confidence[k, clip] >= thresholds[k]), 3)
        expected.append(exit_step)
    assert result.exit_steps.tolist() == expected
    for clip, exit_step in enumerate(expected):
        ran = result.logits[: exit_step + 1, clip]
        assert torch.allclose(ran, anytime[: exit_step + 1, clip], atol=1e-5)
        assert torch.isnan(result.logits[exit_step + 1 :, clip]).all()
        assert result.predictions[clip] == anytime[exit_step, clip].argmax()
    still_running = [sum(e >= k for e in expected) for k in range(4)]
    assert result.step_batch_sizes == [n for n in still_running if n > 0]
    cumulative = glance_focus_costs(model, 64, 64).cumulative
    assert result.macs.tolist() == [float(cumulative[e]) for e in expected]
    with pytest.raises(ValueError, match='expected 3 thresholds'):
        model.forward_adaptive(x, [0.5])


def test_image_mode_runs():
    model = small_model(
        glance_backbone=dict(name='resnet18', num_segments=1, is_shift=False, width_mult=0.25),
        focus_backbone=dict(name='resnet18', num_segments=1, is_shift=False, width_mult=0.25),
    )
    logits = model(torch.randn(2, 1, 3, 64, 64))
    assert logits.shape == (4, 2, 6)
    assert model.forward_adaptive(torch.randn(2, 1, 3, 64, 64), [0.0, 0.0, 0.0]).exit_steps.tolist() == [0, 0]


def test_bfloat16_autocast_on_cpu():
    model = small_model()
    with torch.autocast('cpu', dtype=torch.bfloat16):
        logits = model(clips())
    assert logits.shape == (4, 3, 6) and torch.isfinite(logits.float()).all()


def test_stage_one_loss_uses_all_steps():
    model = small_model().train()
    loss = model(clips(), label=torch.tensor([0, 1, 2]), mode='loss')['loss']
    loss.backward()
    assert loss.item() > 0 and model.focus_backbone.conv1.weight.grad.abs().sum() > 0


def test_resnet50_costs_4_09_gmacs_per_frame():
    macs = backbone_macs(build_backbone('resnet50', is_shift=False), 224, 224)
    assert abs(macs / 1e9 - 4.09) / 4.09 < 0.02


def test_glance_at_half_resolution_costs_a_quarter():
    def glance_macs(size):
        model = GlanceFocusNet(
            dict(name='resnet50', num_segments=T),
            dict(name='resnet18', num_segments=T, width_mult=0.25),
            6,
            glance_size=size,
            patch_size=32,
            max_focus_steps=1,
        )
        return glance_focus_costs(model, 224, 224).glance_backbone

    # 0.263, not exactly 0.25: 112 px ends in a 4x4 map (not 3.5x3.5) through the padded convs
    assert abs(glance_macs(112) / glance_macs(224) - 0.25) < 0.015


def test_costs_add_up_per_component():
    model = small_model()
    costs = glance_focus_costs(model, 64, 64)
    assert costs.glance_backbone == backbone_macs(model.glance_backbone, 32, 32, frames=T)
    assert costs.glance > costs.glance_backbone
    assert all(step > costs.focus_backbone + costs.policy for step in costs.steps)
    assert costs.cumulative == sorted(costs.cumulative) and len(costs.cumulative) == 4


def test_ffts_are_counted_so_the_camera_estimate_costs_its_share():
    images = torch.zeros(3, 64, 32)
    # 3 real 2-D transforms of 2048 points: 2.5 * 2048 * 11 FLOPs each, half of them MACs
    assert count_macs(torch.fft.rfft2, images) == 3 * 2.5 * 2048 * 11 / 2
    assert count_macs(lambda x: torch.fft.irfft2(torch.fft.rfft2(x), s=(64, 32)), images) == 2 * 3 * 2.5 * 2048 * 11 / 2
    assert count_macs(torch.fft.fft, torch.zeros(4, 16, dtype=torch.complex64)) == 4 * 5 * 16 * 4 / 2
    plain = glance_focus_costs(small_model(), 64, 64)
    compensated = glance_focus_costs(small_model(**COMPENSATED), 64, 64)
    # T frames' spectra and T-1 inverse transforms of their pairs' correlation, on the frames
    # halved twice (16 x 16)
    assert compensated.glance - plain.glance == (2 * T - 1) * 2.5 * 256 * 8 / 2
    assert compensated.focus_backbone > plain.focus_backbone  # the change's 3 more input channels


def test_predict_averages_the_probabilities_of_multi_view_clips():
    model = small_model()
    views = clips(batch=4)  # two clips of two views each, views consecutive as ThreeCrop/num_clips pack them
    packed = views.view(2, 2 * T, *views.shape[2:])
    predictions = model(packed, mode='predict')
    per_view = model.anytime(views)[0].softmax(-1)  # (K+1, 4, classes)
    for clip, prediction in enumerate(predictions):
        expected = per_view[:, 2 * clip : 2 * clip + 2].mean(dim=1)
        assert torch.allclose(prediction['step_scores'], expected, atol=1e-6)
    single = model(views[:1], mode='predict')[0]['step_gmacs']
    assert predictions[0]['step_gmacs'] == pytest.approx([2 * g for g in single])


def test_frame_difference_modality_feeds_only_the_glance():
    model = small_model(glance_modality='diff')
    still = clips(batch=2)[:, :1].expand(-1, T, -1, -1, -1).contiguous()  # no motion at all
    state, _, details = model.glance_step(still)
    zero = model.glance_backbone(torch.zeros(2 * T, 3, model.glance_size, model.glance_size))
    assert torch.allclose(details.features.flatten(0, 1), zero, atol=1e-5)
    assert torch.equal(state.frames, still.flatten(0, 1))  # the focus crops from the RGB frames
    with pytest.raises(ValueError, match='modality must be one of'):
        small_model(glance_modality='flow')


def test_a_checkpoint_saved_before_parts_came_from_configs_still_loads(tmp_path):
    """The state dict layout of ``small_model()`` as gfvideo saved it when the policy and the
    aggregator were built in ``GlanceFocusNet.__init__`` (keys, shapes and dtypes, recorded in
    ``golden/``): it loads strictly into today's model, built with and without explicit types."""
    layout = json.loads((Path(__file__).parent / 'golden' / 'small_glance_focus_state_v1.json').read_text())
    generator = torch.Generator().manual_seed(0)
    saved = {
        key: torch.randn(shape, generator=generator).to(getattr(torch, dtype)) for key, (shape, dtype) in layout.items()
    }
    path = tmp_path / 'v1.pth'
    torch.save({'state_dict': saved, 'meta': {}}, path)
    for model in (
        small_model(),
        small_model(
            policy=dict(type='PatchPolicy', hidden_dim=32),
            aggregator=dict(type='TemporalAggregator'),
            focus_backbone=dict(type='TSMBackbone', name='resnet18', num_segments=T, width_mult=0.25),
        ),
    ):
        report = load_weights(model, str(path))
        assert len(report.loaded) == len(layout)
        assert torch.equal(model.policy.critic.weight, saved['policy.critic.weight'])
        assert torch.equal(model.aggregator.fc.bias, saved['aggregator.fc.bias'])


def test_the_policy_can_read_the_glance_pixels_and_the_aggregator_the_patch_positions():
    plain, extended = small_model(), small_model(policy_pixels=True, focus_position=True)
    assert extended.policy.map_reduce[0].in_channels == plain.policy.map_reduce[0].in_channels + 3
    inputs = clips(2)
    fixed = torch.tensor([[0.0, 0.0]]).repeat(2 * T, 1)
    moved = torch.tensor([[1.0, 1.0]]).repeat(2 * T, 1)
    # same patches' content aside, a patch's position alone changes what the aggregator sees
    with torch.no_grad():
        still = torch.zeros_like(inputs)
        at_corner = extended.anytime(still, 1, fixed)[0][1]
        at_other = extended.anytime(still, 1, moved)[0][1]
        assert not torch.allclose(at_corner, at_other)
        assert torch.allclose(plain.anytime(still, 1, fixed)[0][1], plain.anytime(still, 1, moved)[0][1])
    stage2 = small_model(policy_pixels=True, focus_position=True, train_stage=2)
    assert not any(p.requires_grad for p in stage2.focus_position.parameters())  # PPO moves the policy alone


def block_clip(step: int, size: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    """A bright 12-px block on a plain clip moving ``step`` px a frame along x: ``(clip (1, T, 3,
    size, size), locations (T, 2) of patches centred on it)``."""
    clip = torch.full((1, T, 3, size, size), -1.0)
    centres = []
    for t in range(T):
        x = 26 + step * (t - T // 2)
        clip[0, t, :, 20:32, x : x + 12] = 2.0
        centres.append([x + 6, 26])
    return clip, centred_locations(torch.tensor(centres, dtype=torch.float), 24, size, size)


def test_a_focus_network_that_sees_its_boxes_change_tells_opposite_motions_apart():
    backbone = dict(name='resnet18', num_segments=T, width_mult=0.25)
    rgb, with_change = (
        small_model(),
        small_model(focus_modality='rgb+diff', focus_backbone=dict(backbone, in_channels=6)),
    )
    (right, at_right), (left, at_left) = block_clip(4), block_clip(-4)
    with torch.no_grad():
        # patches centred on the block show it still whichever way it moves; its box's change does not
        for model, tells in ((rgb, False), (with_change, True)):
            features = [model.anytime(clip, 1, at)[1][1].features for clip, at in ((right, at_right), (left, at_left))]
            assert features[0].abs().amax() > 0.01
            assert torch.allclose(*features, atol=1e-5) is not tells
    assert glance_focus_costs(with_change, 64, 64).focus_backbone > glance_focus_costs(rgb, 64, 64).focus_backbone
    with pytest.raises(ValueError, match=r"'rgb\+diff' needs a focus backbone of 6 input channels"):
        small_model(focus_modality='rgb+diff')
    with pytest.raises(ValueError, match='focus_modality must be one of'):
        small_model(focus_modality='depth')


def test_box_changes_stay_inside_each_running_clip():
    clips_, frames_per_clip, size = 3, T, 8
    # frame t of clip c is the constant t^2 + 100c: a box's change is 2t - 1 (the first frame: 1)
    values = torch.tensor([t * t + 100.0 * c for c in range(clips_) for t in range(frames_per_clip)])
    frames = values[:, None, None, None].expand(-1, 3, size, size).contiguous()
    running = torch.arange(frames_per_clip, 3 * frames_per_clip)  # clips 1 and 2 only
    chosen = torch.rand(len(running), 2, generator=torch.Generator().manual_seed(0))
    patches, boxes = crop_patches(frames, chosen, 4, running)
    changes = box_changes(frames, boxes, running, frames_per_clip, patches, torch.zeros_like(boxes[:, :2]))
    expected = torch.tensor([max(2 * t - 1, 1.0) for _ in range(2) for t in range(frames_per_clip)])
    assert torch.equal(changes.amax(dim=(1, 2, 3)), expected) and torch.equal(changes.amin(dim=(1, 2, 3)), expected)
    single = box_changes(frames, boxes[:1], running[:1], 1, patches[:1], boxes[:1, :2])
    assert not single.any()


def test_the_compensated_box_change_shows_the_objects_own_motion_not_the_cameras():
    scene = torch.randn(3, 120, 120, generator=torch.Generator().manual_seed(3))
    clip = []
    for t in range(T):  # the view pans by (dy, dx) = (2, -3) a frame; a block moves 4 px a frame along x
        view = scene[:, 20 + 2 * t : 84 + 2 * t, 30 - 3 * t : 94 - 3 * t].clone()
        view[:, 20:32, 14 + 4 * t : 26 + 4 * t] = 4.0
        clip.append(view)
    clip = torch.stack(clip)[None]
    model = small_model(**COMPENSATED)
    state = model.glance_step(clip)[0]
    assert state.neighbour_offsets.tolist() == [[3, -2]] + [[-3, 2]] * (T - 1)
    centres = torch.tensor([[20.0 + 4 * t, 26.0] for t in range(T)])
    patches, boxes = crop_patches(clip[0], centred_locations(centres, 24, 64, 64), 24)
    ids = torch.arange(T)
    compensated = box_changes(clip[0], boxes, ids, T, patches, state.neighbour_offsets).abs().sum(dim=1)
    plain = box_changes(clip[0], boxes, ids, T, patches, torch.zeros_like(boxes[:, :2])).abs().sum(dim=1)
    # the block fills the patch's rows 6..18 and, in the neighbour's box, rows 4..16 or 8..20:
    # above and below them is background, which cancels once the camera's motion is removed
    background = torch.cat([compensated[:, :4], compensated[:, 20:]], dim=1)
    assert not background.any() and torch.cat([plain[:, :4], plain[:, 20:]], dim=1).amin() > 0
    assert compensated[:, 8:16].amax() > 1  # the block's own motion remains
    with torch.no_grad():
        assert model.anytime(clip, 1)[0].isfinite().all()


def test_glance_dropout_hides_the_glance_from_some_training_clips_only():
    options = dict(glance_dropout=0.5, aggregator=dict(dropout=0.0))
    inputs = clips(16)

    def glance_hidden(model) -> torch.Tensor:
        """Which clips' step-0 logits are those of a glance of zeros."""
        torch.manual_seed(0)
        with torch.no_grad():
            logits = model.anytime(inputs, 0)[0][0]
            blind = model.aggregator(torch.zeros(1, T, 32), None)[0]
        return torch.isclose(logits, blind, atol=1e-6).all(dim=1)

    training = small_model(**options).train()
    hidden = glance_hidden(training)
    assert 0 < hidden.sum() < 16
    assert not glance_hidden(training.eval()).any()
    assert not glance_hidden(small_model(train_stage=2, **options).train()).any()  # PPO rolls out the served model
    with pytest.raises(ValueError, match=r'glance_dropout must be in \[0, 1\)'):
        small_model(glance_dropout=1.0)
