# Busy scene, stage 3: the static scene's stage 3 (the focus backbone and the aggregator fine-tune
# on the learned patches) with the busy scene's three changes (the stage 1 config says why).
# tools/train_all.py starts it from stage 2's final checkpoint.
_base_ = ['gfnet_stage3_tsm-r18-quarter-width_1xb16-1x1x8-5e_synthetic-rgb.py']
model = dict(policy_pixels=True, focus_position=True, stage1_prior='compensated_motion')
