# Stage 1 on the synthetic benchmark's busy scene, where the camera moves and distractors move like
# the actor, so motion does not say where the evidence is: the static scene's recipe with three
# changes, each aimed at a link of the chain that breaks there (BENCHMARKS.md, busy scene):
# - the policy reads the glance's RGB pixels, pooled to its 8x8 map, beside the glance features
#   (the cue that marks the actor is colour, which a glance trained from scratch on frame
#   differences does not keep);
# - each patch's position is added to its focus features, so the aggregator sees the path the
#   patches follow (a patch centred on the actor shows its identity but not its motion);
# - stage 1's prior is the frame-difference peak after removing the camera's motion (phase
#   correlation), half of the patches, the other half uniform: it lands on moving blocks, one of
#   which is the actor.
_base_ = ['gfnet_stage1_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py']
model = dict(policy_pixels=True, focus_position=True, stage1_prior='compensated_motion')
