"""GlanceFocusNet: glance at every frame, then focus step by step on one patch per frame.

Step 0 (glance) runs the glance TSM backbone on all ``T`` frames resized (antialiased) to
``glance_size``; each focus step ``k = 1..K`` lets the policy pick one location per frame, crops
``patch_size`` patches from the full-resolution frames in one batched op, runs the focus TSM
backbone on them, and the aggregator updates the prediction. ``forward`` gives logits after
every step; ``forward_adaptive`` exits clips early and stops computing for them.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from ..exit_rule import exits
from ..registry import MODELS
from .aggregator import Aggregator
from .backbones import build_backbone_from_cfg
from .cost import glance_focus_costs
from .data_preprocessor import build_data_preprocessor
from .locations import LocationSource, MotionPrior, build_location_source
from .modality import apply_modality, check_modality, resize_frames
from .motion_prior import neighbour_offsets
from .parts import build_part
from .patches import crop_at_corners, crop_patches
from .policy_base import Policy, PolicyOutput
from .ppo import PPOConfig, ppo_train_step
from .views import average_view_scores, split_views

TRAIN_STAGES = (1, 2, 3)
#: What the focus network can see, and the input channels each needs.
FOCUS_MODALITIES = {'rgb': 3, 'rgb+diff': 6, 'rgb+compensated_diff': 6}


@dataclass
class ClipState:
    """What a batch of clips carries from one step to the next (one row per clip, frames flat)."""

    frames: torch.Tensor  # (N, 3, H, W) normalised full-resolution frames of the whole batch
    frame_ids: torch.Tensor  # (B*T,) rows of ``frames`` of the clips still running
    glance_maps: torch.Tensor  # (B*T, C, h, w) glance feature maps the policy reads
    differences: torch.Tensor  # (B*T, 3, g, g) frame differences at the glance size
    map_code: torch.Tensor  # (B*T, E) the policy's code of each frame's glance map
    aggregator_state: torch.Tensor  # (B, D)
    policy_state: torch.Tensor  # (B*T, hidden)
    history: torch.Tensor  # (B*T, 2*K) locations chosen so far (zeros for later steps)
    neighbour_offsets: torch.Tensor  # (B*T, 2) where the camera moved each frame's content in its neighbour frame
    step: int = 0

    def select(self, clips: torch.Tensor, num_segments: int) -> ClipState:
        """The state of the clips at indices ``clips`` only (the frames themselves are not copied)."""
        frames = (clips[:, None] * num_segments + torch.arange(num_segments, device=clips.device)).flatten()
        return replace(
            self,
            frame_ids=self.frame_ids[frames],
            glance_maps=self.glance_maps[frames],
            differences=self.differences[frames],
            map_code=self.map_code[frames],
            aggregator_state=self.aggregator_state[clips],
            policy_state=self.policy_state[frames],
            history=self.history[frames],
            neighbour_offsets=self.neighbour_offsets[frames],
        )


@dataclass
class StepDetails:
    """Per-step outputs kept with ``return_details=True``."""

    features: torch.Tensor  # (B, T, C) backbone features (glance or focus)
    boxes: torch.Tensor | None = None  # (B, T, 4) patch boxes in input-frame pixels
    policy: PolicyOutput | None = None  # frames flat (B*T, ...)
    projected: torch.Tensor | None = None  # (B, T, D) a focus step's frame features as the aggregator got them


@dataclass
class Step:
    """One step of :meth:`GlanceFocusNet.run_steps`: step ``index`` (0 is the glance) for the
    clips still running, ``clips`` being their rows in the batch."""

    index: int
    state: ClipState  # after this step
    logits: torch.Tensor  # (b, classes)
    details: StepDetails
    clips: torch.Tensor  # (b,)

    @property
    def boxes(self) -> torch.Tensor:
        """The patch boxes ``(b, T, 4)`` of a focus step (the glance step has none)."""
        return _focus_boxes(self.details)


@dataclass
class AdaptiveResult:
    """Outcome of :meth:`GlanceFocusNet.forward_adaptive` for a batch of ``B`` clips.

    ``logits`` is ``(K+1, B, classes)`` with NaN for steps a clip did not run; ``boxes`` is
    ``(K, B, T, 4)`` with -1 likewise; ``macs`` is each clip's cumulative MACs up to its exit.
    """

    predictions: torch.Tensor
    confidences: torch.Tensor
    exit_steps: torch.Tensor
    logits: torch.Tensor
    boxes: torch.Tensor
    macs: torch.Tensor
    step_batch_sizes: list[int] = field(default_factory=list)


@MODELS.register_module()
class GlanceFocusNet(BaseModel):
    """The Glance-and-Focus video network.

    Args:
        glance_backbone, focus_backbone: backbone configs (:func:`build_backbone_from_cfg`: a
            registered ``type``, by default ``TSMBackbone`` with its ``name``; they may differ,
            with the same ``num_segments``), each with optional ``pretrained`` weights.
        num_classes: classifier outputs.
        glance_size: side of the frames the glance network sees.
        glance_modality: what the glance network sees: ``'rgb'`` or ``'diff'`` (frame
            differences, :mod:`gfvideo.models.modality`).
        focus_modality: what the focus network sees: ``'rgb'`` (the patches) or ``'rgb+diff'``
            (each patch beside its box's change since the previous frame, 6 channels: a patch
            that follows a moving object shows it still, its change shows which way it went;
            the focus backbone needs ``in_channels=6``) or ``'rgb+compensated_diff'`` (the same
            change against the box the camera's motion moved the patch's content to, by
            :func:`~gfvideo.models.motion_prior.neighbour_offsets`: the background cancels and
            the change shows the object's own motion, not the camera's).
        patch_size: side of the focus patches, cropped from the full-resolution input.
        max_focus_steps: ``K``.
        policy_stride: stride of the glance feature map the policy reads (8 or 16: fine enough
            to place a patch on a small object; the last, stride-32 map of a small glance is a
            few cells wide).
        policy_pixels: the policy also reads the glance's RGB pixels, averaged over each cell of
            its map (3 more channels): low-level colour and position that a glance network
            trained from scratch may not keep in its features.
        focus_position: add a learned code of each patch's centre (in [0, 1]^2) to its projected
            focus features. An aggregator that fuses frames in order (``temporal='gru'``) sees
            the path the patches follow; one that averages them (``'mean'``) sees only their mean
            position, since the code is linear.
        hidden_dim: aggregator width ``D``; glance and focus features are projected to it.
        glance_dropout: in training stages 1 and 3, the fraction of clips whose glance features
            the aggregator does not get (zeros): for them the focus steps alone must classify,
            so the focus side learns what the glance already tells on the training clips (the
            direction of motion, say) instead of leaning on a glance that generalises less.
        policy: the policy's config: a registered :class:`Policy` ``type`` (default
            ``'PatchPolicy'``) and its options (``kind``, ``hidden_dim``, ``action_std`` ...).
        aggregator: the aggregator's config: a registered :class:`Aggregator` ``type`` (default
            ``'TemporalAggregator'``) and its options (``temporal``, ``dropout``).
        train_stage: what training updates: 1 (backbones, projections and aggregator on random
            patch locations; the policy is unused), 2 (the policy alone, with PPO; the rest
            frozen, batch norm held in eval mode) or 3 (focus backbone, its projection and the
            aggregator on the policy's patches; glance side and policy frozen).
        stage1_prior: where stage 1 puts its patches: ``'random'`` (uniform), ``'motion'``
            (each frame's patch on its frame-difference peak with probability
            ``stage1_prior_ratio``, uniform otherwise: :class:`~gfvideo.models.locations.MotionPrior`),
            ``'compensated_motion'`` (the same with the camera's motion removed), or any
            label-free location source's config. A label-free prior lets the focus
            network learn to read small moving evidence.
        stage1_prior_ratio: the fraction of frames whose stage-1 patch follows the ``'motion'`` prior.
        ppo: :class:`gfvideo.models.ppo.PPOConfig` options for stage 2.
        data_preprocessor: the normaliser config (``VideoDataPreprocessor`` by default).
    """

    def __init__(
        self,
        glance_backbone: dict,
        focus_backbone: dict,
        num_classes: int,
        glance_size: int = 96,
        glance_modality: str = 'rgb',
        focus_modality: str = 'rgb',
        patch_size: int = 64,
        max_focus_steps: int = 3,
        policy_stride: int = 8,
        policy_pixels: bool = False,
        focus_position: bool = False,
        hidden_dim: int = 512,
        glance_dropout: float = 0.0,
        policy: dict | None = None,
        aggregator: dict | None = None,
        train_stage: int = 1,
        stage1_prior: str | dict = 'random',
        stage1_prior_ratio: float = 0.5,
        ppo: dict | None = None,
        data_preprocessor: dict | None = None,
    ) -> None:
        super().__init__(data_preprocessor=build_data_preprocessor(data_preprocessor))
        self.glance_backbone = build_backbone_from_cfg(glance_backbone)
        self.focus_backbone = build_backbone_from_cfg(focus_backbone)
        if self.glance_backbone.num_segments != self.focus_backbone.num_segments:
            raise ValueError('glance and focus backbones need the same num_segments')
        self.num_segments = self.glance_backbone.num_segments
        self.num_classes, self.glance_size, self.patch_size = num_classes, glance_size, patch_size
        self.glance_modality = check_modality(glance_modality)
        if focus_modality not in FOCUS_MODALITIES:
            raise ValueError(f'focus_modality must be one of {tuple(FOCUS_MODALITIES)}, got {focus_modality!r}')
        if self.focus_backbone.in_channels != FOCUS_MODALITIES[focus_modality]:
            raise ValueError(
                f'focus_modality {focus_modality!r} needs a focus backbone of {FOCUS_MODALITIES[focus_modality]} '
                f'input channels (focus_backbone=dict(..., in_channels={FOCUS_MODALITIES[focus_modality]})), '
                f'got {self.focus_backbone.in_channels}'
            )
        self.focus_modality = focus_modality
        self.max_focus_steps = max_focus_steps
        if policy_stride not in self.glance_backbone.stride_channels:
            raise ValueError(
                f'policy_stride must be one of {sorted(self.glance_backbone.stride_channels)} for this '
                f'glance backbone, got {policy_stride}'
            )
        self.policy_stride, self.policy_pixels = policy_stride, policy_pixels
        if not 0.0 <= glance_dropout < 1.0:
            raise ValueError(f'glance_dropout must be in [0, 1), got {glance_dropout}')
        self.glance_dropout = glance_dropout
        if not 0.0 <= stage1_prior_ratio <= 1.0:
            raise ValueError(f'stage1_prior_ratio must be in [0, 1], got {stage1_prior_ratio}')
        self.stage1_locations = (
            MotionPrior(stage1_prior_ratio, compensated=stage1_prior == 'compensated_motion')
            if stage1_prior in ('motion', 'compensated_motion')
            else build_location_source(stage1_prior)
        )
        self.glance_proj = nn.Linear(self.glance_backbone.out_channels, hidden_dim)
        self.focus_proj = nn.Linear(self.focus_backbone.out_channels, hidden_dim)
        self.focus_position = nn.Linear(2, hidden_dim) if focus_position else None
        self.aggregator: Aggregator = build_part(
            aggregator, 'TemporalAggregator', Aggregator, dim=hidden_dim, num_classes=num_classes
        )
        self.policy: Policy = build_part(
            policy,
            'PatchPolicy',
            Policy,
            glance_channels=self.glance_backbone.stride_channels[policy_stride] + (3 if policy_pixels else 0),
            focus_dim=hidden_dim,
            max_steps=max_focus_steps,
        )
        self._step_macs: dict[tuple[int, int, int], torch.Tensor] = {}
        if train_stage not in TRAIN_STAGES:
            raise ValueError(f'train_stage must be one of {TRAIN_STAGES}, got {train_stage}')
        self.train_stage = train_stage
        self.ppo = PPOConfig(**(ppo or {}))
        for module in self.frozen_modules():
            module.requires_grad_(False)

    # ------------------------------------------------------------------ training stages
    def frozen_modules(self) -> list[nn.Module]:
        """The parts the current ``train_stage`` does not update."""
        if self.train_stage == 1:
            return [self.policy]
        glance_side = [self.glance_backbone, self.glance_proj]
        if self.train_stage == 2:
            focus_side = [self.focus_backbone, self.focus_proj, self.aggregator]
            return glance_side + focus_side + ([self.focus_position] if self.focus_position is not None else [])
        return glance_side + [self.policy]

    @property
    def estimates_camera(self) -> bool:
        """Whether the glance step estimates the camera's motion (``ClipState.neighbour_offsets``;
        zeros otherwise): the focus network reads its boxes' change with it removed."""
        return self.focus_modality == 'rgb+compensated_diff'

    def train(self, mode: bool = True) -> GlanceFocusNet:
        """Frozen parts stay in eval mode (batch norm statistics fixed) whatever the Runner asks."""
        super().train(mode)
        for module in self.frozen_modules():
            module.eval()
        return self

    def train_step(self, data: dict, optim_wrapper, grad_sync=None) -> dict:
        """Stage 2 runs PPO (:func:`gfvideo.models.ppo.ppo_train_step`); stages 1 and 3 the
        standard loss step."""
        if self.train_stage == 2:
            return ppo_train_step(self, data, optim_wrapper, self.ppo, grad_sync)
        return super().train_step(data, optim_wrapper)

    # ------------------------------------------------------------------ steps
    def glance_step(self, clips: torch.Tensor) -> tuple[ClipState, torch.Tensor, StepDetails]:
        """Step 0 on normalised clips ``(B, T, 3, H, W)``: ``(state, logits (B, classes), details)``."""
        batch, frames = clips.shape[:2]
        if frames != self.num_segments:
            raise ValueError(f'expected clips of {self.num_segments} frames, got {frames}')
        flat = clips.flatten(0, 1)
        small = resize_frames(flat, self.glance_size)
        small = small.view(batch, frames, *small.shape[1:])
        # frame differences feed the motion prior; a single image has none (the prior falls back to the centre)
        differences = (apply_modality(small, 'diff') if frames > 1 else torch.zeros_like(small)).flatten(0, 1)
        glance_input = differences if self.glance_modality == 'diff' else small.flatten(0, 1)
        policy_maps, maps = self.glance_backbone.forward_maps(glance_input, self.policy_stride)
        if self.policy_pixels:  # the glance's RGB pixels, pooled to the map's cells, beside its features
            pixels = F.adaptive_avg_pool2d(small.flatten(0, 1), (policy_maps.shape[-2], policy_maps.shape[-1]))
            policy_maps = torch.cat([policy_maps, pixels.to(policy_maps.dtype)], dim=1)
        features = maps.mean(dim=(2, 3))
        projected = self.glance_proj(features).view(batch, frames, -1)
        if self.training and self.train_stage != 2 and self.glance_dropout > 0:  # PPO sees the model it serves
            kept = torch.rand(batch, 1, 1, device=projected.device) >= self.glance_dropout
            projected = projected * kept
        logits, aggregator_state = self.aggregator(projected, None)
        state = ClipState(
            flat,
            torch.arange(flat.shape[0], device=flat.device),
            policy_maps,
            differences,
            self.policy.encode_map(policy_maps),
            aggregator_state,
            self.policy.initial_state(flat.shape[0], flat.device),
            flat.new_zeros(flat.shape[0], 2 * self.max_focus_steps),
            neighbour_offsets(clips)
            if self.estimates_camera
            else torch.zeros(flat.shape[0], 2, dtype=torch.long, device=flat.device),
        )
        return state, logits, StepDetails(features.view(batch, frames, -1))

    def focus_step(
        self,
        state: ClipState,
        locations: str | dict | torch.Tensor | LocationSource = 'mean',
        generator: torch.Generator | None = None,
    ) -> tuple[ClipState, torch.Tensor, StepDetails]:
        """One focus step: ``(new state, logits (B, classes), details)``.

        ``locations``: a location source (:mod:`gfvideo.models.locations`: ``'mean'``, the
        policy's mean action; ``'sample'``, a draw for PPO rollouts; ``'random'``, ``'centre'``,
        ``'motion'``, a registered name or config) or a tensor of locations ``(B*T, 2)`` in [0, 1].
        """
        if state.step >= self.max_focus_steps:
            raise RuntimeError(f'all {self.max_focus_steps} focus steps have run')
        chosen, decision = build_location_source(locations)(self, state, generator)
        new_state, logits, details = self.focus_at(state, chosen.detach(), state.step)
        details.policy = decision
        return new_state, logits, details

    def focus_at(
        self, state: ClipState, chosen: torch.Tensor, step: int | torch.Tensor
    ) -> tuple[ClipState, torch.Tensor, StepDetails]:
        """The focus step ``step`` (0-based; an int, or a 0-d tensor in an exported graph) on
        patches at ``chosen`` ``(B*T, 2)``: crop, focus backbone, aggregator, recurrent states."""
        batch = state.frame_ids.shape[0] // self.num_segments
        height, width = state.frames.shape[-2:]
        patches, boxes = crop_patches(state.frames, chosen, self.patch_size, state.frame_ids)
        if self.focus_modality != 'rgb':
            changes = box_changes(
                state.frames, boxes, state.frame_ids, self.num_segments, patches, state.neighbour_offsets
            )
            patches = torch.cat([patches, changes], dim=1)
        features = self.focus_backbone(patches)
        projected = self.focus_proj(features)
        if self.focus_position is not None:  # where each patch is, so the aggregator sees its path
            size = boxes.new_tensor([width, height]).to(projected.dtype)
            projected = projected + self.focus_position((boxes[:, :2] + boxes[:, 2:]).to(projected.dtype) / (2 * size))
        logits, aggregator_state = self.aggregator(projected.view(batch, self.num_segments, -1), state.aggregator_state)
        new_state = replace(
            state,
            aggregator_state=aggregator_state,
            history=record_location(state.history, chosen, step),
            step=state.step + 1,
            policy_state=self.policy.update_state(state.policy_state, projected.detach()),
        )
        details = StepDetails(
            features.view(batch, self.num_segments, -1),
            boxes.view(batch, self.num_segments, 4),
            projected=projected.view(batch, self.num_segments, -1),
        )
        return new_state, logits, details

    # ------------------------------------------------------------------ the step loop
    def glance(self, clips: torch.Tensor) -> Step:
        """Step 0 of :meth:`run_steps` on normalised clips ``(B, T, 3, H, W)``."""
        state, logits, details = self.glance_step(clips)
        return Step(0, state, logits, details, torch.arange(clips.shape[0], device=clips.device))

    def run_steps(
        self,
        clips: torch.Tensor | None = None,
        locations: str | dict | torch.Tensor | LocationSource = 'mean',
        *,
        max_steps: int | None = None,
        generator: torch.Generator | None = None,
        thresholds: Sequence[float] | None = None,
        glance: Step | None = None,
    ) -> Iterator[Step]:
        """The one glance-then-focus loop: yields the glance step, then each focus step.

        Every run of the model goes through it: training, anytime evaluation, PPO rollouts,
        early exit and the location comparisons. ``locations`` says where patches go (see
        :meth:`focus_step`). With ``thresholds`` (one per step ``0..K-1``), clips leave after a
        step by the early-exit rule (:func:`gfvideo.exit_rule.exits` on the max softmax
        probability) and later steps run only on the clips still going. ``glance``: start from
        a glance step already run (several location sources on one glance).
        """
        steps = self.max_focus_steps if max_steps is None else min(max_steps, self.max_focus_steps)
        if thresholds is not None and len(thresholds) != self.max_focus_steps:
            raise ValueError(
                f'expected {self.max_focus_steps} thresholds (steps 0..{self.max_focus_steps - 1}), '
                f'got {len(thresholds)}'
            )
        if glance is None:
            if clips is None:
                raise ValueError('run_steps needs the clips or a glance step')
            glance = self.glance(clips)
        source = build_location_source(locations)
        step = glance
        yield step
        for index in range(1, steps + 1):
            state, running = step.state, step.clips
            if thresholds is not None:
                keep = ~exits(step.logits.float().softmax(-1).amax(-1), float(thresholds[index - 1]))
                if not keep.any():
                    return
                if not keep.all():
                    kept = keep.nonzero().squeeze(1)
                    state, running = state.select(kept, self.num_segments), running[kept]
            state, logits, details = self.focus_step(state, source, generator)
            step = Step(index, state, logits, details, running)
            yield step

    # ------------------------------------------------------------------ whole runs
    def anytime(
        self,
        clips: torch.Tensor,
        max_steps: int | None = None,
        locations: str | dict | torch.Tensor | LocationSource = 'mean',
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, list[StepDetails]]:
        """Logits after every step ``(K+1, B, classes)`` and the details of each step."""
        steps = list(self.run_steps(clips, locations, max_steps=max_steps, generator=generator))
        return torch.stack([step.logits for step in steps]), [step.details for step in steps]

    def forward(
        self,
        inputs: torch.Tensor,
        label: torch.Tensor | None = None,
        mode: str = 'tensor',
        max_steps: int | None = None,
        return_details: bool = False,
        **unused,
    ):
        """``mode='tensor'``: per-step logits ``(K+1, B, classes)`` (and the per-step details
        with ``return_details``); ``'loss'``: mean cross-entropy over steps, on stage 1's prior
        locations in stage 1 and the policy's in stage 3; ``'predict'``: per-step scores and
        cumulative GMACs for each clip (all views of a multi-view clip), and the patch boxes of
        single-view clips (``step_boxes``, ``(K, T, 4)``)."""
        if mode == 'tensor':
            logits, details = self.anytime(inputs, max_steps)
            return (logits, details) if return_details else logits
        if mode == 'loss':
            if label is None:
                raise ValueError("mode='loss' needs the labels")
            locations = self.stage1_locations if self.train_stage == 1 else 'mean'
            logits = self.anytime(inputs, max_steps, locations)[0]
            losses = {'loss': torch.stack([F.cross_entropy(step, label) for step in logits]).mean()}
            for step, step_logits in enumerate(logits.detach()):  # logged, not optimised
                losses[f'acc_step{step}'] = (step_logits.argmax(-1) == label).float().mean()
            return losses
        if mode == 'predict':  # views of a multi-view clip are averaged as probabilities, per step
            view_clips, views = split_views(inputs, self.num_segments)
            logits, details = self.anytime(view_clips, max_steps)
            scores = average_view_scores(logits, views)
            gmacs = (self.step_macs(*inputs.shape[-2:])[: scores.shape[0]] * views / 1e9).tolist()
            labels = label.tolist() if label is not None else [None] * inputs.shape[0]
            # patch boxes (K, T, 4) of single-view clips, for hit rates; views have no common frame
            boxes = None
            if views == 1 and len(details) > 1:
                boxes = torch.stack([_focus_boxes(d) for d in details[1:]], dim=1)
            return [
                {
                    'step_scores': scores[:, i],
                    'step_gmacs': gmacs,
                    'label': target,
                    'step_boxes': None if boxes is None else boxes[i],
                }
                for i, target in enumerate(labels)
            ]
        raise ValueError(f'unknown mode {mode!r}')

    # ------------------------------------------------------------------ early exit
    def step_macs(self, height: int, width: int) -> torch.Tensor:
        """Cumulative MACs per clip after each step ``(K+1,)`` for ``height x width`` frames,
        counted once per input size with :func:`gfvideo.models.cost.glance_focus_costs`."""
        key = (height, width, self.max_focus_steps)
        if key not in self._step_macs:
            self._step_macs[key] = torch.tensor(glance_focus_costs(self, height, width).cumulative, dtype=torch.float64)
        return self._step_macs[key]

    @torch.no_grad()
    def forward_adaptive(self, inputs: torch.Tensor, thresholds: Sequence[float]) -> AdaptiveResult:
        """Early-exit inference on normalised clips ``(B, T, 3, H, W)``.

        After step ``k < K`` a clip exits when its max softmax probability reaches
        ``thresholds[k]``; step ``K`` always exits. Exited clips are removed from the batch, so
        later steps run only on the clips still going. Locations are the policy's mean action.
        """
        batch, device = inputs.shape[0], inputs.device
        steps = self.max_focus_steps
        logits_all = torch.full((steps + 1, batch, self.num_classes), float('nan'), device=device)
        boxes_all = torch.full((steps, batch, self.num_segments, 4), -1, dtype=torch.long, device=device)
        exit_steps = torch.zeros(batch, dtype=torch.long, device=device)
        sizes = []
        for step in self.run_steps(inputs, 'mean', thresholds=[float(t) for t in thresholds]):
            logits_all[step.index, step.clips] = step.logits.float()
            if step.index:
                boxes_all[step.index - 1, step.clips] = step.boxes
            exit_steps[step.clips] = step.index  # a clip exits after the last step it ran
            sizes.append(len(step.clips))
        final = logits_all[exit_steps, torch.arange(batch, device=device)]
        confidences, predictions = final.softmax(-1).max(-1)
        macs = self.step_macs(*inputs.shape[-2:]).to(device)[exit_steps]
        return AdaptiveResult(predictions, confidences, exit_steps, logits_all, boxes_all, macs, sizes)


def record_location(history: torch.Tensor, chosen: torch.Tensor, step: int | torch.Tensor) -> torch.Tensor:
    """``history`` ``(N, 2K)`` with the locations ``chosen`` ``(N, 2)`` of focus step ``step`` in
    columns ``2*step, 2*step+1``: a select, not a slice assignment, so one exported graph serves
    every step (``step`` a graph input)."""
    slots = torch.arange(history.shape[1], device=history.device) // 2
    return torch.where(slots == step, chosen.to(history.dtype).repeat(1, history.shape[1] // 2), history)


def box_changes(
    frames: torch.Tensor,
    boxes: torch.Tensor,
    frame_ids: torch.Tensor,
    num_segments: int,
    patches: torch.Tensor,
    offsets: torch.Tensor,
) -> torch.Tensor:
    """Each patch less the box its content lay in in its clip's previous frame, ``(M, C, P, P)``
    (TSN's RGB difference inside the box; the first frame takes its box's change to the next
    frame, a single frame has none). ``patches`` ``(M, C, P, P)`` and ``boxes`` ``(M, 4)`` are the
    crops from ``frame_ids``, the running clips' frames in order (:func:`crop_patches`' outputs);
    ``offsets`` ``(M, 2)`` move the neighbour's box by ``(dx, dy)`` pixels (zeros: the same box;
    :func:`~gfvideo.models.motion_prior.neighbour_offsets`: the camera's motion removed), clamped
    so it stays inside the frame."""
    if num_segments < 2:
        return torch.zeros_like(patches)
    height, width = frames.shape[-2:]
    size = patches.shape[-1]
    first = torch.arange(frame_ids.shape[0], device=frame_ids.device) % num_segments == 0
    x0 = (boxes[:, 0] + offsets[:, 0]).clamp(0, width - size)
    y0 = (boxes[:, 1] + offsets[:, 1]).clamp(0, height - size)
    neighbours = crop_at_corners(frames, x0, y0, size, frame_ids + torch.where(first, 1, -1))
    change = patches - neighbours
    return torch.where(first[:, None, None, None], -change, change)


def _focus_boxes(details: StepDetails) -> torch.Tensor:
    """The patch boxes of a focus step's details (only the glance step has none)."""
    assert details.boxes is not None, 'every focus step crops patches'
    return details.boxes
