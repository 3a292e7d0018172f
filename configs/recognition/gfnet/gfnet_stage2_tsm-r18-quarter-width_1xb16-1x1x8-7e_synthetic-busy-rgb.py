# Busy scene, stage 2: the static scene's stage 2 (PPO trains the policy alone) with the busy
# scene's three changes (the stage 1 config says why). tools/train_all.py starts it from stage 1's
# final checkpoint.
_base_ = ['gfnet_stage2_tsm-r18-quarter-width_1xb16-1x1x8-7e_synthetic-rgb.py']
model = dict(policy_pixels=True, focus_position=True, stage1_prior='compensated_motion')
