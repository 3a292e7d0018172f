"""Location sources: where a focus step puts each frame's patch.

The step loop (:meth:`GlanceFocusNet.run_steps`) asks a source for one location per frame of
the clips still running, as actions in [0, 1]^2 (the patch's top-left corner, DESIGN section 2).
Sources are registered in ``LOCATION_SOURCES``: the learned policy (its mean action, or a draw
for PPO rollouts), the label-free heuristics (uniform random, the frame centre, the
frame-difference peak, the same after removing the camera's motion) and stage 1's prior; the
oracle, which reads a benchmark's object boxes, lives with the hit rates
(:mod:`gfvideo.evaluation.localization`). A user's own source is a registered
:class:`LocationSource`, named in a config or passed to the evaluation functions.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, Union

import torch
import torch.nn.functional as F

from ..registry import LOCATION_SOURCES
from .motion_prior import compensated_differences, motion_locations
from .patches import centred_locations
from .policy_base import PolicyOutput

if TYPE_CHECKING:  # for annotations only: glance_focus imports this module
    from .glance_focus import ClipState, GlanceFocusNet

#: Locations ``(N, 2)`` in [0, 1]^2 and, when a policy chose them, its decision.
Placement = tuple[torch.Tensor, Union[PolicyOutput, None]]

#: Short names accepted wherever a source is named.
ALIASES = {
    'mean': 'PolicyMean',
    'sample': 'PolicySample',
    'random': 'RandomLocations',
    'centre': 'CentreLocations',
    'center': 'CentreLocations',
    'motion': 'MotionPeak',
    'compensated_motion': 'CompensatedMotionPeak',
}


class LocationSource(ABC):
    """Chooses one patch location per frame for a focus step."""

    def bind(self, batch: dict) -> LocationSource:
        """The source for one collated batch (its ``meta``, ``frame_inds`` ...); a source that
        needs nothing from the batch is itself."""
        return self

    @abstractmethod
    def __call__(self, model: GlanceFocusNet, state: ClipState, generator: torch.Generator | None = None) -> Placement:
        """Locations for the ``(B*T,)`` frames of ``state``'s running clips."""


class _PolicyLocations(LocationSource):
    sample = False

    def __call__(self, model, state, generator=None) -> Placement:
        decision = model.policy.act(state.map_code, state.history, state.policy_state, self.sample, generator)
        height, width = state.frames.shape[-2:]
        centres = decision.location * decision.location.new_tensor([width, height])
        return centred_locations(centres, model.patch_size, height, width), decision


@LOCATION_SOURCES.register_module()
class PolicyMean(_PolicyLocations):
    """The learned policy's mean action (evaluation)."""


@LOCATION_SOURCES.register_module()
class PolicySample(_PolicyLocations):
    """A draw from the learned policy (PPO rollouts)."""

    sample = True


@LOCATION_SOURCES.register_module()
class RandomLocations(LocationSource):
    """Uniform locations (from ``generator``, else the global RNG)."""

    def __call__(self, model, state, generator=None) -> Placement:
        count = state.frame_ids.shape[0]
        return torch.rand(count, 2, generator=generator, device=state.frames.device), None


@LOCATION_SOURCES.register_module()
class CentreLocations(LocationSource):
    """The frame centre."""

    def __call__(self, model, state, generator=None) -> Placement:
        return torch.full((state.frame_ids.shape[0], 2), 0.5, device=state.frames.device), None


@LOCATION_SOURCES.register_module()
class MotionPeak(LocationSource):
    """The frame-difference peak at the glance size (:func:`motion_locations`), label-free."""

    def __call__(self, model, state, generator=None) -> Placement:
        return motion_locations(state.differences, model.patch_size, tuple(state.frames.shape[-2:])), None


@LOCATION_SOURCES.register_module()
class CompensatedMotionPeak(LocationSource):
    """The frame-difference peak after the camera's motion is estimated (phase correlation of
    neighbouring frames halved twice, refined at each finer level:
    :func:`~gfvideo.models.motion_prior.camera_shifts`) and removed: the strongest label-free heuristic, which
    finds what moves against the background, whatever the camera does. The differences are
    pooled to the glance's size before the peak is sought, as :class:`MotionPeak`'s are. They
    are computed once for a batch's frames, whichever step asks first, with the camera's motion
    the glance step already estimated when the model's focus step uses it (stage 1's prior)."""

    def __init__(self) -> None:
        self._batch: tuple[torch.Tensor, torch.Tensor] | None = None  # (frames, their pooled differences)

    def __call__(self, model, state, generator=None) -> Placement:
        differences = self._differences(model, state)[state.frame_ids]
        return motion_locations(differences, model.patch_size, tuple(state.frames.shape[-2:])), None

    def _differences(self, model, state) -> torch.Tensor:
        """The pooled compensated differences ``(N, 1, g, g)`` of the batch's frames ``(N, 3, H, W)``."""
        frames = state.frames
        if self._batch is None or self._batch[0] is not frames:
            clips = frames.view(-1, model.num_segments, *frames.shape[1:])
            whole_batch = state.frame_ids.shape[0] == frames.shape[0]  # no clip has left yet
            offsets = state.neighbour_offsets if model.estimates_camera and whole_batch else None
            differences = compensated_differences(clips, offsets)
            self._batch = (frames, F.adaptive_avg_pool2d(differences, model.glance_size))
        return self._batch[1]


@LOCATION_SOURCES.register_module()
class MotionPrior(LocationSource):
    """Stage 1's label-free prior: each frame's patch on its frame-difference peak (raw, or with
    the camera's motion removed: ``compensated``) with probability ``ratio``, uniform otherwise
    (so the focus network sees both)."""

    def __init__(self, ratio: float = 0.5, compensated: bool = False) -> None:
        if not 0.0 <= ratio <= 1.0:
            raise ValueError(f'the motion prior ratio must be in [0, 1], got {ratio}')
        self.ratio = ratio
        self.peak: LocationSource = CompensatedMotionPeak() if compensated else MotionPeak()

    def __call__(self, model, state, generator=None) -> Placement:
        uniform = RandomLocations()(model, state, generator)[0]
        device = state.frames.device
        guided = torch.rand(uniform.shape[0], generator=generator, device=device) < self.ratio
        return torch.where(guided[:, None], self.peak(model, state)[0], uniform), None


class FixedLocations(LocationSource):
    """Given locations ``(N, 2)``, for the frames of the running clips in order."""

    def __init__(self, locations: torch.Tensor) -> None:
        self.locations = locations

    def __call__(self, model, state, generator=None) -> Placement:
        return self.locations.to(state.frames), None


def build_location_source(spec: str | dict | torch.Tensor | LocationSource) -> LocationSource:
    """A source from a registered name (or an alias of :data:`ALIASES`), a config dict, a tensor
    of fixed locations, or a source itself."""
    if isinstance(spec, LocationSource):
        return spec
    if isinstance(spec, torch.Tensor):
        return FixedLocations(spec)
    cfg = dict(type=spec) if isinstance(spec, str) else dict(spec)
    name = cfg.get('type')
    if isinstance(name, str):
        cfg['type'] = ALIASES.get(name, name)
    if cfg['type'] not in LOCATION_SOURCES:
        known = sorted(set(LOCATION_SOURCES.module_dict) | set(ALIASES))
        raise ValueError(f'unknown location source {cfg["type"]!r}; registered: {known}')
    source = LOCATION_SOURCES.build(cfg)
    if not isinstance(source, LocationSource):
        raise TypeError(f'location source {cfg["type"]!r} built a {type(source).__name__}, not a LocationSource')
    return source
