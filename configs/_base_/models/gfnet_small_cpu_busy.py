# The CPU-sized GlanceFocusNet (gfnet_small_cpu.py) for the busy scene of the synthetic benchmark,
# where the camera moves and distractors move like the actor, so motion does not say where the
# evidence is. Three changes, each measured on the busy scene (BENCHMARKS.md, demo section):
# - the policy reads the glance's RGB pixels, pooled to its 8x8 map, beside the glance features
#   (the cue that marks the actor is colour, which a glance trained from scratch on frame
#   differences does not keep);
# - each patch's position is added to its focus features (with the base's mean over frames, the
#   aggregator sees the patches' mean position, not their path: BENCHMARKS.md says what a path
#   code measured);
# - stage 1's prior is the frame-difference peak after removing the camera's motion (phase
#   correlation): it lands on moving blocks, one of which is the actor.
_base_ = ['gfnet_small_cpu.py']
model = dict(policy_pixels=True, focus_position=True, stage1_prior='compensated_motion')
