# GlanceFocusNet stage 3 on the synthetic benchmark's busy scene: gfnet_stage3_adamw_5e_synthetic.py
# at four times its learning rate. Its loss was still falling at 2.5e-4; from the same stage 2, one
# focus step after stage 3 rose from 95.75 / 94.75% to 97.0 / 97.0% on seeds 3 / 4 (2e-3: 97.25 /
# 95.75%), and early exit's most accurate point after stage 4 by 0.0-2.0 points on seeds 0-4
# (BENCHMARKS.md, "Seeds the recipe was not tuned on").
_base_ = ['gfnet_stage3_adamw_5e_synthetic.py']
optim_wrapper = dict(optimizer=dict(lr=1e-3))
