"""The early-exit benchmark's thresholds send the intended shares of clips out at each step."""

import numpy as np
import torch

from gfvideo.benchmark.device import device_settings
from gfvideo.benchmark.early_exit import EXIT_SHARES, exit_thresholds, smooth_clips
from gfvideo.registry import MODELS


def test_smooth_clips_differ_between_clips_and_are_smooth_within_a_frame():
    torch.manual_seed(0)
    clips = smooth_clips(3, 2, 32)
    assert clips.shape == (3, 2, 3, 32, 32)
    assert not torch.allclose(clips[0], clips[1])
    neighbours = (clips[..., 1:] - clips[..., :-1]).abs().mean()
    assert neighbours < 0.5 * clips.std()  # upsampled coarse noise; white noise would give about 1.1


@torch.no_grad()
def test_thresholds_make_the_exit_shares_of_a_random_model():
    torch.manual_seed(0)
    model = MODELS.build(device_settings(smoke=True).gfnet).eval()  # a tiny GlanceFocusNet, 3 focus steps
    clips = smooth_clips(16, model.num_segments, 32)
    thresholds = exit_thresholds(model, clips)
    assert len(thresholds) == model.max_focus_steps
    exits = model.forward_adaptive(clips, thresholds).exit_steps.numpy()
    expected = [round(share * 16) for share in EXIT_SHARES]
    assert np.bincount(exits, minlength=4).tolist() == expected + [16 - sum(expected)]
