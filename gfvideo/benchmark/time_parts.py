"""The ``time_parts`` section: where the busy recipe's early-exit time goes on CPU, part by part,
against its full-frame TSM baseline (the demo's ``time_ratio`` goal is <= 0.35)."""

from __future__ import annotations

import copy

import torch
from torch import nn

from ..config import load_config
from ..demo.recipes import EVAL_BATCH, RECIPES
from ..evaluation import interleaved_timings
from ..models import GlanceFocusNet
from ..models.modality import resize_frames
from ..models.motion_prior import neighbour_offsets
from ..registry import MODELS
from .early_exit import smooth_clips

FRAME_SIZE = 128
#: Batches of ``EVAL_BATCH`` clips per timed pass.
BATCHES = 4


@torch.no_grad()
def time_parts_section(work_dir: str, repeats: int, quick: bool = False) -> str:
    """The busy recipe's GlanceFocusNet (random weights) on 128-px clips in batches of 16: the
    glance step, the glance and one focus step (what every clip runs before it can exit) and
    their parts, each against the TSM baseline's full-frame pass; the baseline also with its
    backbone in channels-last memory format, to show its own headroom, and with a plain
    ``nn.MaxPool2d`` stem pool on channels-first maps, what
    :class:`~gfvideo.models.backbones.resnet.StemMaxPool2d` saves it."""
    recipe = RECIPES['busy']
    torch.manual_seed(0)
    model: GlanceFocusNet = MODELS.build(load_config(recipe.final).model.to_dict()).eval()
    tsm = MODELS.build(load_config(recipe.tsm).model.to_dict()).eval()
    tsm_channels_last = copy.deepcopy(tsm)
    tsm_channels_last.backbone.to(memory_format=torch.channels_last)
    tsm_plain_pool = copy.deepcopy(tsm)
    tsm_plain_pool.backbone.maxpool = nn.MaxPool2d(3, 2, 1)
    batches = [smooth_clips(EVAL_BATCH, model.num_segments, FRAME_SIZE) for _ in range(2 if quick else BATCHES)]
    frames = EVAL_BATCH * model.num_segments
    glance_input = torch.randn(frames, model.glance_backbone.in_channels, model.glance_size, model.glance_size)
    patches = torch.randn(frames, model.focus_backbone.in_channels, model.patch_size, model.patch_size)

    def glance_and_focus(clips: torch.Tensor) -> None:
        for _ in model.run_steps(clips, max_steps=1):
            pass

    parts = {
        'TSM baseline, full frames': tsm.logits,
        'TSM baseline, full frames, channels-last backbone': tsm_channels_last.logits,
        'TSM baseline, full frames, plain channels-first stem max-pool': tsm_plain_pool.logits,
        'GlanceFocusNet: glance and one focus step': glance_and_focus,
        'GlanceFocusNet: glance step': model.glance_step,
        '- resize to the glance size': lambda clips: resize_frames(clips.flatten(0, 1), model.glance_size),
        '- camera estimate (`neighbour_offsets`)': neighbour_offsets,
        '- glance backbone alone': lambda clips: model.glance_backbone(glance_input),
        '- focus backbone alone (one step)': lambda clips: model.focus_backbone(patches),
    }
    timings = interleaved_timings(parts, batches, repeats=max(2, repeats))
    baseline = timings['TSM baseline, full frames'].median_ms
    lines = ['| part | CPU ms/clip | / TSM baseline |', '|---|---|---|']
    lines += [f'| {name} | {t.median_ms:.2f} | {t.median_ms / baseline:.3f} |' for name, t in timings.items()]
    median = {name: t.median_ms for name, t in timings.items()}
    one_step = median['GlanceFocusNet: glance and one focus step']
    without_camera = one_step - median['- camera estimate (`neighbour_offsets`)']
    backbones = median['- glance backbone alone'] + median['- focus backbone alone (one step)']
    lines += [
        '',
        f'Every clip runs the glance and one focus step before it can exit: **{one_step / baseline:.3f}** of the '
        f"baseline's time; without the camera estimate {without_camera / baseline:.3f}; the two backbones alone "
        f'{backbones / baseline:.3f}. With a channels-last backbone the baseline itself runs '
        f'{baseline / median["TSM baseline, full frames, channels-last backbone"]:.2f}x as fast; with a plain '
        f'max-pool on channels-first maps for its stem it takes '
        f'{median["TSM baseline, full frames, plain channels-first stem max-pool"] / baseline:.2f}x as long. Batch '
        f'{EVAL_BATCH} clips of {model.num_segments} frames of {FRAME_SIZE} px, {torch.get_num_threads()} threads, '
        f'fp32, random weights; times are medians of {max(2, repeats)} interleaved passes over '
        f'{len(batches) * EVAL_BATCH} clips.',
    ]
    return '\n'.join(lines)
