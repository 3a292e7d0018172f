"""GlanceFocusNet: glance at every frame, then focus step by step on one patch per frame.

Step 0 (glance) runs the glance TSM backbone on all ``T`` frames resized (antialiased) to
``glance_size``; each focus step ``k = 1..K`` lets the policy pick one location per frame, crops
``patch_size`` patches from the full-resolution frames in one batched op, runs the focus TSM
backbone on them, and the aggregator updates the prediction. ``forward`` gives logits after
every step; ``forward_adaptive`` exits clips early and stops computing for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import nn

from ..registry import MODELS
from .aggregator import TemporalAggregator
from .backbones import build_backbone_from_cfg
from .data_preprocessor import build_data_preprocessor
from .modality import apply_modality, check_modality
from .motion_prior import motion_locations
from .patches import centred_locations, crop_patches
from .policy import PatchPolicy, PolicyOutput
from .ppo import PPOConfig, ppo_train_step

LOCATION_MODES = ('mean', 'sample', 'random', 'motion')
TRAIN_STAGES = (1, 2, 3)
STAGE1_PRIORS = ('random', 'motion')


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
        )


@dataclass
class StepDetails:
    """Per-step outputs kept with ``return_details=True``."""

    features: torch.Tensor  # (B, T, C) backbone features (glance or focus)
    boxes: torch.Tensor | None = None  # (B, T, 4) patch boxes in input-frame pixels
    policy: PolicyOutput | None = None  # frames flat (B*T, ...)


def _patch_boxes(details: StepDetails) -> torch.Tensor:
    """The patch boxes of a focus step (only the glance step has none)."""
    assert details.boxes is not None, 'every focus step crops patches'
    return details.boxes


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
        glance_backbone, focus_backbone: :func:`build_backbone` arguments (may differ; both need
            the same ``num_segments``), each with optional ``pretrained`` weights.
        num_classes: classifier outputs.
        glance_size: side of the frames the glance network sees.
        glance_modality: what the glance network sees: ``'rgb'`` or ``'diff'`` (frame
            differences, :mod:`gfvideo.models.modality`); the focus network always sees RGB.
        patch_size: side of the focus patches, cropped from the full-resolution input.
        max_focus_steps: ``K``.
        policy_stride: stride of the glance feature map the policy reads (8 or 16: fine enough
            to place a patch on a small object; the last, stride-32 map of a small glance is a
            few cells wide).
        hidden_dim: aggregator width ``D``; glance and focus features are projected to it.
        policy: :class:`PatchPolicy` options (``kind``, ``hidden_dim``, ``action_std`` ...).
        aggregator: :class:`TemporalAggregator` options (``temporal``, ``dropout``).
        train_stage: what training updates: 1 (backbones, projections and aggregator on random
            patch locations; the policy is unused), 2 (the policy alone, with PPO; the rest
            frozen, batch norm held in eval mode) or 3 (focus backbone, its projection and the
            aggregator on the policy's patches; glance side and policy frozen).
        stage1_prior: where stage 1 puts its patches: ``'random'`` (uniform) or ``'motion'``
            (each frame's patch on its frame-difference peak with probability
            ``stage1_prior_ratio``, uniform otherwise; :mod:`gfvideo.models.motion_prior`). A
            label-free prior lets the focus network learn to read small moving evidence.
        stage1_prior_ratio: the fraction of frames whose stage-1 patch follows the prior.
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
        patch_size: int = 64,
        max_focus_steps: int = 3,
        policy_stride: int = 8,
        hidden_dim: int = 512,
        policy: dict | None = None,
        aggregator: dict | None = None,
        train_stage: int = 1,
        stage1_prior: str = 'random',
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
        self.max_focus_steps = max_focus_steps
        if policy_stride not in self.glance_backbone.stride_channels:
            raise ValueError(
                f'policy_stride must be one of {sorted(self.glance_backbone.stride_channels)} for this '
                f'glance backbone, got {policy_stride}'
            )
        self.policy_stride = policy_stride
        if stage1_prior not in STAGE1_PRIORS:
            raise ValueError(f'stage1_prior must be one of {STAGE1_PRIORS}, got {stage1_prior!r}')
        if not 0.0 <= stage1_prior_ratio <= 1.0:
            raise ValueError(f'stage1_prior_ratio must be in [0, 1], got {stage1_prior_ratio}')
        self.stage1_prior, self.stage1_prior_ratio = stage1_prior, stage1_prior_ratio
        self.glance_proj = nn.Linear(self.glance_backbone.out_channels, hidden_dim)
        self.focus_proj = nn.Linear(self.focus_backbone.out_channels, hidden_dim)
        self.aggregator = TemporalAggregator(hidden_dim, num_classes, **(aggregator or {}))
        self.policy = PatchPolicy(
            self.glance_backbone.stride_channels[policy_stride], hidden_dim, max_focus_steps, **(policy or {})
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
            return glance_side + [self.focus_backbone, self.focus_proj, self.aggregator]
        return glance_side + [self.policy]

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
        small = F.interpolate(
            flat, size=(self.glance_size, self.glance_size), mode='bilinear', align_corners=False, antialias=True
        )
        small = small.view(batch, frames, *small.shape[1:])
        # frame differences feed the motion prior; a single image has none (the prior falls back to the centre)
        differences = (apply_modality(small, 'diff') if frames > 1 else torch.zeros_like(small)).flatten(0, 1)
        glance_input = differences if self.glance_modality == 'diff' else small.flatten(0, 1)
        policy_maps, maps = self.glance_backbone.forward_maps(glance_input, self.policy_stride)
        features = maps.mean(dim=(2, 3))
        logits, aggregator_state = self.aggregator(self.glance_proj(features).view(batch, frames, -1), None)
        state = ClipState(
            flat,
            torch.arange(flat.shape[0], device=flat.device),
            policy_maps,
            differences,
            self.policy.encode_map(policy_maps),
            aggregator_state,
            self.policy.initial_state(flat.shape[0], flat.device),
            flat.new_zeros(flat.shape[0], 2 * self.max_focus_steps),
        )
        return state, logits, StepDetails(features.view(batch, frames, -1))

    def focus_step(
        self, state: ClipState, location_mode: str | torch.Tensor = 'mean', generator: torch.Generator | None = None
    ) -> tuple[ClipState, torch.Tensor, StepDetails]:
        """One focus step: ``(new state, logits (B, classes), details)``.

        ``location_mode``: ``'mean'`` (the policy's mean action: evaluation), ``'sample'`` (a
        draw: PPO rollouts), ``'random'`` (uniform locations), ``'motion'`` (the frame-difference
        peak, :func:`motion_locations`), or a tensor of locations ``(B*T, 2)`` in [0, 1].
        """
        if state.step >= self.max_focus_steps:
            raise RuntimeError(f'all {self.max_focus_steps} focus steps have run')
        count = state.frame_ids.shape[0]
        batch = count // self.num_segments
        height, width = state.frames.shape[-2:]
        decision = None
        if isinstance(location_mode, torch.Tensor):
            locations = location_mode.to(state.frames)
        elif location_mode == 'random':
            locations = torch.rand(count, 2, generator=generator, device=state.frames.device)
        elif location_mode == 'motion':
            locations = motion_locations(state.differences, self.patch_size, (height, width))
        elif location_mode in ('mean', 'sample'):
            decision = self.policy.act(
                state.map_code, state.history, state.policy_state, sample=location_mode == 'sample', generator=generator
            )
            centres = decision.location * decision.location.new_tensor([width, height])
            locations = centred_locations(centres, self.patch_size, height, width)
        else:
            raise ValueError(f'location_mode must be one of {LOCATION_MODES} or a tensor, got {location_mode!r}')
        patches, boxes = crop_patches(state.frames, locations.detach(), self.patch_size, state.frame_ids)
        features = self.focus_backbone(patches)
        projected = self.focus_proj(features)
        logits, aggregator_state = self.aggregator(projected.view(batch, self.num_segments, -1), state.aggregator_state)
        history = state.history.clone()
        history[:, 2 * state.step : 2 * state.step + 2] = locations.detach()
        new_state = replace(
            state,
            aggregator_state=aggregator_state,
            history=history,
            step=state.step + 1,
            policy_state=self.policy.update_state(state.policy_state, projected.detach()),
        )
        details = StepDetails(
            features.view(batch, self.num_segments, -1), boxes.view(batch, self.num_segments, 4), decision
        )
        return new_state, logits, details

    # ------------------------------------------------------------------ whole runs
    def anytime(
        self,
        clips: torch.Tensor,
        max_steps: int | None = None,
        location_mode: str | torch.Tensor = 'mean',
        generator: torch.Generator | None = None,
    ) -> tuple[torch.Tensor, list[StepDetails]]:
        """Logits after every step ``(K+1, B, classes)`` and the details of each step."""
        steps = self.max_focus_steps if max_steps is None else min(max_steps, self.max_focus_steps)
        state, logits, details = self.glance_step(clips)
        all_logits, all_details = [logits], [details]
        for _ in range(steps):
            state, logits, details = self.focus_step(state, location_mode, generator)
            all_logits.append(logits)
            all_details.append(details)
        return torch.stack(all_logits), all_details

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
        with ``return_details``); ``'loss'``: mean cross-entropy over steps, on random
        locations in stage 1 and the policy's in stage 3; ``'predict'``: per-step scores and
        cumulative GMACs for each clip (all views of a multi-view clip), and the patch boxes of
        single-view clips (``step_boxes``, ``(K, T, 4)``)."""
        if mode == 'tensor':
            logits, details = self.anytime(inputs, max_steps)
            return (logits, details) if return_details else logits
        if mode == 'loss':
            if label is None:
                raise ValueError("mode='loss' needs the labels")
            logits = self._training_logits(inputs, max_steps)
            losses = {'loss': torch.stack([F.cross_entropy(step, label) for step in logits]).mean()}
            for step, step_logits in enumerate(logits.detach()):  # logged, not optimised
                losses[f'acc_step{step}'] = (step_logits.argmax(-1) == label).float().mean()
            return losses
        if mode == 'predict':  # views of a multi-view clip are averaged as probabilities, per step
            batch, views = inputs.shape[0], inputs.shape[1] // self.num_segments
            view_clips = inputs.reshape(batch * views, self.num_segments, *inputs.shape[2:])
            logits, details = self.anytime(view_clips, max_steps)
            scores = logits.softmax(-1).view(logits.shape[0], batch, views, -1).mean(dim=2)
            gmacs = (self.step_macs(*inputs.shape[-2:])[: scores.shape[0]] * views / 1e9).tolist()
            labels = label.tolist() if label is not None else [None] * inputs.shape[0]
            # patch boxes (K, T, 4) of single-view clips, for hit rates; views have no common frame
            boxes = None
            if views == 1 and len(details) > 1:
                boxes = torch.stack([_patch_boxes(d) for d in details[1:]], dim=1)
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

    def _training_logits(self, clips: torch.Tensor, max_steps: int | None) -> torch.Tensor:
        """Logits after every step on stage 1's prior locations or stage 3's policy locations."""
        if self.train_stage != 1:
            return self.anytime(clips, max_steps, location_mode='mean')[0]
        steps = self.max_focus_steps if max_steps is None else min(max_steps, self.max_focus_steps)
        state, logits, _ = self.glance_step(clips)
        height, width = clips.shape[-2:]
        all_logits = [logits]
        for _ in range(steps):
            locations = torch.rand(state.frame_ids.shape[0], 2, device=clips.device)
            if self.stage1_prior == 'motion':
                guided = torch.rand(locations.shape[0], device=clips.device) < self.stage1_prior_ratio
                prior = motion_locations(state.differences, self.patch_size, (height, width))
                locations = torch.where(guided[:, None], prior, locations)
            state, logits, _ = self.focus_step(state, locations)
            all_logits.append(logits)
        return torch.stack(all_logits)

    # ------------------------------------------------------------------ early exit
    def step_macs(self, height: int, width: int) -> torch.Tensor:
        """Cumulative MACs per clip after each step ``(K+1,)`` for ``height x width`` frames,
        counted once per input size with :func:`gfvideo.models.cost.glance_focus_costs`."""
        key = (height, width, self.max_focus_steps)
        if key not in self._step_macs:
            from .cost import glance_focus_costs

            self._step_macs[key] = torch.tensor(glance_focus_costs(self, height, width).cumulative, dtype=torch.float64)
        return self._step_macs[key]

    @torch.no_grad()
    def forward_adaptive(self, inputs: torch.Tensor, thresholds) -> AdaptiveResult:
        """Early-exit inference on normalised clips ``(B, T, 3, H, W)``.

        After step ``k < K`` a clip exits when its max softmax probability reaches
        ``thresholds[k]``; step ``K`` always exits. Exited clips are removed from the batch, so
        later steps run only on the clips still going. Locations are the policy's mean action.
        """
        thresholds = [float(t) for t in thresholds]
        if len(thresholds) != self.max_focus_steps:
            raise ValueError(
                f'expected {self.max_focus_steps} thresholds (steps 0..{self.max_focus_steps - 1}), '
                f'got {len(thresholds)}'
            )
        batch, device = inputs.shape[0], inputs.device
        steps = self.max_focus_steps
        logits_all = torch.full((steps + 1, batch, self.num_classes), float('nan'), device=device)
        boxes_all = torch.full((steps, batch, self.num_segments, 4), -1, dtype=torch.long, device=device)
        exit_steps = torch.full((batch,), steps, dtype=torch.long, device=device)
        active = torch.arange(batch, device=device)
        state, logits, _ = self.glance_step(inputs)
        sizes = [batch]
        for step in range(steps + 1):
            logits_all[step, active] = logits.float()
            if step == steps:
                break
            leaving = logits.softmax(-1).amax(-1) >= thresholds[step]
            exit_steps[active[leaving]] = step
            keep = ~leaving
            if not keep.any():
                break
            if not keep.all():
                state = state.select(keep.nonzero().squeeze(1), self.num_segments)
                active = active[keep]
            state, logits, details = self.focus_step(state, 'mean')
            boxes_all[step, active] = _patch_boxes(details)
            sizes.append(len(active))
        final = logits_all[exit_steps, torch.arange(batch, device=device)]
        confidences, predictions = final.softmax(-1).max(-1)
        macs = self.step_macs(*inputs.shape[-2:]).to(device)[exit_steps]
        return AdaptiveResult(predictions, confidences, exit_steps, logits_all, boxes_all, macs, sizes)
