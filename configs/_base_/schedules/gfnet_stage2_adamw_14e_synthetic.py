# GlanceFocusNet stage 2 on the synthetic benchmark's busy scene: gfnet_stage2_adamw_7e_synthetic.py's
# PPO for twice the epochs (on the busy scene's seed 0, 7 more PPO epochs raised the policy's hit
# rate from 0.55 to 0.75: BENCHMARKS.md, "More PPO").
_base_ = ['gfnet_stage2_adamw_7e_synthetic.py']
max_epochs = 14
train_cfg = dict(max_epochs=max_epochs, val_interval=max_epochs)
param_scheduler = [dict(type='CosineAnnealingLR', by_epoch=True, T_max=max_epochs, eta_min=1e-5)]
