# The CPU-sized GlanceFocusNet (gfnet_small_cpu.py) for the busy scene of the synthetic benchmark,
# where the camera moves and distractors move like the actor, so motion does not say where the
# evidence is. Six changes, each measured on the busy scene (BENCHMARKS.md, demo section):
# - the policy reads the glance's RGB pixels, pooled to its 8x8 map, beside the glance features
#   (the cue that marks the actor is colour, which a glance trained from scratch on frame
#   differences does not keep);
# - each patch's position is added to its focus features;
# - stage 1's prior is the frame-difference peak after removing the camera's motion (phase
#   correlation): it lands on moving blocks, one of which is the actor;
# - the focus network sees each patch beside its box's change since the previous frame, with the
#   camera's motion removed (`focus_modality='rgb+compensated_diff'`): a patch that follows the
#   actor shows it still, and the direction is half of the class; without the camera's motion
#   removed (`'rgb+diff'`) the change mixes the pan into the actor's motion, and the direction
#   was read wrong mostly across axes, more so the more the camera panned across the actor's axis
#   (seed 2, one focus step: direction 94.8% -> 99.0%, top-1 93.25% -> 96.5%);
# - in stages 1 and 3 half of the clips hide the glance from the aggregator (`glance_dropout`):
#   the glance gives the direction on 96% of the training clips but 88% of the validation clips,
#   and a focus side trained beside it never learned it (seed 0, patches on the actor: direction
#   88% with RGB patches, 87.7% with the box change alone, 91.5% with glance dropout as well);
# - PPO adds each frame's leave-one-out credit to its clip's advantage (`ppo.frame_credit`): the
#   clip's advantage alone stops teaching the frames once a few of them recognise the clip (stage
#   4 alone from the same stage 3, seed 2: hit 0.92 without it, 0.97 with it).
_base_ = ['gfnet_small_cpu.py']
model = dict(
    focus_backbone=dict(in_channels=6),
    focus_modality='rgb+compensated_diff',
    glance_dropout=0.5,
    policy_pixels=True,
    focus_position=True,
    stage1_prior='compensated_motion',
    ppo=dict(frame_credit=1.0),
)
